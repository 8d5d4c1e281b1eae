-- Bridge (CRM <-> Finance) state. Everything the bridge must not lose lives here, never in memory.

-- One row per entity known on both sides. The hashes are of each side's business fields as last
-- written or seen by the bridge: a change whose hash equals the stored one is our own echo or a
-- replay, and is not sent again.
CREATE TABLE bridge_entity_mapping (
    id                  BIGSERIAL PRIMARY KEY,
    entity_type         TEXT        NOT NULL CHECK (entity_type IN ('customer', 'invoice')),
    crm_id              TEXT        NOT NULL,
    finance_id          TEXT        NOT NULL,
    crm_hash            TEXT        NOT NULL,
    finance_hash        TEXT        NOT NULL,
    crm_updated_at      TIMESTAMPTZ,
    finance_updated_at  TIMESTAMPTZ,
    last_direction      TEXT        NOT NULL,
    last_synced_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (entity_type, crm_id),
    UNIQUE (entity_type, finance_id)
);

-- Audit trail: one row per sync operation, whatever its outcome.
CREATE TABLE bridge_sync_log (
    id            BIGSERIAL PRIMARY KEY,
    work_item_id  BIGINT,
    entity_type   TEXT        NOT NULL,
    direction     TEXT        NOT NULL CHECK (direction IN ('CRM_TO_FINANCE', 'FINANCE_TO_CRM')),
    source_id     TEXT        NOT NULL,
    target_id     TEXT,
    operation     TEXT        NOT NULL CHECK (operation IN ('CREATE', 'UPDATE', 'NONE')),
    status        TEXT        NOT NULL CHECK (status IN ('SUCCESS', 'SKIPPED', 'CONFLICT', 'RETRYING', 'FAILED')),
    detail        TEXT,
    attempt       INT         NOT NULL DEFAULT 1,
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ NOT NULL,
    duration_ms   BIGINT      NOT NULL
);
CREATE INDEX bridge_sync_log_entity ON bridge_sync_log (entity_type, source_id);
CREATE INDEX bridge_sync_log_status ON bridge_sync_log (status, started_at);

-- Webhook registrations made with the remote systems.
CREATE TABLE bridge_webhook_subscription (
    id            BIGSERIAL PRIMARY KEY,
    system        TEXT        NOT NULL CHECK (system IN ('CRM', 'FINANCE')),
    callback_url  TEXT        NOT NULL,
    events        TEXT        NOT NULL,
    remote_id     TEXT,
    status        TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (system, callback_url)
);

-- Durable work queue. Workers claim with FOR UPDATE SKIP LOCKED and hold a lease; an ACTIVE item
-- whose lease ran out (its worker died) is claimed again.
CREATE TABLE bridge_work_queue (
    id               BIGSERIAL PRIMARY KEY,
    source_system    TEXT        NOT NULL CHECK (source_system IN ('CRM', 'FINANCE')),
    entity_type      TEXT        NOT NULL CHECK (entity_type IN ('customer', 'invoice')),
    source_id        TEXT        NOT NULL,
    origin           TEXT        NOT NULL CHECK (origin IN ('POLL', 'WEBHOOK')),
    status           TEXT        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'ACTIVE', 'DONE', 'FAILED')),
    attempts         INT         NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_until      TIMESTAMPTZ,
    last_error       TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- at most one waiting item per record: a second notice of the same change coalesces into it
CREATE UNIQUE INDEX bridge_work_queue_one_pending
    ON bridge_work_queue (source_system, entity_type, source_id) WHERE status = 'PENDING';
CREATE INDEX bridge_work_queue_claim ON bridge_work_queue (next_attempt_at, id) WHERE status IN ('PENDING', 'ACTIVE');
CREATE INDEX bridge_work_queue_status ON bridge_work_queue (status);

-- Polling position per system and entity type: (updatedAt, id) of the last record seen.
CREATE TABLE bridge_watermark (
    system         TEXT        NOT NULL,
    entity_type    TEXT        NOT NULL,
    updated_since  TIMESTAMPTZ NOT NULL,
    after_id       TEXT        NOT NULL DEFAULT '',
    polled_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (system, entity_type)
);
