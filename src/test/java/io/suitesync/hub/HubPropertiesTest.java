package io.suitesync.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.suitesync.common.EventFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** suitesync.hub.event-format: bound per application, from YAML keys or environment variables, and checked. */
class HubPropertiesTest {

    private static HubProperties bind(Map<String, Object> environment) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environment));
        return new Binder(ConfigurationPropertySources.get(env)).bindOrCreate("suitesync.hub", HubProperties.class);
    }

    private static Map<String, Object> minimal(String formatVariable, String value) {
        return Map.of("SUITESYNC_HUB_APPLICATIONS", "crm,hrms",
                "SUITESYNC_HUB_SUITEWIDEPERMISSIONS", "user-management",
                "SUITESYNC_HUB_TABLES_ROLES_ENTITY", "role",
                "SUITESYNC_HUB_TABLES_ROLES_DATATYPE", "roles",
                "SUITESYNC_HUB_TABLES_ROLES_TIER", "critical",
                "SUITESYNC_HUB_TABLES_ROLES_STRATEGY", "permissions",
                formatVariable, value);
    }

    @Test
    void anApplicationNotListedGetsTheSuiteSyncFormat() {
        HubProperties hub = bind(minimal("SUITESYNC_HUB_EVENTFORMAT_CRM", "seed"));

        assertThat(hub.formatOf("crm")).isEqualTo(EventFormat.SEED);
        assertThat(hub.formatOf("hrms")).isEqualTo(EventFormat.SUITESYNC);
    }

    @Test
    void aFormatForAnUnknownApplicationOrAnUnknownFormatFailsNamingTheKey() {
        assertThatThrownBy(() -> bind(minimal("SUITESYNC_HUB_EVENTFORMAT_CMR", "seed")))
                .isInstanceOf(BindException.class).rootCause()
                .hasMessageContaining("suitesync.hub.event-format.cmr").hasMessageContaining("[crm, hrms]");
        assertThatThrownBy(() -> bind(minimal("SUITESYNC_HUB_EVENTFORMAT_CRM", "seeds")))
                .isInstanceOf(BindException.class).hasMessageContaining("suitesync.hub.eventformat.crm");
    }
}
