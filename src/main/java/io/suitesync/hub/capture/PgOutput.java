package io.suitesync.hub.capture;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decoder of PostgreSQL's {@code pgoutput} logical replication messages, protocol version 1 (the
 * "Logical Replication Message Formats" chapter of the PostgreSQL manual): Begin, Relation, Insert,
 * Update, Delete and Commit are handed to a {@link Listener}; Origin, Type, Truncate and logical
 * decoding messages are skipped. Values arrive in their text form. Keeps the relations the server
 * described (it describes each again before its first change after a schema change), so one
 * decoder serves one replication stream.
 */
public final class PgOutput {

    /** Microseconds between the Unix epoch and PostgreSQL's epoch (2000-01-01 UTC). */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

    /** A column value that did not change and was not sent (an unchanged TOASTed value of an UPDATE). */
    public static final Object UNCHANGED = new Object() {
        @Override
        public String toString() {
            return "<unchanged>";
        }
    };

    /** A table as the server described it. */
    public record Relation(int oid, String schema, String name, List<Column> columns) {}

    /** A column: name and type oid, in table order. */
    public record Column(String name, int typeOid) {}

    /**
     * One row change. Values are in column order: a {@code String} (text form), {@code null} (SQL
     * NULL) or {@link #UNCHANGED}. {@code oldValues} is the old row (REPLICA IDENTITY FULL), its key
     * only, or null when the server sent none; {@code newValues} is null for a DELETE.
     */
    public record RowChange(Relation relation, String operation, Object[] oldValues, Object[] newValues) {}

    /** Receives a stream's transactions in commit order. */
    public interface Listener {
        void begin(long finalLsn, Instant commitTime);

        void change(RowChange change);

        void commit(long commitLsn, long endLsn, Instant commitTime);
    }

    private final Map<Integer, Relation> relations = new HashMap<>();
    private final Listener listener;

    public PgOutput(Listener listener) {
        this.listener = listener;
    }

    /** Decodes one message (the buffer's remaining bytes). */
    public void decode(ByteBuffer buffer) {
        byte type = buffer.get();
        switch (type) {
            case 'B' -> {
                long finalLsn = buffer.getLong();
                Instant at = time(buffer.getLong());
                buffer.getInt(); // xid
                listener.begin(finalLsn, at);
            }
            case 'C' -> {
                buffer.get(); // flags
                long commitLsn = buffer.getLong();
                long endLsn = buffer.getLong();
                listener.commit(commitLsn, endLsn, time(buffer.getLong()));
            }
            case 'R' -> {
                int oid = buffer.getInt();
                String schema = string(buffer);
                String name = string(buffer);
                buffer.get(); // replica identity setting
                int count = buffer.getShort();
                List<Column> columns = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    buffer.get(); // flags: part of the key
                    String column = string(buffer);
                    int typeOid = buffer.getInt();
                    buffer.getInt(); // type modifier
                    columns.add(new Column(column, typeOid));
                }
                relations.put(oid, new Relation(oid, schema, name, List.copyOf(columns)));
            }
            case 'I' -> {
                Relation relation = relation(buffer.getInt());
                expect(buffer, 'N');
                listener.change(new RowChange(relation, "INSERT", null, tuple(buffer)));
            }
            case 'U' -> {
                Relation relation = relation(buffer.getInt());
                Object[] old = null;
                byte kind = buffer.get();
                if (kind == 'K' || kind == 'O') {
                    old = tuple(buffer);
                    kind = buffer.get();
                }
                if (kind != 'N') {
                    throw new IllegalStateException("pgoutput: update without a new tuple ('" + (char) kind + "')");
                }
                listener.change(new RowChange(relation, "UPDATE", old, tuple(buffer)));
            }
            case 'D' -> {
                Relation relation = relation(buffer.getInt());
                byte kind = buffer.get();
                if (kind != 'K' && kind != 'O') {
                    throw new IllegalStateException("pgoutput: delete without an old tuple ('" + (char) kind + "')");
                }
                listener.change(new RowChange(relation, "DELETE", tuple(buffer), null));
            }
            case 'O', 'Y', 'T', 'M' -> {
                // origin, type, truncate (the capture triggers never captured TRUNCATE either), message
            }
            default -> throw new IllegalStateException("pgoutput: unknown message type '" + (char) type + "'");
        }
    }

    private Relation relation(int oid) {
        Relation relation = relations.get(oid);
        if (relation == null) {
            throw new IllegalStateException("pgoutput: change of relation " + oid + " before its description");
        }
        return relation;
    }

    private static Object[] tuple(ByteBuffer buffer) {
        int count = buffer.getShort();
        Object[] values = new Object[count];
        for (int i = 0; i < count; i++) {
            byte kind = buffer.get();
            switch (kind) {
                case 'n' -> values[i] = null;
                case 'u' -> values[i] = UNCHANGED;
                case 't' -> {
                    int length = buffer.getInt();
                    values[i] = new String(buffer.array(), buffer.arrayOffset() + buffer.position(), length,
                            StandardCharsets.UTF_8);
                    buffer.position(buffer.position() + length);
                }
                default -> throw new IllegalStateException("pgoutput: unsupported column kind '" + (char) kind
                        + "' (binary mode is not requested)");
            }
        }
        return values;
    }

    private static void expect(ByteBuffer buffer, char kind) {
        byte got = buffer.get();
        if (got != kind) {
            throw new IllegalStateException("pgoutput: expected '" + kind + "', got '" + (char) got + "'");
        }
    }

    private static String string(ByteBuffer buffer) {
        int start = buffer.position();
        int end = start;
        while (buffer.get(end) != 0) {
            end++;
        }
        String value = new String(buffer.array(), buffer.arrayOffset() + start, end - start, StandardCharsets.UTF_8);
        buffer.position(end + 1);
        return value;
    }

    private static Instant time(long pgMicros) {
        long micros = pgMicros + PG_EPOCH_MICROS;
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
}
