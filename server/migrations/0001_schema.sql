-- One schema for SQLite and PostgreSQL (portable SQL only).
-- Money is TEXT holding an exact decimal string (rust_decimal's canonical
-- form); arithmetic happens in Rust under the project's row lock, so both
-- databases store exactly what was computed. Times are BIGINT milliseconds
-- since the Unix epoch (UTC). Flags are BIGINT 0/1. Ids are UUID strings.

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    plan TEXT NOT NULL,
    build_subscription_credits TEXT NOT NULL,
    build_usage_credits TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    use_cloud_credits BIGINT NOT NULL,
    free_grant_at BIGINT,
    -- always the sum of this project's ledger_entries.amount
    balance TEXT NOT NULL,
    -- the part of the balance's debits that are active holds
    held TEXT NOT NULL,
    -- seq of the last ledger entry
    ledger_seq BIGINT NOT NULL,
    low_threshold TEXT NOT NULL,
    alert_email TEXT,
    low_armed BIGINT NOT NULL,
    empty_armed BIGINT NOT NULL,
    auto_enabled BIGINT NOT NULL,
    auto_threshold TEXT NOT NULL,
    auto_amount TEXT NOT NULL,
    auto_daily_cap TEXT NOT NULL,
    auto_payment_method TEXT NOT NULL,
    auto_armed BIGINT NOT NULL,
    -- newline-separated origins allowed to use the publishable key
    allowed_origins TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX projects_by_account ON projects (account_id);

CREATE TABLE api_keys (
    -- the key's public part, e.g. pk_0123456789ab
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    project_id TEXT REFERENCES projects (id),
    -- sha256 (hex) of the whole key
    secret_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_keys_by_project ON api_keys (project_id);

CREATE TABLE sessions (
    -- sha256 (hex) of the cookie token
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE ledger_entries (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    amount TEXT NOT NULL,
    balance_after TEXT NOT NULL,
    hold_id TEXT,
    usage_event_id TEXT,
    top_up_id TEXT,
    memo TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (project_id, seq)
);
-- the free $1.00 is granted once per project, ever
CREATE UNIQUE INDEX ledger_one_grant ON ledger_entries (project_id) WHERE kind = 'grant';
CREATE INDEX ledger_by_time ON ledger_entries (project_id, created_at);

CREATE TABLE holds (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    amount TEXT NOT NULL,
    status TEXT NOT NULL,
    -- the estimate (JSON) the amount came from
    estimate TEXT,
    settled_cost TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX holds_by_status ON holds (status, expires_at);
CREATE INDEX holds_by_project ON holds (project_id, status);

CREATE TABLE usage_events (
    -- the client's UUID: an event is recorded once, ever
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    model TEXT NOT NULL,
    input_tokens BIGINT NOT NULL,
    cached_input_tokens BIGINT NOT NULL,
    cache_write_tokens BIGINT NOT NULL,
    output_tokens BIGINT NOT NULL,
    units BIGINT NOT NULL,
    feature TEXT,
    hold_id TEXT,
    cost TEXT NOT NULL,
    catalog_version TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX usage_by_time ON usage_events (project_id, occurred_at);

CREATE TABLE top_ups (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    idempotency_key TEXT NOT NULL,
    source TEXT NOT NULL,
    amount TEXT NOT NULL,
    payment_method TEXT NOT NULL,
    status TEXT NOT NULL,
    payment_reference TEXT,
    failure TEXT,
    balance_after TEXT,
    -- UTC day (YYYY-MM-DD) of creation: the auto top-up daily cap counts per day
    day TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (project_id, idempotency_key)
);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    balance TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX notifications_by_project ON notifications (project_id, created_at);

CREATE TABLE email_outbox (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    last_error TEXT
);

CREATE TABLE build_activity (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    project_id TEXT NOT NULL REFERENCES projects (id),
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    credits TEXT NOT NULL,
    occurred_at BIGINT NOT NULL
);
CREATE INDEX build_activity_by_time ON build_activity (project_id, occurred_at);

CREATE TABLE support_reports (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    project_id TEXT NOT NULL REFERENCES projects (id),
    classification TEXT NOT NULL,
    -- the whole report (JSON), as answered
    report TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
