-- Muster's H2 view: a materialized copy of the applied state, rebuilt from it at start-up and after
-- a snapshot install, never a source of truth. One writer (the view's projector); readers only read.

-- The current entries: one row per key.
CREATE TABLE entries (
    entry_key          VARCHAR(512)   NOT NULL PRIMARY KEY,
    value_bytes        VARBINARY      NOT NULL,
    content_type       VARCHAR(255)   NOT NULL,
    create_revision    BIGINT         NOT NULL,  -- the revision that created this incarnation of the key
    mod_revision       BIGINT         NOT NULL,  -- the revision that last wrote it
    version            BIGINT         NOT NULL,  -- writes since it was created (1 = just created)
    modified_at_millis BIGINT         NOT NULL,  -- the leader's clock at that write, ms since the epoch
    modified_at        TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Every retained version of every key, the current one included (muster.limits.history-versions per
-- key, as stamped into each write); a key's rows go when the key is deleted.
CREATE TABLE entry_history (
    entry_key          VARCHAR(512)   NOT NULL,
    mod_revision       BIGINT         NOT NULL,
    version            BIGINT         NOT NULL,
    value_bytes        VARBINARY      NOT NULL,
    content_type       VARCHAR(255)   NOT NULL,
    modified_at_millis BIGINT         NOT NULL,
    modified_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (entry_key, mod_revision)
);

-- One row: the revision the view reflects (its watermark), and the revision of its last rebuild.
CREATE TABLE view_status (
    id                  INT    NOT NULL PRIMARY KEY CHECK (id = 1),
    revision            BIGINT NOT NULL,
    rebuilt_at_revision BIGINT NOT NULL
);
INSERT INTO view_status VALUES (1, -1, -1);
