package io.suitesync.common;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Profile;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Dev mode: once everything is up, one log block with what the demo runs, where, with which keys and
 * demo tenants, and the next commands to try. Every value is read from the running process (a port
 * taken by something else moves the embedded servers to a free one, and the banner says so).
 */
@Component
@Profile(InfrastructureEnvironmentPostProcessor.DEV_PROFILE)
public class DemoBanner {

    private static final Logger LOG = LoggerFactory.getLogger(DemoBanner.class);

    private final Environment env;
    private final JdbcTemplate jdbc;

    public DemoBanner(Environment env, DataSource dataSource) {
        this.env = env;
        this.jdbc = new JdbcTemplate(dataSource);
    }

    @EventListener(ApplicationReadyEvent.class)
    public void log() {
        LOG.info("\n{}", text());
    }

    String text() {
        String app = "http://localhost:" + env.getProperty("local.server.port", env.getProperty("server.port", "8080"));
        URI postgres = URI.create(env.getRequiredProperty("spring.datasource.url").substring("jdbc:".length()));
        String psql = "psql -h " + postgres.getHost() + " -p " + postgres.getPort() + " -U "
                + env.getProperty("spring.datasource.username", "postgres") + " -d " + postgres.getPath().substring(1);
        String redisCli = redisCli();
        String adminKey = env.getProperty("suitesync.security.admin-api-key", "");
        String agentApp = env.getProperty("suitesync.agent.app-code", "crm");
        String agentKey = env.getProperty("suitesync.agent.hub.api-key", "");
        String tenant = env.getProperty("suitesync.agent.default-tenant", "acme");
        List<String> lines = new ArrayList<>();
        lines.add("==== SuiteSync demo (dev mode: embedded servers, demo data, dev keys; never production) ====");
        lines.add("  roles " + env.getProperty("suitesync.roles") + " (agent for " + agentApp + ") on " + app
                + "   /health  /api-doc  /actuator/hawtio");
        lines.add("  CRM simulator     http://localhost:" + env.getProperty("suitesync.simulators.crm.port")
                + "   Finance simulator http://localhost:" + env.getProperty("suitesync.simulators.finance.port"));
        lines.add("  PostgreSQL        " + psql);
        lines.add("  Redis             " + redisCli);
        lines.add("  demo tenants      " + String.join(", ", jdbc.queryForList(
                "SELECT t.id || ' (' || coalesce(string_agg(a.application_code, ', ' ORDER BY a.application_code), 'no apps') || ')' "
                        + "FROM tenants t LEFT JOIN organization_applications a ON a.tenant_id = t.id AND a.is_enabled "
                        + "GROUP BY t.id ORDER BY t.id", String.class)));
        lines.add("  dev keys          admin: X-Api-Key: " + adminKey + "   " + agentApp + " read key: " + agentKey);
        lines.add("  console           " + app + "/console/   (HTTP Basic: " + env.getProperty("suitesync.security.admin-user", "")
                + " / " + env.getProperty("suitesync.security.admin-password", "") + ")");
        lines.add("  try:");
        lines.add("   1. " + psql + " -c \"UPDATE credit_configurations SET credit_cost = 3 WHERE tenant_id = '"
                + tenant + "' AND operation_code = 'crm.leads.create'\"");
        lines.add("   2. curl -s " + app + "/api/credits/check/crm.leads.create        # the agent: creditCost 3");
        lines.add("   3. curl -s -H 'X-Api-Key: " + adminKey + "' '" + app + "/admin/streams/crm/" + tenant
                + "?count=1'   # the event in crm:" + tenant + ":events");
        lines.add("  bridge: POST a customer to http://localhost:" + env.getProperty("suitesync.simulators.crm.port")
                + "/_sim/customers; within seconds it is in http://localhost:"
                + env.getProperty("suitesync.simulators.finance.port") + "/_sim/customers (README: Bridge)");
        lines.add("  stop: Ctrl-C");
        return String.join("\n", lines);
    }

    private String redisCli() {
        String url = env.getProperty("spring.data.redis.url");
        if (url != null) {
            URI redis = URI.create(url);
            return "redis-cli -h " + redis.getHost() + " -p " + (redis.getPort() < 0 ? 6379 : redis.getPort());
        }
        return "redis-cli -h " + env.getProperty("spring.data.redis.host", "localhost") + " -p "
                + env.getProperty("spring.data.redis.port", "6379");
    }
}
