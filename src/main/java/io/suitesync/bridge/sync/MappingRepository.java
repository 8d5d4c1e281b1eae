package io.suitesync.bridge.sync;

import io.suitesync.bridge.SystemId;
import io.suitesync.common.ConditionalOnRole;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Repository;

/** {@code bridge_entity_mapping}: which CRM record is which Finance record, and what was last synced. */
@Repository
@ConditionalOnRole("bridge")
public class MappingRepository {

    private static final RowMapper<EntityMapping> ROW = (rs, i) -> new EntityMapping(rs.getLong("id"),
            rs.getString("entity_type"), rs.getString("crm_id"), rs.getString("finance_id"),
            rs.getString("crm_hash"), rs.getString("finance_hash"));

    private final NamedParameterJdbcTemplate jdbc;

    public MappingRepository(DataSource dataSource) {
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
    }

    public Optional<EntityMapping> find(String entityType, SystemId system, String id) {
        String sql = "SELECT * FROM bridge_entity_mapping WHERE entity_type = :type AND "
                + (system == SystemId.CRM ? "crm_id" : "finance_id") + " = :id";
        return jdbc.query(sql, Map.of("type", entityType, "id", id), ROW).stream().findFirst();
    }

    /** Last synced hash per id, for the ids of one side that have a mapping. */
    public Map<String, String> hashes(String entityType, SystemId system, Collection<String> ids) {
        Map<String, String> hashes = new HashMap<>();
        if (ids.isEmpty()) {
            return hashes;
        }
        String idColumn = system == SystemId.CRM ? "crm_id" : "finance_id";
        String hashColumn = system == SystemId.CRM ? "crm_hash" : "finance_hash";
        jdbc.query("SELECT " + idColumn + " AS id, " + hashColumn + " AS hash FROM bridge_entity_mapping"
                        + " WHERE entity_type = :type AND " + idColumn + " = ANY(:ids)",
                new MapSqlParameterSource("type", entityType).addValue("ids", ids.toArray(String[]::new)),
                rs -> {
                    hashes.put(rs.getString("id"), rs.getString("hash"));
                });
        return hashes;
    }

    public void insert(String entityType, String crmId, String financeId, String crmHash, String financeHash,
                       Instant crmUpdatedAt, Instant financeUpdatedAt, String direction) {
        jdbc.update("""
                INSERT INTO bridge_entity_mapping (entity_type, crm_id, finance_id, crm_hash, finance_hash,
                                                   crm_updated_at, finance_updated_at, last_direction)
                VALUES (:type, :crmId, :financeId, :crmHash, :financeHash, :crmAt, :financeAt, :direction)
                """, params(entityType, crmId, financeId, crmHash, financeHash, crmUpdatedAt, financeUpdatedAt, direction));
    }

    public void update(EntityMapping mapping, String crmHash, String financeHash, Instant crmUpdatedAt,
                       Instant financeUpdatedAt, String direction) {
        jdbc.update("""
                UPDATE bridge_entity_mapping
                   SET crm_hash = :crmHash, finance_hash = :financeHash, crm_updated_at = :crmAt,
                       finance_updated_at = :financeAt, last_direction = :direction, last_synced_at = now()
                 WHERE id = :id
                """, params(mapping.entityType(), mapping.crmId(), mapping.financeId(), crmHash, financeHash,
                crmUpdatedAt, financeUpdatedAt, direction).addValue("id", mapping.id()));
    }

    private static MapSqlParameterSource params(String entityType, String crmId, String financeId, String crmHash,
                                                String financeHash, Instant crmAt, Instant financeAt, String direction) {
        return new MapSqlParameterSource("type", entityType)
                .addValue("crmId", crmId)
                .addValue("financeId", financeId)
                .addValue("crmHash", crmHash)
                .addValue("financeHash", financeHash)
                .addValue("crmAt", crmAt == null ? null : Timestamp.from(crmAt))
                .addValue("financeAt", financeAt == null ? null : Timestamp.from(financeAt))
                .addValue("direction", direction);
    }
}
