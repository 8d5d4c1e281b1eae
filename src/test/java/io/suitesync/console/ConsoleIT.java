package io.suitesync.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.hub.admin.AdminClient;
import io.suitesync.simulator.CrmSimulator;
import io.suitesync.simulator.FinanceSimulator;
import io.suitesync.testsupport.WrapperFixtures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The operator console in headless Chromium against a real hub and bridge (one process, as in dev mode)
 * with CRM and Finance simulators: logging in, enabling an application and watching its backfill and
 * its events, replaying a dead letter, retrying a failed bridge item once Finance is back, an action's
 * error message; and, without a browser, the 401 of the console and of the calls it makes. Writes a
 * screenshot of each view ({@link ConsoleBrowser}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "suitesync.roles=hub,bridge",
        "suitesync.security.admin-api-key=" + AdminClient.ADMIN_KEY,
        "suitesync.security.admin-user=" + ConsoleIT.USER,
        "suitesync.security.admin-password=" + AdminClient.ADMIN_PASSWORD,
        "suitesync.security.read-keys=crm=" + AdminClient.CRM_READ_KEY,
        "suitesync.backfill.batch-size=25",
        "suitesync.bridge.crm.api-token=it-crm-token",
        "suitesync.bridge.finance.username=it-finance",
        "suitesync.bridge.finance.password=it-finance-password",
        "suitesync.bridge.poll-interval-seconds=3600",
        "suitesync.bridge.poll-initial-delay=1h",
        "suitesync.bridge.webhook-secret=it-webhook-secret",
        "suitesync.bridge.http.retries=1",
        "suitesync.bridge.http.retry-backoff=20ms",
        "suitesync.bridge.http.request-timeout=5s",
        "suitesync.bridge.max-retry-attempts=2",
        "suitesync.bridge.retry-initial-backoff=300ms",
        "suitesync.bridge.retry-max-backoff=1s",
        "suitesync.bridge.worker.idle-delay=100ms"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class ConsoleIT {

    static final String USER = "ops";
    private static final String ADMIN_BASIC = "basic:" + USER + ":" + AdminClient.ADMIN_PASSWORD;
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** The console's files and every API call its views make. */
    private static final String[] CONSOLE_PATHS = {
            "/console", "/console/", "/console/index.html", "/console/console.js", "/console/console.css",
            "/console/webjars/alpinejs/dist/cdn.min.js", "/console/webjars/uplot/dist/uPlot.iife.min.js",
            "/console/webjars/uplot/dist/uPlot.min.css"};
    private static final String[][] CONSOLE_CALLS = {
            {"GET", "/admin/tenants?limit=50"}, {"GET", "/admin/sync/jobs?limit=50"}, {"GET", "/admin/relay/metrics"},
            {"GET", "/admin/relay/tenants?limit=10"}, {"GET", "/admin/relay/dead-letters?limit=200"},
            {"POST", "/admin/relay/dead-letters/1/replay"}, {"POST", "/admin/relay/dead-letters/replay-all"},
            {"POST", "/admin/relay/process-now"}, {"GET", "/admin/streams/crm/%s?count=100&eventType=credit."},
            {"POST", "/admin/organizations/%s/applications/crm/toggle"},
            {"POST", "/admin/organizations/%s/applications/crm/sync-historical"},
            {"GET", "/bridge/stats"}, {"GET", "/bridge/failed"}, {"GET", "/bridge/sync-log?limit=50"},
            {"GET", "/bridge/webhooks"}, {"POST", "/bridge/failed/1/retry"}, {"POST", "/bridge/failed/retry-all"},
            {"POST", "/bridge/poll-now"}};

    static CrmSimulator crm;
    static FinanceSimulator finance;

    @LocalServerPort int port;
    @Autowired JdbcTemplate jdbc;

    AdminClient http;
    WrapperFixtures wrapper;

    @DynamicPropertySource
    static void simulators(DynamicPropertyRegistry registry) {
        crm = (CrmSimulator) new CrmSimulator(0, "it-crm-token").start();
        finance = (FinanceSimulator) new FinanceSimulator(0, "it-finance", "it-finance-password", Duration.ofMinutes(10)).start();
        registry.add("suitesync.bridge.crm.base-url", crm::baseUrl);
        registry.add("suitesync.bridge.finance.base-url", finance::baseUrl);
    }

    @AfterAll
    static void stopAll() {
        ConsoleBrowser.closeShared();
        crm.close();
        finance.close();
    }

    @BeforeEach
    void setUp() {
        http = new AdminClient(port);
        wrapper = new WrapperFixtures(jdbc);
    }

    @AfterEach
    void systemsBackUp() {
        crm.setDown(false);
        finance.setDown(false);
    }

    @Test
    void theConsoleAndItsCallsAnswer401WithoutOrWithWrongCredentials() {
        long syncLogBefore = jdbc.queryForObject("SELECT count(*) FROM bridge_sync_log", Long.class);
        List<String[]> all = new ArrayList<>();
        for (String path : CONSOLE_PATHS) {
            all.add(new String[] {"GET", path});
        }
        all.addAll(List.of(CONSOLE_CALLS));
        String tenant = wrapper.tenant();
        for (String[] template : all) {
            String[] call = {template[0], template[1].formatted(tenant)};
            String what = call[0] + " " + call[1];
            String body = "POST".equals(call[0]) ? "{\"isEnabled\":true}" : null;
            AdminClient.Response anonymous = http.send(call[0], call[1], body, null);
            assertThat(anonymous.status()).as(what + " anonymous: " + anonymous.raw()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).as(what).hasValue("Basic realm=\"SuiteSync\"");
            assertThat(anonymous.raw()).as(what).doesNotContain("<html", "Alpine", "uPlot");
            assertThat(http.send(call[0], call[1], body, "basic:" + USER + ":wrong").status()).as(what + " wrong password")
                    .isEqualTo(401);
            assertThat(http.send(call[0], call[1], body, "wrong-key").status()).as(what + " wrong key").isEqualTo(401);
            assertThat(http.send(call[0], call[1], body, AdminClient.CRM_READ_KEY).status()).as(what + " read key")
                    .isEqualTo(403);
            // a page of another site cannot use the Basic credentials the browser keeps for the console
            assertThat(http.send(call[0], call[1], body, ADMIN_BASIC, Map.of("Origin", "https://evil.example")).status())
                    .as(what + " Basic from another origin").isEqualTo(401);
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM organization_applications WHERE tenant_id = ?", Long.class, tenant))
                .as("no refused toggle changed anything").isZero();
        assertThat(http.send("POST", "/admin/organizations/" + tenant + "/applications/crm/toggle", "{\"isEnabled\":true}",
                ADMIN_BASIC).status()).as("the same call with the admin's credentials").isEqualTo(202);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM bridge_sync_log", Long.class)).as("no refused poll ran")
                .isEqualTo(syncLogBefore);
    }

    @Test
    void theAdminGetsThePagesAndLibrariesUnderARestrictivePolicy() {
        AdminClient.Response page = http.send("GET", "/console/", null, ADMIN_BASIC);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.raw()).contains("SuiteSync console", "webjars/alpinejs/dist/cdn.min.js");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp)
                .contains("default-src 'self'", "connect-src 'self'", "frame-ancestors 'self'").doesNotContain("*"));
        assertThat(http.send("GET", "/console", null, ADMIN_BASIC).headers().firstValue("Location"))
                .hasValueSatisfying(location -> assertThat(location).endsWith("/console/"));
        AdminClient.Response alpine = http.send("GET", "/console/webjars/alpinejs/dist/cdn.min.js", null, ADMIN_BASIC);
        assertThat(alpine.status()).isEqualTo(200);
        assertThat(alpine.raw()).contains("Alpine");
        assertThat(http.send("GET", "/console/webjars/uplot/dist/uPlot.iife.min.js", null, AdminClient.ADMIN_KEY).status())
                .isEqualTo(200);
        assertThat(http.send("GET", "/console/no-such-file.js", null, ADMIN_BASIC).status()).isEqualTo(404);
        assertThat(http.send("GET", "/console/../application.yml", null, ADMIN_BASIC).status()).isIn(400, 404);
        assertThat(http.send("GET", "/console/webjars/../../application.yml", null, ADMIN_BASIC).raw())
                .doesNotContain("suitesync:");
        assertThat(http.send("GET", "/console/%2e%2e/application.yml", null, ADMIN_BASIC).raw()).doesNotContain("suitesync:");
    }

    @Test
    void theAdminLogsInThroughTheBrowsersBasicPrompt() {
        try (ConsoleBrowser browser = ConsoleBrowser.withoutLogin(port)) {
            // headless Chromium has no prompt to show: the 401 leaves the page empty
            browser.open("#tenants");
            assertThat(browser.driver().getPageSource()).doesNotContain("SuiteSync console", "consoleApp");
            assertThat(browser.driver().findElements(By.id("signed-in"))).isEmpty();

            browser.logIn(USER, "wrong-password");
            browser.open("#tenants");
            assertThat(browser.driver().getPageSource()).doesNotContain("SuiteSync console", "consoleApp");
            assertThat(browser.driver().findElements(By.id("signed-in"))).isEmpty();

            browser.logIn(USER, AdminClient.ADMIN_PASSWORD);
            browser.open("#tenants");
            browser.waitFor(By.id("signed-in"));
            assertThat(browser.driver().getTitle()).isEqualTo("SuiteSync console");
            assertThat(browser.driver().findElement(By.id("nav-bridge")).isDisplayed()).as("the bridge runs here").isTrue();
            assertThat(browser.driver().findElement(By.id("error")).isDisplayed()).isFalse();
        }
    }

    @Test
    void enablingAnApplicationShowsItsBackfillReach100PercentAndItsEventsInTheLiveTail() {
        String tenant = wrapper.tenant();
        UUID role = wrapper.role(tenant, "Member", "crm.leads.read");
        List<UUID> orgs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            orgs.add(wrapper.organization(tenant, "Org " + i, null));
        }
        for (int i = 0; i < 30; i++) {
            wrapper.membership(tenant, wrapper.user(tenant, "u" + i + "@" + tenant + ".example"), orgs.get(i), role);
        }
        for (int i = 0; i < 60; i++) {
            wrapper.allocation(tenant, "crm", 10 + i, orgs.get(i % orgs.size()));
        }
        String[][] neighbours = {{"crm", "hrms"}, {"hrms"}, {"crm", "finance"}, {}, {"crm", "hrms", "finance", "affiliate"},
                {"affiliate"}, {"hrms", "finance"}, {"crm"}};
        for (String[] apps : neighbours) {
            wrapper.user(wrapper.tenant(apps), "someone@example.com");
        }
        ConsoleBrowser browser = ConsoleBrowser.shared(port, USER, AdminClient.ADMIN_PASSWORD);
        browser.open("#tenants");
        browser.type(By.id("tenant-search"), tenant);
        By cell = By.cssSelector("[data-cell='" + tenant + "/crm']");
        browser.waitForText(By.id("tenant-count"), "1–1 of 1 tenants");
        browser.click(By.cssSelector("[data-cell='" + tenant + "/crm'] button.toggle"));
        browser.waitForText(By.id("confirm-text"), "Enable crm for tenant " + tenant);
        assertThat(browser.driver().findElement(By.id("confirm-skip")).isSelected()).as("the backfill runs by default").isFalse();
        browser.click(By.id("confirm-ok"));
        browser.waitForText(By.id("notice"), "historical backfill started");
        assertThat(jdbc.queryForObject("SELECT is_enabled FROM organization_applications WHERE tenant_id = ? AND application_code = 'crm'",
                Boolean.class, tenant)).isTrue();

        browser.click(By.id("nav-backfills"));
        By job = By.cssSelector("#jobs tr[data-tenant='" + tenant + "']");
        browser.waitForText(By.cssSelector("#jobs tr[data-tenant='" + tenant + "'] .badge"), "COMPLETED");
        WebElement row = browser.driver().findElement(job);
        assertThat(row.findElement(By.cssSelector(".percent")).getText()).isEqualTo("100 %");
        assertThat(row.getText()).contains("130 / 130");
        List<WebElement> bars = row.findElements(By.cssSelector("progress"));
        assertThat(bars).extracting(b -> b.getAttribute("data-kind")).containsExactly("credits", "organizations", "assignments");
        assertThat(bars).allSatisfy(b -> assertThat(b.getAttribute("value")).isEqualTo("100"));
        browser.screenshot("backfills");

        browser.click(By.id("nav-tail"));
        browser.type(By.id("tail-tenant"), tenant);
        browser.type(By.id("tail-app"), "crm");
        browser.type(By.id("tail-type"), "org.created");
        browser.click(By.id("tail-follow"));
        By rows = By.cssSelector("#tail-events tr[data-type]");
        await().atMost(WAIT).until(() -> browser.driver().findElements(rows).size() == 40);
        assertThat(browser.driver().findElements(rows)).allSatisfy(r -> assertThat(r.getAttribute("data-type")).isEqualTo("org.created"));
        browser.type(By.id("tail-type"), "credit.");
        browser.click(By.id("tail-follow"));
        await().atMost(WAIT).until(() -> browser.driver().findElements(rows).size() == 60
                && browser.driver().findElements(rows).stream().allMatch(r -> "credit.allocated".equals(r.getAttribute("data-type"))));
        browser.screenshot("tail");

        browser.click(By.id("nav-tenants"));
        browser.waitForText(cell, "130 in stream");
        assertThat(browser.driver().findElement(cell).getText()).contains("enabled", "disable");
        browser.type(By.id("tenant-search"), "t-");
        await().atMost(WAIT).until(() -> browser.driver().findElements(By.cssSelector("tr[data-tenant]")).size() > neighbours.length);
        browser.waitFor(By.cssSelector("tr[data-tenant='" + tenant + "']"));
        browser.screenshot("tenants");
    }

    @Test
    void replayingAParkedChangeTakesItOffTheDeadLetterList() {
        String tenant = wrapper.tenant("crm");
        UUID config = wrapper.creditConfig(tenant, "crm.leads.create", 1);
        await().atMost(WAIT).until(() -> wrapper.pendingChanges(tenant) == 0);
        long changeId = park(config);
        ConsoleBrowser browser = ConsoleBrowser.shared(port, USER, AdminClient.ADMIN_PASSWORD);
        browser.open("#relay");
        By row = By.cssSelector("#dead-letters tr[data-change='" + changeId + "']");
        browser.waitForText(row, "boom: the test parked it");
        for (int burst = 0; burst < 3; burst++) {
            // traffic for the live charts: they plot what the relay did between two samples
            for (int i = 0; i < 40 * (burst + 1); i++) {
                wrapper.creditConfig(tenant, "crm.burst" + burst + ".op" + i, 1);
            }
            sleep(Duration.ofMillis(2500));
        }
        assertThat(browser.driver().findElements(By.cssSelector("#chart-throughput canvas"))).hasSize(1);
        browser.screenshot("relay");

        browser.click(By.cssSelector("#dead-letters tr[data-change='" + changeId + "'] button.replay"));
        browser.waitForText(By.id("confirm-text"), "Replay parked change " + changeId);
        browser.click(By.id("confirm-ok"));
        browser.waitForText(By.id("notice"), "change " + changeId + " is queued again");
        await().atMost(WAIT).until(() -> browser.driver().findElements(row).isEmpty());
        assertThat(jdbc.queryForObject("SELECT replayed_at IS NOT NULL FROM change_dead_letter WHERE change_id = ?",
                Boolean.class, changeId)).isTrue();
        await().atMost(WAIT).until(() -> jdbc.queryForObject("SELECT status IS NULL FROM change_log WHERE id = ?",
                Boolean.class, changeId));
    }

    @Test
    void aFailedBridgeItemIsRetriedFromTheConsoleOnceItsSystemIsBack() {
        String conflicted = conflict();
        finance.setDown(true);
        String crmId = (String) crm.userCreate("customer", Map.of("name", "Parisa Outage", "email",
                UUID.randomUUID() + "@example.com", "phone", "+98-21-555")).get("id");
        ConsoleBrowser browser = ConsoleBrowser.shared(port, USER, AdminClient.ADMIN_PASSWORD);
        browser.open("#bridge");
        browser.click(By.id("bridge-poll-now"));
        browser.waitForText(By.id("confirm-text"), "Poll CRM and Finance now?");
        browser.click(By.id("confirm-ok"));
        By failed = By.cssSelector("#failed-items tr[data-source='" + crmId + "']");
        browser.waitForText(failed, "503");
        By conflictRow = By.cssSelector("#sync-log tr[data-source='" + conflicted + "'][data-status='CONFLICT']");
        browser.waitFor(conflictRow);
        String highlighted = browser.driver().findElement(conflictRow).getCssValue("background-color");
        String plain = browser.driver().findElement(By.cssSelector("#sync-log tr[data-status='SUCCESS']")).getCssValue("background-color");
        assertThat(highlighted).as("conflicts are highlighted").isNotEqualTo(plain);
        browser.screenshot("bridge");

        finance.setDown(false);
        browser.click(By.cssSelector("#failed-items tr[data-source='" + crmId + "'] button.retry"));
        browser.waitForText(By.id("confirm-text"), "Retry failed item");
        browser.click(By.id("confirm-ok"));
        await().atMost(WAIT).until(() -> browser.driver().findElements(failed).isEmpty());
        browser.waitFor(By.cssSelector("#sync-log tr[data-source='" + crmId + "'][data-status='SUCCESS']"));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM bridge_entity_mapping WHERE crm_id = ?", Long.class, crmId))
                .isEqualTo(1);
    }

    @Test
    void aRefusedActionShowsTheApisMessage() {
        String tenant = wrapper.tenant();
        UUID org = wrapper.organization(tenant, "Dry Org", null);
        wrapper.allocation(tenant, "crm", 5, org);
        ConsoleBrowser browser = ConsoleBrowser.shared(port, USER, AdminClient.ADMIN_PASSWORD);
        browser.open("#backfills");
        browser.type(By.id("sync-tenant"), tenant);
        browser.type(By.id("sync-app"), "crm");
        browser.click(By.id("sync-dry-run"));
        browser.waitForText(By.id("dry-run"), "would send 2");

        browser.click(By.id("sync-start"));
        browser.waitForText(By.id("confirm-text"), "Send the history of crm to tenant " + tenant);
        browser.click(By.id("confirm-ok"));
        browser.waitForText(By.id("error"), "answered 409: application 'crm' is not enabled for organization '" + tenant + "'");

        browser.type(By.id("sync-tenant"), "no-such-tenant");
        browser.click(By.id("sync-dry-run"));
        browser.waitForText(By.id("error"), "organization 'no-such-tenant' not found");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM backfill_job WHERE tenant_id = ?", Long.class, tenant)).isZero();

        wrapper.enable(tenant, "crm", true);
        browser.type(By.id("sync-tenant"), tenant);
        browser.click(By.id("sync-start"));
        browser.waitForText(By.id("confirm-text"), "Send the history");
        browser.click(By.id("confirm-cancel"));
        new WebDriverWait(browser.driver(), WAIT).until(ExpectedConditions.invisibilityOfElementLocated(By.id("confirm")));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM backfill_job WHERE tenant_id = ?", Long.class, tenant))
                .as("cancelled: nothing started").isZero();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Parks a published change as the relay parks one after its last attempt. */
    private long park(UUID record) {
        long changeId = jdbc.queryForObject("SELECT max(id) FROM change_log WHERE record_id = ?", Long.class, record.toString());
        jdbc.update("UPDATE change_log SET status = 'PARKED', attempts = 5, last_error = 'boom' WHERE id = ?", changeId);
        jdbc.update("INSERT INTO change_dead_letter (change_id, tenant_id, table_name, record_id, attempts, error) "
                + "SELECT id, tenant_id, table_name, record_id, 5, 'boom: the test parked it' FROM change_log WHERE id = ?", changeId);
        return changeId;
    }

    /** A customer edited on both sides between two polls: the sync log records a CONFLICT (the newer edit wins). */
    private String conflict() {
        String crmId = (String) crm.userCreate("customer", Map.of("name", "Dara Azadi", "email",
                UUID.randomUUID() + "@example.com", "phone", "+98-21-556")).get("id");
        pollNow();
        await().atMost(WAIT).until(() -> jdbc.queryForObject("SELECT count(*) FROM bridge_entity_mapping WHERE crm_id = ?",
                Long.class, crmId) == 1);
        String financeId = jdbc.queryForObject("SELECT finance_id FROM bridge_entity_mapping WHERE crm_id = ?", String.class, crmId);
        awaitBridgeIdle();
        crm.userUpdate("customer", crmId, Map.of("name", "Dara (CRM edit)"));
        finance.userUpdate("customer", financeId, Map.of("fullName", "Dara (Finance edit)"));
        pollNow();
        await().atMost(WAIT).until(() -> jdbc.queryForObject("SELECT count(*) FROM bridge_sync_log WHERE status = 'CONFLICT' "
                + "AND source_id = ?", Long.class, crmId) == 1);
        awaitBridgeIdle();
        return crmId;
    }

    private void pollNow() {
        assertThat(http.send("POST", "/bridge/poll-now", null, AdminClient.ADMIN_KEY).status()).isEqualTo(200);
    }

    private void awaitBridgeIdle() {
        await().atMost(WAIT).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM bridge_work_queue WHERE status IN ('PENDING', 'ACTIVE')", Long.class) == 0);
    }
}
