package io.suitesync.hub.backfill;

/** A job to run, as it travels on seda:backfill-jobs. */
public record JobTicket(String jobId) {}
