-- When the offender was notified of an approved report (proces-verbaal): a Belgian date as
-- YYYY-MM-DD, or '' while not yet notified (text, so the review queue filters it with LIKE).
ALTER TABLE inspections ADD COLUMN report_notified_on TEXT NOT NULL DEFAULT '';
