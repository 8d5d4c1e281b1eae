package io.suitesync.bridge.connector;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.bridge.BridgeProperties;
import io.suitesync.bridge.SystemId;
import io.suitesync.common.ConditionalOnRole;
import java.net.http.HttpRequest;
import org.springframework.stereotype.Component;

/** The CRM: a static API token, sent as a bearer token; a 401 cannot be cured by retrying. */
@Component("crmConnector")
@ConditionalOnRole("bridge")
public class CrmConnector extends SystemConnector {

    private final String apiToken;

    public CrmConnector(BridgeProperties properties, ObjectMapper json) {
        super(properties.crm().baseUrl(), properties.http(), json);
        this.apiToken = properties.crm().apiToken();
    }

    @Override
    public SystemId system() {
        return SystemId.CRM;
    }

    @Override
    public String externalIdField() {
        return "externalId";
    }

    @Override
    protected void authorize(HttpRequest.Builder request) {
        request.header("Authorization", "Bearer " + apiToken);
    }

    @Override
    protected boolean renewCredentials(HttpRequest refused) {
        return false;
    }
}
