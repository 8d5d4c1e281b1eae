package io.suitesync.hub.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.suitesync.testsupport.PrivateRedis;
import io.suitesync.testsupport.WrapperFixtures;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The generated users on a Redis 7 Cluster of the test's own: the hub applies them on every node and
 * then runs the relay through a cluster connection as its own user, a crm consumer reads through a
 * cluster client as the crm user, and neither is refused anything (topology discovery included).
 */
@SpringBootTest(properties = {
        "suitesync.redis.acl.apply=true",
        "suitesync.redis.acl.admin-username=default",
        "suitesync.redis.acl.admin-password=" + RedisAclClusterIT.ADMIN_PW,
        "suitesync.redis.acl.hub-passwords=" + RedisAclClusterIT.HUB_PW,
        "suitesync.redis.acl.passwords.crm=" + RedisAclClusterIT.CRM_PW,
        "spring.data.redis.username=suitesync-hub",
        "spring.data.redis.password=" + RedisAclClusterIT.HUB_PW,
        // a Redis of our own: keeps the test servers' URL, which has no credentials and whose would
        // win over the username and password above, out of this context (the cluster's nodes come later)
        "spring.data.redis.host=127.0.0.1",
        "suitesync.hub.relay.poll-interval=200ms"})
class RedisAclClusterIT {

    static final String ADMIN_PW = "admin-password-0123456789";
    static final String HUB_PW = "hub-password-0123456789";
    static final String CRM_PW = "crm-password-0123456789";

    @RegisterExtension
    static final PrivateRedis REDIS = PrivateRedis.installedCluster();

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        REDIS.register(registry);
        // as in production: the default user is the ACL admin, with a password
        RedisClient client = RedisClient.create("redis://" + REDIS.node());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().aclSetuser("default", AclSetuserArgs.Builder.resetpass().addPassword(ADMIN_PW));
        } finally {
            client.shutdown();
        }
    }

    @Autowired JdbcTemplate jdbc;

    @Test
    void theHubPublishesAndACrmClusterClientReadsWithNothingRefused() {
        String tenant = new WrapperFixtures(jdbc).tenant("crm");
        new WrapperFixtures(jdbc).creditConfig(tenant, "crm.leads.create", 1);
        String stream = "crm:" + tenant + ":events";

        RedisURI crm = RedisURI.create("redis://crm:" + CRM_PW + "@" + REDIS.node());
        RedisClusterClient consumer = RedisClusterClient.create(crm);
        try (StatefulRedisClusterConnection<String, String> c = consumer.connect()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> c.sync().xlen(stream) == 1);
            assertThat(c.sync().xread(StreamOffset.from(stream, "0"))).hasSize(1);
            // a topology refresh, as Lettuce runs it periodically or after a MOVED
            consumer.refreshPartitions();
            assertThat(c.getPartitions().size()).isEqualTo(1);
        } finally {
            consumer.shutdown();
        }

        RedisClient admin = RedisClient.create("redis://default:" + ADMIN_PW + "@" + REDIS.node());
        try (StatefulRedisConnection<String, String> c = admin.connect()) {
            assertThat(c.sync().aclUsers()).contains("suitesync-hub", "crm");
            assertThat(c.sync().aclLog()).as("commands the hub or the crm client were refused").isEmpty();
        } finally {
            admin.shutdown();
        }
    }
}
