package io.suitesync.common.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.Authentication;
import org.springframework.util.unit.DataSize;

class ApiCredentialsTest {

    private final ApiCredentials credentials = new ApiCredentials(new SecurityProperties("admin-key", "ops", "ops-password",
            "crm=crm-key, hrms=hrms-key", "prometheus", "scrape", DataSize.ofMegabytes(1)));

    @Test
    void eachCredentialIsWhoItBelongsTo() {
        assertThat(authorities(credentials.byApiKey("admin-key"))).containsExactly(ApiCredentials.ADMIN);
        assertThat(authorities(credentials.byApiKey("crm-key"))).containsExactly(ApiCredentials.READER, "READ_crm");
        assertThat(authorities(credentials.byApiKey("hrms-key"))).containsExactly(ApiCredentials.READER, "READ_hrms");
        assertThat(authorities(credentials.byBasic("ops", "ops-password"))).containsExactly(ApiCredentials.ADMIN);
        assertThat(authorities(credentials.byBasic("prometheus", "scrape"))).containsExactly(ApiCredentials.METRICS);
        assertThat(ApiCredentials.readerApp(credentials.byApiKey("crm-key").orElseThrow())).hasValue("crm");
        assertThat(ApiCredentials.readerApp(credentials.byApiKey("admin-key").orElseThrow())).isEmpty();
    }

    @Test
    void unknownOrMixedUpCredentialsAreNobody() {
        for (String key : new String[] {null, "", "admin-key ", "ADMIN-KEY", "crm", "crm-key2", "ops-password"}) {
            assertThat(credentials.byApiKey(key)).as(key).isEmpty();
        }
        assertThat(credentials.byBasic("ops", "scrape")).isEmpty();
        assertThat(credentials.byBasic("prometheus", "ops-password")).isEmpty();
        assertThat(credentials.byBasic("ops", "")).isEmpty();
        assertThat(credentials.byBasic(null, null)).isEmpty();
        assertThat(credentials.byBasic("crm", "crm-key")).isEmpty();
    }

    @Test
    void anApplicationMayHoldTwoKeysWhileOneIsRotated() {
        ApiCredentials rotating = new ApiCredentials(new SecurityProperties("admin-key", null, null,
                "crm=old-key,crm=new-key", null, null, DataSize.ofMegabytes(1)));
        assertThat(authorities(rotating.byApiKey("old-key"))).contains("READ_crm");
        assertThat(authorities(rotating.byApiKey("new-key"))).contains("READ_crm");
    }

    @Test
    void nothingConfiguredLetsNobodyIn() {
        ApiCredentials none = new ApiCredentials(new SecurityProperties("", "", "", "", null, null, DataSize.ofMegabytes(1)));
        assertThat(none.adminConfigured()).isFalse();
        assertThat(none.byApiKey("")).isEmpty();
        assertThat(none.byBasic("", "")).isEmpty();
    }

    @Test
    void inconsistentSettingsFailStartUpNamingTheKey() {
        assertThatThrownBy(() -> new SecurityProperties("k", "ops", "", "", null, null, DataSize.ofMegabytes(1)))
                .hasMessageContaining("suitesync.security.admin-user");
        assertThatThrownBy(() -> new SecurityProperties("k", null, null, "", "prometheus", null, DataSize.ofMegabytes(1)))
                .hasMessageContaining("suitesync.security.metrics-user");
        assertThatThrownBy(() -> new SecurityProperties("k", null, null, "", null, null, DataSize.ofBytes(0)))
                .hasMessageContaining("suitesync.security.max-body-size");
        assertThatThrownBy(() -> new ApiCredentials(new SecurityProperties("k", null, null, "crm=k", null, null,
                DataSize.ofMegabytes(1)))).hasMessageContaining("equals the admin API key");
        assertThatThrownBy(() -> new ApiCredentials(new SecurityProperties("k", null, null, "crm=x,hrms=x", null, null,
                DataSize.ofMegabytes(1)))).hasMessageContaining("two applications");
        assertThatThrownBy(() -> new ApiCredentials(new SecurityProperties("k", null, null, "crm", null, null,
                DataSize.ofMegabytes(1)))).hasMessageContaining("app=key");
    }

    private static java.util.List<String> authorities(Optional<Authentication> auth) {
        return auth.orElseThrow().getAuthorities().stream().map(a -> a.getAuthority()).toList();
    }
}
