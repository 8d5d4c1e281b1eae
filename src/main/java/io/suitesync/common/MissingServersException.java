package io.suitesync.common;

import java.util.ArrayList;
import java.util.List;

/**
 * Start-up without a datasource or Redis outside dev mode: a production process never falls back to
 * embedded servers, demo data and dev keys. {@link MissingServersFailureAnalyzer} prints it as one message.
 */
public class MissingServersException extends IllegalStateException {

    static final String DATASOURCE_KEYS = "SPRING_DATASOURCE_URL (spring.datasource.url)";
    static final String REDIS_KEYS = "SPRING_DATA_REDIS_URL (spring.data.redis.url), or spring.data.redis.host, "
            + "spring.data.redis.cluster.nodes or spring.data.redis.sentinel.master";

    private final boolean dev;

    MissingServersException(boolean datasourceMissing, boolean redisMissing, boolean dev) {
        super(describe(datasourceMissing, redisMissing));
        this.dev = dev;
    }

    private static String describe(boolean datasourceMissing, boolean redisMissing) {
        List<String> missing = new ArrayList<>();
        if (datasourceMissing) {
            missing.add("no PostgreSQL configured: set " + DATASOURCE_KEYS);
        }
        if (redisMissing) {
            missing.add("no Redis configured: set " + REDIS_KEYS);
        }
        return "SuiteSync needs its servers; " + String.join("; ", missing) + ".";
    }

    /** What to do about it: set the keys, or run the demo the way that starts embedded servers. */
    public String action() {
        String demo = "For the demo on embedded servers with demo data and dev keys, run ./mvnw spring-boot:run "
                + "(it activates the dev profile).";
        if (dev) {
            return "The dev profile is active, but this build has no embedded servers (the packaged jar does not "
                    + "carry them): set the keys above, or " + demo.substring(0, 1).toLowerCase() + demo.substring(1);
        }
        return "Set the environment variables above (see README, Hub configuration). " + demo;
    }
}
