ALTER TABLE outbox ADD COLUMN tenant_id BIGINT;
--bun:split
ALTER TABLE outbox ADD COLUMN required_right VARCHAR(10) NOT NULL DEFAULT '';
--bun:split
ALTER TABLE outbox ADD COLUMN claimed_by VARCHAR(40) NOT NULL DEFAULT '';
