-- The people an inspection counted, beside its record, so that the statistics sum them in
-- SQL instead of reading every record; filled from the records already stored.
ALTER TABLE inspections ADD COLUMN workers_present INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inspections ADD COLUMN supervisors_present INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inspections ADD COLUMN unregistered INTEGER NOT NULL DEFAULT 0;
UPDATE inspections SET
    workers_present = COALESCE(json_extract(record, '$.workers_present'), 0),
    supervisors_present = COALESCE(json_extract(record, '$.supervisors_present'), 0),
    unregistered = COALESCE(json_array_length(record, '$.unregistered'), 0);
