package io.suitesync.hub.acl;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.suitesync.common.RedisUris;
import io.suitesync.hub.acl.RedisAclGenerator.AclUser;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.data.redis.RedisProperties;

/**
 * Sends the generated users to the Redis the hub is configured for: the standalone server, or every
 * node of a Redis Cluster (ACL users are per node, not replicated). Connects with the ACL admin's
 * credentials when given, else with the hub's own; then {@code ACL SAVE} where the server has an
 * aclfile, so the users survive a restart. Sentinel setups load the printed lines on each server.
 */
final class RedisAclApplier {

    private static final Logger log = LoggerFactory.getLogger(RedisAclApplier.class);

    private final RedisProperties redis;
    private final String adminUsername;
    private final String adminPassword;

    RedisAclApplier(RedisProperties redis, String adminUsername, String adminPassword) {
        this.redis = redis;
        this.adminUsername = adminUsername;
        this.adminPassword = adminPassword;
    }

    /** Applies the users; returns the nodes ({@code host:port}) they were applied on. */
    List<String> apply(List<AclUser> users) {
        if (redis.getSentinel() != null && redis.getSentinel().getMaster() != null) {
            throw new IllegalStateException("suitesync.redis.acl.apply: not supported with Redis Sentinel (ACL users are "
                    + "per server): load the lines of GET /admin/redis/acl into every server's aclfile");
        }
        try {
            return RedisUris.isCluster(redis) ? applyToCluster(users) : List.of(applyToServer(users));
        } catch (RedisConnectionException e) {
            throw new IllegalStateException("suitesync.redis.acl.apply: cannot connect to Redis as "
                    + (adminUsername == null ? "the hub's own user" : "suitesync.redis.acl.admin-username '" + adminUsername + "'")
                    + ": " + e.getMessage(), e);
        }
    }

    private String applyToServer(List<AclUser> users) {
        RedisURI uri = withAdmin(RedisUris.standalone(redis));
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            String node = uri.getHost() + ":" + uri.getPort();
            apply(node, connection.sync(), users);
            return node;
        } finally {
            client.shutdown();
        }
    }

    private List<String> applyToCluster(List<AclUser> users) {
        RedisClusterClient client = RedisClusterClient.create(RedisUris.clusterNodes(redis).stream().map(this::withAdmin).toList());
        try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
            List<String> nodes = new ArrayList<>();
            for (RedisClusterNode node : connection.getPartitions()) {
                String address = node.getUri().getHost() + ":" + node.getUri().getPort();
                apply(address, connection.getConnection(node.getNodeId()).sync(), users);
                nodes.add(address);
            }
            return nodes;
        } finally {
            client.shutdown();
        }
    }

    private static void apply(String node, RedisCommands<String, String> redis, List<AclUser> users) {
        for (AclUser user : users) {
            try {
                redis.dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8),
                        new CommandArgs<>(StringCodec.UTF8).addValues(user.arguments()));
            } catch (RedisCommandExecutionException e) {
                throw new IllegalStateException("suitesync.redis.acl.apply: Redis " + node + " refused the user "
                        + user.name() + ": " + e.getMessage(), e);
            }
        }
        try {
            redis.aclSave();
            log.info("Redis ACL users applied on {} and saved to its aclfile", node);
        } catch (RedisCommandExecutionException e) {
            log.warn("Redis ACL users applied on {} but not saved ({}): they last until Redis restarts unless its "
                    + "configuration is saved (aclfile, or CONFIG REWRITE)", node, e.getMessage());
        }
    }

    private RedisURI withAdmin(RedisURI uri) {
        if (adminUsername != null || adminPassword != null) {
            uri.setUsername(adminUsername);
            uri.setPassword(adminPassword == null ? "" : adminPassword);
        }
        return uri;
    }
}
