-- The hub's token for "the Redis data I published": kept here and as the Redis key
-- suitesync:hub:epoch:{token}. When Redis answers without the key while this row exists, Redis lost what
-- the hub had published (a restart without persistence, a failover to an empty replica, a flush),
-- and the hub queues the published change_log rows still held (retention) again (RedisDataGuard).
-- A hub that finds neither writes both: a first start republishes nothing.
CREATE TABLE relay_redis_epoch (
    singleton  boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    epoch      text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
