-- The notification date of a report becomes a nullable DATE: NULL while the offender was not
-- yet notified (it was TEXT, '' for "not yet", so that the review queue could match "any" with
-- LIKE '%'). Stored dates are carried over.
ALTER TABLE inspections
    ALTER COLUMN report_notified_on DROP DEFAULT,
    ALTER COLUMN report_notified_on DROP NOT NULL,
    ALTER COLUMN report_notified_on TYPE DATE USING CAST(NULLIF(report_notified_on, '') AS DATE);
