-- Per project, UTC day and model: the usage recorded, kept up to date in the
-- transaction that records the events, so a usage summary reads a row per
-- day and model instead of every event of the window.
CREATE TABLE usage_daily (
    project_id TEXT NOT NULL REFERENCES projects (id),
    -- the UTC day's first millisecond
    day BIGINT NOT NULL,
    model TEXT NOT NULL,
    events BIGINT NOT NULL,
    input_tokens BIGINT NOT NULL,
    output_tokens BIGINT NOT NULL,
    units BIGINT NOT NULL,
    -- exact decimal text, like every amount
    cost TEXT NOT NULL,
    PRIMARY KEY (project_id, day, model)
);

-- Work the server finishes at start-up after a migration, once: the totals
-- of the events recorded before this table existed (summing decimal text
-- exactly needs the server, not SQL).
CREATE TABLE pending_backfills (
    name TEXT PRIMARY KEY
);
INSERT INTO pending_backfills (name) VALUES ('usage_daily');
