package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The relay's claim routes tell camel-sql how many parameters each claim has ({@code parametersCount}),
 * so it does not ask the driver before every claim (a round trip, after which pgjdbc prepared the
 * statement anew and PostgreSQL parsed and planned every claim again). A count that no longer matches
 * its file fails every claim with "Number of parameters mismatch": this keeps them in step.
 */
class RelayClaimFilesTest {

    private static final Pattern POLLER = Pattern.compile(
            "uri: sql:classpath:(sql/relay/[\\w-]+\\.sql)\\s+parameters:(?:\\s+#[^\\n]*|\\s+\\w+: [^\\n]+)*?\\s+parametersCount: (\\d+)");

    @Test
    void eachClaimRouteGivesItsClaimsParameterCount() throws IOException {
        String routes = resource("routes/hub/change-log-relay.camel.yaml");
        Map<String, Integer> declared = new LinkedHashMap<>();
        Matcher m = POLLER.matcher(routes);
        while (m.find()) {
            declared.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        assertThat(declared).containsOnlyKeys("sql/relay/claim.sql", "sql/relay/claim-live.sql");
        declared.forEach((file, count) -> {
            try {
                assertThat(placeholders(resource(file))).as("the :# parameters of %s", file).isEqualTo(count);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
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

    private static String resource(String path) throws IOException {
        try (InputStream in = RelayClaimFilesTest.class.getClassLoader().getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
