ALTER TABLE inspections
    ALTER COLUMN report_notified_on TYPE TEXT
        USING COALESCE(TO_CHAR(report_notified_on, 'YYYY-MM-DD'), '');
UPDATE inspections SET report_notified_on = '' WHERE report_notified_on IS NULL;
ALTER TABLE inspections
    ALTER COLUMN report_notified_on SET DEFAULT '',
    ALTER COLUMN report_notified_on SET NOT NULL;
