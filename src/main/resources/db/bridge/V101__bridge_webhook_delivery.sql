-- Webhook deliveries already taken, by the sender's delivery id: a replay of one inside the replay
-- window is answered without effect. A row is needed only while its signed timestamp is inside the
-- window (older ones are refused on the timestamp alone), so rows are purged after that; keeping
-- them in PostgreSQL means a restart, or another bridge instance, does not reopen the window.
CREATE TABLE bridge_webhook_delivery (
    system       TEXT        NOT NULL CHECK (system IN ('CRM', 'FINANCE')),
    delivery_id  TEXT        NOT NULL,
    signed_at    TIMESTAMPTZ NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (system, delivery_id)
);
CREATE INDEX bridge_webhook_delivery_signed_at ON bridge_webhook_delivery (signed_at);
