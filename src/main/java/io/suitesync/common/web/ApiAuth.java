package io.suitesync.common.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Authentication of the admin and read APIs, called as the first step of their routes:
 * {@code bean: {ref: apiAuth, method: admin}} or {@code bean: {ref: apiAuth, method: reader}}.
 * No or unknown credentials → 401; a read key of another application than the path's → 403.
 */
@Component("apiAuth")
public class ApiAuth {

    public static final String API_KEY_HEADER = "X-Api-Key";
    /** Set by {@link #reader}: the application the caller's key belongs to. */
    public static final String CALLER_APP_HEADER = "SuiteSyncCallerApp";

    private static final Logger log = LoggerFactory.getLogger(ApiAuth.class);

    private final SecurityProperties security;
    private final Map<String, String> readKeys;

    public ApiAuth(SecurityProperties security) {
        this.security = security;
        this.readKeys = security.readKeyToApp();
        if (isBlank(security.adminApiKey()) && isBlank(security.adminPassword())) {
            log.warn("no admin credentials configured (SUITESYNC_ADMIN_API_KEY or SUITESYNC_ADMIN_USER/PASSWORD): "
                    + "every admin request will be refused with 401");
        }
    }

    /** Admin API: the admin API key, or HTTP Basic with the admin user and password. */
    public void admin(Exchange exchange) {
        String key = exchange.getMessage().getHeader(API_KEY_HEADER, String.class);
        if (key != null && !isBlank(security.adminApiKey()) && equal(key, security.adminApiKey())) {
            return;
        }
        String basic = basicCredentials(exchange);
        if (basic != null && !isBlank(security.adminUser()) && !isBlank(security.adminPassword())
                && equal(basic, security.adminUser() + ":" + security.adminPassword())) {
            return;
        }
        if (key != null && readKeys.containsKey(key)) {
            throw new ApiException(403, "this API key may use the read API only");
        }
        throw new ApiException(401, "admin credentials required: header " + API_KEY_HEADER + " or HTTP Basic");
    }

    /**
     * Read API: a downstream application's key. The application must match {@code appCode} in the
     * path (header of the same name), so an app reads only its own data.
     */
    public void reader(Exchange exchange) {
        String key = exchange.getMessage().getHeader(API_KEY_HEADER, String.class);
        if (key == null) {
            throw new ApiException(401, "API key required in header " + API_KEY_HEADER);
        }
        String app = readKeys.get(key);
        if (app == null) {
            if (!isBlank(security.adminApiKey()) && equal(key, security.adminApiKey())) {
                return;
            }
            throw new ApiException(401, "unknown API key");
        }
        String requested = exchange.getMessage().getHeader("appCode", String.class);
        if (requested != null && !requested.equals(app)) {
            throw new ApiException(403, "this key belongs to application '" + app + "', not '" + requested + "'");
        }
        exchange.getMessage().setHeader(CALLER_APP_HEADER, app);
    }

    private static String basicCredentials(Exchange exchange) {
        String header = exchange.getMessage().getHeader("Authorization", String.class);
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            return new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean equal(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
