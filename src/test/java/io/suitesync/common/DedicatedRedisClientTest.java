package io.suitesync.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.suitesync.testsupport.TestServers;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The live lane's Redis client: same server, database and client name as the shared one, its own I/O thread. */
class DedicatedRedisClientTest {

    @Test
    void connectsLikeTheSharedClientButAnswersOnItsOwnThread() throws Exception {
        URI redis = URI.create(TestServers.redisUrl());
        RedisStandaloneConfiguration server = new RedisStandaloneConfiguration(redis.getHost(), redis.getPort());
        server.setDatabase(5);
        LettuceConnectionFactory shared = new LettuceConnectionFactory(server,
                LettuceClientConfiguration.builder().clientName("suitesync-test").build());
        shared.afterPropertiesSet();
        shared.start();
        try (DedicatedRedisClient dedicated = new DedicatedRedisClient(shared, "test-own-redis")) {
            assertThat(dedicated.factory().getNativeClient()).isNotSameAs(shared.getNativeClient());
            try (StatefulRedisConnection<String, String> connection =
                         ((RedisClient) dedicated.factory().getNativeClient()).connect()) {
                // the settings Spring Boot gave the shared client: database and client name
                String info = connection.sync().clientInfo();
                assertThat(info).contains(" db=5 ").contains(" name=suitesync-test ");
                // replies are completed on the client's own event loop thread (a blocking pop that times out
                // after a second, so the callback is in place before the reply comes)
                CompletableFuture<String> answeredOn = new CompletableFuture<>();
                connection.async().blpop(1, "suitesync:test:nothing-here")
                        .thenRun(() -> answeredOn.complete(Thread.currentThread().getName()));
                assertThat(answeredOn.get(5, TimeUnit.SECONDS)).startsWith("test-own-redis-");
            }
            assertThat(ownThreads()).isNotEmpty();
        } finally {
            shared.destroy();
        }
        // closing it ends its threads (the shutdown is asynchronous)
        await().atMost(Duration.ofSeconds(10)).until(() -> ownThreads().isEmpty());
    }

    private static Set<String> ownThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("test-own-redis-")).collect(Collectors.toSet());
    }
}
