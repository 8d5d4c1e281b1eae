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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/** The agent when the hub or Redis goes away, and across its own restart. */
class AgentOutageIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir Path stateDir;

    @Test
    void hubStoppedCriticalAnswersContinueAndReferenceAnswersAreMarkedStale() {
        try (Hub hub = new Hub(TestServers.redisUrl())) {
            JdbcTemplate jdbc = hub.jdbc();
            WrapperFixtures wrapper = new WrapperFixtures(jdbc);
            String tenant = wrapper.tenant("crm");
            wrapper.creditConfig(tenant, "crm.leads.create", 2.5);
            UUID role = wrapper.role(tenant, "Sales", "crm.leads.create");
            UUID user = wrapper.user(tenant, "ada@example.com");
            UUID neverFetched = wrapper.user(tenant, "bob@example.com");
            UUID org = wrapper.organization(tenant, "Head office", null);
            // every change relayed before the agent starts: an event read after the first hierarchy
            // fetch would invalidate it, and with the hub gone the answer would be stale (seen once)
            await().atMost(WAIT).until(() -> wrapper.pendingChanges(tenant) == 0);
            try (ConfigurableApplicationContext agent = Processes.agent(hub, hub.url(), stateDir, List.of(tenant),
                    "suitesync.agent.reference.user-profiles.ttl=1s",
                    "suitesync.agent.reference.user-profiles.stale-while-revalidate=0s")) {
                await().atMost(WAIT).until(() -> store(agent).holds(tenant));
                assertThat(get(agent, "/api/users/" + user, tenant).body()).containsEntry("cached", false);
                assertThat(get(agent, "/api/hierarchy/" + org, tenant).body()).containsEntry("cached", false);

                hub.close();

                assertThat(get(agent, "/api/credits/check/crm.leads.create", tenant).body())
                        .containsEntry("cached", true).containsEntry("creditCost", 2.5);
                assertThat(get(agent, "/api/roles/" + role + "/permissions", tenant).status()).isEqualTo(200);
                assertThat(get(agent, "/api/hierarchy/" + org, tenant).body())
                        .containsEntry("name", "Head office").containsEntry("stale", false);
                // past its TTL the profile cannot be refetched: the last copy answers, marked stale
                await().atMost(WAIT).until(() -> Boolean.TRUE.equals(get(agent, "/api/users/" + user, tenant).body().get("stale")));
                Reply stale = get(agent, "/api/users/" + user, tenant);
                assertThat(stale.status()).isEqualTo(200);
                assertThat(stale.body()).containsEntry("email", "ada@example.com").containsEntry("cached", true);
                Reply unknown = get(agent, "/api/users/" + neverFetched, tenant);
                assertThat(unknown.status()).isEqualTo(503);
                assertThat((String) unknown.body().get("message")).contains("hub unavailable");
                assertThat(AgentIT.tier(agent, "userProfiles")).extractingByKey("loadFailures").isNotEqualTo(0L);
                assertThat(stream(agent)).containsEntry("hubReachable", false);
            }
        }
    }

    @Test
    void redisStoppedForTenSecondsWhileChangesHappenLosesNothing() {
        try (PrivateRedis redis = new PrivateRedis(); Hub hub = new Hub(redis.url())) {
            JdbcTemplate jdbc = hub.jdbc();
            WrapperFixtures wrapper = new WrapperFixtures(jdbc);
            String tenant = wrapper.tenant("crm");
            UUID config = wrapper.creditConfig(tenant, "crm.leads.create", 1);
            try (ConfigurableApplicationContext agent = Processes.agent(hub, hub.url(), stateDir, List.of(tenant))) {
                await().atMost(WAIT).until(() -> store(agent).holds(tenant));

                redis.stop();
                long stopped = System.nanoTime();
                jdbc.update("UPDATE credit_configurations SET credit_cost = 2 WHERE id = ?", config);
                await().atMost(WAIT).until(() -> Boolean.FALSE.equals(stream(agent).get("redisUp")));
                wrapper.creditConfig(tenant, "crm.leads.import", 7);
                UUID role = wrapper.role(tenant, "Sales", "crm.leads.create");
                UUID user = wrapper.user(tenant, "ada@example.com");
                jdbc.update("UPDATE users SET status = 'suspended' WHERE id = ?", user);
                jdbc.update("UPDATE credit_configurations SET credit_cost = 3 WHERE id = ?", config);
                // critical answers continue from memory throughout the outage
                await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
                    assertThat(creditCost(agent, tenant, "crm.leads.create")).isEqualTo(1.0);
                    return System.nanoTime() - stopped >= Duration.ofSeconds(10).toNanos();
                });

                redis.start();
                long restarted = System.nanoTime();

                Map<String, Long> expected = Processes.expectedVersions(jdbc, tenant);
                await().atMost(WAIT).until(() -> store(agent).versions(tenant).equals(expected));
                System.out.printf("[agent] Redis down %d ms; every change held %d ms after it returned%n",
                        (restarted - stopped) / 1_000_000, (System.nanoTime() - restarted) / 1_000_000);
                assertThat(creditCost(agent, tenant, "crm.leads.create")).isEqualTo(3.0);
                assertThat(creditCost(agent, tenant, "crm.leads.import")).isEqualTo(7.0);
                assertThat(get(agent, "/api/roles/" + role + "/permissions", tenant).status()).isEqualTo(200);
                assertThat(store(agent).record(tenant, "user", user.toString()).fields()).containsEntry("status", "suspended");
                assertThat(stream(agent)).containsEntry("redisUp", true);
            }
        }
    }

    @Test
    void aRestartedAgentResumesFromItsStateFileEvenWithTheHubDown() {
        try (Hub hub = new Hub(TestServers.redisUrl())) {
            JdbcTemplate jdbc = hub.jdbc();
            WrapperFixtures wrapper = new WrapperFixtures(jdbc);
            String tenant = wrapper.tenant("crm");
            UUID config = wrapper.creditConfig(tenant, "crm.leads.create", 1);
            try (ConfigurableApplicationContext first = Processes.agent(hub, hub.url(), stateDir, List.of(tenant))) {
                await().atMost(WAIT).until(() -> store(first).holds(tenant));
            }

            jdbc.update("UPDATE credit_configurations SET credit_cost = 4 WHERE id = ?", config);
            wrapper.creditConfig(tenant, "crm.leads.export", 9);
            await().atMost(WAIT).until(() -> wrapper.pendingChanges(tenant) == 0);
            Map<String, Long> expected = Processes.expectedVersions(jdbc, tenant);
            String hubUrl = hub.url();
            hub.close();

            try (ConfigurableApplicationContext second = Processes.agent(hub, hubUrl, stateDir, List.of(tenant))) {
                await().atMost(WAIT).until(() -> store(second).versions(tenant).equals(expected));
                assertThat(creditCost(second, tenant, "crm.leads.create")).isEqualTo(4.0);
                assertThat(creditCost(second, tenant, "crm.leads.export")).isEqualTo(9.0);
                assertThat(stream(second)).containsEntry("snapshotsLoaded", 0);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> stream(ConfigurableApplicationContext agent) {
        return (Map<String, Object>) get(agent, "/agent/stats", null).body().get("stream");
    }
}
