-- Register changes in the change log: a new, changed or deleted registration or contract is
-- pulled by every device whose region holds the enclave (owner_id and inspection_id are empty
-- for them).
ALTER TABLE changes ADD COLUMN enclave_id TEXT;
ALTER TABLE changes ADD COLUMN province TEXT;
CREATE INDEX changes_province_idx ON changes (province, seq);
