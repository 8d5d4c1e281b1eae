package io.suitesync.hub.acl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The Redis ACL users SuiteSync needs, derived from the routing configuration's applications: the
 * hub writes every application's streams and channels ({@code {app}:*}); the user of an application
 * (named by its code) reads its own streams, runs its own consumer groups and subscribes to its own
 * channels, optionally only those of listed tenants ({@code {app}:{tenant}:*}). Nothing else: no
 * write outside a consumer group, no other key, no server administration.
 *
 * <p>Each user is one {@code ACL SETUSER} that starts with {@code reset}, so applying it again (after
 * a configuration change or a rotation) replaces whatever the user held before. Passwords appear only
 * as their SHA-256 ({@code #<hash>}).
 */
public final class RedisAclGenerator {

    /** An application code, user name or tenant id usable in a key pattern: no glob characters, no ':' or spaces. */
    public static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]*";
    public static final int MIN_PASSWORD_LENGTH = 16;

    /**
     * Connection basics for every user (AUTH, HELLO, PING, SELECT, CLIENT SETNAME/ID/SETINFO, …) by
     * category, so a newer server's handshake commands are included; the administrative and dangerous
     * ones (CLIENT KILL/LIST/PAUSE/…) are taken out again.
     */
    static final List<String> CONNECTION = List.of("+@connection", "-@admin", "-@dangerous");

    /**
     * What the hub sends: event writes and trimming, the stream reads of the read and admin APIs; and
     * XREAD, so one process running the hub and an agent (the quick start) works as this user.
     */
    static final List<String> HUB_COMMANDS = List.of("+xadd", "+xtrim", "+publish", "+xread", "+xrange", "+xrevrange", "+xlen",
            "+xinfo", "+xpending", "+exists");

    /**
     * A Redis 7 selector: the hub's own marker keys (RedisDataGuard's epoch, which tells it that Redis lost
     * what it published), written with SET; the application keys stay closed to SET.
     */
    static final String HUB_MARKERS = "(~suitesync:hub:* +set +exists)";

    /**
     * What a consumer of its own streams needs: plain reads, consumer groups (its own: they live on
     * its keys) with acknowledgement and claiming of stuck entries, gap detection (XINFO), and
     * subscriptions. XGROUP SETID lets a consumer move its group to the position of a snapshot it
     * recovered from. XADD, XDEL, XTRIM, XGROUP DESTROY and every non-stream command are refused.
     */
    static final List<String> APP_COMMANDS = List.of("+exists", "+xread", "+xreadgroup", "+xack", "+xinfo", "+xrange",
            "+xrevrange", "+xlen", "+xpending", "+xclaim", "+xautoclaim", "+xgroup|create", "+xgroup|createconsumer",
            "+xgroup|delconsumer", "+xgroup|setid", "+subscribe", "+psubscribe", "+unsubscribe", "+punsubscribe");

    /** What a Redis Cluster client (Lettuce's topology refresh among them) asks each node. */
    static final List<String> CLUSTER_COMMANDS = List.of("+cluster|slots", "+cluster|shards", "+cluster|nodes",
            "+cluster|info", "+cluster|myid", "+info");

    /** One user: its name, the application it belongs to (null for the hub) and its rules. */
    public record AclUser(String name, String application, List<String> tenants, boolean enabled, List<String> rules) {

        /** The command for redis-cli: {@code ACL SETUSER <name> <rules…>}. */
        public String command() {
            return "ACL SETUSER " + name + " " + String.join(" ", rules);
        }

        /** The same user as a line of a Redis {@code aclfile}. */
        public String aclFileLine() {
            return "user " + name + " " + String.join(" ", rules);
        }

        /** The arguments of the ACL command that creates it: {@code SETUSER <name> <rules…>}. */
        public List<String> arguments() {
            List<String> args = new ArrayList<>(rules.size() + 2);
            args.add("SETUSER");
            args.add(name);
            args.addAll(rules);
            return args;
        }
    }

    private final List<String> applications;
    private final boolean cluster;

    /**
     * @param applications the suite's applications ({@code suitesync.hub.applications})
     * @param cluster      whether clients talk to a Redis Cluster: users then may ask for its topology
     */
    public RedisAclGenerator(List<String> applications, boolean cluster) {
        for (String app : applications) {
            if (!app.matches(NAME) || "default".equals(app)) {
                throw new IllegalArgumentException("suitesync.hub.applications: '" + app
                        + "' cannot name a Redis user and key pattern (letters, digits, '.', '_' or '-', not 'default')");
            }
        }
        this.applications = List.copyOf(applications);
        this.cluster = cluster;
    }

    /** The hub's user, then one user per application, in configuration order. */
    public List<AclUser> users(RedisAclProperties acl) {
        check(acl);
        List<AclUser> users = new ArrayList<>();
        users.add(hub(acl.hubUser(), acl.hubPasswords()));
        for (String app : applications) {
            users.add(application(app, acl.tenants().getOrDefault(app, List.of()), acl.passwords().getOrDefault(app, List.of())));
        }
        return users;
    }

    AclUser hub(String name, List<String> passwords) {
        List<String> rules = start(passwords);
        for (String app : applications) {
            rules.add("~" + app + ":*");
        }
        for (String app : applications) {
            rules.add("&" + app + ":*");
        }
        rules.addAll(commands(HUB_COMMANDS));
        rules.add(HUB_MARKERS);
        return new AclUser(name, null, List.of(), !passwords.isEmpty(), List.copyOf(rules));
    }

    AclUser application(String app, List<String> tenants, List<String> passwords) {
        List<String> rules = start(passwords);
        List<String> prefixes = tenants.isEmpty() ? List.of(app + ":*") : tenants.stream().map(t -> app + ":" + t + ":*").toList();
        prefixes.forEach(p -> rules.add("~" + p));
        prefixes.forEach(p -> rules.add("&" + p));
        rules.addAll(commands(APP_COMMANDS));
        return new AclUser(app, app, List.copyOf(tenants), !passwords.isEmpty(), List.copyOf(rules));
    }

    /** {@code reset} (no keys, channels, commands or passwords), then on with the passwords, or off without any. */
    private static List<String> start(List<String> passwords) {
        List<String> rules = new ArrayList<>();
        rules.add("reset");
        if (passwords.isEmpty()) {
            rules.add("off");
        } else {
            rules.add("on");
            passwords.forEach(p -> rules.add(passwordRule(p)));
        }
        return rules;
    }

    private List<String> commands(List<String> own) {
        List<String> rules = new ArrayList<>(CONNECTION);
        rules.addAll(own);
        if (cluster) {
            rules.addAll(CLUSTER_COMMANDS);
        }
        return rules;
    }

    /** {@code #<sha-256 hex>} of a password, or the entry itself when it is such a hash already. */
    static String passwordRule(String password) {
        if (password.matches("#[0-9a-f]{64}")) {
            return password;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
            return "#" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    private void check(RedisAclProperties acl) {
        if (applications.contains(acl.hubUser())) {
            throw new IllegalArgumentException("suitesync.redis.acl.hub-user: '" + acl.hubUser()
                    + "' is the name of an application's user; choose another");
        }
        if ("default".equals(acl.hubUser())) {
            throw new IllegalArgumentException("suitesync.redis.acl.hub-user: the hub must not run as Redis's 'default' user");
        }
        requireApplications("suitesync.redis.acl.tenants", acl.tenants());
        requireApplications("suitesync.redis.acl.passwords", acl.passwords());
    }

    private void requireApplications(String key, Map<String, ?> byApp) {
        for (String app : byApp.keySet()) {
            if (!applications.contains(app)) {
                throw new IllegalArgumentException(key + "." + app + ": '" + app
                        + "' is not an application of suitesync.hub.applications " + applications);
            }
        }
    }
}
