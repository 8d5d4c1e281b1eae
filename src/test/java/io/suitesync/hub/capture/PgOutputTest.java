package io.suitesync.hub.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.hub.capture.CapturedChange.Rule;
import io.suitesync.hub.capture.PgOutput.RowChange;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** pgoutput messages as the server sends them (protocol 1), decoded and turned into change_log rows. */
class PgOutputTest {

    private final List<String> calls = new ArrayList<>();
    private final List<RowChange> changes = new ArrayList<>();
    private final PgOutput decoder = new PgOutput(new PgOutput.Listener() {
        @Override
        public void begin(long finalLsn, Instant commitTime) {
            calls.add("begin " + finalLsn + " " + commitTime);
        }

        @Override
        public void change(RowChange change) {
            calls.add(change.operation() + " " + change.relation().name());
            changes.add(change);
        }

        @Override
        public void commit(long commitLsn, long endLsn, Instant commitTime) {
            calls.add("commit " + commitLsn + " " + endLsn);
        }
    });
    private final Rule rule = new Rule("credit_configurations", "id", "tenant_id", List.of("operation_code"), "high");

    @Test
    void decodesATransactionWithItsRelationAndEveryKindOfChange() throws IOException {
        decoder.decode(message(m -> {
            m.writeByte('B');
            m.writeLong(0x1000);
            m.writeLong(1_000_000L); // one second after 2000-01-01
            m.writeInt(77);
        }));
        decoder.decode(relation());
        decoder.decode(message(m -> {
            m.writeByte('I');
            m.writeInt(16384);
            m.writeByte('N');
            tuple(m, "c1", "acme", "crm.leads.create", "2.50", null);
        }));
        decoder.decode(message(m -> {
            m.writeByte('U');
            m.writeInt(16384);
            m.writeByte('O');
            tuple(m, "c1", "acme", "crm.leads.create", "2.50", "{\"a\":1}");
            m.writeByte('N');
            m.writeShort(5);
            text(m, "c1");
            text(m, "acme");
            text(m, "crm.leads.create");
            text(m, "3.00");
            m.writeByte('u'); // unchanged TOASTed value
        }));
        decoder.decode(message(m -> {
            m.writeByte('D');
            m.writeInt(16384);
            m.writeByte('O');
            tuple(m, "c1", "acme", "crm.leads.create", "3.00", "{\"a\":1}");
        }));
        decoder.decode(message(m -> {
            m.writeByte('C');
            m.writeByte(0);
            m.writeLong(0x1000);
            m.writeLong(0x1100);
            m.writeLong(1_000_000L);
        }));

        assertThat(calls).containsExactly("begin 4096 2000-01-01T00:00:01Z", "INSERT credit_configurations",
                "UPDATE credit_configurations", "DELETE credit_configurations", "commit 4096 4352");

        CapturedChange insert = CapturedChange.of(changes.get(0), rule, Instant.EPOCH);
        assertThat(insert.tenantId()).isEqualTo("acme");
        assertThat(insert.recordId()).isEqualTo("c1");
        assertThat(insert.changedFields()).containsExactly("credit_cost", "id", "meta", "operation_code", "tenant_id");
        assertThat(insert.newValues().toString()).isEqualTo(
                "{\"id\":\"c1\",\"tenant_id\":\"acme\",\"operation_code\":\"crm.leads.create\",\"credit_cost\":2.50,\"meta\":null}");
        assertThat(insert.oldValues()).isNull();
        assertThat(insert.context().toString()).isEqualTo("{\"operation_code\":\"crm.leads.create\"}");
        assertThat(insert.priority()).isEqualTo("high");

        // only what changed; the unchanged TOASTed column is taken from the old row, so it is no change
        CapturedChange update = CapturedChange.of(changes.get(1), rule, Instant.EPOCH);
        assertThat(update.changedFields()).containsExactly("credit_cost");
        assertThat(update.oldValues().toString()).isEqualTo("{\"credit_cost\":2.50}");
        assertThat(update.newValues().toString()).isEqualTo("{\"credit_cost\":3.00}");

        CapturedChange delete = CapturedChange.of(changes.get(2), rule, Instant.EPOCH);
        assertThat(delete.operation()).isEqualTo("DELETE");
        assertThat(delete.newValues()).isNull();
        assertThat(new ObjectMapper().convertValue(delete.oldValues(), java.util.Map.class))
                .containsEntry("meta", java.util.Map.of("a", 1));
    }

    @Test
    void anUpdateThatChangesNothingOrTheKeyWritesNoRow() throws IOException {
        decoder.decode(relation());
        decoder.decode(message(m -> {
            m.writeByte('U');
            m.writeInt(16384);
            m.writeByte('O');
            tuple(m, "c1", "acme", "op", "1.0", null);
            m.writeByte('N');
            tuple(m, "c1", "acme", "op", "1.00", null); // equal as numbers, as jsonb compares them
        }));
        decoder.decode(message(m -> {
            m.writeByte('U');
            m.writeInt(16384);
            m.writeByte('O');
            tuple(m, "c1", "acme", "op", "1", null);
            m.writeByte('N');
            tuple(m, "c2", "acme", "op", "2", null);
        }));
        assertThat(CapturedChange.of(changes.get(0), rule, Instant.EPOCH)).isNull();
        assertThat(CapturedChange.of(changes.get(1), rule, Instant.EPOCH)).isNull();
    }

    @Test
    void anUpdateWithoutTheOldRowIsRefusedNamingReplicaIdentity() throws IOException {
        decoder.decode(relation());
        decoder.decode(message(m -> {
            m.writeByte('U');
            m.writeInt(16384);
            m.writeByte('N');
            tuple(m, "c1", "acme", "op", "1", null);
        }));
        assertThatThrownBy(() -> CapturedChange.of(changes.get(0), rule, Instant.EPOCH))
                .hasMessageContaining("REPLICA IDENTITY FULL");
    }

    @Test
    void aChangeOfAnUndescribedRelationOrAnUnknownMessageIsAnError() throws IOException {
        assertThatThrownBy(() -> decoder.decode(message(m -> {
            m.writeByte('I');
            m.writeInt(999);
            m.writeByte('N');
            m.writeShort(0);
        }))).hasMessageContaining("relation 999");
        assertThatThrownBy(() -> decoder.decode(message(m -> m.writeByte('Z')))).hasMessageContaining("unknown");
    }

    private ByteBuffer relation() throws IOException {
        return message(m -> {
            m.writeByte('R');
            m.writeInt(16384);
            cstring(m, "public");
            cstring(m, "credit_configurations");
            m.writeByte('f');
            m.writeShort(5);
            column(m, "id", 2950);
            column(m, "tenant_id", 25);
            column(m, "operation_code", 25);
            column(m, "credit_cost", 1700);
            column(m, "meta", 3802);
        });
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    /** A message at a non-zero offset of its array, as the driver hands it over. */
    private static ByteBuffer message(Writer writer) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {9, 9, 9});
        writer.write(out);
        byte[] all = bytes.toByteArray();
        return ByteBuffer.wrap(all, 3, all.length - 3);
    }

    private static void column(DataOutputStream m, String name, int type) throws IOException {
        m.writeByte(0);
        cstring(m, name);
        m.writeInt(type);
        m.writeInt(-1);
    }

    private static void tuple(DataOutputStream m, String... values) throws IOException {
        m.writeShort(values.length);
        for (String value : values) {
            if (value == null) {
                m.writeByte('n');
            } else {
                text(m, value);
            }
        }
    }

    private static void text(DataOutputStream m, String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        m.writeByte('t');
        m.writeInt(bytes.length);
        m.write(bytes);
    }

    private static void cstring(DataOutputStream m, String value) throws IOException {
        m.write(value.getBytes(StandardCharsets.UTF_8));
        m.writeByte(0);
    }
}
