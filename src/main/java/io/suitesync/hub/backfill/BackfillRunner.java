package io.suitesync.hub.backfill;

import io.suitesync.common.ConditionalOnRole;
import io.suitesync.common.OutboundEvent;
import io.suitesync.common.RedisEventPublisher;
import io.suitesync.hub.HubProperties;
import io.suitesync.hub.backfill.BackfillJobs.ClaimedJob;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs one backfill job (the seda:backfill-jobs consumer calls it, off the request thread): for
 * each kind, page by page from the persisted cursor, read a snapshot page, publish it to the
 * application's stream in one pipeline, and only after Redis acknowledged it move the cursor.
 * A hub that stops mid-job leaves it RUNNING; the resume sweep of the next start (or of another
 * instance, once the lease expires) continues after the last acknowledged page.
 */
@Component("backfillRunner")
@ConditionalOnRole("hub")
public class BackfillRunner {

    private static final Logger log = LoggerFactory.getLogger(BackfillRunner.class);

    private final BackfillJobs jobs;
    private final BackfillQueries queries;
    private final RedisEventPublisher publisher;
    private final HubProperties hub;
    private final BackfillProperties config;
    private final CamelContext camel;
    private final BackfillMetrics metrics;
    /** Jobs running in this process: a job queued twice (toggle + resume sweep) runs once. */
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    /** Read (and turn into events) the next page of a job while its current page is published; shut down with Camel. */
    private final ExecutorService workers;

    public BackfillRunner(BackfillJobs jobs, BackfillQueries queries, RedisEventPublisher publisher, HubProperties hub,
                          BackfillProperties config, CamelContext camel, BackfillMetrics metrics) {
        this.jobs = jobs;
        this.queries = queries;
        this.publisher = publisher;
        this.hub = hub;
        this.config = config;
        this.camel = camel;
        this.metrics = metrics;
        metrics.running(running);
        this.workers = camel.getExecutorServiceManager().newCachedThreadPool(this, "backfill-worker");
    }

    public void run(String jobId) {
        if (!running.add(jobId)) {
            return;
        }
        try {
            jobs.claim(jobId).ifPresent(this::execute);
        } finally {
            running.remove(jobId);
        }
    }

    private void execute(ClaimedJob job) {
        try {
            if (job.kinds().stream().anyMatch(k -> k.total() == null)) {
                jobs.setTotals(job.jobId(), queries.count(job.tenantId(), job.app(), job.options().kinds(), job.since()));
            }
            log.info("backfill {} of {} for tenant {} {}", job.jobId(), job.app(), job.tenantId(),
                    job.kinds().stream().map(k -> k.kind().label() + (k.cursor() == null ? "" : " from " + k.cursor()))
                            .collect(Collectors.joining(", ")));
            for (ClaimedJob.KindState kind : job.kinds()) {
                if (!kind.done()) {
                    Outcome outcome = send(job, kind);
                    if (outcome != Outcome.DONE) {
                        finishUnlessInterrupted(job, outcome);
                        return;
                    }
                }
            }
            finish(job, "COMPLETED", null);
            log.info("backfill {} completed", job.jobId());
        } catch (RuntimeException e) {
            if (stopping()) {
                log.info("backfill {} interrupted by shutdown ({}); it resumes from its cursor on the next start",
                        job.jobId(), e.getMessage());
                return;
            }
            log.error("backfill {} failed", job.jobId(), e);
            finish(job, "FAILED", e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * Pages through one kind. The next page is read and turned into events while the current one
     * is published (its cursor is known as soon as a page is read), and a page's progress is saved
     * while the next one is published, so PostgreSQL and Redis work side by side. The cursor still
     * moves only after Redis acknowledged a page, and page after page: a page's progress is saved
     * only once the previous page's is. A take-over is noticed one page later than the page that
     * lost the lease; that page goes out twice, with the same event ids.
     */
    private Outcome send(ClaimedJob job, ClaimedJob.KindState state) {
        BackfillKind kind = state.kind();
        CompletableFuture<Page> next = read(job, kind, state.cursor());
        CompletableFuture<Boolean> saved = CompletableFuture.completedFuture(true);
        try {
            while (true) {
                Page page = await(next);
                if (!page.batch().appEnabled()) {
                    return Outcome.APP_DISABLED;
                }
                boolean last = page.batch().rows().size() < config.batchSize();
                if (!last) {
                    next = read(job, kind, page.batch().lastId());
                }
                publisher.publish(page.events());
                metrics.published(page.events().size());
                if (!await(saved)) {
                    return Outcome.TAKEN_OVER;
                }
                saved = CompletableFuture.supplyAsync(() -> jobs.progress(job.jobId(), kind, page.batch().lastId(),
                        page.events().size(), last), workers);
                if (last) {
                    return await(saved) ? Outcome.DONE : Outcome.TAKEN_OVER;
                }
                if (stopping()) {
                    return Outcome.INTERRUPTED;
                }
            }
        } finally {
            // whatever ends the loop (an outcome, a failed read or publish), the last progress statement has run
            // before the job is finished or left to be resumed; its own failure matters only when awaited above
            saved.exceptionally(e -> false).join();
        }
    }

    /** A page read in one snapshot and its events. */
    private record Page(SnapshotBatch batch, List<OutboundEvent> events) {}

    private CompletableFuture<Page> read(ClaimedJob job, BackfillKind kind, String cursor) {
        HubProperties.Table rule = hub.tables().get(kind.table());
        return CompletableFuture.supplyAsync(() -> {
            SnapshotBatch batch = queries.read(job.tenantId(), job.app(), kind, job.since(), cursor, config.batchSize());
            return new Page(batch, BackfillEvents.toEvents(job.jobId(), job.tenantId(), job.app(), kind, rule,
                    hub.formatOf(job.app()), batch.snapshotAt(), batch.rows()));
        }, workers);
    }

    private static <T> T await(CompletableFuture<T> work) {
        try {
            return work.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private void finishUnlessInterrupted(ClaimedJob job, Outcome outcome) {
        switch (outcome) {
            case APP_DISABLED -> {
                finish(job, "CANCELLED", "application '" + job.app() + "' was disabled for the tenant");
                log.info("backfill {} cancelled: {} disabled", job.jobId(), job.app());
            }
            case INTERRUPTED -> log.info("backfill {} interrupted by shutdown; it resumes from its cursor on the next start",
                    job.jobId());
            case TAKEN_OVER -> log.warn("backfill {} was taken over by another instance (lease expired); stopping here",
                    job.jobId());
            default -> throw new IllegalStateException("unexpected outcome " + outcome);
        }
    }

    private void finish(ClaimedJob job, String state, String error) {
        jobs.finish(job.jobId(), state, error);
        metrics.ended(state);
    }

    private boolean stopping() {
        return camel.isStopping() || camel.isStopped();
    }


    private enum Outcome { DONE, INTERRUPTED, APP_DISABLED, TAKEN_OVER }
}
