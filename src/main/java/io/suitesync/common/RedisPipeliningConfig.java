package io.suitesync.common;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnection.PipeliningFlushPolicy;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Lettuce flushes after every command of a Spring Data Redis pipeline unless told otherwise
 * (spring-data-redis #1581); buffering until the pipeline closes turns a batch into one write.
 */
@Configuration(proxyBeanMethods = false)
public class RedisPipeliningConfig {

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
