ALTER TABLE amendments DROP COLUMN deadline;
ALTER TABLE amendments DROP COLUMN measure;
