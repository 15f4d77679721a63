ALTER TABLE inspections DROP COLUMN unregistered;
ALTER TABLE inspections DROP COLUMN supervisors_present;
ALTER TABLE inspections DROP COLUMN workers_present;
