-- A hold made with an Idempotency-Key (the SDK sends one per reserve/guard
-- call, the same on every retry): a retry finds the hold the first attempt
-- made instead of reserving the amount twice. `idempotency_request` is the
-- request the key was first used with (a different one is a conflict).
ALTER TABLE holds ADD COLUMN idempotency_key TEXT;
ALTER TABLE holds ADD COLUMN idempotency_request TEXT;
CREATE UNIQUE INDEX holds_by_idempotency_key ON holds (project_id, idempotency_key);
