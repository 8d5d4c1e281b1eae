package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.suitesync.testsupport.StreamReader;
import io.suitesync.testsupport.WrapperFixtures;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A claim that keeps failing while the database is up (here: a table of the claim query renamed)
 * is retried after a growing backoff, not on every NOTIFY, logs one WARN, and the relay resumes by
 * itself once the claim works again.
 */
@SpringBootTest(properties = "suitesync.hub.relay.poll-interval=200ms")
class RelayClaimFailureIT {

    @Autowired JdbcTemplate jdbc;
    @Autowired StringRedisTemplate redis;
    @Autowired RelayMetrics metrics;

    @Test
    void aFailingClaimBacksOffInsteadOfRunningOnEveryNotifyAndResumesByItself() {
        WrapperFixtures wrapper = new WrapperFixtures(jdbc);
        String tenant = wrapper.tenant("crm");
        String stream = "crm:" + tenant + ":events";
        Logger logger = (Logger) LoggerFactory.getLogger(RelayWakeupScheduler.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try {
            // capture still queues changes; the claim query cannot run
            jdbc.execute("ALTER TABLE change_retry RENAME TO change_retry_moved");
            long errorsBefore = claimErrors();
            // single-row changes, each its own transaction and NOTIFY, for about four seconds
            for (int i = 0; i < 300; i++) {
                wrapper.creditConfig(tenant, "crm.op." + i, i);
                LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
            }
            long attempts = claimErrors() - errorsBefore;
            // waits of 200, 400, 800, 1600, 3200 ms: a handful of attempts, where one per NOTIFY made hundreds
            assertThat(attempts).isBetween(2L, 7L);
            List<ILoggingEvent> warnings = log.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0).getFormattedMessage()).startsWith("relay claim failed: ").contains("change_retry");
            assertThat(streams().size(stream)).isZero();

            jdbc.execute("ALTER TABLE change_retry_moved RENAME TO change_retry");
            await().atMost(Duration.ofSeconds(30)).until(() -> streams().size(stream) == 300
                    && jdbc.queryForObject("SELECT count(*) FROM change_queue", Long.class) == 0);
            assertThat(log.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).startsWith("relay claims work again"));
        } finally {
            logger.detachAppender(log);
        }
    }

    private long claimErrors() {
        return (long) metrics.snapshot().get("claimErrors");
    }

    private StreamReader streams() {
        return new StreamReader(redis);
    }
}
