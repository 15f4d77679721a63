-- The people an inspection counted, beside its record, so that the statistics sum them in
-- SQL instead of reading every record; filled from the records already stored.
ALTER TABLE inspections ADD COLUMN workers_present INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inspections ADD COLUMN supervisors_present INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inspections ADD COLUMN unregistered INTEGER NOT NULL DEFAULT 0;
UPDATE inspections SET
    workers_present = COALESCE(json_extract(record, '$.workers_present'), 0),
    supervisors_present = COALESCE(json_extract(record, '$.supervisors_present'), 0),
    unregistered = COALESCE(json_array_length(record, '$.unregistered'), 0);

-- The reports read these indexes alone, never the rows (whose inspection records are large):
-- the statistics group a year's inspections by enclave and by day, the yearly overview
-- joins a year's registrations to their members. The first three replace the indexes they
-- start with.
DROP INDEX inspections_enclave_idx;
CREATE INDEX inspections_enclave_idx
    ON inspections (enclave_id, on_date, contract_filed, daily_registration, supervisor_present);
DROP INDEX inspections_on_date_idx;
CREATE INDEX inspections_on_date_idx
    ON inspections (on_date, measure, review_state, contract_filed, daily_registration,
                    supervisor_present, workers_present, supervisors_present, unregistered);
DROP INDEX registrations_work_date_idx;
CREATE INDEX registrations_work_date_idx ON registrations (work_date, enclave_id, id);
CREATE INDEX registration_members_role_idx
    ON registration_members (registration_id, role, person_id);
