package io.suitesync.agent;

import io.suitesync.common.EmbeddedServers;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.time.Duration;
import org.awaitility.Awaitility;
import redis.embedded.RedisServer;

/**
 * A Redis server of one test's own, to stop and start without touching the machine's shared one:
 * {@code redis-server} when installed, else the embedded server. Same port across restarts, no
 * persistence (a restart comes back empty, like a lost Redis node).
 */
final class PrivateRedis implements AutoCloseable {

    private static final String BINARY = "/usr/bin/redis-server";

    final int port = EmbeddedServers.freePort();
    private Process process;
    private RedisServer embedded;

    PrivateRedis() {
        start();
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    void start() {
        try {
            if (new File(BINARY).canExecute()) {
                process = new ProcessBuilder(BINARY, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                        "--save", "", "--appendonly", "no", "--daemonize", "no")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            } else {
                embedded = RedisServer.newRedisServer().bind("127.0.0.1").port(port)
                        .setting("save \"\"").setting("appendonly no").build();
                embedded.start();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a private Redis on port " + port, e);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(this::accepting);
    }

    void stop() {
        try {
            if (process != null) {
                process.destroy();
                process.waitFor();
                process = null;
            }
            if (embedded != null) {
                embedded.stop();
                embedded = null;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !accepting());
    }

    private boolean accepting() {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
