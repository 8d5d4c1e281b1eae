package io.suitesync.testsupport;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The seeds' consumer code (src/test/node/seed-consumers: seeds 01, 02 and 04 with the {@code redis} npm
 * client) run by Node as a separate process against a tenant's channels and stream. It is installed
 * under target/ with {@code npm ci} from the committed package-lock.json.
 */
public final class SeedConsumers implements AutoCloseable {

    private static final Path SOURCE = Path.of("src/test/node/seed-consumers");
    private static final Path WORK = Path.of("target/seed-consumers");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Process node;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder stderr = new StringBuilder();

    private SeedConsumers(Process node) {
        this.node = node;
        this.stdin = node.outputWriter(StandardCharsets.UTF_8);
        daemon(() -> pump(new BufferedReader(node.inputReader(StandardCharsets.UTF_8)), null));
        daemon(() -> pump(new BufferedReader(node.errorReader(StandardCharsets.UTF_8)), stderr));
    }

    private static void daemon(Runnable task) {
        Thread thread = new Thread(task, "seed-consumers-output");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts the consumers of {@code tenant} on {@code redisUrl}; returns once they have subscribed. */
    public static SeedConsumers start(String redisUrl, String tenant) throws Exception {
        install();
        Process node = new ProcessBuilder("node", "run.js", redisUrl, tenant).directory(WORK.toFile()).start();
        SeedConsumers consumers = new SeedConsumers(node);
        consumers.awaitLine("READY");
        return consumers;
    }

    /**
     * Waits until seed 01 and seed 02 received the given numbers of messages, lets seed 04 read the stream,
     * and returns what each stored (the report of run.js).
     */
    public Map<String, Object> report(Map<String, Object> request) throws Exception {
        stdin.write("REPORT " + MAPPER.writeValueAsString(request) + "\n");
        stdin.flush();
        return MAPPER.readValue(awaitLine("REPORT").substring("REPORT ".length()), new TypeReference<>() {});
    }

    private String awaitLine(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
            if (line == null && !node.isAlive() && lines.isEmpty()) {
                break;
            }
        }
        throw new IllegalStateException("node run.js gave no " + prefix + " line; stderr: " + stderr);
    }

    private void pump(BufferedReader reader, StringBuilder sink) {
        try (reader) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (sink == null) {
                    lines.add(line);
                } else {
                    synchronized (sink) {
                        sink.append(line).append('\n');
                    }
                }
            }
        } catch (IOException e) {
            // the process ended: awaitLine reports what it printed
        }
    }

    /** Copies the harness to target/ and installs its locked dependencies there once. */
    private static synchronized void install() throws IOException, InterruptedException {
        Files.createDirectories(WORK);
        for (String file : new String[] {"package.json", "package-lock.json", "seeds.js", "run.js"}) {
            Files.copy(SOURCE.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (Files.isDirectory(WORK.resolve("node_modules/redis"))) {
            return;
        }
        Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(WORK.toFile())
                .redirectErrorStream(true).start();
        String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
            throw new IllegalStateException("npm ci in " + WORK + " failed: " + output);
        }
    }

    @Override
    public void close() {
        node.destroy();
        try {
            if (!node.waitFor(5, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            node.destroyForcibly();
        }
    }
}
