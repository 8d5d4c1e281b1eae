package io.suitesync.agent;

import static io.suitesync.agent.Processes.creditCost;
import static io.suitesync.agent.Processes.get;
import static io.suitesync.agent.Processes.store;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.agent.Processes.Hub;
import io.suitesync.agent.Processes.Reply;
import io.suitesync.testsupport.TestServers;
import io.suitesync.testsupport.WrapperFixtures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/** A hub and agents as separate applications over real HTTP, PostgreSQL and Redis. */
class AgentIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    static Hub hub;
    static JdbcTemplate jdbc;
    static WrapperFixtures wrapper;

    @TempDir Path stateDir;

    @BeforeAll
    static void startHub() {
        hub = new Hub(TestServers.redisUrl());
        jdbc = hub.jdbc();
        wrapper = new WrapperFixtures(jdbc);
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    static ConfigurableApplicationContext agent(Path dir, String tenant, String... extra) {
        ConfigurableApplicationContext agent = Processes.agent(hub, hub.url(), dir, List.of(tenant), extra);
        await().atMost(WAIT).until(() -> store(agent).holds(tenant));
        return agent;
    }

    @Test
    void creditCostChangedInTheWrapperIsAnsweredByTheAgent() {
        String tenant = wrapper.tenant("crm");
        UUID config = wrapper.creditConfig(tenant, "crm.leads.create", 2.5);
        try (ConfigurableApplicationContext agent = agent(stateDir, tenant)) {
            Reply first = get(agent, "/api/credits/check/crm.leads.create", tenant);
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body()).containsEntry("operation", "crm.leads.create").containsEntry("cached", true);
            assertThat(((Number) first.body().get("creditCost")).doubleValue()).isEqualTo(2.5);

            long committed = System.nanoTime();
            jdbc.update("UPDATE credit_configurations SET credit_cost = 3.75 WHERE id = ?", config);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(5))
                    .until(() -> Double.valueOf(3.75).equals(creditCost(agent, tenant, "crm.leads.create")));
            long millis = (System.nanoTime() - committed) / 1_000_000;
            System.out.println("[agent] credit cost change committed -> answered by the agent in " + millis + " ms");
            assertThat(millis).isLessThan(WAIT.toMillis());
        }
    }

    @Test
    void changesDuringBootstrapAreNeitherMissedNorAppliedOutOfOrder() throws Exception {
        String tenant = wrapper.tenant("crm");
        List<UUID> configs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            configs.add(wrapper.creditConfig(tenant, "crm.op" + i, 1));
        }
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger rounds = new AtomicInteger();
        // each config's cost only grows, so an agent that ever answers a smaller one applied out of order;
        // the writer runs from before the agent starts until well after its snapshot. It is bounded by
        // time, not by a count of rounds: on a loaded machine an agent took 30-60 s to start, and a
        // writer that had stopped after a fixed count left the test waiting for writes that never came
        long writeUntil = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            while (writing.get() && System.nanoTime() < writeUntil) {
                rounds.incrementAndGet();
                for (UUID config : configs) {
                    jdbc.update("UPDATE credit_configurations SET credit_cost = credit_cost + 1 WHERE id = ?", config);
                }
            }
        });
        List<String> regressions = new CopyOnWriteArrayList<>();
        try (ConfigurableApplicationContext agent = Processes.agent(hub, hub.url(), stateDir, List.of(tenant))) {
            await().atMost(WAIT).until(() -> store(agent).holds(tenant));
            int roundsAtBootstrap = rounds.get();
            assertThat(roundsAtBootstrap).as("writes before the snapshot").isGreaterThan(1);
            Map<String, Double> seen = new LinkedHashMap<>();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
                for (int i = 0; i < configs.size(); i++) {
                    Double cost = creditCost(agent, tenant, "crm.op" + i);
                    Double before = seen.put("crm.op" + i, cost);
                    if (before != null && cost != null && cost < before) {
                        regressions.add("crm.op" + i + ": " + before + " -> " + cost);
                    }
                }
                return rounds.get() > roundsAtBootstrap + 100;
            });
            writing.set(false);
            writer.get();

            await().atMost(WAIT).untilAsserted(() -> {
                for (int i = 0; i < configs.size(); i++) {
                    double inDb = jdbc.queryForObject("SELECT credit_cost FROM credit_configurations WHERE id = ?",
                            Double.class, configs.get(i));
                    assertThat(creditCost(agent, tenant, "crm.op" + i)).as("crm.op" + i).isEqualTo(inDb);
                }
            });
            assertThat(store(agent).versions(tenant)).isEqualTo(Processes.expectedVersions(jdbc, tenant));
        } finally {
            writing.set(false);
        }
        assertThat(regressions).isEmpty();
    }

    @Test
    void twoReplicasConvergeToIdenticalState(@TempDir Path otherDir) {
        String tenant = wrapper.tenant("crm", "hrms");
        UUID config = wrapper.creditConfig(tenant, "crm.deals.close", 5);
        UUID role = wrapper.role(tenant, "Sales", "crm.deals.close");
        try (ConfigurableApplicationContext a = agent(stateDir, tenant);
             ConfigurableApplicationContext b = agent(otherDir, tenant)) {
            jdbc.update("UPDATE credit_configurations SET credit_cost = 6 WHERE id = ?", config);
            jdbc.update("UPDATE roles SET permissions = '{crm.deals.close,crm.deals.view}' WHERE id = ?", role);
            UUID user = wrapper.user(tenant, "grace@example.com");
            jdbc.update("UPDATE users SET status = 'suspended' WHERE id = ?", user);
            wrapper.creditConfig(tenant, "crm.deals.open", 1);
            wrapper.creditConfig(tenant, "hrms.leave.approve", 1);

            Map<String, Long> expected = Processes.expectedVersions(jdbc, tenant);
            await().atMost(WAIT).until(() -> store(a).versions(tenant).equals(expected) && store(b).versions(tenant).equals(expected));
            assertThat(store(a).state(tenant).records()).containsExactlyInAnyOrderElementsOf(store(b).state(tenant).records());
            assertThat((List<String>) get(b, "/api/roles/" + role + "/permissions", tenant).body().get("permissions"))
                    .containsExactly("crm.deals.close", "crm.deals.view");
            assertThat(creditCost(a, tenant, "hrms.leave.approve")).isNull();
        }
    }

    @Test
    void userProfileCacheIsInvalidatedByAUserChange() {
        String tenant = wrapper.tenant("crm");
        UUID user = wrapper.user(tenant, "ada@example.com");
        try (ConfigurableApplicationContext agent = agent(stateDir, tenant)) {
            Reply first = get(agent, "/api/users/" + user, tenant);
            Reply second = get(agent, "/api/users/" + user, tenant);
            assertThat(first.body()).containsEntry("email", "ada@example.com").containsEntry("cached", false);
            assertThat(second.body()).containsEntry("cached", true).containsEntry("stale", false);

            jdbc.update("UPDATE users SET job_title = 'Analyst', status = 'suspended' WHERE id = ?", user);

            await().atMost(WAIT).until(() -> "Analyst".equals(get(agent, "/api/users/" + user, tenant).body().get("jobTitle")));
            assertThat(get(agent, "/api/users/" + user, tenant).body()).containsEntry("status", "suspended")
                    .containsEntry("cached", true);
            assertThat(tier(agent, "userProfiles")).containsEntry("loads", 2L).containsEntry("invalidations", 1L);
        }
    }

    @Test
    void anExpiredProfileIsFetchedAgain() {
        String tenant = wrapper.tenant("crm");
        UUID user = wrapper.user(tenant, "ttl@example.com");
        try (ConfigurableApplicationContext agent = agent(stateDir, tenant,
                "suitesync.agent.reference.user-profiles.ttl=1s",
                "suitesync.agent.reference.user-profiles.stale-while-revalidate=0s")) {
            assertThat(get(agent, "/api/users/" + user, tenant).body()).containsEntry("cached", false);
            assertThat(get(agent, "/api/users/" + user, tenant).body()).containsEntry("cached", true);

            await().atMost(WAIT).pollDelay(Duration.ofMillis(500))
                    .until(() -> Boolean.FALSE.equals(get(agent, "/api/users/" + user, tenant).body().get("cached")));
            assertThat(tier(agent, "userProfiles")).containsEntry("loads", 2L).containsEntry("invalidations", 0L);
        }
    }

    @Test
    void hierarchyAndRolePermissionsAnswerFromTheirTiers() {
        String tenant = wrapper.tenant("crm");
        UUID root = wrapper.organization(tenant, "Head office", null);
        UUID branch = wrapper.organization(tenant, "Branch", root);
        UUID role = wrapper.role(tenant, "Viewer", "crm.dashboard.access");
        try (ConfigurableApplicationContext agent = agent(stateDir, tenant)) {
            Reply hierarchy = get(agent, "/api/hierarchy/" + branch, tenant);
            assertThat(hierarchy.status()).isEqualTo(200);
            assertThat((List<Map<String, Object>>) hierarchy.body().get("ancestors")).extracting(a -> a.get("id"))
                    .containsExactly(root.toString());

            jdbc.update("UPDATE entities SET name = 'HQ' WHERE id = ?", root);
            await().atMost(WAIT).until(() -> "HQ".equals(((List<Map<String, Object>>) get(agent, "/api/hierarchy/" + branch, tenant)
                    .body().get("ancestors")).get(0).get("name")));

            Reply permissions = get(agent, "/api/roles/" + role + "/permissions", tenant);
            assertThat(permissions.body()).containsEntry("name", "Viewer");
            assertThat((List<String>) permissions.body().get("permissions")).containsExactly("crm.dashboard.access");
            assertThat(tier(agent, "critical")).extractingByKey("hits").isNotEqualTo(0L);
        }
    }

    @Test
    void unknownOperationIsA404WithTheSeedsBodyAndMalformedIdsAre400() {
        String tenant = wrapper.tenant("crm");
        try (ConfigurableApplicationContext agent = agent(stateDir, tenant)) {
            Reply unknown = get(agent, "/api/credits/check/crm.nothing.here", tenant);
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.body()).containsOnly(Map.entry("error", "Operation not configured"),
                    Map.entry("operation", "crm.nothing.here"));

            for (String path : List.of("/api/users/42", "/api/roles/not-a-uuid/permissions", "/api/hierarchy/x")) {
                Reply bad = get(agent, path, tenant);
                assertThat(bad.status()).as(path).isEqualTo(400);
                assertThat(bad.body()).as(path).containsEntry("error", "Bad Request");
            }
            assertThat(get(agent, "/api/roles/" + UUID.randomUUID() + "/permissions", tenant).status()).isEqualTo(404);
            assertThat(get(agent, "/api/users/" + UUID.randomUUID(), tenant).status()).isEqualTo(404);
            assertThat(get(agent, "/api/credits/check/crm.x", "t-not-served").status()).isEqualTo(404);
            // one tenant served: requests may leave it out
            assertThat(get(agent, "/api/credits/check/crm.nothing.here", null).status()).isEqualTo(404);
        }
    }

    @Test
    void withoutATenantListTheAgentServesEveryTenantThatEnabledItsApp() {
        String a = wrapper.tenant("crm");
        String b = wrapper.tenant("crm");
        String hrmsOnly = wrapper.tenant("hrms");
        wrapper.creditConfig(a, "crm.leads.create", 1);
        wrapper.creditConfig(b, "crm.leads.create", 2);
        try (ConfigurableApplicationContext agent = Processes.agent(hub, hub.url(), stateDir, List.of())) {
            await().atMost(WAIT).until(() -> store(agent).holds(a) && store(agent).holds(b));

            assertThat(creditCost(agent, a, "crm.leads.create")).isEqualTo(1.0);
            assertThat(creditCost(agent, b, "crm.leads.create")).isEqualTo(2.0);
            assertThat(store(agent).holds(hrmsOnly)).isFalse();
            assertThat(get(agent, "/api/credits/check/crm.leads.create", hrmsOnly).status()).isEqualTo(404);
            Reply noTenant = get(agent, "/api/credits/check/crm.leads.create", null);
            assertThat(noTenant.status()).isEqualTo(400);
            assertThat((String) noTenant.body().get("message")).contains("X-Tenant-Id");
            Reply byQuery = get(agent, "/api/credits/check/crm.leads.create?tenantId=" + b, null);
            assertThat(byQuery.body()).containsEntry("creditCost", 2.0);
        }
    }

    @Test
    void aListedTenantThatDidNotEnableTheAppDoesNotStopTheOthers() {
        String disabled = wrapper.tenant("hrms");
        String tenant = wrapper.tenant("crm");
        UUID config = wrapper.creditConfig(tenant, "crm.leads.create", 1);
        try (ConfigurableApplicationContext agent = Processes.agent(hub, hub.url(), stateDir, List.of(disabled, tenant))) {
            await().atMost(WAIT).until(() -> store(agent).holds(tenant));
            jdbc.update("UPDATE credit_configurations SET credit_cost = 8 WHERE id = ?", config);

            await().atMost(WAIT).until(() -> Double.valueOf(8).equals(creditCost(agent, tenant, "crm.leads.create")));
            assertThat(store(agent).holds(disabled)).isFalse();
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> tier(ConfigurableApplicationContext agent, String tier) {
        Map<String, Object> tiers = (Map<String, Object>) get(agent, "/agent/stats", null).body().get("tiers");
        Map<String, Object> stats = new LinkedHashMap<>((Map<String, Object>) tiers.get(tier));
        stats.replaceAll((k, v) -> v instanceof Integer i ? Long.valueOf(i) : v);
        return stats;
    }
}
