package io.suitesync.common;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Arrays;
import java.util.List;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Creates the bean only when {@code suitesync.roles} (default {@code hub}) lists the given role. */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Conditional(ConditionalOnRole.OnRole.class)
public @interface ConditionalOnRole {

    String value();

    class OnRole implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String role = (String) metadata.getAnnotationAttributes(ConditionalOnRole.class.getName()).get("value");
            return roles(context.getEnvironment()).contains(role);
        }

        /** The roles this process runs ({@code suitesync.roles}, default {@code hub}). */
        public static List<String> roles(Environment env) {
            String[] roles = env.getProperty("suitesync.roles", String[].class, new String[] {"hub"});
            return Arrays.stream(roles).map(String::trim).toList();
        }
    }
}
