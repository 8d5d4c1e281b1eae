package io.suitesync.hub.capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.util.Map;

/**
 * A column's text form (as pgoutput sends it) as the JSON value PostgreSQL's {@code to_jsonb} makes
 * of it, so logical capture writes the same change_log values as the capture triggers: booleans
 * and numbers as JSON booleans and numbers, json/jsonb as their JSON, timestamps in ISO 8601 with
 * {@code T} and a {@code +hh:mm} offset, one-dimensional or nested arrays of those element by element,
 * anything else (text, uuid, date, interval, ...) as the string it is.
 */
final class PgTextJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();

    static final int BOOL = 16, INT8 = 20, INT2 = 21, INT4 = 23, OID = 26, JSON_TYPE = 114, FLOAT4 = 700,
            FLOAT8 = 701, TIMESTAMP = 1114, TIMESTAMPTZ = 1184, NUMERIC = 1700, JSONB = 3802;

    /** Array type oid → element type oid, for the element types converted above. */
    private static final Map<Integer, Integer> ARRAYS = Map.ofEntries(
            Map.entry(1000, BOOL), Map.entry(1016, INT8), Map.entry(1005, INT2), Map.entry(1007, INT4),
            Map.entry(199, JSON_TYPE), Map.entry(1021, FLOAT4), Map.entry(1022, FLOAT8),
            Map.entry(1115, TIMESTAMP), Map.entry(1185, TIMESTAMPTZ), Map.entry(1270, 1266),
            Map.entry(1231, NUMERIC), Map.entry(3807, JSONB),
            // text-like element types: strings, but the array still becomes a JSON array
            Map.entry(1009, 25), Map.entry(1015, 1043), Map.entry(1014, 1042), Map.entry(2951, 2950),
            Map.entry(1182, 1082), Map.entry(1183, 1083), Map.entry(1187, 1186));

    private PgTextJson() {}

    static JsonNode toJson(String text, int typeOid) {
        if (text == null) {
            return NODES.nullNode();
        }
        Integer element = ARRAYS.get(typeOid);
        if (element != null) {
            return new ArrayParser(text, element).parse();
        }
        return scalar(text, typeOid);
    }

    private static JsonNode scalar(String text, int typeOid) {
        switch (typeOid) {
            case BOOL:
                return NODES.booleanNode("t".equals(text) || "true".equals(text));
            case INT2, INT4:
                return NODES.numberNode(Integer.parseInt(text));
            case INT8:
                return NODES.numberNode(Long.parseLong(text));
            case FLOAT4, FLOAT8, NUMERIC:
                // NaN and the infinities have no JSON number: to_jsonb makes them strings as well
                if (!text.isEmpty() && (Character.isDigit(text.charAt(0)) || text.charAt(0) == '-'
                        && text.length() > 1 && Character.isDigit(text.charAt(1)))) {
                    return NODES.numberNode(new BigDecimal(text));
                }
                return NODES.textNode(text);
            case JSON_TYPE, JSONB:
                try {
                    return JSON.readTree(text);
                } catch (JsonProcessingException e) {
                    return NODES.textNode(text);
                }
            case TIMESTAMP:
                return NODES.textNode(text.replace(' ', 'T'));
            case TIMESTAMPTZ:
                return NODES.textNode(offset(text.replace(' ', 'T')));
            default:
                return NODES.textNode(text);
        }
    }

    /** {@code ...+00} → {@code ...+00:00}; {@code +05:30} stays (timestamptz only: to_jsonb leaves timetz as it is). */
    private static String offset(String text) {
        int sign = Math.max(text.lastIndexOf('+'), text.lastIndexOf('-'));
        if (sign > 0 && text.length() - sign == 3 && text.indexOf(':', sign) < 0 && text.lastIndexOf(':') > 0) {
            return text + ":00";
        }
        return text;
    }

    /** PostgreSQL's array literal ({@code {1,2}}, {@code {"a b",NULL}}, {@code {{1,2},{3,4}}}). */
    private static final class ArrayParser {
        private final String text;
        private final int element;
        private int at;

        ArrayParser(String text, int element) {
            this.text = text;
            this.element = element;
        }

        JsonNode parse() {
            // a lower bound other than 1 is written first: [0:1]={...}
            int equals = text.startsWith("[") ? text.indexOf('=') : -1;
            at = equals + 1;
            return array();
        }

        private ArrayNode array() {
            ArrayNode array = NODES.arrayNode();
            at++; // {
            if (text.charAt(at) == '}') {
                at++;
                return array;
            }
            while (true) {
                char c = text.charAt(at);
                if (c == '{') {
                    array.add(array());
                } else if (c == '"') {
                    at++;
                    StringBuilder value = new StringBuilder();
                    while (text.charAt(at) != '"') {
                        if (text.charAt(at) == '\\') {
                            at++;
                        }
                        value.append(text.charAt(at++));
                    }
                    at++;
                    array.add(scalar(value.toString(), element));
                } else {
                    int start = at;
                    while (text.charAt(at) != ',' && text.charAt(at) != '}') {
                        at++;
                    }
                    String value = text.substring(start, at);
                    array.add("NULL".equals(value) ? NODES.nullNode() : scalar(value, element));
                }
                char next = text.charAt(at++);
                if (next == '}') {
                    return array;
                }
            }
        }
    }
}
