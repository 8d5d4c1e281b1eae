package io.suitesync.common.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.AuthorityUtils;

/**
 * Who a request's credentials belong to: the admin (API key or HTTP Basic), the Prometheus scraper
 * (HTTP Basic) or a downstream application (its read key). Unknown credentials are nobody. Secrets
 * are compared in constant time.
 */
public class ApiCredentials {

    public static final String API_KEY_HEADER = "X-Api-Key";
    public static final String ADMIN = "ROLE_ADMIN";
    public static final String METRICS = "ROLE_METRICS";
    public static final String READER = "ROLE_READER";
    /** Authority of a read key: {@code READ_<app>}, the only application it may read. */
    public static final String READ_PREFIX = "READ_";

    private final SecurityProperties security;
    private final Map<String, String> readKeys;

    public ApiCredentials(SecurityProperties security) {
        this.security = security;
        this.readKeys = security.readKeyToApp();
    }

    public boolean adminConfigured() {
        return !SecurityProperties.blank(security.adminApiKey()) || !SecurityProperties.blank(security.adminPassword());
    }

    public Optional<Authentication> byApiKey(String key) {
        if (key == null || key.isEmpty()) {
            return Optional.empty();
        }
        if (!SecurityProperties.blank(security.adminApiKey()) && equal(key, security.adminApiKey())) {
            return Optional.of(caller("admin", ADMIN));
        }
        for (Map.Entry<String, String> read : readKeys.entrySet()) {
            if (equal(key, read.getKey())) {
                return Optional.of(caller("app:" + read.getValue(), READER, READ_PREFIX + read.getValue()));
            }
        }
        return Optional.empty();
    }

    public Optional<Authentication> byBasic(String user, String password) {
        if (matches(user, password, security.adminUser(), security.adminPassword())) {
            return Optional.of(caller(user, ADMIN));
        }
        if (matches(user, password, security.metricsUser(), security.metricsPassword())) {
            return Optional.of(caller(user, METRICS));
        }
        return Optional.empty();
    }

    /** The application a read key belongs to, or empty for the admin and the scraper. */
    public static Optional<String> readerApp(Authentication auth) {
        return auth == null ? Optional.empty() : auth.getAuthorities().stream()
                .map(GrantedAuthority::getAuthority)
                .filter(a -> a.startsWith(READ_PREFIX))
                .map(a -> a.substring(READ_PREFIX.length()))
                .findFirst();
    }

    public static boolean has(Authentication auth, String authority) {
        return auth != null && auth.getAuthorities().stream().anyMatch(a -> a.getAuthority().equals(authority));
    }

    private static Authentication caller(String name, String... authorities) {
        List<GrantedAuthority> granted = AuthorityUtils.createAuthorityList(authorities);
        return UsernamePasswordAuthenticationToken.authenticated(name, null, granted);
    }

    private static boolean matches(String user, String password, String expectedUser, String expectedPassword) {
        if (user == null || password == null || SecurityProperties.blank(expectedUser) || SecurityProperties.blank(expectedPassword)) {
            return false;
        }
        // both compared, so the time does not tell which one was wrong
        return equal(user, expectedUser) & equal(password, expectedPassword);
    }

    private static boolean equal(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
