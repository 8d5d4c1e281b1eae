package io.suitesync.common;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.event.DefaultEventPublisherOptions;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.Optional;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.lettuce.RedisCredentialsProviderFactory;

/**
 * A Lettuce client to the same Redis as Spring Boot's (same servers, Sentinel or Cluster, credentials,
 * TLS, timeouts and client options) whose connections run on an I/O thread of their own.
 *
 * <p>Every connection of one Lettuce client is served by the client's event loop threads, and Netty
 * hands connections to them in turn: the relay's live lane had a connection of its own, yet landed on
 * the same I/O thread as the bulk lane's, where encoding a batch of thousands of commands and decoding
 * their replies took that thread ~0.3 of a core while a tenant drained (async-profiler, session 15).
 * A quiet tenant's event waited there behind them. With a client of its own it does not.
 * Commands on this client are not in Spring Boot's Lettuce metrics.
 */
public final class DedicatedRedisClient implements AutoCloseable {

    private final ClientResources resources;
    private final LettuceConnectionFactory factory;

    /** Starts a client like {@code shared}'s, with one I/O thread named {@code threadName}. */
    public DedicatedRedisClient(LettuceConnectionFactory shared, String threadName) {
        resources = DefaultClientResources.builder()
                .ioThreadPoolSize(1)
                .computationThreadPoolSize(1)
                // Lettuce's own latency collector would start with LatencyUtils on the classpath
                .commandLatencyRecorder(CommandLatencyRecorder.disabled())
                .commandLatencyPublisherOptions(DefaultEventPublisherOptions.disabled())
                .threadFactoryProvider(pool -> new DefaultThreadFactory(threadName + "-" + pool, true))
                .build();
        RedisConfiguration servers = shared.isClusterAware() ? shared.getClusterConfiguration()
                : shared.isRedisSentinelAware() ? shared.getSentinelConfiguration()
                : shared.getStandaloneConfiguration();
        factory = new LettuceConnectionFactory(servers, new OwnResources(shared.getClientConfiguration(), resources));
        factory.afterPropertiesSet();
        factory.start();
    }

    /** The connection factory of this client (its native client connects on the dedicated thread). */
    public LettuceConnectionFactory factory() {
        return factory;
    }

    @Override
    public void close() {
        factory.destroy();
        resources.shutdown();
    }

    /** Spring Boot's client configuration, with these client resources. */
    private record OwnResources(LettuceClientConfiguration shared, ClientResources resources)
            implements LettuceClientConfiguration {

        @Override
        public boolean isUseSsl() {
            return shared.isUseSsl();
        }

        @Override
        public boolean isVerifyPeer() {
            return shared.isVerifyPeer();
        }

        @Override
        public SslVerifyMode getVerifyMode() {
            return shared.getVerifyMode();
        }

        @Override
        public boolean isStartTls() {
            return shared.isStartTls();
        }

        @Override
        public Optional<ClientResources> getClientResources() {
            return Optional.of(resources);
        }

        @Override
        public Optional<ClientOptions> getClientOptions() {
            return shared.getClientOptions();
        }

        @Override
        public Optional<String> getClientName() {
            return shared.getClientName();
        }

        @Override
        public Optional<ReadFrom> getReadFrom() {
            return shared.getReadFrom();
        }

        @Override
        public Optional<RedisCredentialsProviderFactory> getRedisCredentialsProviderFactory() {
            return shared.getRedisCredentialsProviderFactory();
        }

        @Override
        public Duration getCommandTimeout() {
            return shared.getCommandTimeout();
        }

        @Override
        public Duration getShutdownTimeout() {
            return shared.getShutdownTimeout();
        }

        @Override
        public Duration getShutdownQuietPeriod() {
            return shared.getShutdownQuietPeriod();
        }
    }
}
