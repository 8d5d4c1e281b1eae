package io.suitesync.common.web;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Credentials of the admin and read APIs, from the environment only:
 * {@code SUITESYNC_ADMIN_API_KEY} (or {@code SUITESYNC_ADMIN_USER}/{@code SUITESYNC_ADMIN_PASSWORD} for
 * HTTP Basic) and {@code SUITESYNC_READ_KEYS} = {@code crm=key1,hrms=key2}: one key per downstream app.
 */
@ConfigurationProperties("suitesync.security")
public record SecurityProperties(String adminApiKey, String adminUser, String adminPassword, String readKeys) {

    /** key → application code */
    public Map<String, String> readKeyToApp() {
        Map<String, String> out = new LinkedHashMap<>();
        if (readKeys == null || readKeys.isBlank()) {
            return out;
        }
        for (String pair : readKeys.split(",")) {
            String[] parts = pair.trim().split("=", 2);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalArgumentException("suitesync.security.read-keys: expected app=key pairs, got '" + pair + "'");
            }
            out.put(parts[1].trim(), parts[0].trim());
        }
        return out;
    }
}
