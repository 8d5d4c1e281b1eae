package io.suitesync.hub.acl;

import static io.suitesync.agent.Processes.creditCost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.Consumer;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.suitesync.agent.Processes;
import io.suitesync.agent.StreamFollower;
import io.suitesync.hub.acl.RedisAclGenerator.AclUser;
import io.suitesync.agent.Processes.Hub;
import io.suitesync.agent.Processes.Reply;
import io.suitesync.testsupport.PrivateRedis;
import io.suitesync.testsupport.WrapperFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.data.redis.RedisProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The generated ACL users on a Redis 7 of the test's own (never the shared one): the hub applies them
 * at start-up as the ACL admin and then runs as its own user; the crm user reads and subscribes only
 * under {@code crm:*}, writes nothing but its consumer groups' state; an agent of crm connected as
 * that user bootstraps and follows; and no SuiteSync process sends a command its user may not.
 */
class RedisAclIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ADMIN_PW = "admin-password-0123456789";
    private static final String HUB_PW = "hub-password-0123456789";
    private static final String CRM_PW = "crm-password-0123456789";
    private static final String HRMS_PW = "hrms-password-0123456789";
    private static final String ADMIN_KEY = "acl-test-admin-key";

    static PrivateRedis redis;
    static RedisClient admin;
    static Hub hub;
    static JdbcTemplate jdbc;
    static WrapperFixtures wrapper;

    @BeforeAll
    static void startHubAsItsOwnUser() {
        redis = PrivateRedis.installed();
        admin = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> c = admin.connect()) {
            assertThat(c.sync().info("server")).as("a Redis 7 server").contains("redis_version:7.");
            // as in production: the default user is the ACL admin, with a password
            c.sync().aclSetuser("default", AclSetuserArgs.Builder.resetpass().addPassword(ADMIN_PW));
        }
        admin.shutdown();
        admin = RedisClient.create("redis://default:" + ADMIN_PW + "@127.0.0.1:" + port());
        hub = new Hub("redis://suitesync-hub:" + HUB_PW + "@127.0.0.1:" + port(),
                "suitesync.redis.acl.apply=true", "suitesync.redis.acl.print=true",
                "suitesync.redis.acl.admin-username=default", "suitesync.redis.acl.admin-password=" + ADMIN_PW,
                "suitesync.redis.acl.hub-passwords=" + HUB_PW, "suitesync.redis.acl.passwords.crm=" + CRM_PW,
                "suitesync.redis.acl.passwords.hrms=" + HRMS_PW, "suitesync.security.admin-api-key=" + ADMIN_KEY);
        jdbc = hub.jdbc();
        wrapper = new WrapperFixtures(jdbc);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        if (admin != null) {
            admin.shutdown();
        }
        if (redis != null) {
            redis.close();
        }
    }

    static int port() {
        return Integer.parseInt(redis.url().substring(redis.url().lastIndexOf(':') + 1));
    }

    static RedisClient as(String user, String password) {
        return RedisClient.create("redis://" + user + ":" + password + "@127.0.0.1:" + port());
    }

    @Test
    void theHubAppliedTheUsersAndPublishesAsItsOwnUser() {
        try (StatefulRedisConnection<String, String> c = admin.connect()) {
            assertThat(c.sync().aclUsers()).contains("default", "suitesync-hub", "crm", "hrms", "finance", "affiliate");
            assertThat(c.sync().aclList()).noneMatch(line -> line.contains(HUB_PW) || line.contains(CRM_PW));
        }
        HttpResponse<String> anonymous = http("/admin/redis/acl", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).doesNotContain("SETUSER");
        assertThat(http("/admin/redis/acl", "crm-key").statusCode()).isEqualTo(403);
        HttpResponse<String> report = http("/admin/redis/acl", ADMIN_KEY);
        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(report.body()).contains("\"appliedOn\":[\"127.0.0.1:" + port() + "\"]",
                        "ACL SETUSER crm reset on #" + sha256(CRM_PW) + " ~crm:* &crm:* ")
                .doesNotContain(CRM_PW).doesNotContain(HUB_PW).doesNotContain(HRMS_PW);

        String tenant = wrapper.tenant("crm", "hrms");
        wrapper.creditConfig(tenant, "crm.leads.create", 2);
        wrapper.creditConfig(tenant, "hrms.leave.approve", 3);
        RedisClient crm = as("crm", CRM_PW);
        try (StatefulRedisConnection<String, String> c = crm.connect()) {
            await().atMost(WAIT).until(() -> c.sync().xlen("crm:" + tenant + ":events") == 1);
        } finally {
            crm.shutdown();
        }
        RedisClient hrms = as("hrms", HRMS_PW);
        try (StatefulRedisConnection<String, String> c = hrms.connect()) {
            await().atMost(WAIT).until(() -> c.sync().xlen("hrms:" + tenant + ":events") == 1);
        } finally {
            hrms.shutdown();
        }
        assertThat(wrapper.pendingChanges(tenant)).isZero();
    }

    @Test
    void theCrmUserReadsItsStreamsWithPlainReadsAndConsumerGroups() {
        String tenant = wrapper.tenant("crm");
        wrapper.creditConfig(tenant, "crm.deals.close", 5);
        String stream = "crm:" + tenant + ":events";
        RedisClient client = as("crm", CRM_PW);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            RedisCommands<String, String> crm = c.sync();
            await().atMost(WAIT).until(() -> crm.xlen(stream) == 1);
            @SuppressWarnings("unchecked")
            List<StreamMessage<String, String>> read = crm.xread(StreamOffset.from(stream, "0"));
            assertThat(read).singleElement().satisfies(m -> assertThat(m.getBody().get("event")).contains("crm.deals.close"));
            assertThat(crm.xrange(stream, Range.create("-", "+"))).hasSize(1);
            assertThat(crm.xrevrange(stream, Range.create("-", "+"))).hasSize(1);

            assertThat(crm.xgroupCreate(StreamOffset.from(stream, "0"), "crm-workers", XGroupCreateArgs.Builder.mkstream()))
                    .isEqualTo("OK");
            assertThat(crm.xgroupCreateconsumer(stream, Consumer.from("crm-workers", "w2"))).isTrue();
            @SuppressWarnings("unchecked")
            List<StreamMessage<String, String>> claimed = crm.xreadgroup(Consumer.from("crm-workers", "w1"),
                    XReadArgs.Builder.count(10), StreamOffset.lastConsumed(stream));
            assertThat(claimed).hasSize(1);
            assertThat(crm.xpending(stream, "crm-workers").getCount()).isEqualTo(1);
            assertThat(crm.xautoclaim(stream, XAutoClaimArgs.Builder.xautoclaim(Consumer.from("crm-workers", "w2"),
                    Duration.ZERO, "0")).getMessages()).hasSize(1);
            assertThat(crm.xack(stream, "crm-workers", claimed.get(0).getId())).isEqualTo(1);
            assertThat(crm.xpending(stream, "crm-workers").getCount()).isZero();
            // gap detection: first entry, length, last delivered and lag of the group
            assertThat(crm.xinfoStream(stream)).contains("first-entry", "max-deleted-entry-id");
            assertThat(crm.xinfoGroups(stream)).hasSize(1);
            assertThat(crm.xinfoConsumers(stream, "crm-workers")).hasSize(2);
            assertThat(crm.xgroupSetid(StreamOffset.from(stream, "0"), "crm-workers")).isEqualTo("OK");
            assertThat(crm.xgroupDelconsumer(stream, Consumer.from("crm-workers", "w2"))).isZero();
        } finally {
            client.shutdown();
        }
    }

    @Test
    void theCrmUserTouchesNothingOutsideItsStreamsAndWritesNoEvent() {
        String tenant = wrapper.tenant("crm", "hrms");
        wrapper.creditConfig(tenant, "hrms.leave.approve", 1);
        wrapper.creditConfig(tenant, "crm.leads.create", 1);
        String own = "crm:" + tenant + ":events";
        String other = "hrms:" + tenant + ":events";
        RedisClient client = as("crm", CRM_PW);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            RedisCommands<String, String> crm = c.sync();
            await().atMost(WAIT).until(() -> crm.xlen(own) == 1);
            try (StatefulRedisConnection<String, String> a = admin.connect()) {
                await().atMost(WAIT).until(() -> a.sync().xlen(other) == 1);
            }
            refused(() -> crm.xread(StreamOffset.from(other, "0")));
            refused(() -> crm.xrange(other, Range.create("-", "+")));
            refused(() -> crm.xlen(other));
            refused(() -> crm.xinfoStream(other));
            refused(() -> crm.xgroupCreate(StreamOffset.from(other, "0"), "stolen"));
            refused(() -> crm.xreadgroup(Consumer.from("g", "c"), StreamOffset.lastConsumed(other)));
            refused(() -> crm.xadd(own, Map.of("event", "forged")));
            refused(() -> crm.xadd(other, Map.of("event", "forged")));
            refused(() -> crm.xadd("anything", Map.of("event", "forged")));
            refused(() -> crm.xdel(own, "0-1"));
            refused(() -> crm.xtrim(own, 0));
            refused(() -> crm.del(own));
            refused(() -> crm.set("crm:" + tenant + ":x", "y"));
            refused(() -> crm.publish("crm:" + tenant + ":credit-configs", "forged"));
            refused(() -> crm.keys("*"));
            refused(() -> crm.scan());
            refused(() -> crm.flushall());
            refused(() -> crm.configGet("*"));
            refused(() -> crm.info());
            refused(() -> crm.clientList());
            refused(() -> crm.aclList());
            refused(() -> crm.xgroupDestroy(own, "none"));
            assertThat(crm.xlen(own)).as("the crm stream is unchanged").isEqualTo(1);
        } finally {
            client.shutdown();
        }
    }

    @Test
    void theCrmUserSubscribesOnlyToCrmChannelsAndHearsTheHub() {
        String tenant = wrapper.tenant("crm");
        RedisClient client = as("crm", CRM_PW);
        try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub()) {
            List<String> heard = new CopyOnWriteArrayList<>();
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    heard.add(channel);
                }

                @Override
                public void message(String pattern, String channel, String message) {
                    heard.add(pattern + " " + channel);
                }
            });
            refused(() -> sub.sync().subscribe("hrms:" + tenant + ":credit-configs"));
            refused(() -> sub.sync().psubscribe("*"));
            refused(() -> sub.sync().psubscribe("hrms:*"));
            refused(() -> sub.sync().psubscribe("crm*"));
            sub.sync().subscribe("crm:" + tenant + ":credit-configs");
            sub.sync().psubscribe("crm:*");

            wrapper.creditConfig(tenant, "crm.leads.create", 1);
            await().atMost(WAIT).until(() -> heard.size() == 2);
            assertThat(heard).containsExactlyInAnyOrder("crm:" + tenant + ":credit-configs",
                    "crm:* crm:" + tenant + ":credit-configs");
        } finally {
            client.shutdown();
        }
    }

    @Test
    void theHubUserWritesOnlyEventsOfTheSuitesApplications() {
        RedisClient client = as("suitesync-hub", HUB_PW);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            RedisCommands<String, String> hubUser = c.sync();
            refused(() -> hubUser.xadd("sales:t:events", Map.of("event", "x")));
            refused(() -> hubUser.publish("sales:t:users", "x"));
            refused(() -> hubUser.set("crm:t:x", "y"));
            refused(() -> hubUser.del("crm:t:events"));
            refused(() -> hubUser.flushall());
            refused(() -> hubUser.configSet("appendonly", "no"));
            refused(() -> hubUser.aclSetuser("crm", AclSetuserArgs.Builder.allCommands()));
        } finally {
            client.shutdown();
        }
    }

    @Test
    void anAgentConnectedAsTheCrmUserBootstrapsFollowsAndIsHealthy(@TempDir Path stateDir) {
        try (StatefulRedisConnection<String, String> c = admin.connect()) {
            c.sync().aclLogReset();
        }
        String tenant = wrapper.tenant("crm");
        UUID config = wrapper.creditConfig(tenant, "crm.leads.create", 2.5);
        try (ConfigurableApplicationContext agent = Processes.agent(hub, hub.url(), stateDir, List.of(tenant),
                "spring.data.redis.url=redis://crm:" + CRM_PW + "@127.0.0.1:" + port())) {
            await().atMost(WAIT).until(() -> Processes.store(agent).holds(tenant));
            assertThat(creditCost(agent, tenant, "crm.leads.create")).isEqualTo(2.5);
            jdbc.update("UPDATE credit_configurations SET credit_cost = 4 WHERE id = ?", config);
            await().atMost(WAIT).until(() -> Double.valueOf(4).equals(creditCost(agent, tenant, "crm.leads.create")));

            Reply health = Processes.get(agent, "/health", null);
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.body().get("components")).isEqualTo(Map.of("db", Map.of("status", "UP"),
                    "redis", Map.of("status", "UP")));
            assertThat(agent.getBean(HealthEndpoint.class).health().getStatus()).isEqualTo(Status.UP);
            assertThat(hub.context().getBean(HealthEndpoint.class).health().getStatus()).isEqualTo(Status.UP);
            assertThat(agent.getBean(StreamFollower.class).stats()).containsEntry("redisUp", true);
        }
        try (StatefulRedisConnection<String, String> c = admin.connect()) {
            assertThat(c.sync().aclLog()).as("commands the hub or the agent were refused").isEmpty();
        }
    }

    @Test
    void aSingleTenantUserReadsOnlyItsTenant() {
        try (PrivateRedis own = PrivateRedis.installed()) {
            RedisAclProperties acl = new RedisAclProperties("suitesync-hub", List.of(HUB_PW),
                    Map.of("crm", List.of(CRM_PW)), Map.of("crm", List.of("acme")), false, false, null, null);
            List<AclUser> users = new RedisAclGenerator(List.of("crm", "hrms"), false).users(acl);
            RedisProperties ownRedis = new RedisProperties();
            ownRedis.setUrl(own.url());
            assertThat(new RedisAclApplier(ownRedis, null, null).apply(users)).containsExactly(own.url().substring("redis://".length()));
            RedisClient ownAdmin = RedisClient.create(own.url());
            try (StatefulRedisConnection<String, String> c = ownAdmin.connect()) {
                c.sync().xadd("crm:acme:events", Map.of("event", "a"));
                c.sync().xadd("crm:globex:events", Map.of("event", "g"));
            } finally {
                ownAdmin.shutdown();
            }
            RedisClient crmClient = RedisClient.create("redis://crm:" + CRM_PW + "@" + own.url().substring("redis://".length()));
            try (StatefulRedisConnection<String, String> c = crmClient.connect();
                 StatefulRedisPubSubConnection<String, String> sub = crmClient.connectPubSub()) {
                assertThat(c.sync().xlen("crm:acme:events")).isEqualTo(1);
                refused(() -> c.sync().xlen("crm:globex:events"));
                refused(() -> c.sync().xread(StreamOffset.from("crm:globex:events", "0")));
                sub.sync().subscribe("crm:acme:credit-configs");
                sub.sync().psubscribe("crm:acme:*");
                refused(() -> sub.sync().subscribe("crm:globex:credit-configs"));
                refused(() -> sub.sync().psubscribe("crm:*"));
            } finally {
                crmClient.shutdown();
            }
        }
    }

    private static HttpResponse<String> http(String path, String apiKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(hub.url() + path));
        if (apiKey != null) {
            request.header("X-Api-Key", apiKey);
        }
        try {
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(String password) {
        return RedisAclGenerator.passwordRule(password).substring(1);
    }

    private static void refused(ThrowingCallable command) {
        assertThatThrownBy(command).isInstanceOf(RedisCommandExecutionException.class).hasMessageStartingWith("NOPERM");
    }
}
