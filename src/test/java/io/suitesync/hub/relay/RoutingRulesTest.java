package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.suitesync.hub.HubProperties;
import io.suitesync.hub.HubProperties.Strategy;
import io.suitesync.hub.HubProperties.Table;
import io.suitesync.hub.HubProperties.Tier;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The routing decision alone: no Camel, no database, no Redis. */
class RoutingRulesTest {

    private static final Set<String> ALL = Set.of("crm", "hrms", "finance", "affiliate");

    private final RoutingRules rules = new RoutingRules(config());

    static Stream<Arguments> routes() {
        return Stream.of(
                // table, context, old values, enabled apps, expected targets
                Arguments.of("credit_configurations", Map.of("operation_code", "crm.leads.create"), null, ALL, List.of("crm")),
                Arguments.of("credit_configurations", Map.of("operation_code", "hrms.payroll.process"), null, ALL, List.of("hrms")),
                Arguments.of("credit_configurations", Map.of("operation_code", "finance.invoice.send"), null, ALL, List.of("finance")),
                Arguments.of("credit_configurations", Map.of("operation_code", "crm.leads.create"), null, Set.of("hrms"), List.of()),
                Arguments.of("credit_configurations", Map.of("operation_code", "crmx.leads"), null, ALL, List.of()),
                Arguments.of("credit_configurations", Map.of("operation_code", "billing.run"), null, ALL, List.of()),
                Arguments.of("roles", Map.of("permissions", List.of("hrms.employee.update")), null, ALL, List.of("hrms")),
                Arguments.of("roles", Map.of("permissions", List.of("hrms.*", "user-management")), null, ALL,
                        List.of("crm", "hrms", "finance", "affiliate")),
                Arguments.of("roles", Map.of("permissions", List.of("hrms.*", "role-management")), null, Set.of("crm", "hrms"),
                        List.of("crm", "hrms")),
                Arguments.of("roles", Map.of("permissions", List.of("crm.leads.read", "finance.report.export")), null, ALL,
                        List.of("crm", "finance")),
                Arguments.of("roles", Map.of("permissions", List.of()), null, ALL, List.of()),
                // a role that lost its crm permission still reaches crm, so crm learns about it
                Arguments.of("roles", Map.of("permissions", List.of("hrms.leave.approve")),
                        Map.of("permissions", List.of("crm.leads.read")), ALL, List.of("crm", "hrms")),
                Arguments.of("users", Map.of("status", "active"), null, Set.of("crm", "finance"), List.of("crm", "finance")),
                Arguments.of("entities", Map.of(), null, Set.of(), List.of()),
                Arguments.of("credit_allocations", Map.of("target_application", "hrms"), null, ALL, List.of("hrms")),
                Arguments.of("credit_allocations", Map.of("target_application", "hrms"), null, Set.of("crm"), List.of()));
    }

    @ParameterizedTest(name = "{0} {1} (old {2}) enabled {3} -> {4}")
    @MethodSource("routes")
    void routesToExpectedApplications(String table, Map<String, Object> context, Map<String, Object> old,
                                      Set<String> enabled, List<String> expected) {
        assertThat(rules.targetsFor(row(table, context, old, enabled))).containsExactlyElementsOf(expected);
    }

    @Test
    void creditConfigWithoutOperationCodeIsUnroutable() {
        assertThatThrownBy(() -> rules.targetsFor(row("credit_configurations", new HashMap<>(), null, ALL)))
                .isInstanceOf(UnroutableChangeException.class).hasMessageContaining("operation_code");
    }

    @Test
    void tableWithoutRuleIsUnroutable() {
        assertThatThrownBy(() -> rules.targetsFor(row("invoices", Map.of(), null, ALL)))
                .isInstanceOf(UnroutableChangeException.class).hasMessageContaining("suitesync.hub.tables");
    }

    private static ChangeRow row(String table, Map<String, Object> context, Map<String, Object> old, Set<String> enabled) {
        return new ChangeRow(1, "t1", table, "r1", "UPDATE", List.of(), old, Map.of(), context, "normal",
                Instant.now(), 0, enabled);
    }

    static HubProperties config() {
        Map<String, Table> tables = Map.of(
                "credit_configurations", table("credit-config", "credit-configs", Tier.CRITICAL, Strategy.PREFIX, "operation_code"),
                "roles", table("role", "roles", Tier.CRITICAL, Strategy.PERMISSIONS, "permissions"),
                "users", table("user", "users", Tier.CRITICAL, Strategy.ENABLED_APPS, null),
                "entities", table("org", "organizations", Tier.REFERENCE, Strategy.ENABLED_APPS, null),
                "credit_allocations", table("credit", "credit-allocations", Tier.CRITICAL, Strategy.FIELD, "target_application"));
        return new HubProperties(List.of("crm", "hrms", "finance", "affiliate"),
                List.of("user-management", "role-management"), tables,
                new HubProperties.Relay(100, Duration.ofSeconds(1), 3, Duration.ofSeconds(1), 1000, 10_000,
                        Duration.ofSeconds(5), Duration.ofSeconds(5),
                        Duration.ofDays(7), Duration.ofHours(1), 100, 10, 250, 250, 50_000), null);
    }

    private static Table table(String entity, String dataType, Tier tier, Strategy strategy, String field) {
        return new Table(entity, dataType, tier, strategy, field, null, null, null, null, null, null, null);
    }
}
