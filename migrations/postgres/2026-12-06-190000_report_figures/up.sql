-- The people an inspection counted, beside its record, so that the statistics sum them in
-- SQL instead of reading every record; filled from the records already stored.
ALTER TABLE inspections ADD COLUMN workers_present INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inspections ADD COLUMN supervisors_present INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inspections ADD COLUMN unregistered INTEGER NOT NULL DEFAULT 0;
UPDATE inspections SET
    workers_present = COALESCE((record::jsonb ->> 'workers_present')::integer, 0),
    supervisors_present = COALESCE((record::jsonb ->> 'supervisors_present')::integer, 0),
    unregistered = COALESCE(jsonb_array_length(record::jsonb -> 'unregistered'), 0);
