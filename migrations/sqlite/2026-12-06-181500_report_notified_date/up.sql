-- The notification date of a report becomes a nullable DATE: NULL while the offender was not
-- yet notified (it was TEXT, '' for "not yet", so that the review queue could match "any" with
-- LIKE '%'). SQLite cannot change a column's type: a new column takes the dates over, the old
-- one goes, and the new one takes its name (it stays the table's last column).
ALTER TABLE inspections ADD COLUMN report_notified_date DATE;
UPDATE inspections SET report_notified_date = report_notified_on WHERE report_notified_on <> '';
ALTER TABLE inspections DROP COLUMN report_notified_on;
ALTER TABLE inspections RENAME COLUMN report_notified_date TO report_notified_on;
