package io.suitesync.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * One of the example consumers of {@code examples/} run as the separate process it is in
 * production: started with its environment, killed like a crash, and observed through its state
 * file (the cache it saves before acknowledging) and its output.
 */
final class ExampleConsumer implements AutoCloseable {

    enum Kind { NODE, JAVA }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path NODE_EXAMPLE = Path.of("examples/node-consumer").toAbsolutePath();
    private static final Path JAVA_EXAMPLE = Path.of("examples/java-consumer/CacheConsumer.java").toAbsolutePath();
    private static boolean npmInstalled;

    private final Process process;
    private final Path output;

    private ExampleConsumer(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** True when {@code node} runs here; the Node example's test is skipped otherwise. */
    static boolean nodeAvailable() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code npm ci} in the Node example, once per run: the committed package-lock.json decides the versions. */
    static synchronized void installNodeExample() {
        if (npmInstalled) {
            return;
        }
        try {
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(NODE_EXAMPLE.toFile())
                    .redirectErrorStream(true).start();
            String log = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                throw new IllegalStateException("npm ci failed in " + NODE_EXAMPLE + ":\n" + log);
            }
            npmInstalled = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static ExampleConsumer start(Kind kind, Map<String, String> env, Path output) {
        List<String> command = kind == Kind.NODE
                ? List.of("node", NODE_EXAMPLE.resolve("consumer.js").toString())
                : List.of(javaBinary(), "-cp", classpath(), JAVA_EXAMPLE.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        builder.environment().putAll(env);
        try {
            return new ExampleConsumer(builder.start(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The saved state: creditCosts, roles, versions, handled eventIds, stats. Null before the first save. */
    static JsonNode state(Path stateFile) {
        try {
            return Files.exists(stateFile) ? JSON.readTree(stateFile.toFile()) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    /** A crash: SIGKILL, no chance to finish a batch or acknowledge it. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /**
     * This JVM's class path (Lettuce, Netty, Reactor, Jackson) for the single-file Java example.
     * Failsafe may start the tests through a manifest-only jar: its Class-Path entries are expanded.
     */
    private static String classpath() {
        Set<String> entries = new LinkedHashSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            entries.add(entry);
            if (entry.endsWith(".jar")) {
                try (JarFile jar = new JarFile(entry)) {
                    Manifest manifest = jar.getManifest();
                    String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
                    if (classPath != null) {
                        for (String url : classPath.trim().split("\\s+")) {
                            entries.add(Path.of(URI.create(url)).toString());
                        }
                    }
                } catch (IOException | IllegalArgumentException e) {
                    // not a jar with a usable manifest: keep the entry as it is
                }
            }
        }
        return String.join(File.pathSeparator, new ArrayList<>(entries));
    }
}
