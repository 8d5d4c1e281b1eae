package io.suitesync.common.web;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Credentials of every HTTP surface (SecurityConfiguration), from the environment only:
 * {@code SUITESYNC_ADMIN_API_KEY} (or {@code SUITESYNC_ADMIN_USER}/{@code SUITESYNC_ADMIN_PASSWORD} for
 * HTTP Basic), {@code SUITESYNC_READ_KEYS} = {@code crm=key1,hrms=key2} (one key per downstream app) and
 * {@code SUITESYNC_METRICS_USER}/{@code SUITESYNC_METRICS_PASSWORD} for the Prometheus scrape.
 * {@code maxBodySize}: larger request bodies are refused with 413 before anything reads them.
 */
@ConfigurationProperties("suitesync.security")
public record SecurityProperties(String adminApiKey, String adminUser, String adminPassword, String readKeys,
                                 String metricsUser, String metricsPassword,
                                 @DefaultValue("1MB") DataSize maxBodySize) {

    public SecurityProperties {
        if (blank(adminUser) != blank(adminPassword)) {
            throw new IllegalArgumentException("suitesync.security.admin-user and admin-password "
                    + "(SUITESYNC_ADMIN_USER/SUITESYNC_ADMIN_PASSWORD) must be set together");
        }
        if (blank(metricsUser) != blank(metricsPassword)) {
            throw new IllegalArgumentException("suitesync.security.metrics-user and metrics-password "
                    + "(SUITESYNC_METRICS_USER/SUITESYNC_METRICS_PASSWORD) must be set together");
        }
        if (maxBodySize == null || maxBodySize.toBytes() <= 0) {
            throw new IllegalArgumentException("suitesync.security.max-body-size must be positive, got " + maxBodySize);
        }
    }

    /** key → application code */
    public Map<String, String> readKeyToApp() {
        Map<String, String> out = new LinkedHashMap<>();
        if (blank(readKeys)) {
            return out;
        }
        for (String pair : readKeys.split(",")) {
            String[] parts = pair.trim().split("=", 2);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalArgumentException("suitesync.security.read-keys: expected app=key pairs, got '" + pair + "'");
            }
            if (out.put(parts[1].trim(), parts[0].trim()) != null) {
                throw new IllegalArgumentException("suitesync.security.read-keys: one key is given to two applications");
            }
        }
        if (!blank(adminApiKey) && out.containsKey(adminApiKey)) {
            throw new IllegalArgumentException("suitesync.security.read-keys: a read key equals the admin API key");
        }
        return out;
    }

    static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
