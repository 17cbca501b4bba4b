-- The build-credits ledger (issue 22): build credits become whole numbers
-- (BIGINT, they were decimal TEXT), each account gets a plan period and an
-- append-only ledger whose sums are its two balances, build activity records
-- which balance paid for it, and packs of usage credits are bought like
-- top-ups (pending, charged, credited once).

ALTER TABLE accounts ADD COLUMN subscription_whole BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN usage_whole BIGINT NOT NULL DEFAULT 0;
UPDATE accounts SET subscription_whole = CAST(build_subscription_credits AS BIGINT),
                    usage_whole = CAST(build_usage_credits AS BIGINT);
ALTER TABLE accounts DROP COLUMN build_subscription_credits;
ALTER TABLE accounts DROP COLUMN build_usage_credits;
ALTER TABLE accounts RENAME COLUMN subscription_whole TO build_subscription_credits;
ALTER TABLE accounts RENAME COLUMN usage_whole TO build_usage_credits;
-- The current plan period [start, end); an existing account renews at its
-- first build-credits request (its end is its creation time).
ALTER TABLE accounts ADD COLUMN build_period_start BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN build_period_end BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN build_ledger_seq BIGINT NOT NULL DEFAULT 0;
UPDATE accounts SET build_period_start = created_at, build_period_end = created_at;

CREATE TABLE build_ledger (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    seq BIGINT NOT NULL,
    -- grant | expire | pack | debit | adjustment
    kind TEXT NOT NULL,
    -- subscription | usage
    bucket TEXT NOT NULL,
    credits BIGINT NOT NULL,
    balance_after BIGINT NOT NULL,
    activity_id TEXT,
    purchase_id TEXT,
    memo TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, seq)
);

-- The balances existing accounts had, as their opening entries.
INSERT INTO build_ledger (id, account_id, seq, kind, bucket, credits, balance_after, activity_id,
                          purchase_id, memo, created_at)
SELECT 'opening-subscription-' || id, id, 1, 'adjustment', 'subscription', build_subscription_credits,
       build_subscription_credits, NULL, NULL, 'Balance before the build-credits ledger', created_at
FROM accounts;
INSERT INTO build_ledger (id, account_id, seq, kind, bucket, credits, balance_after, activity_id,
                          purchase_id, memo, created_at)
SELECT 'opening-usage-' || id, id, 2, 'adjustment', 'usage', build_usage_credits,
       build_usage_credits, NULL, NULL, 'Balance before the build-credits ledger', created_at
FROM accounts;
UPDATE accounts SET build_ledger_seq = 2;

ALTER TABLE build_activity ADD COLUMN credits_whole BIGINT NOT NULL DEFAULT 0;
UPDATE build_activity SET credits_whole = CAST(credits AS BIGINT);
ALTER TABLE build_activity DROP COLUMN credits;
ALTER TABLE build_activity RENAME COLUMN credits_whole TO credits;
ALTER TABLE build_activity ADD COLUMN subscription_credits BIGINT NOT NULL DEFAULT 0;
ALTER TABLE build_activity ADD COLUMN usage_credits BIGINT NOT NULL DEFAULT 0;
UPDATE build_activity SET subscription_credits = credits;
-- An activity recorded with an Idempotency-Key is found again by a retry.
ALTER TABLE build_activity ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX build_activity_by_idempotency_key ON build_activity (account_id, idempotency_key);
CREATE INDEX build_activity_by_account ON build_activity (account_id, occurred_at);

CREATE TABLE build_packs (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    idempotency_key TEXT NOT NULL,
    pack TEXT NOT NULL,
    credits BIGINT NOT NULL,
    amount TEXT NOT NULL,
    payment_method TEXT NOT NULL,
    -- pending | succeeded | failed
    status TEXT NOT NULL,
    payment_reference TEXT,
    failure TEXT,
    usage_after BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, idempotency_key)
);
