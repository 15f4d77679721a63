ALTER TABLE inspections ADD COLUMN report_notified_text TEXT NOT NULL DEFAULT '';
UPDATE inspections SET report_notified_text = report_notified_on
    WHERE report_notified_on IS NOT NULL;
ALTER TABLE inspections DROP COLUMN report_notified_on;
ALTER TABLE inspections RENAME COLUMN report_notified_text TO report_notified_on;
