package io.suitesync.common.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.mock.web.MockHttpServletRequest;

class CredentialsFilterTest {

    @ParameterizedTest(name = "Origin {0}, Host {1}, Sec-Fetch-Site {2} -> cross-origin {3}")
    @CsvSource(nullValues = "-", value = {
            "-, localhost:8080, -, false",
            "http://localhost:8080, localhost:8080, same-origin, false",
            "https://hub.example.com, hub.example.com, -, false",
            "HTTP://HUB.example.com, hub.example.COM, -, false",
            "https://evil.example, localhost:8080, -, true",
            "http://localhost:8081, localhost:8080, -, true",
            "http://localhost:8080.evil.example, localhost:8080, -, true",
            "null, localhost:8080, -, true",
            "-, localhost:8080, cross-site, true",
            "-, localhost:8080, same-site, false"})
    void basicCredentialsCountOnlyFromTheSameOrigin(String origin, String host, String fetchSite, boolean cross) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/actuator/jolokia");
        if (origin != null) {
            request.addHeader("Origin", origin);
        }
        request.addHeader("Host", host);
        if (fetchSite != null) {
            request.addHeader("Sec-Fetch-Site", fetchSite);
        }
        assertThat(CredentialsFilter.crossOrigin(request)).isEqualTo(cross);
    }
}
