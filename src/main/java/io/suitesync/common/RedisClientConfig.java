package io.suitesync.common;

import io.lettuce.core.ClientOptions;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.data.redis.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnection.PipeliningFlushPolicy;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * How we talk to Redis through Lettuce:
 * <ul>
 *   <li>Lettuce flushes after every command of a Spring Data Redis pipeline unless told otherwise
 *       (spring-data-redis #1581); buffering until the pipeline closes turns a batch into one write.</li>
 *   <li>While disconnected, Lettuce queues commands until the command timeout; rejecting them at
 *       once lets the relay see the outage, back off and retry instead of hanging.</li>
 *   <li>Actuator's Redis health check asks {@code INFO server}, which an application's ACL user may not
 *       run (docs/security.md): ours sends {@code PING}, which every SuiteSync user may.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class RedisClientConfig {

    @Bean
    LettuceClientConfigurationBuilderCustomizer rejectCommandsWhileDisconnected() {
        return builder -> builder.clientOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
    }

    @Bean
    @ConditionalOnEnabledHealthIndicator("redis")
    HealthIndicator redisHealthIndicator(RedisConnectionFactory factory) {
        return () -> {
            try (RedisConnection connection = factory.getConnection()) {
                return Health.up().withDetail("ping", connection.ping()).build();
            } catch (RuntimeException e) {
                return Health.down(e).build();
            }
        };
    }

    @Bean
    static BeanPostProcessor lettucePipelineFlushOnClose() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof LettuceConnectionFactory factory) {
                    factory.setPipeliningFlushPolicy(PipeliningFlushPolicy.flushOnClose());
                }
                return bean;
            }
        };
    }
}
