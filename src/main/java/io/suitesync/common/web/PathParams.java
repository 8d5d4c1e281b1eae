package io.suitesync.common.web;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriUtils;

/**
 * URL-decodes the path parameters of a REST request ({@code x%20y} → {@code x y}, {@code %C3%BC} → {@code ü}):
 * Camel's platform-http on Spring Boot copies them from the raw request URI, still encoded. Called
 * for every REST route by the {@code rest-error-handling} route configuration, before any step.
 */
@Component("pathParams")
public class PathParams {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}/]+)}");

    public void decode(Exchange exchange) {
        if (!(exchange.getFromEndpoint() instanceof PlatformHttpEndpoint endpoint) || endpoint.getPath() == null) {
            return;
        }
        Matcher names = PLACEHOLDER.matcher(endpoint.getPath());
        while (names.find()) {
            String name = names.group(1);
            String raw = exchange.getMessage().getHeader(name, String.class);
            if (raw != null) {
                exchange.getMessage().setHeader(name, decode(name, raw));
            }
        }
    }

    /** One path segment, percent-decoded as UTF-8 ({@code +} stays {@code +}); 400 naming the parameter if malformed. */
    static String decode(String name, String raw) {
        String value;
        try {
            value = UriUtils.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("path parameter '" + name + "' is not valid percent-encoding");
        }
        if (value.indexOf('\uFFFD') >= 0 && raw.indexOf('\uFFFD') < 0) {
            throw ApiException.badRequest("path parameter '" + name + "' is not valid UTF-8");
        }
        if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw ApiException.badRequest("path parameter '" + name + "' contains a control character");
        }
        return value;
    }
}
