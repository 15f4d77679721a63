DROP INDEX inspections_follows;
DROP INDEX inspections_follow_up_due;
ALTER TABLE inspections DROP COLUMN not_remedied;
ALTER TABLE inspections DROP COLUMN remedied;
ALTER TABLE inspections DROP COLUMN follows_id;
ALTER TABLE inspections DROP COLUMN follow_up_due;
