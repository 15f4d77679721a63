ALTER TABLE inspections DROP COLUMN report_notified_on;
