package io.suitesync.bench;

import io.suitesync.testsupport.TestServers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * How fast PostgreSQL tells a listener about commits, which bounds the relay's wake-up: one writer
 * commits at {@code rate}/s, each commit sending a notification (as the capture trigger does) and
 * inserting a row; a listener waits as the relay's scheduler does, a poller reads the table every
 * half millisecond. Prints one JSON line: notification latency p50/p99 and row visibility p50/p99,
 * from the commit returning to the other connection seeing it.
 * Run: {@code ./mvnw -B -q -Pbench test-compile exec:java -Dexec.mainClass=io.suitesync.bench.NotifyLatencyBench}
 * (options: -Drate=1000 -Dcount=5000; -DplainSocket=true listens as pgjdbc does by default, without the
 * relay's {@link io.suitesync.hub.relay.ListenSocketFactory}).
 */
public final class NotifyLatencyBench {

    private NotifyLatencyBench() {}

    public static void main(String[] args) throws Exception {
        int rate = Integer.getInteger("rate", 1_000);
        int count = Integer.getInteger("count", 5_000);
        String url = TestServers.newDatabase();
        long[] committed = new long[count];
        Map<Integer, Long> notified = new ConcurrentHashMap<>();
        Map<Integer, Long> seen = new ConcurrentHashMap<>();
        try (Connection writer = DriverManager.getConnection(url);
             Connection listener = Boolean.getBoolean("plainSocket") ? DriverManager.getConnection(url)
                     : DriverManager.getConnection(url, listenSockets());
             Connection poller = DriverManager.getConnection(url)) {
            try (Statement s = writer.createStatement()) {
                s.execute("CREATE TABLE probe (id int PRIMARY KEY)");
            }
            try (Statement s = listener.createStatement()) {
                s.execute("LISTEN probe");
            }
            long stopAt = System.nanoTime() + (long) (count * 1e9 / rate) + 5_000_000_000L;
            Thread listening = new Thread(() -> listen(listener, notified, stopAt, count), "listener");
            Thread polling = new Thread(() -> poll(poller, seen, stopAt, count), "poller");
            listening.start();
            polling.start();
            try (PreparedStatement insert = writer.prepareStatement(
                    "WITH n AS (SELECT pg_notify('probe', ?::text)) INSERT INTO probe SELECT ? FROM n")) {
                long interval = 1_000_000_000L / rate;
                long next = System.nanoTime();
                for (int i = 0; i < count; i++) {
                    LockSupport.parkNanos(next - System.nanoTime());
                    next += interval;
                    insert.setString(1, Integer.toString(i));
                    insert.setInt(2, i);
                    insert.executeUpdate();
                    committed[i] = System.nanoTime();
                }
            }
            listening.join();
            polling.join();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rate", rate);
        out.put("listenSocketFactory", !Boolean.getBoolean("plainSocket"));
        out.put("commits", count);
        double[] n = percentiles(notified, committed);
        double[] v = percentiles(seen, committed);
        out.put("notifyP50Ms", n[0]);
        out.put("notifyP99Ms", n[1]);
        out.put("notifyReceived", notified.size());
        out.put("visibleP50Ms", v[0]);
        out.put("visibleP99Ms", v[1]);
        System.out.println(out.entrySet().stream().map(e -> "\"" + e.getKey() + "\":" + e.getValue())
                .collect(java.util.stream.Collectors.joining(",", "{", "}")));
        System.exit(0);
    }

    private static java.util.Properties listenSockets() {
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("socketFactory", io.suitesync.hub.relay.ListenSocketFactory.class.getName());
        return properties;
    }

    private static void listen(Connection listener, Map<Integer, Long> notified, long stopAt, int count) {
        try {
            PGConnection pg = listener.unwrap(PGConnection.class);
            while (System.nanoTime() < stopAt && notified.size() < count) {
                PGNotification[] received = pg.getNotifications(100);
                long now = System.nanoTime();
                if (received != null) {
                    for (PGNotification n : received) {
                        notified.putIfAbsent(Integer.parseInt(n.getParameter()), now);
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void poll(Connection poller, Map<Integer, Long> seen, long stopAt, int count) {
        try (PreparedStatement max = poller.prepareStatement("SELECT coalesce(max(id), -1) FROM probe")) {
            int highest = -1;
            while (System.nanoTime() < stopAt && highest < count - 1) {
                try (ResultSet rs = max.executeQuery()) {
                    rs.next();
                    int m = rs.getInt(1);
                    long now = System.nanoTime();
                    for (int i = highest + 1; i <= m; i++) {
                        seen.put(i, now);
                    }
                    highest = Math.max(highest, m);
                }
                LockSupport.parkNanos(500_000);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** p50 and p99 in ms of (arrival - commit), over the commits that arrived after their commit was recorded. */
    private static double[] percentiles(Map<Integer, Long> arrivals, long[] committed) {
        List<Long> latencies = new ArrayList<>();
        arrivals.forEach((i, at) -> {
            if (committed[i] != 0) {
                latencies.add(Math.max(0, at - committed[i]));
            }
        });
        Collections.sort(latencies);
        if (latencies.isEmpty()) {
            return new double[] {0, 0};
        }
        return new double[] {
            Math.round(latencies.get(latencies.size() / 2) / 1e4) / 100.0,
            Math.round(latencies.get(Math.min(latencies.size() - 1, (int) (latencies.size() * 0.99))) / 1e4) / 100.0};
    }
}
