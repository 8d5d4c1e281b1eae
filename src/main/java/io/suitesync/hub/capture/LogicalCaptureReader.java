package io.suitesync.hub.capture;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.suitesync.hub.capture.CapturedChange.Rule;
import io.suitesync.hub.capture.PgOutput.RowChange;
import io.suitesync.hub.relay.ListenSocketFactory;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.context.SmartLifecycle;

/**
 * Logical capture ({@code suitesync.hub.capture.mode: logical}): reads the replication slot
 * (pgoutput) and writes each captured change into change_log, from where the relay goes on as with
 * the triggers; the writer's transaction carries no capture work at all.
 *
 * <p>Exactly once: the change_log rows of one or more whole source transactions are written in one
 * transaction together with the WAL position reached ({@code capture_position}); only after that
 * commit is the position confirmed to the slot. After a crash the slot sends again what was not
 * confirmed, and the reader skips the transactions that end at or before the position it committed.
 * The rows are numbered in commit order (the triggers numbered them in statement order). A source
 * transaction is never split; several small ones share a write, up to {@code max-batch-rows}, and
 * the write is made as soon as the stream has nothing more waiting, so a quiet system gets each
 * change at once. Every write sends the NOTIFY the relay waits for. A write of up to
 * {@value #STATEMENT_BATCH} rows is one statement in one round trip (rows, position, NOTIFY, commit);
 * a larger one sends its rows in chunks of that many inside one transaction.
 *
 * <p>Only one reader can stream from a slot: a second hub instance retries every
 * {@code retry-interval} and takes over when the first one's connection ends.
 */
public class LogicalCaptureReader implements SmartLifecycle, PgOutput.Listener {

    private static final Logger log = LoggerFactory.getLogger(LogicalCaptureReader.class);
    /** A chunk of rows, given as one JSON array, numbered in the order they were decoded. */
    private static final String INSERT = "INSERT INTO change_log (tenant_id, table_name, record_id, operation, "
            + "changed_fields, old_values, new_values, context, priority, changed_at) "
            + "SELECT r.tenant_id, r.table_name, r.record_id, r.operation, r.changed_fields, r.old_values, r.new_values, "
            + "r.context, r.priority, r.changed_at FROM ROWS FROM (jsonb_to_recordset(?::jsonb) AS (tenant_id text, "
            + "table_name text, record_id text, operation text, changed_fields text[], old_values jsonb, new_values jsonb, "
            + "context jsonb, priority text, changed_at timestamptz)) WITH ORDINALITY AS r(tenant_id, table_name, "
            + "record_id, operation, changed_fields, old_values, new_values, context, priority, changed_at, n) "
            + "ORDER BY r.n";
    private static final String KEEP_POSITION = "INSERT INTO capture_position (slot_name, lsn, updated_at) "
            + "VALUES (?, ?::pg_lsn, now()) ON CONFLICT (slot_name) DO UPDATE SET lsn = EXCLUDED.lsn, "
            + "updated_at = EXCLUDED.updated_at RETURNING 1";
    /**
     * The last (for most writes the only) chunk of a write, the position reached, and the relay's wake-up:
     * one statement, in one round trip, committed by itself when the write is that one chunk.
     */
    private static final String WRITE = "WITH kept AS (" + KEEP_POSITION + "), written AS (" + INSERT
            + " RETURNING 1) SELECT pg_notify('suitesync_change_log', '') FROM kept";
    private static final int STATEMENT_BATCH = 1_000;

    private final DataSourceProperties database;
    private final CaptureProperties config;
    private final Counter changes;
    private final AtomicLong lagMillis = new AtomicLong();
    private final AtomicLong lastWrittenLsn = new AtomicLong();

    private volatile boolean running;
    private volatile boolean streaming;
    private Thread thread;

    // reader-thread state
    private Connection writer;
    private volatile Connection replication;
    private PGReplicationStream stream;
    private PreparedStatement insert;
    private PreparedStatement writeLast;
    private final JsonFactory json = new ObjectMapper().getFactory();
    private StringWriter chunk;
    private JsonGenerator chunkRows;
    private Map<String, TableRule> rules = Map.of();
    private final Set<String> ignoredTables = new HashSet<>();
    private long position;
    private boolean inTransaction;
    private long transactionLsn;
    private Instant transactionTime;
    private int rowsInChunk;
    private int rowsInWrite;
    private long writeEndLsn;
    private Instant oldestInWrite;

    private record TableRule(Rule rule, long since) {}

    public LogicalCaptureReader(DataSourceProperties database, CaptureProperties config, MeterRegistry registry) {
        this.database = database;
        this.config = config;
        this.changes = Counter.builder("suitesync.capture.changes")
                .description("change_log rows written by logical capture").register(registry);
        Gauge.builder("suitesync.capture.lag", lagMillis, v -> v.get() / 1000.0).baseUnit("seconds")
                .description("logical capture: commit of the last written source transaction to its change_log write")
                .register(registry);
        Gauge.builder("suitesync.capture.streaming", () -> streaming ? 1 : 0)
                .description("1 while this instance reads the replication slot").register(registry);
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, "logical-capture");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public synchronized void stop() {
        running = false;
        Thread t = thread;
        Connection c = replication;
        if (c != null) {
            try {
                c.close(); // ends a blocking read
            } catch (SQLException e) {
                log.debug("closing replication connection: {}", e.getMessage());
            }
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        thread = null;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Starts before the relay's Camel routes so the first claim finds what the slot held. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE / 2;
    }

    /** The WAL position up to which change_log holds the slot's changes. */
    public long writtenLsn() {
        return lastWrittenLsn.get();
    }

    private void loop() {
        boolean warnedBusy = false;
        while (running) {
            try {
                connect();
                warnedBusy = false;
                streaming = true;
                read();
            } catch (SQLException e) {
                if (!running) {
                    break;
                }
                String message = String.valueOf(e.getMessage());
                if (message.contains("is active for PID")) {
                    if (!warnedBusy) {
                        log.info("replication slot {} is read by another instance; retrying every {} s",
                                config.slot(), config.retryInterval().toSeconds());
                        warnedBusy = true;
                    }
                } else {
                    log.warn("logical capture stopped ({}); reconnecting in {} ms", message,
                            config.retryInterval().toMillis());
                }
            } catch (CaptureWriteException e) {
                if (running) {
                    log.warn("logical capture could not write change_log ({}); reconnecting in {} ms",
                            e.getCause().getMessage(), config.retryInterval().toMillis());
                }
            } catch (RuntimeException e) {
                log.error("logical capture failed; reconnecting in {} ms", config.retryInterval().toMillis(), e);
            } finally {
                streaming = false;
                close();
            }
            pause(config.retryInterval().toMillis());
        }
    }

    private void connect() throws SQLException {
        writer = open(false);
        insert = writer.prepareStatement(INSERT);
        writeLast = writer.prepareStatement(WRITE);
        loadRules();
        position = committedPosition();
        replication = open(true);
        var builder = replication.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                .withSlotName(config.slot())
                .withSlotOption("proto_version", "1")
                .withSlotOption("publication_names", config.publication())
                .withStatusInterval(1, TimeUnit.SECONDS);
        if (position != 0) {
            builder = builder.withStartPosition(LogSequenceNumber.valueOf(position));
        }
        stream = builder.start();
        lastWrittenLsn.set(position);
        log.info("logical capture reads slot {} (publication {}) from {}", config.slot(), config.publication(),
                LogSequenceNumber.valueOf(position).asString());
    }

    private Connection open(boolean forReplication) throws SQLException {
        return DriverManager.getConnection(database.determineUrl(),
                credentials(database.determineUsername(), database.determinePassword(), forReplication));
    }

    /** The reader's connection properties: its writer's, or ({@code forReplication}) its replication stream's. */
    static Properties credentials(String user, String password, boolean forReplication) {
        Properties properties = new Properties();
        if (user != null) {
            PGProperty.USER.set(properties, user);
        }
        if (password != null) {
            PGProperty.PASSWORD.set(properties, password);
        }
        PGProperty.APPLICATION_NAME.set(properties, "suitesync-capture");
        if (forReplication) {
            // the stream's readPending() asks the driver whether anything more has arrived, which waits out
            // a millisecond when nothing has: every write of change_log came that much after its commit
            // arrived (a URL's own socketFactory wins, as for the relay's LISTEN sessions)
            PGProperty.SOCKET_FACTORY.set(properties, ListenSocketFactory.class.getName());
            PGProperty.REPLICATION.set(properties, "database");
            PGProperty.ASSUME_MIN_SERVER_VERSION.set(properties, "10");
            PGProperty.PREFER_QUERY_MODE.set(properties, "simple");
        }
        return properties;
    }

    private void loadRules() throws SQLException {
        Map<String, TableRule> loaded = new HashMap<>();
        try (Statement s = writer.createStatement();
             ResultSet rs = s.executeQuery("SELECT table_name, key_column, tenant_column, context_columns, priority, "
                     + "logical_since::text FROM capture_table WHERE logical_since IS NOT NULL")) {
            while (rs.next()) {
                String table = rs.getString(1);
                List<String> context = List.of((String[]) rs.getArray(4).getArray());
                loaded.put(table, new TableRule(new Rule(table, rs.getString(2), rs.getString(3), context, rs.getString(5)),
                        LogSequenceNumber.valueOf(rs.getString(6)).asLong()));
            }
        }
        rules = loaded;
    }

    private long committedPosition() throws SQLException {
        try (PreparedStatement s = writer.prepareStatement("SELECT lsn::text FROM capture_position WHERE slot_name = ?")) {
            s.setString(1, config.slot());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? LogSequenceNumber.valueOf(rs.getString(1)).asLong() : 0;
            }
        }
    }

    private void read() throws SQLException {
        PgOutput decoder = new PgOutput(this);
        while (running) {
            ByteBuffer message = stream.readPending();
            if (message == null) {
                // nothing more waiting: the whole transactions decoded go to change_log now (a transaction
                // still arriving is never written in part)
                if (!inTransaction && writeEndLsn > position) {
                    write();
                }
                message = stream.read();
                if (message == null) {
                    continue;
                }
            }
            decoder.decode(message);
        }
    }

    @Override
    public void begin(long finalLsn, Instant commitTime) {
        inTransaction = true;
        transactionLsn = finalLsn;
        transactionTime = commitTime;
    }

    @Override
    public void change(RowChange change) {
        if (alreadyWritten(transactionLsn, position)) {
            return; // written before a crash: the slot sends it again until it is confirmed
        }
        TableRule table = rules.get(change.relation().name());
        if (table == null) {
            if (ignoredTables.add(change.relation().name())) {
                log.warn("logical capture: {}.{} is in publication {} but not captured in logical mode; its changes are"
                        + " ignored", change.relation().schema(), change.relation().name(), config.publication());
            }
            return;
        }
        if (transactionLsn < table.since()) {
            return; // committed while the table still had its capture triggers
        }
        CapturedChange row = CapturedChange.of(change, table.rule(), transactionTime);
        if (row == null) {
            return;
        }
        try {
            add(row);
        } catch (SQLException e) {
            throw new CaptureWriteException(e);
        }
    }

    /**
     * Whether the transaction whose commit record starts at {@code commitLsn} is in change_log already,
     * given the end of the last transaction written ({@code position}). Commit records follow each other in
     * the WAL, so the next transaction's commit may start exactly where the last one ended: that one is new.
     */
    static boolean alreadyWritten(long commitLsn, long position) {
        return commitLsn < position;
    }

    @Override
    public void commit(long commitLsn, long endLsn, Instant commitTime) {
        inTransaction = false;
        if (endLsn <= position) {
            return;
        }
        writeEndLsn = endLsn;
        if (oldestInWrite == null) {
            oldestInWrite = commitTime;
        }
        if (rowsInWrite >= config.maxBatchRows()) {
            try {
                write();
            } catch (SQLException e) {
                throw new CaptureWriteException(e);
            }
        }
    }

    private void add(CapturedChange row) throws SQLException {
        String tenant = row.tenantId();
        if (tenant == null) {
            log.warn("logical capture: {} {} has no {}; written with an empty tenant (routed nowhere)", row.table(),
                    row.recordId(), "tenant");
            tenant = "";
        }
        try {
            if (chunkRows == null) {
                chunk = new StringWriter();
                chunkRows = json.createGenerator(chunk);
                chunkRows.writeStartArray();
            }
            JsonGenerator g = chunkRows;
            g.writeStartObject();
            g.writeStringField("tenant_id", tenant);
            g.writeStringField("table_name", row.table());
            g.writeStringField("record_id", row.recordId() == null ? "" : row.recordId());
            g.writeStringField("operation", row.operation());
            g.writeArrayFieldStart("changed_fields");
            for (String field : row.changedFields()) {
                g.writeString(field);
            }
            g.writeEndArray();
            g.writeFieldName("old_values");
            g.writeTree(row.oldValues());
            g.writeFieldName("new_values");
            g.writeTree(row.newValues());
            g.writeFieldName("context");
            g.writeTree(row.context());
            g.writeStringField("priority", row.priority());
            g.writeStringField("changed_at", row.changedAt().toString());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        rowsInWrite++;
        if (++rowsInChunk >= STATEMENT_BATCH) {
            // a large write: its chunks go in one transaction, the last one with the position
            writer.setAutoCommit(false);
            insert.setString(1, takeChunk());
            insert.executeUpdate();
        }
    }

    /** The rows added since the last chunk was sent, as a JSON array. */
    private String takeChunk() {
        try {
            chunkRows.writeEndArray();
            chunkRows.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String rows = chunk.toString();
        chunkRows = null;
        chunk = null;
        rowsInChunk = 0;
        return rows;
    }

    /** Commits what is decoded, with the position reached, then confirms that position to the slot. */
    private void write() throws SQLException {
        if (rowsInWrite == 0) {
            // transactions without a captured change: nothing to keep, only the slot's position moves on (no
            // write of our own, which would be one more transaction for the slot to send)
            confirm(writeEndLsn);
            return;
        }
        writeLast.setString(1, config.slot());
        writeLast.setString(2, LogSequenceNumber.valueOf(writeEndLsn).asString());
        writeLast.setString(3, rowsInChunk > 0 ? takeChunk() : "[]");
        writeLast.executeQuery().close();
        if (!writer.getAutoCommit()) {
            writer.commit();
            writer.setAutoCommit(true);
        }
        changes.increment(rowsInWrite);
        if (oldestInWrite != null) {
            lagMillis.set(Math.max(0, System.currentTimeMillis() - oldestInWrite.toEpochMilli()));
        }
        confirm(writeEndLsn);
    }

    private void confirm(long lsn) {
        position = lsn;
        LogSequenceNumber confirmed = LogSequenceNumber.valueOf(lsn);
        stream.setFlushedLSN(confirmed);
        stream.setAppliedLSN(confirmed);
        lastWrittenLsn.set(lsn);
        rowsInWrite = 0;
        oldestInWrite = null;
    }

    private void close() {
        rowsInWrite = 0;
        rowsInChunk = 0;
        chunkRows = null;
        chunk = null;
        oldestInWrite = null;
        writeEndLsn = 0;
        inTransaction = false;
        try {
            if (stream != null) {
                stream.close();
            }
        } catch (SQLException e) {
            log.debug("closing replication stream: {}", e.getMessage());
        }
        for (Connection c : new Connection[] {replication, writer}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (SQLException e) {
                log.debug("closing capture connection: {}", e.getMessage());
            }
        }
        stream = null;
        replication = null;
        writer = null;
        insert = null;
        writeLast = null;
    }

    private void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A change_log write failed while decoding; ends the stream, which starts again from the committed position. */
    static final class CaptureWriteException extends RuntimeException {
        CaptureWriteException(SQLException cause) {
            super(cause);
        }
    }
}
