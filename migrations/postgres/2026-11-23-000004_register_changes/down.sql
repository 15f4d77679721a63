DROP INDEX changes_province_idx;
ALTER TABLE changes DROP COLUMN province;
ALTER TABLE changes DROP COLUMN enclave_id;
