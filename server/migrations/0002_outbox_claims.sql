-- An outbox email is claimed by one server instance before it is sent, so
-- several instances on one database never send the same email twice.
ALTER TABLE email_outbox ADD COLUMN claimed_at BIGINT;
