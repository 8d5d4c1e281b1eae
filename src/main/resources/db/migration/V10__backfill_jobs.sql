-- Historical backfill jobs: one row per run, one progress row per kind of data it sends. The cursor
-- (last record id sent, keyset pagination) is written only after Redis acknowledged the batch, so a
-- job interrupted by a restart resumes after the last acknowledged record and skips nothing.

CREATE TABLE backfill_job (
    id                 uuid PRIMARY KEY,
    tenant_id          text        NOT NULL,
    application_code   text        NOT NULL,
    -- TOGGLE (the application was enabled) or MANUAL (sync-historical)
    trigger            text        NOT NULL CHECK (trigger IN ('TOGGLE', 'MANUAL')),
    state              text        NOT NULL CHECK (state IN ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED')),
    since_date         timestamptz,
    -- hub instance running the job; heartbeat_at older than the lease means the instance is gone
    owner              text,
    heartbeat_at       timestamptz NOT NULL DEFAULT now(),
    -- how many times the job was (re)started: more than 1 means it resumed after an interruption
    runs               int         NOT NULL DEFAULT 0,
    error              text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    started_at         timestamptz,
    finished_at        timestamptz
);
CREATE INDEX backfill_job_app ON backfill_job (tenant_id, application_code, created_at DESC);
CREATE INDEX backfill_job_unfinished ON backfill_job (heartbeat_at) WHERE state IN ('PENDING', 'RUNNING');

CREATE TABLE backfill_job_kind (
    job_id     uuid   NOT NULL REFERENCES backfill_job (id) ON DELETE CASCADE,
    -- CREDITS, ORGANIZATIONS, ASSIGNMENTS
    kind       text   NOT NULL,
    ordinal    int    NOT NULL,
    -- counted in the job's first snapshot; null until the job starts
    total      bigint,
    published  bigint NOT NULL DEFAULT 0,
    cursor     text,
    done       boolean NOT NULL DEFAULT false,
    PRIMARY KEY (job_id, kind)
);

-- Keyset pagination of one tenant's rows by id (WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT n)
-- needs (tenant, id) indexes; the Wrapper schema has tenant-only ones.
CREATE INDEX IF NOT EXISTS suitesync_backfill_credit_allocations ON credit_allocations (tenant_id, target_application, id);
CREATE INDEX IF NOT EXISTS suitesync_backfill_entities ON entities (tenant_id, id);
CREATE INDEX IF NOT EXISTS suitesync_backfill_organization_memberships ON organization_memberships (tenant_id, id);
