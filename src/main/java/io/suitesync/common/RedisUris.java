package io.suitesync.common;

import io.lettuce.core.RedisURI;
import java.util.List;
import org.springframework.boot.autoconfigure.data.redis.RedisProperties;

/**
 * Lettuce addresses of the Redis Spring Boot is configured for ({@code spring.data.redis.*}), for
 * the connections we open ourselves beside Spring's: the agent's blocking reads, the hub applying
 * its ACL users.
 */
public final class RedisUris {

    private RedisUris() {}

    /** The standalone server: {@code url} (credentials included), else host, port, database and credentials. */
    public static RedisURI standalone(RedisProperties redis) {
        if (redis.getUrl() != null && !redis.getUrl().isBlank()) {
            return RedisURI.create(redis.getUrl());
        }
        RedisURI.Builder uri = RedisURI.builder().withHost(redis.getHost()).withPort(redis.getPort())
                .withDatabase(redis.getDatabase()).withSsl(redis.getSsl().isEnabled());
        if (redis.getPassword() != null) {
            uri = redis.getUsername() != null ? uri.withAuthentication(redis.getUsername(), redis.getPassword().toCharArray())
                    : uri.withPassword(redis.getPassword().toCharArray());
        }
        return uri.build();
    }

    /** Whether {@code spring.data.redis.cluster.nodes} names a Redis Cluster. */
    public static boolean isCluster(RedisProperties redis) {
        return redis.getCluster() != null && redis.getCluster().getNodes() != null && !redis.getCluster().getNodes().isEmpty();
    }

    /** The seed nodes of a Redis Cluster ({@code host:port} each), with the configured credentials and TLS. */
    public static List<RedisURI> clusterNodes(RedisProperties redis) {
        return redis.getCluster().getNodes().stream().map(node -> {
            int colon = node.lastIndexOf(':');
            RedisURI uri = RedisURI.create(node.substring(0, colon), Integer.parseInt(node.substring(colon + 1)));
            uri.setSsl(redis.getSsl().isEnabled());
            if (redis.getUsername() != null) {
                uri.setUsername(redis.getUsername());
            }
            if (redis.getPassword() != null) {
                uri.setPassword(redis.getPassword().toCharArray());
            }
            return uri;
        }).toList();
    }
}
