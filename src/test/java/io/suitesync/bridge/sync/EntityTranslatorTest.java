package io.suitesync.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.suitesync.bridge.SystemId;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EntityTranslatorTest {

    private final EntityTranslator translator = new EntityTranslator();

    @Test
    void crmCustomerBecomesFinanceCustomerCarryingItsCrmIdOnCreate() {
        Map<String, Object> crm = Map.of("id", "CRM-C-1", "name", "Ava", "email", "a@x.io", "phone", "1", "updatedAt", "2026-01-01T00:00:00Z");

        assertThat(translator.translate(SystemId.CRM, "customer", crm, true, (t, f, id) -> null))
                .containsExactlyInAnyOrderEntriesOf(Map.of("fullName", "Ava", "emailAddress", "a@x.io", "phoneNumber", "1",
                        "externalRef", "CRM-C-1"));
        assertThat(translator.translate(SystemId.CRM, "customer", crm, false, (t, f, id) -> null)).doesNotContainKey("externalRef");
    }

    @Test
    void invoiceCustomerReferenceIsTranslatedThroughTheMapping() {
        Map<String, Object> finance = Map.of("id", "FIN-I-7", "customerCode", "FIN-C-3", "invoiceNo", "N1",
                "totalAmount", 10.5, "currency", "IRR", "state", "PAID");

        Map<String, Object> crm = translator.translate(SystemId.FINANCE, "invoice", finance, true,
                (type, from, id) -> type.equals("customer") && from == SystemId.FINANCE && id.equals("FIN-C-3") ? "CRM-C-9" : null);

        assertThat(crm).containsEntry("customerId", "CRM-C-9").containsEntry("number", "N1").containsEntry("amount", 10.5)
                .containsEntry("status", "PAID").containsEntry("externalId", "FIN-I-7");
    }

    @Test
    void hashCoversSharedFieldsOnlySoTimestampsAndIdsDoNotMakeAChange() {
        Map<String, Object> record = new HashMap<>(Map.of("id", "CRM-C-1", "name", "Ava", "email", "a@x.io", "phone", "1",
                "updatedAt", "2026-01-01T00:00:00Z"));
        String before = ContentHash.of(translator.businessFields(SystemId.CRM, "customer", record));

        record.put("updatedAt", "2026-02-02T00:00:00Z");
        record.put("externalId", "FIN-C-1");
        assertThat(ContentHash.of(translator.businessFields(SystemId.CRM, "customer", record))).isEqualTo(before);

        record.put("phone", "2");
        assertThat(ContentHash.of(translator.businessFields(SystemId.CRM, "customer", record))).isNotEqualTo(before);
    }

    @Test
    void unknownEntityTypeIsRefused() {
        assertThatThrownBy(() -> translator.businessFields(SystemId.CRM, "order", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("order");
    }
}
