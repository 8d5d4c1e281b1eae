package io.suitesync.testsupport;

import io.suitesync.common.EmbeddedServers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import redis.embedded.RedisServer;

/**
 * A Redis server of the test's own on a free port, for outage tests: stop and start it at will
 * without touching the machine's shared Redis. It keeps an append-only file in a temporary folder,
 * as a production Redis would, so what it acknowledged before a restart is still there after.
 */
public class PrivateRedis implements AutoCloseable {

    private final int port = EmbeddedServers.freePort();
    private final RedisServer server;

    public PrivateRedis() {
        try {
            Path dir = Files.createTempDirectory("private-redis");
            dir.toFile().deleteOnExit();
            server = RedisServer.newRedisServer().bind("127.0.0.1").port(port)
                    .setting("save \"\"").setting("appendonly yes").setting("appendfsync always")
                    .setting("dir " + dir).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start();
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public void start() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void stop() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (server.isActive()) {
            stop();
        }
    }
}
