package io.suitesync.hub.acl;

import io.suitesync.common.ConditionalOnRole;
import io.suitesync.common.RedisUris;
import io.suitesync.hub.HubProperties;
import io.suitesync.hub.acl.RedisAclGenerator.AclUser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.autoconfigure.data.redis.RedisProperties;
import org.springframework.stereotype.Component;

/**
 * The Redis ACL users of this deployment ({@link RedisAclGenerator} over {@code suitesync.hub.applications}
 * and {@code suitesync.redis.acl.*}): logged at start-up when {@code print} is on, applied when
 * {@code apply} is on, and served by {@code GET /admin/redis/acl}. Applying happens while the
 * application context is built, before the relay or any other Redis client of the hub connects, so
 * a hub that connects as its own ACL user finds that user in place.
 */
@Component("redisAcl")
@ConditionalOnRole("hub")
public class RedisAcl implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(RedisAcl.class);

    private final RedisAclProperties acl;
    private final RedisProperties redis;
    private final boolean cluster;
    private final List<AclUser> users;
    private volatile List<String> appliedOn = List.of();

    public RedisAcl(HubProperties hub, RedisAclProperties acl, RedisProperties redis) {
        this.acl = acl;
        this.redis = redis;
        this.cluster = RedisUris.isCluster(redis);
        this.users = new RedisAclGenerator(hub.applications(), cluster).users(acl);
    }

    @Override
    public void afterPropertiesSet() {
        if (!acl.print() && !acl.apply()) {
            return;
        }
        for (AclUser user : users) {
            if (!user.enabled()) {
                log.warn("Redis ACL user {} has no password ({}): it is generated switched off", user.name(),
                        user.application() == null ? "suitesync.redis.acl.hub-passwords"
                                : "suitesync.redis.acl.passwords." + user.application());
            }
        }
        if (acl.print()) {
            log.info("Redis ACL users (review, then run with redis-cli as an ACL admin, or set suitesync.redis.acl.apply):\n{}",
                    String.join("\n", commands()));
        }
        if (acl.apply()) {
            appliedOn = new RedisAclApplier(redis, acl.adminUsername(), acl.adminPassword()).apply(users);
        }
    }

    public List<AclUser> users() {
        return users;
    }

    public List<String> commands() {
        return users.stream().map(AclUser::command).toList();
    }

    /** {@code GET /admin/redis/acl}: the users with their rules, the redis-cli commands and the aclfile lines. */
    public Map<String, Object> report() {
        List<Map<String, Object>> described = new ArrayList<>();
        for (AclUser user : users) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("user", user.name());
            item.put("role", user.application() == null ? "hub" : "application");
            item.put("application", user.application());
            item.put("tenants", user.tenants());
            item.put("enabled", user.enabled());
            item.put("command", user.command());
            described.add(item);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cluster", cluster);
        out.put("appliedOn", appliedOn);
        out.put("users", described);
        out.put("commands", commands());
        out.put("aclFile", users.stream().map(AclUser::aclFileLine).toList());
        return out;
    }
}
