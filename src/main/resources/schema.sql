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
    modified_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    lease_id           BIGINT         NOT NULL   -- the lease it is bound to (deleted when it ends); 0 = none
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
    modified_by        VARCHAR(64),              -- the token that wrote it; NULL when this node's view was
                                                 -- rebuilt from a snapshot after that write
    PRIMARY KEY (entry_key, mod_revision)
);

-- Leases: a TTL that keys, instances and lock holders are bound to. How long each has left is the
-- leader's business (keep-alives are not replicated), so it is not here.
CREATE TABLE leases (
    lease_id          BIGINT NOT NULL PRIMARY KEY,  -- the revision that granted it
    ttl_millis        BIGINT NOT NULL,
    granted_at_millis BIGINT NOT NULL,
    granted_at        TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Registered service instances, one row each; their tags and metadata in the two tables after.
CREATE TABLE instances (
    service            VARCHAR(63)  NOT NULL,
    instance_id        VARCHAR(128) NOT NULL,
    address            VARCHAR(255) NOT NULL,
    port               INT          NOT NULL,
    zone               VARCHAR(63)  NOT NULL,  -- '' when none
    status             VARCHAR(16)  NOT NULL,  -- UP, DOWN, STARTING, OUT_OF_SERVICE
    lease_id           BIGINT       NOT NULL,
    create_revision    BIGINT       NOT NULL,
    mod_revision       BIGINT       NOT NULL,
    modified_at_millis BIGINT       NOT NULL,
    modified_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (service, instance_id)
);

CREATE TABLE instance_tags (
    service     VARCHAR(63)  NOT NULL,
    instance_id VARCHAR(128) NOT NULL,
    position    INT          NOT NULL,  -- the order the tags were given in, from 0
    tag         VARCHAR(63)  NOT NULL,
    PRIMARY KEY (service, instance_id, position)
);

CREATE TABLE instance_metadata (
    service     VARCHAR(63)  NOT NULL,
    instance_id VARCHAR(128) NOT NULL,
    meta_key    VARCHAR(63)  NOT NULL,
    meta_value  VARCHAR(255) NOT NULL,
    PRIMARY KEY (service, instance_id, meta_key)
);

-- Each service with its instance count by status.
CREATE VIEW services AS
    SELECT service,
           COUNT(*)                                                   AS instances,
           SUM(CASE WHEN status = 'UP' THEN 1 ELSE 0 END)             AS up,
           SUM(CASE WHEN status = 'DOWN' THEN 1 ELSE 0 END)           AS down,
           SUM(CASE WHEN status = 'STARTING' THEN 1 ELSE 0 END)       AS starting,
           SUM(CASE WHEN status = 'OUT_OF_SERVICE' THEN 1 ELSE 0 END) AS out_of_service
    FROM instances GROUP BY service;

-- Locks and elections (names 'locks/...' and 'elections/...') that have a holder or waiters.
CREATE TABLE locks (
    lock_name     VARCHAR(512) NOT NULL PRIMARY KEY,
    holder        VARCHAR(128),           -- NULL while nobody holds it
    lease_id      BIGINT,
    fencing_token BIGINT,                 -- the revision at which the holder acquired it
    waiters       INT          NOT NULL
);

CREATE TABLE lock_waiters (
    lock_name      VARCHAR(512) NOT NULL,
    position       INT          NOT NULL,  -- 1 = next in line
    holder         VARCHAR(128) NOT NULL,
    lease_id       BIGINT       NOT NULL,
    since_revision BIGINT       NOT NULL,
    PRIMARY KEY (lock_name, position)
);

-- API tokens: names, roles and scopes. Never a secret, nor its hash.
CREATE TABLE tokens (
    token_name         VARCHAR(64)   NOT NULL PRIMARY KEY,
    role               VARCHAR(16)   NOT NULL,  -- reader, writer or admin
    prefixes           VARCHAR(8192) NOT NULL,  -- the key prefixes it is confined to, comma separated; '' = none
    service_scopes     VARCHAR(8192) NOT NULL,  -- the services it may write, comma separated ('*': any); '' = none
    create_revision    BIGINT        NOT NULL,
    created_at_millis  BIGINT        NOT NULL,
    created_at         TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Configuration releases (docs/spring.md): one row each, with its documents below. Drafts included;
-- a release pruned by retention is gone from both.
CREATE TABLE config_release (
    release_id          BIGINT        NOT NULL PRIMARY KEY,  -- the revision that created it
    title               VARCHAR(200)  NOT NULL,
    state               VARCHAR(16)   NOT NULL,  -- draft, gray, published or abandoned
    author              VARCHAR(64)   NOT NULL,  -- the token; '' from a node without security
    created_at_millis   BIGINT        NOT NULL,
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    gray_rule           VARCHAR(8192),           -- e.g. 'labels track=canary; percent 10'; NULL = never in gray
    validation_status   VARCHAR(16)   NOT NULL,  -- passed, warnings, failed or skipped
    published_revision  BIGINT,                  -- the revision its documents were written at
    published_by        VARCHAR(64),
    published_at        TIMESTAMP WITH TIME ZONE,
    rollback_of         BIGINT,                  -- the release it rolled back
    restore_of          BIGINT,                  -- the release one of whose documents it restored
    revision            BIGINT        NOT NULL   -- the revision that last changed it
);

CREATE TABLE config_release_document (
    release_id          BIGINT        NOT NULL,
    position            INT           NOT NULL,
    doc_key             VARCHAR(4096) NOT NULL,  -- e.g. config/orders/dev
    app                 VARCHAR(255)  NOT NULL,  -- the key's second-last segment
    profile             VARCHAR(255)  NOT NULL,  -- its last segment
    content_type        VARCHAR(255),            -- NULL when the release deletes the document
    deletes             BOOLEAN       NOT NULL,
    value_bytes         VARBINARY,               -- the document as the release writes it
    base_mod_revision   BIGINT        NOT NULL,  -- the key's mod revision it was drafted or rebased on
    PRIMARY KEY (release_id, position)
);
CREATE INDEX config_release_document_key ON config_release_document (doc_key, release_id);

-- The audit trail: one row per command this node applied from the log, newest kept
-- (muster.view.audit-rows). Survives view rebuilds; a node that caught up by snapshot install has no
-- rows for the commands the snapshot covered.
CREATE TABLE audit (
    revision    BIGINT       NOT NULL PRIMARY KEY,
    at_millis   BIGINT       NOT NULL,             -- the leader's clock stamped into the entry
    at          TIMESTAMP WITH TIME ZONE NOT NULL,
    principal   VARCHAR(64)  NOT NULL,             -- the token; 'muster' for Muster's own commands
    request_id  VARCHAR(128) NOT NULL,
    action      VARCHAR(32)  NOT NULL,             -- put, delete, txn, grant-lease, create-token, ...
    target      VARCHAR(512) NOT NULL,             -- the key, service/id, lock, token or lease it was about
    outcome     VARCHAR(32)  NOT NULL              -- ok, or why it was refused (e.g. permission-denied)
);
CREATE INDEX audit_principal ON audit (principal, revision);

-- One row: the revision the view reflects (its watermark), and the revision of its last rebuild.
CREATE TABLE view_status (
    id                  INT    NOT NULL PRIMARY KEY CHECK (id = 1),
    revision            BIGINT NOT NULL,
    rebuilt_at_revision BIGINT NOT NULL
);
INSERT INTO view_status VALUES (1, -1, -1);
