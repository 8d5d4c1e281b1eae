package io.hawt.springboot.security;

import io.hawt.web.auth.AuthenticationConfiguration;
import io.hawt.web.auth.RolePrincipal;
import java.util.List;
import java.util.Map;
import javax.security.auth.Subject;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.spi.LoginModule;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

/**
 * hawtio-springboot 4.3.0 wires Hawtio to Spring Security (SpringHawtioContextListener looks this class
 * up by name, SpringSecurityJAASConfiguration runs it after Spring's SecurityContextLoginModule) but
 * its jar does not contain it: without it Hawtio falls back to a JAAS realm of its own and refuses the
 * admin that Spring Security already authenticated. It turns the caller's authorities
 * ({@code ROLE_ADMIN}) into Hawtio role principals ({@code ADMIN}, matched by {@code hawtio.roles}).
 * Delete it once the Hawtio jar ships it.
 */
public class HawtioSpringSecurityLoginModule implements LoginModule {

    private Subject subject;

    @Override
    public void initialize(Subject subject, CallbackHandler callbackHandler, Map<String, ?> sharedState,
                           Map<String, ?> options) {
        this.subject = subject;
        if (!(options.get(AuthenticationConfiguration.class.getName()) instanceof AuthenticationConfiguration)) {
            throw new IllegalStateException("Hawtio's authentication configuration is missing");
        }
    }

    @Override
    public boolean login() {
        return true;
    }

    @Override
    public boolean commit() {
        List<Authentication> callers = subject.getPrincipals().stream()
                .filter(Authentication.class::isInstance).map(Authentication.class::cast).toList();
        for (Authentication caller : callers) {
            for (GrantedAuthority authority : caller.getAuthorities()) {
                String role = authority.getAuthority();
                subject.getPrincipals().add(new RolePrincipal(role.startsWith("ROLE_") ? role.substring(5) : role));
            }
        }
        return true;
    }

    @Override
    public boolean abort() {
        return true;
    }

    @Override
    public boolean logout() {
        return subject.getPrincipals().removeIf(RolePrincipal.class::isInstance);
    }
}
