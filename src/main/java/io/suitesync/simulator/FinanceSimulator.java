package io.suitesync.simulator;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Finance system (Siagh-like): {@code POST /api/auth/login {username, password}} returns a
 * session token that expires after a while (or at once, on demand); every other call needs it as
 * {@code Authorization: Bearer <session>} and gets 401 once it expired. Customers carry
 * {@code fullName, emailAddress, phoneNumber, externalRef}; invoices {@code customerCode,
 * invoiceNo, totalAmount, currency, state, externalRef}.
 */
public class FinanceSimulator extends SimulatedSystem {

    private final String username;
    private final String password;
    private final Duration sessionTtl;
    private final Map<String, Instant> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger logins = new AtomicInteger();

    public FinanceSimulator(int port, String username, String password, Duration sessionTtl) {
        super("finance", "FIN-", "externalRef", port);
        this.username = username;
        this.password = password;
        this.sessionTtl = sessionTtl;
    }

    /** Ends every open session: the next call of each client gets 401 and has to log in again. */
    public void expireSessions() {
        sessions.clear();
    }

    /** Successful logins so far. */
    public int loginCount() {
        return logins.get();
    }

    @Override
    protected boolean handleOwn(HttpExchange exchange, String method, String path) throws IOException {
        if (!path.equals("/api/auth/login")) {
            return false;
        }
        Map<String, Object> body = readBody(exchange);
        if (!method.equals("POST") || !username.equals(body.get("username")) || !password.equals(body.get("password"))) {
            send(exchange, 401, Map.of("error", "invalid username or password"));
            return true;
        }
        String token = UUID.randomUUID().toString();
        Instant expiresAt = Instant.now().plus(sessionTtl);
        sessions.put(token, expiresAt);
        logins.incrementAndGet();
        send(exchange, 200, Map.of("token", token, "expiresAt", expiresAt.toString()));
        return true;
    }

    @Override
    protected boolean handleOwnControl(HttpExchange exchange, String method, String path) throws IOException {
        if (method.equals("POST") && path.equals("/_sim/expire-sessions")) {
            expireSessions();
            send(exchange, 200, Map.of("sessions", 0));
            return true;
        }
        return false;
    }

    @Override
    protected Map<String, Object> extraStats() {
        return Map.of("logins", logins.get(), "openSessions", sessions.size());
    }

    @Override
    protected boolean authorized(HttpExchange exchange) throws IOException {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        String token = header != null && header.startsWith("Bearer ") ? header.substring(7) : null;
        Instant expiresAt = token == null ? null : sessions.get(token);
        if (expiresAt != null && Instant.now().isBefore(expiresAt)) {
            return true;
        }
        if (token != null) {
            sessions.remove(token);
        }
        send(exchange, 401, Map.of("error", expiresAt == null ? "not logged in" : "session expired"));
        return false;
    }
}
