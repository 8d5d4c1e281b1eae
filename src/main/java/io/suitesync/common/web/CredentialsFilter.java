package io.suitesync.common.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Reads a request's credentials (header {@code X-Api-Key}, else HTTP Basic) into Spring Security's
 * context, before authorization and before anything reads the body. Credentials that match nobody
 * leave the request anonymous (so a protected path answers 401) and are remembered for the message;
 * so does HTTP Basic sent from a page of another origin (cross-site request forgery with the
 * credentials a browser caches for Hawtio).
 */
class CredentialsFilter extends OncePerRequestFilter {

    static final String REJECTED = CredentialsFilter.class.getName() + ".rejected";

    private final ApiCredentials credentials;

    CredentialsFilter(ApiCredentials credentials) {
        this.credentials = credentials;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String key = request.getHeader(ApiCredentials.API_KEY_HEADER);
        String authorization = request.getHeader("Authorization");
        Optional<Authentication> caller = Optional.empty();
        if (key != null) {
            caller = credentials.byApiKey(key);
            if (caller.isEmpty()) {
                request.setAttribute(REJECTED, "unknown API key");
            }
        } else if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            if (crossOrigin(request)) {
                // a browser re-sends cached Basic credentials on a forged cross-site request: not from another site
                request.setAttribute(REJECTED, "HTTP Basic from another origin (" + request.getHeader("Origin") + ")");
                chain.doFilter(request, response);
                return;
            }
            String[] basic = basic(authorization.substring(6).trim());
            caller = basic == null ? Optional.empty() : credentials.byBasic(basic[0], basic[1]);
            if (caller.isEmpty()) {
                request.setAttribute(REJECTED, "wrong user or password");
            }
        }
        caller.ifPresent(auth -> {
            SecurityContext context = SecurityContextHolder.getContextHolderStrategy().createEmptyContext();
            context.setAuthentication(auth);
            SecurityContextHolder.getContextHolderStrategy().setContext(context);
        });
        chain.doFilter(request, response);
    }

    /**
     * A browser request sent by a page of another site: its Origin names another host than the request's.
     * (An X-Api-Key header cannot be forged that way: a browser sends it cross-site only after a CORS
     * preflight, which this server never grants.)
     */
    static boolean crossOrigin(HttpServletRequest request) {
        String origin = request.getHeader("Origin");
        if (origin == null) {
            return "cross-site".equals(request.getHeader("Sec-Fetch-Site"));
        }
        String host = request.getHeader("Host");
        int scheme = origin.indexOf("://");
        return host == null || scheme < 0 || !origin.substring(scheme + 3).equalsIgnoreCase(host);
    }

    private static String[] basic(String encoded) {
        try {
            String pair = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            int colon = pair.indexOf(':');
            return colon < 0 ? null : new String[] {pair.substring(0, colon), pair.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
