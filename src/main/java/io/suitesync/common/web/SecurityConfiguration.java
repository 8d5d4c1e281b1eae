package io.suitesync.common.web;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter;
import org.springframework.security.web.header.writers.StaticHeadersWriter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * The one authentication layer of every HTTP surface of this process (hub, agent and bridge alike,
 * also when they run together). Credentials: the admin (X-Api-Key or HTTP Basic) for the admin and
 * bridge APIs, Hawtio, Jolokia and every actuator endpoint; the Prometheus scrape credential (HTTP
 * Basic) or the admin for {@code /actuator/prometheus}; a read key for its own application's
 * {@code /read/{app}/**} only. Open: {@code /health}, {@code /actuator/health} (status only),
 * {@code /api-doc}, the signed webhooks and the agent's local API. Everything else needs the admin, the
 * operator console ({@code /console/**}) by a rule of its own.
 * Every refusal is the JSON error of {@link ApiErrors}. No session: each request brings its credentials.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
public class SecurityConfiguration {

    static final String REALM = "Basic realm=\"SuiteSync\"";

    /**
     * The console's pages: scripts and styles from this origin only (Alpine.js evaluates its
     * attribute expressions, hence 'unsafe-eval'), calls to this origin only, never framed elsewhere.
     */
    static final String CONSOLE_CSP = "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'self'; form-action 'none'; base-uri 'none'; object-src 'none'";

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    @Bean
    ApiCredentials apiCredentials(SecurityProperties security) {
        ApiCredentials credentials = new ApiCredentials(security);
        if (!credentials.adminConfigured()) {
            log.warn("no admin credentials configured (SUITESYNC_ADMIN_API_KEY or SUITESYNC_ADMIN_USER/PASSWORD): "
                    + "every admin, bridge, actuator and Hawtio request will be refused with 401");
        }
        return credentials;
    }

    /** Keeps Spring Boot from creating its default user with a generated password: CredentialsFilter authenticates. */
    @Bean
    AuthenticationProvider noPasswordLogin() {
        return new AuthenticationProvider() {
            @Override
            public Authentication authenticate(Authentication authentication) {
                throw new BadCredentialsException("authentication is done by the credentials filter");
            }

            @Override
            public boolean supports(Class<?> authentication) {
                return false;
            }
        };
    }

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http, ApiCredentials credentials, SecurityProperties security)
            throws Exception {
        PathPatternRequestMatcher.Builder path = PathPatternRequestMatcher.withDefaults();
        http.authorizeHttpRequests(requests -> requests
                        // the second dispatch of a request already authorized (platform-http answers asynchronously)
                        // and the error page of a request already let through or refused
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
                        .requestMatchers(path.matcher("/health"), path.matcher("/actuator/health"),
                                path.matcher("/api-doc"), path.matcher("/api-doc/**"), path.matcher("/webhook/**"),
                                path.matcher("/api/**"), path.matcher("/agent/stats")).permitAll()
                        .requestMatchers(path.matcher("/actuator/prometheus")).hasAnyRole("METRICS", "ADMIN")
                        .requestMatchers(path.matcher("/read/{app}/**")).access(SecurityConfiguration::readerOfPathApp)
                        // the operator console (pages and libraries): the admin only, whatever the default below becomes
                        .requestMatchers(path.matcher("/console"), path.matcher("/console/**")).hasRole("ADMIN")
                        .anyRequest().hasRole("ADMIN"))
                .addFilterBefore(new CredentialsFilter(credentials), BasicAuthenticationFilter.class)
                .addFilterAfter(new ChunkedBodyLimitFilter(security.maxBodySize().toBytes()), AuthorizationFilter.class)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                // no cookie or session authenticates a request, and the Basic credentials a browser caches count
                // only on requests from the same origin (CredentialsFilter): a forged request authenticates nothing
                .csrf(csrf -> csrf.disable())
                .httpBasic(basic -> basic.disable())
                .formLogin(form -> form.disable())
                .logout(logout -> logout.disable())
                .requestCache(cache -> cache.disable())
                .headers(headers -> headers.frameOptions(frame -> frame.sameOrigin())
                        // the console runs only its own scripts and talks only to this origin
                        .addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(path.matcher("/console/**"),
                                new StaticHeadersWriter("Content-Security-Policy", CONSOLE_CSP))))
                .exceptionHandling(errors -> errors.authenticationEntryPoint(unauthorized())
                        .accessDeniedHandler(forbidden()));
        return http.build();
    }

    /** A read key reaches only its own application's read API; the admin reaches every application's. */
    private static AuthorizationDecision readerOfPathApp(Supplier<Authentication> auth, RequestAuthorizationContext context) {
        Authentication caller = auth.get();
        String app = context.getVariables().get("app");
        return new AuthorizationDecision(ApiCredentials.has(caller, ApiCredentials.ADMIN)
                || ApiCredentials.has(caller, ApiCredentials.READ_PREFIX + app));
    }

    private static AuthenticationEntryPoint unauthorized() {
        return (request, response, e) -> {
            Object rejected = request.getAttribute(CredentialsFilter.REJECTED);
            response.setHeader("WWW-Authenticate", REALM);
            ApiErrors.write(response, 401, (rejected == null ? "" : rejected + ": ")
                    + "credentials required: header " + ApiCredentials.API_KEY_HEADER + " or HTTP Basic");
        };
    }

    private static AccessDeniedHandler forbidden() {
        return (request, response, e) -> ApiErrors.write(response, 403,
                whyForbidden(SecurityContextHolder.getContext().getAuthentication(), request));
    }

    static String whyForbidden(Authentication caller, HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return ApiCredentials.readerApp(caller)
                .map(app -> path.startsWith("/read/")
                        ? "this key belongs to application '" + app + "': it reads /read/" + app + "/ only"
                        : "this API key may use the read API only")
                .orElseGet(() -> ApiCredentials.has(caller, ApiCredentials.METRICS)
                        ? "the metrics credential reaches /actuator/prometheus only"
                        : "access denied");
    }

    /** What Spring Security's firewall refuses (encoded slashes, dot segments, …) is a 400 in the JSON format. */
    @Bean
    RequestRejectedHandler jsonRequestRejectedHandler() {
        return (request, response, e) -> ApiErrors.write(response, 400, "request rejected: " + e.getMessage());
    }

    /** Ordered before every other filter, the security chain included: a declared length over the limit is a 413 at once. */
    @Bean
    FilterRegistrationBean<RequestSizeLimitFilter> requestSizeLimitFilter(SecurityProperties security) {
        FilterRegistrationBean<RequestSizeLimitFilter> registration =
                new FilterRegistrationBean<>(new RequestSizeLimitFilter(security.maxBodySize().toBytes()));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }
}
