package io.suitesync.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
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
}
