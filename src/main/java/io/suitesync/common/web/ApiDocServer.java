package io.suitesync.common.web;

import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.RestConfiguration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;
import org.springframework.validation.annotation.Validated;

/**
 * The {@code servers} URL of the OpenAPI document ({@code GET /api-doc}): {@code suitesync.api.public-url}
 * when set (the URL clients reach the hub at, e.g. behind a proxy), else {@code http://localhost:<port>}
 * of this server. Camel would otherwise print its bind address, {@code http://0.0.0.0/}, which no
 * client can call. Set when the web server is up (its port is known) and before Camel starts the
 * routes, which is when the document's processor reads it.
 */
@Component
public class ApiDocServer implements ApplicationListener<WebServerInitializedEvent> {

    /** {@code suitesync.api.public-url}: absolute http(s) URL, without a path. */
    @Validated
    @ConfigurationProperties("suitesync.api")
    public record Properties(
            @Pattern(regexp = "(https?://[^/?#]+/?)?", message = "must be an http(s) URL without a path, e.g. https://hub.example.com")
            String publicUrl) {}

    private final CamelContext camel;
    private final Properties properties;

    public ApiDocServer(CamelContext camel, Properties properties) {
        this.camel = camel;
        this.properties = properties;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() != null) {
            return; // a management server of its own, not the one serving the API
        }
        URI url = properties.publicUrl() == null || properties.publicUrl().isBlank()
                ? URI.create("http://localhost:" + event.getWebServer().getPort())
                : URI.create(properties.publicUrl());
        RestConfiguration rest = camel.getRestConfiguration();
        rest.setApiHost(url.getAuthority());
        Map<String, Object> api = rest.getApiProperties() == null ? new HashMap<>() : new HashMap<>(rest.getApiProperties());
        api.put("schemes", url.getScheme());
        rest.setApiProperties(api);
    }
}
