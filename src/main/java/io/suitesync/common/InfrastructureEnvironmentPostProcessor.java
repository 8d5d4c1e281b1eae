package io.suitesync.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.Profiles;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.util.ClassUtils;

/**
 * Resolves what the process runs against before any bean exists:
 * <ul>
 *   <li>Servers: the datasource and Redis must be configured. Only the {@code dev} profile (the demo that
 *       {@code ./mvnw spring-boot:run} activates) starts embedded PostgreSQL / Redis for what is missing;
 *       anywhere else a missing one fails start-up with {@link MissingServersException}, naming the keys.</li>
 *   <li>Flyway: unless {@code spring.flyway.locations} is set, SuiteSync's own migrations only
 *       ({@code db/migration}, plus {@code db/bridge} when the bridge role runs).</li>
 *   <li>Camel route files: {@code routes/config} plus the folder of each role in {@code suitesync.roles},
 *       plus YAML/XML files of {@code suitesync.routes.external-dir} when set. The built-in files are
 *       listed one by one: given a wildcard on the classpath, Camel reads the whole packaged jar,
 *       every nested library included, to find them (most of a restart's time on a busy machine).</li>
 * </ul>
 */
public class InfrastructureEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String SOURCE = "suitesync-infrastructure";
    public static final String DEV_PROFILE = "dev";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        Map<String, Object> props = new LinkedHashMap<>();
        boolean dev = env.acceptsProfiles(Profiles.of(DEV_PROFILE));
        boolean datasourceMissing = !env.containsProperty("spring.datasource.url");
        boolean redisMissing = !redisConfigured(env);
        if ((datasourceMissing || redisMissing) && !(dev && embeddedServersPresent())) {
            throw new MissingServersException(datasourceMissing, redisMissing, dev);
        }
        if (datasourceMissing) {
            props.put("spring.datasource.url", EmbeddedServers.postgresJdbcUrl());
            props.put("spring.datasource.username", "postgres");
            props.put("spring.datasource.password", "");
        }
        if (redisMissing) {
            props.put("spring.data.redis.host", "127.0.0.1");
            props.put("spring.data.redis.port", EmbeddedServers.redisPort());
        }
        if (!env.containsProperty("spring.flyway.locations")) {
            props.put("spring.flyway.locations", flywayLocations(env));
        }
        if (!env.containsProperty("camel.main.routes-include-pattern")) {
            props.put("camel.main.routes-include-pattern", routePattern(env, application.getClassLoader()));
        }
        // first: it only fills what is unset
        env.getPropertySources().addFirst(new MapPropertySource(SOURCE, props));
    }

    /** Any of the ways Spring Data Redis can be pointed at a server, standalone, Sentinel or Cluster. */
    static boolean redisConfigured(ConfigurableEnvironment env) {
        return env.containsProperty("spring.data.redis.url") || env.containsProperty("spring.data.redis.host")
                || env.containsProperty("spring.data.redis.cluster.nodes")
                || env.containsProperty("spring.data.redis.sentinel.master");
    }

    /** The embedded servers are optional dependencies: present under spring-boot:run and in tests, not in the jar. */
    static boolean embeddedServersPresent() {
        ClassLoader loader = InfrastructureEnvironmentPostProcessor.class.getClassLoader();
        return ClassUtils.isPresent("io.zonky.test.db.postgres.embedded.EmbeddedPostgres", loader)
                && ClassUtils.isPresent("redis.embedded.RedisServer", loader);
    }

    static String flywayLocations(ConfigurableEnvironment env) {
        List<String> locations = new ArrayList<>(List.of("classpath:db/migration"));
        if (ConditionalOnRole.OnRole.roles(env).contains("bridge")) {
            locations.add("classpath:db/bridge");
        }
        return String.join(",", locations);
    }

    static String routePattern(ConfigurableEnvironment env, ClassLoader classLoader) {
        List<String> folders = new ArrayList<>(List.of("config", "common"));
        folders.addAll(ConditionalOnRole.OnRole.roles(env));
        List<String> patterns = new ArrayList<>();
        for (String folder : folders) {
            patterns.addAll(builtInRouteFiles("routes/" + folder, classLoader));
        }
        String external = env.getProperty("suitesync.routes.external-dir");
        if (external != null && !external.isBlank()) {
            patterns.add("file:" + external + "/*.yaml");
            patterns.add("file:" + external + "/*.xml");
        }
        return String.join(",", patterns);
    }

    /**
     * The {@code *.camel.yaml} files of a classpath folder, as {@code classpath:} locations, sorted.
     * Spring finds them from the jar's directory; Camel, given the wildcard, would inflate the jar.
     */
    static List<String> builtInRouteFiles(String folder, ClassLoader classLoader) {
        try {
            Resource[] files = new PathMatchingResourcePatternResolver(classLoader)
                    .getResources("classpath*:" + folder + "/*.camel.yaml");
            return Arrays.stream(files).map(Resource::getFilename).filter(Objects::nonNull).distinct().sorted()
                    .map(name -> "classpath:" + folder + "/" + name).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the route files of classpath:" + folder, e);
        }
    }

    @Override
    public int getOrder() {
        // after application.yml, profiles and the environment are loaded, so their values win over our defaults
        return Ordered.LOWEST_PRECEDENCE;
    }
}
