package io.suitesync.hub.relay;

import io.suitesync.common.ConditionalOnRole;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.sql.DefaultSqlPrepareStatementStrategy;
import org.springframework.stereotype.Component;

/**
 * camel-sql's statement strategy for the relay's claims ({@code prepareStatementStrategy=#claimStatements}
 * on both claim pollers): what camel-sql works out anew before every poll, worked out once per query.
 * Its default strategy rewrites the query's {@code :#…} placeholders with regular expressions and
 * evaluates each {@code ${…}} through the simple language on every claim: {@code ${properties:…}} a
 * lookup through Spring's environment, {@code ${bean:…}} a bean expression. That was a third of the live
 * lane's CPU per quiet tenant's change (NoisyNeighbourBench, profiled). Here:
 * <ul>
 *   <li>the query with {@code ?} for its placeholders is kept per query text;</li>
 *   <li>{@code ${properties:key}} is resolved once (the hub's configuration does not change while it
 *       runs);</li>
 *   <li>{@code ${bean:name.method}} calls the bean's public no-argument method, found once, at every
 *       claim, in the query's order (the lane's in-flight rows, held tenants and tenant cursor change
 *       from claim to claim).</li>
 * </ul>
 * A query with any other kind of parameter is left to camel-sql's default strategy as a whole.
 */
@Component("claimStatements")
@ConditionalOnRole("hub")
public class ClaimStatements extends DefaultSqlPrepareStatementStrategy {

    /** camel-sql's placeholder after it replaced {@code :#} with {@code :?}: a {@code ${…}} without nesting. */
    private static final Pattern PARAMETER = Pattern.compile(":\\?\\$\\{([^{}]+)\\}");
    private static final Pattern BEAN_CALL = Pattern.compile("bean:([\\w$]+)\\.(\\w+)");

    /** A query of ours as camel-sql runs it, and its parameters in order. */
    private record Compiled(String prepared, List<Parameter> parameters) {}

    /** Any other query: camel-sql's default strategy does it all. */
    private static final Compiled NOT_OURS = new Compiled(null, List.of());

    /** Per query text, worked out at its first claim. */
    private final Map<String, Compiled> queries = new ConcurrentHashMap<>();

    @Override
    public String prepareQuery(String query, boolean allowNamedParameters, Exchange exchange) throws SQLException {
        Compiled compiled = compiled(query, allowNamedParameters, exchange);
        return compiled == NOT_OURS ? super.prepareQuery(query, allowNamedParameters, exchange) : compiled.prepared();
    }

    @Override
    public Iterator<?> createPopulateIterator(String query, String preparedQuery, int expectedParams, Exchange exchange,
                                              Object value) throws SQLException {
        // camel-sql prepares the query first, so this finds what that worked out
        Compiled compiled = compiled(query, true, exchange);
        if (compiled == NOT_OURS) {
            return super.createPopulateIterator(query, preparedQuery, expectedParams, exchange, value);
        }
        List<Parameter> parameters = compiled.parameters();
        Object[] values = new Object[parameters.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = parameters.get(i).value();
        }
        return Arrays.asList(values).iterator();
    }

    private Compiled compiled(String query, boolean allowNamedParameters, Exchange exchange) throws SQLException {
        Compiled compiled = queries.get(query);
        if (compiled == null) {
            compiled = compilable(query)
                    ? new Compiled(super.prepareQuery(query, allowNamedParameters, exchange), compile(query, exchange.getContext()))
                    : NOT_OURS;
            queries.put(query, compiled);
        }
        return compiled;
    }

    /** Whether every named parameter of the query is a {@code ${properties:…}} or {@code ${bean:name.method}}. */
    static boolean compilable(String query) {
        if (query.contains(":?in:")) {
            return false;
        }
        // every ":?" must start a parameter of the two kinds above
        int placeholders = 0;
        for (int at = query.indexOf(":?"); at >= 0; at = query.indexOf(":?", at + 2)) {
            placeholders++;
        }
        Matcher m = PARAMETER.matcher(query);
        int known = 0;
        while (m.find()) {
            String expression = m.group(1);
            if (!expression.startsWith("properties:") && !BEAN_CALL.matcher(expression).matches()) {
                return false;
            }
            known++;
        }
        return known == placeholders;
    }

    /** The query's parameters in order, each resolved as far as it can be before a claim. */
    static List<Parameter> compile(String query, CamelContext camel) {
        List<Parameter> out = new ArrayList<>();
        Matcher m = PARAMETER.matcher(query);
        while (m.find()) {
            String expression = m.group(1);
            if (expression.startsWith("properties:")) {
                String resolved = camel.resolvePropertyPlaceholders("{{" + expression.substring("properties:".length()) + "}}");
                out.add(() -> resolved);
            } else {
                Matcher call = BEAN_CALL.matcher(expression);
                if (!call.matches()) {
                    throw new IllegalStateException("not a bean call: ${" + expression + "}");
                }
                Object bean = camel.getRegistry().lookupByName(call.group(1));
                if (bean == null) {
                    throw new IllegalStateException("no bean " + call.group(1) + " for ${" + expression + "}");
                }
                Method method;
                try {
                    method = bean.getClass().getMethod(call.group(2));
                } catch (NoSuchMethodException e) {
                    throw new IllegalStateException("no public method " + call.group(2) + "() on bean " + call.group(1), e);
                }
                out.add(() -> invoke(bean, method));
            }
        }
        return List.copyOf(out);
    }

    private static Object invoke(Object bean, Method method) {
        try {
            return method.invoke(bean);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One parameter of a claim: its value at this claim. */
    @FunctionalInterface
    interface Parameter {
        Object value();
    }
}
