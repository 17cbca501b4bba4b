-- What a publishable key (public by design: it is in every end user's
-- browser) may spend, set by the owner per key. Existing keys get the
-- defaults of new ones (server/src/spend.rs, `Limits::DEFAULT`).
ALTER TABLE api_keys ADD COLUMN limit_per_hour TEXT NOT NULL DEFAULT '10.00';
ALTER TABLE api_keys ADD COLUMN limit_per_day TEXT NOT NULL DEFAULT '50.00';
ALTER TABLE api_keys ADD COLUMN limit_hold TEXT NOT NULL DEFAULT '2.00';
ALTER TABLE api_keys ADD COLUMN limit_held TEXT NOT NULL DEFAULT '10.00';
ALTER TABLE api_keys ADD COLUMN limit_hold_seconds BIGINT NOT NULL DEFAULT 600;
-- per end user and UTC day; NULL: no per-user cap
ALTER TABLE api_keys ADD COLUMN limit_end_user_per_day TEXT;

-- How far secret-key (server-side) usage may take a balance below zero.
ALTER TABLE projects ADD COLUMN overdraft_limit TEXT NOT NULL DEFAULT '0';

-- The publishable key (and end user) a hold was made with: what a key holds
-- at once is bounded.
ALTER TABLE holds ADD COLUMN key_id TEXT;
ALTER TABLE holds ADD COLUMN end_user TEXT;
CREATE INDEX holds_by_key ON holds (key_id, status);

-- The part of an event's price a publishable key's settlement did not
-- charge (it is capped at the hold); NULL when all of it was charged.
ALTER TABLE usage_events ADD COLUMN unbilled TEXT;

-- What each publishable key (end_user '') and each of its end users spent,
-- per UTC hour ('hour') and UTC day ('day'): added to under the project's
-- row lock by every charge made with the key.
CREATE TABLE publishable_spend (
    key_id TEXT NOT NULL,
    end_user TEXT NOT NULL,
    period TEXT NOT NULL,
    -- the period's first millisecond
    starts_at BIGINT NOT NULL,
    -- exact decimal text
    amount TEXT NOT NULL,
    PRIMARY KEY (key_id, end_user, period, starts_at)
);
