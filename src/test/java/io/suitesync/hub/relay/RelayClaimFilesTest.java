package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;
import org.yaml.snakeyaml.Yaml;

/**
 * The relay's claim routes tell camel-sql how many parameters each claim has ({@code parametersCount}),
 * so it does not ask the driver before every claim (a round trip, after which pgjdbc prepared the
 * statement anew and PostgreSQL parsed and planned every claim again). A count that no longer matches
 * its file fails every claim with "Number of parameters mismatch": this keeps them in step.
 */
class RelayClaimFilesTest {

    private static final String CLAIM_URI = "sql:classpath:sql/relay/";

    @Test
    void eachClaimRouteGivesItsClaimsParameterCount() throws IOException {
        // the claim routes' consumers, by their query's name: the count each gives camel-sql (null: none)
        Map<String, Object> declared = new LinkedHashMap<>();
        // and the statement strategy that works out the query and its parameters once (ClaimStatements)
        Map<String, Object> strategies = new LinkedHashMap<>();
        String yaml = new ClassPathResource("routes/hub/change-log-relay.camel.yaml").getContentAsString(StandardCharsets.UTF_8);
        for (Map<String, Map<String, Object>> entry : new Yaml().<List<Map<String, Map<String, Object>>>>load(yaml)) {
            Map<String, Object> route = entry.get("route");
            @SuppressWarnings("unchecked")
            Map<String, Object> from = route == null ? Map.of() : (Map<String, Object>) route.get("from");
            String uri = String.valueOf(from.get("uri"));
            if (uri.startsWith(CLAIM_URI)) {
                @SuppressWarnings("unchecked")
                Map<String, Object> parameters = (Map<String, Object>) from.get("parameters");
                String claim = uri.substring(CLAIM_URI.length()).replace(".sql", "");
                declared.put(claim, parameters.get("parametersCount"));
                strategies.put(claim, parameters.get("prepareStatementStrategy"));
            }
        }
        assertThat(declared).containsOnlyKeys("claim", "claim-live");
        assertThat(strategies).as("each claim's prepareStatementStrategy (ClaimStatements)")
                .containsOnlyKeys("claim", "claim-live").allSatisfy((claim, bean) -> assertThat(bean).isEqualTo("#claimStatements"));
        declared.forEach((claim, count) -> assertThat(count).as("parametersCount of %s, its :# parameters", claim)
                .isEqualTo(placeholders(RelayLedger.query(claim))));
    }

    @Test
    void commentsDoNotCountAsParameters() {
        assertThat(placeholders("-- up to :#x tenants\nSELECT :#${bean:a.b}, :#${properties:c} -- :#d")).isEqualTo(2);
    }

    /** camel-sql's named parameters ({@code :#name}, {@code :#${...}}) outside {@code --} comments. */
    static int placeholders(String sql) {
        int count = 0;
        for (String line : sql.split("\n")) {
            int comment = line.indexOf("--");
            String code = comment < 0 ? line : line.substring(0, comment);
            for (int i = code.indexOf(":#"); i >= 0; i = code.indexOf(":#", i + 2)) {
                count++;
            }
        }
        return count;
    }
}
