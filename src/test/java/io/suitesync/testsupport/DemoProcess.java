package io.suitesync.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.common.EmbeddedServers;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one-command demo as {@code ./mvnw spring-boot:run} starts it (profile dev, the main class on the
 * build's classpath, nothing configured) in a JVM of its own, on free ports instead of the documented
 * 8080/8091/8092, which a developer's own demo may hold; the embedded servers' ports are read from the
 * banner. Started once the banner is logged.
 */
public final class DemoProcess implements AutoCloseable {

    private static final Duration START = Duration.ofMinutes(4);

    private final ChildJvm jvm;
    public final int port;
    public final int crmPort;
    public final int financePort;
    public final int postgresPort;
    public final int redisPort;

    private DemoProcess() {
        port = EmbeddedServers.freePort();
        crmPort = EmbeddedServers.freePort();
        financePort = EmbeddedServers.freePort();
        jvm = ChildJvm.mainClass(Map.of(), "--spring.profiles.active=dev", "--server.port=" + port,
                "--suitesync.simulators.crm.port=" + crmPort, "--suitesync.simulators.finance.port=" + financePort);
        await().atMost(START).pollInterval(Duration.ofSeconds(1))
                .until(() -> !jvm.isAlive() || jvm.output().contains("  stop: Ctrl-C"));
        assertThat(jvm.isAlive()).as("the demo died at start-up:\n" + jvm.output()).isTrue();
        postgresPort = Integer.parseInt(bannerValue("PostgreSQL +psql -h \\S+ -p (\\d+)"));
        redisPort = Integer.parseInt(bannerValue("Redis +redis-cli -h \\S+ -p (\\d+)"));
    }

    /** Starts the demo and waits for its banner. */
    public static DemoProcess start() {
        return new DemoProcess();
    }

    public String app() {
        return "http://127.0.0.1:" + port;
    }

    public String crm() {
        return "http://127.0.0.1:" + crmPort;
    }

    public String finance() {
        return "http://127.0.0.1:" + financePort;
    }

    public String output() {
        return jvm.output();
    }

    private String bannerValue(String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(jvm.output());
        assertThat(matcher.find()).as(regex + " in the banner").isTrue();
        return matcher.group(1);
    }

    @Override
    public void close() {
        jvm.close();
    }
}
