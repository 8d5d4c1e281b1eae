package io.suitesync.hub.relay;

import io.suitesync.common.ConditionalOnRole;
import io.suitesync.hub.HubProperties.Table;
import io.suitesync.hub.HubProperties;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Decides which applications receive a change. Plain logic over the configured rule table, no
 * Camel and no I/O, so it is tested alone (RoutingRulesTest) and again inside the relay.
 * Whatever a rule selects is then narrowed to the applications the tenant has enabled.
 */
@Component("routingRules")
@ConditionalOnRole("hub")
public class RoutingRules {

    private final HubProperties config;

    public RoutingRules(HubProperties config) {
        this.config = config;
    }

    public Table tableRule(String table) {
        Table rule = config.tables().get(table);
        if (rule == null) {
            throw new UnroutableChangeException("no routing rule for table '" + table
                    + "' (add it under suitesync.hub.tables)");
        }
        return rule;
    }

    /** Target applications in configuration order; empty when the change routes nowhere. */
    public Set<String> targetsFor(ChangeRow row) {
        Table rule = tableRule(row.table());
        Set<String> candidates = switch (rule.strategy()) {
            case PREFIX -> byPrefix(requiredText(row, rule));
            case PERMISSIONS -> byPermissions(row, rule);
            case FIELD -> Set.of(requiredText(row, rule));
            case ENABLED_APPS -> Set.copyOf(config.applications());
        };
        Set<String> targets = new LinkedHashSet<>();
        for (String app : config.applications()) {
            if (candidates.contains(app) && row.enabledApps().contains(app)) {
                targets.add(app);
            }
        }
        return targets;
    }

    /** The application whose prefix ({@code app.}) starts the value, e.g. {@code crm.leads.create} → crm. */
    public Set<String> byPrefix(String value) {
        for (String app : config.applications()) {
            if (value.startsWith(app + ".")) {
                return Set.of(app);
            }
        }
        return Set.of();
    }

    /**
     * Applications a role matters to: those it holds a prefixed permission of, all of them for a
     * suite-wide permission. Old permissions count too, so an application learns that a role lost
     * its rights there.
     */
    private Set<String> byPermissions(ChangeRow row, Table rule) {
        Set<String> apps = new LinkedHashSet<>();
        for (Object permission : permissions(row, rule)) {
            String p = String.valueOf(permission);
            if (config.suiteWidePermissions().contains(p)) {
                return Set.copyOf(config.applications());
            }
            apps.addAll(byPrefix(p));
        }
        return apps;
    }

    private static List<Object> permissions(ChangeRow row, Table rule) {
        List<Object> all = new ArrayList<>(asList(row.context().get(rule.routingField())));
        if (row.oldValues() != null) {
            all.addAll(asList(row.oldValues().get(rule.routingField())));
        }
        return all;
    }

    private static Collection<?> asList(Object value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof Collection<?> c) {
            return c;
        }
        throw new UnroutableChangeException("expected an array of permissions, got " + value);
    }

    private static String requiredText(ChangeRow row, Table rule) {
        Object value = row.context().get(rule.routingField());
        if (value == null || String.valueOf(value).isBlank()) {
            throw new UnroutableChangeException(row.table() + " change " + row.id() + " has no "
                    + rule.routingField() + " to route by");
        }
        return String.valueOf(value);
    }
}
