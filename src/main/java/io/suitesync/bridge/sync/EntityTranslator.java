package io.suitesync.bridge.sync;

import io.suitesync.bridge.SystemId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.stereotype.Component;

/**
 * How a customer or invoice of one system reads in the other: field names, the customer reference
 * of an invoice (an id of the other system, resolved through the mapping table), and the field in
 * which each system keeps the id of the record in the other system.
 */
@Component("bridgeEntityTranslator")
public class EntityTranslator {

    public static final Set<String> ENTITY_TYPES = Set.of("customer", "invoice");

    /** A field pair: its name in the CRM and in Finance. */
    record Field(String crm, String finance) {
        String on(SystemId system) {
            return system == SystemId.CRM ? crm : finance;
        }
    }

    private static final Map<String, List<Field>> FIELDS = Map.of(
            "customer", List.of(new Field("name", "fullName"), new Field("email", "emailAddress"),
                    new Field("phone", "phoneNumber")),
            "invoice", List.of(new Field("number", "invoiceNo"), new Field("amount", "totalAmount"),
                    new Field("currency", "currency"), new Field("status", "state")));

    /** Invoices point at their customer: {@code customerId} in the CRM, {@code customerCode} in Finance. */
    private static final Map<String, Field> REFERENCES = Map.of("invoice", new Field("customerId", "customerCode"));

    /** Resolves a referenced customer's id in the other system. */
    @FunctionalInterface
    public interface ReferenceResolver {
        String counterpartOf(String entityType, SystemId from, String id);
    }

    public static String externalIdField(SystemId system) {
        return system == SystemId.CRM ? "externalId" : "externalRef";
    }

    /** The fields the two systems share, as this system names them: what the content hash covers. */
    public Map<String, Object> businessFields(SystemId system, String entityType, Map<String, Object> record) {
        Map<String, Object> fields = new TreeMap<>();
        for (Field field : fields(entityType)) {
            fields.put(field.on(system), record.get(field.on(system)));
        }
        Field reference = REFERENCES.get(entityType);
        if (reference != null) {
            fields.put(reference.on(system), record.get(reference.on(system)));
        }
        return fields;
    }

    /**
     * The record as the other system names it. On create the other system also learns our id (its
     * external id field), which lets the bridge recognise the record's echo and find it again after a crash.
     */
    public Map<String, Object> translate(SystemId from, String entityType, Map<String, Object> record,
                                         boolean create, ReferenceResolver references) {
        SystemId to = from.other();
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Field field : fields(entityType)) {
            fields.put(field.on(to), record.get(field.on(from)));
        }
        Field reference = REFERENCES.get(entityType);
        if (reference != null) {
            Object referenced = record.get(reference.on(from));
            fields.put(reference.on(to), referenced == null ? null : references.counterpartOf("customer", from, referenced.toString()));
        }
        if (create) {
            fields.put(externalIdField(to), record.get("id"));
        }
        return fields;
    }

    /** The id of the other system's record this one was created from, or null. */
    public String externalId(SystemId system, Map<String, Object> record) {
        Object value = record.get(externalIdField(system));
        return value == null || value.toString().isBlank() ? null : value.toString();
    }

    private static List<Field> fields(String entityType) {
        List<Field> fields = FIELDS.get(entityType);
        if (fields == null) {
            throw new IllegalArgumentException("unknown entity type " + entityType);
        }
        return fields;
    }
}
