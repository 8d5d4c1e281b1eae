package io.suitesync.testsupport;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * SuiteSync in a JVM of its own, the way an operator or {@code spring-boot:run} starts it: no test
 * post-processor, no inherited SPRING_* / SUITESYNC_* environment. Output (stdout and stderr) is kept
 * for assertions and echoed with a prefix, so a failing test shows what the process said.
 */
public final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final Thread pump;

    private ChildJvm(List<String> command, Map<String, String> env) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("SPRING_") || k.startsWith("SUITESYNC_")
                || k.startsWith("CRM_") || k.startsWith("FINANCE_") || k.equals("PORT"));
        builder.environment().putAll(env);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pump = new Thread(this::pump, "child-jvm-output");
        pump.setDaemon(true);
        pump.start();
    }

    /** {@code java -jar <jar> args…} */
    public static ChildJvm jar(Path jar, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx512m", "-jar", jar.toString()));
        command.addAll(Arrays.asList(args));
        return new ChildJvm(command, env);
    }

    /**
     * The application's main class on this build's classpath without the test classes: what
     * {@code spring-boot:run} runs (main classes and every dependency, the optional embedded servers included).
     */
    public static ChildJvm mainClass(Map<String, String> env, String... args) {
        String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes") && !entry.endsWith("test-classes/"))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx768m", "-cp", classpath, "io.suitesync.SuiteSyncApplication"));
        command.addAll(Arrays.asList(args));
        return new ChildJvm(command, env);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private void pump() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                output.append(line).append('\n');
                System.out.println("[child] " + line);
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    public String output() {
        return output.toString();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to end; its exit code, or -1 when it is still running after the timeout. */
    public int awaitExit(long seconds) {
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                return -1;
            }
            pump.join(5_000);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            if (awaitExit(30) < 0) {
                process.destroyForcibly();
            }
        }
    }
}
