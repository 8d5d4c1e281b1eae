package io.suitesync.console;

import io.suitesync.common.ConditionalOnRole;
import java.time.Duration;
import java.util.List;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.http.CacheControl;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.resource.LiteWebJarsResourceResolver;

/**
 * The operator console: static pages under {@code /console/} (classpath {@code console/}) and the
 * front-end libraries from their webjars under {@code /console/webjars/}. It has no back end of its
 * own: the page calls the admin API ({@code /admin/**}) and, when the bridge runs, {@code /bridge/**}.
 * Only the admin reaches any of it (SecurityConfiguration). Served where the hub or the bridge runs.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(ConsoleConfiguration.HubOrBridge.class)
public class ConsoleConfiguration implements WebMvcConfigurer {

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addRedirectViewController("/console", "/console/");
        registry.addViewController("/console/").setViewName("forward:/console/index.html");
    }

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        // versionless paths (alpinejs/dist/cdn.min.js): the pom alone names the libraries' versions
        registry.addResourceHandler("/console/webjars/**").addResourceLocations("classpath:/META-INF/resources/webjars/")
                .setCacheControl(CacheControl.maxAge(Duration.ofHours(1)).cachePrivate())
                .resourceChain(true).addResolver(new LiteWebJarsResourceResolver());
        // the console's own files change with every release: always revalidated
        registry.addResourceHandler("/console/**").addResourceLocations("classpath:/console/")
                .setCacheControl(CacheControl.noCache().cachePrivate());
    }

    /** The hub (admin API) or the bridge (its operations API) runs in this process. */
    static class HubOrBridge implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            List<String> roles = ConditionalOnRole.OnRole.roles(context.getEnvironment());
            return roles.contains("hub") || roles.contains("bridge");
        }
    }
}
