package io.suitesync.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "suitesync.security.admin-user=ops", "suitesync.security.admin-password=it-admin-password"})
class HealthIT {

    @Autowired
    TestRestTemplate http;

    @Test
    void healthReportsServiceDatabaseAndRedis() {
        ResponseEntity<Map> response = http.getForEntity("/health", Map.class);

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(response.getBody()).containsEntry("status", "UP").containsEntry("service", "suitesync")
                .containsKey("timestamp");
        assertThat((Map<String, Object>) response.getBody().get("components")).containsOnlyKeys("db", "redis");
    }

    @Test
    void responsesNeverEchoRequestCredentials() {
        HttpHeaders headers = new HttpHeaders();
        headers.set("X-Api-Key", "secret-key");
        headers.setBasicAuth("admin", "secret-password");

        ResponseEntity<String> response = http.exchange("/health", HttpMethod.GET, new HttpEntity<>(headers), String.class);

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(response.getHeaders().keySet()).map(String::toLowerCase).doesNotContain("x-api-key", "authorization");
    }

    @Test
    void prometheusExposesRelayFiguresAndRoutesById() {
        String metrics = admin().getForObject("/actuator/prometheus", String.class);

        assertThat(metrics).contains("suitesync_relay_pending", "suitesync_relay_lag_seconds",
                "suitesync_relay_processed_total", "suitesync_relay_batch_time_seconds",
                "routeId=\"change-log-relay\"");
    }

    @Test
    void hawtioConsoleIsServed() {
        assertThat(admin().getForEntity("/actuator/hawtio/", String.class).getStatusCode()).isEqualTo(HttpStatus.OK);
        // Hawtio reads the routes over Jolokia; the relay route must be visible there by its id
        String routes = admin().getForObject("/actuator/jolokia/search/org.apache.camel:type=routes,*", String.class);
        assertThat(routes).contains("change-log-relay");
    }

    private TestRestTemplate admin() {
        return http.withBasicAuth("ops", "it-admin-password");
    }
}
