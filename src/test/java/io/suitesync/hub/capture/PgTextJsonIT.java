package io.suitesync.hub.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.testsupport.TestServers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * Logical capture turns pgoutput's text values into JSON itself; the capture triggers let PostgreSQL's
 * to_jsonb do it. Both must write the same change_log values, so every type is checked against
 * to_jsonb on the real server: the text form (the type's output function, as pgoutput sends it, DateStyle ISO) through
 * {@link PgTextJson} must equal to_jsonb of the value.
 */
class PgTextJsonIT {

    private static final String[] VALUES = {
        "true", "false", "1::int2", "(-32768)::int2", "2147483647", "9223372036854775807::int8", "42::oid",
        "1.5::float4", "(-0.25)::float8", "1e20::float8", "'NaN'::float8", "'Infinity'::float8",
        "2.50::numeric(12,2)", "(-0.001)::numeric", "'NaN'::numeric", "12345678901234567890.123::numeric",
        "'text with \"quotes\" and \\ and ü'::text", "''::text", "'x'::varchar(5)", "'ab'::char(3)",
        "'6b0b3c1e-4f9a-4a59-8c1e-2f1d8a7b9c10'::uuid", "'2026-12-02'::date", "'07:45:01.5'::time",
        "'07:45:01+05:30'::timetz", "'07:45:01+00'::timetz", "'2026-12-02 07:45:01.123456'::timestamp",
        "'2026-12-02 07:45:01'::timestamp", "'2026-12-02 07:45:01.5+00'::timestamptz",
        "'2026-12-02 07:45:01.5+05:30'::timestamptz", "'infinity'::timestamptz", "'1 day 02:00'::interval",
        "'{\"a\": [1, 2.50, null], \"b\": {\"c\": true}}'::jsonb", "'{\"a\":  1}'::json", "'[]'::jsonb",
        "'\"s\"'::jsonb", "'{1,2,3}'::int4[]", "'{}'::int4[]", "'{{1,2},{3,4}}'::int8[]", "'{a,\"b c\",NULL,\"d\\\\\\\"e\"}'::text[]",
        "'{t,f}'::bool[]", "'{1.50,NaN}'::numeric[]", "'{2026-12-02 07:45:01+00}'::timestamptz[]",
        "ARRAY['{\"a\":1}'::jsonb]", "'{6b0b3c1e-4f9a-4a59-8c1e-2f1d8a7b9c10}'::uuid[]", "'[0:1]={7,8}'::int4[]",
        "'\\x0102'::bytea", "'10.0.0.1'::inet",
    };

    @Test
    void everyTypeBecomesTheJsonToJsonbMakesOfIt() throws Exception {
        ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        java.util.List<String> mismatches = new java.util.ArrayList<>();
        try (Connection c = DriverManager.getConnection(TestServers.postgresServerUrl());
             Statement s = c.createStatement()) {
            s.execute("SET DateStyle = ISO; SET TimeZone = 'UTC'; SET extra_float_digits = 1");
            for (String value : VALUES) {
                try (ResultSet rs = s.executeQuery("SELECT format('%s', v), pg_typeof(v)::oid::int, to_jsonb(v)::text FROM (SELECT "
                        + value + " AS v) x")) {
                    rs.next();
                    JsonNode ours = PgTextJson.toJson(rs.getString(1), rs.getInt(2));
                    JsonNode postgres = json.readTree(rs.getString(3));
                    if (!sameShape(ours, postgres)) {
                        mismatches.add(value + ": text " + rs.getString(1) + ", to_jsonb " + postgres + ", ours " + ours);
                    }
                }
            }
        }
        assertThat(mismatches).isEmpty();
    }

    /** Numbers equal by value (1.50 = 1.5 in jsonb) everywhere in the tree, everything else exactly. */
    private static boolean sameShape(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.isContainerNode() && b.isContainerNode() && a.size() == b.size() && a.getNodeType() == b.getNodeType()) {
            if (a.isArray()) {
                for (int i = 0; i < a.size(); i++) {
                    if (!sameShape(a.get(i), b.get(i))) {
                        return false;
                    }
                }
                return true;
            }
            var names = a.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!b.has(name) || !sameShape(a.get(name), b.get(name))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }
}
