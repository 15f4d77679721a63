-- Follow-up of measures. On the inspection whose measure opens one: the day it is due (the
-- deadline of a warning or a regularisation order, as corrected by amendments). On the
-- inspection that follows one up: which (no foreign key: retention may delete the earlier
-- first), and how many shortcomings it found remedied and not.
ALTER TABLE inspections ADD COLUMN follow_up_due DATE;
ALTER TABLE inspections ADD COLUMN follows_id TEXT;
ALTER TABLE inspections ADD COLUMN remedied INTEGER;
ALTER TABLE inspections ADD COLUMN not_remedied INTEGER;
CREATE INDEX inspections_follow_up_due ON inspections (follow_up_due)
    WHERE follow_up_due IS NOT NULL;
CREATE INDEX inspections_follows ON inspections (follows_id) WHERE follows_id IS NOT NULL;

-- The inspections stored before: the measure and deadline as the latest correcting
-- amendments left them, else as submitted.
UPDATE inspections SET follow_up_due = CASE
    WHEN COALESCE(
        (SELECT a.measure FROM amendments a
          WHERE a.inspection_id = inspections.id AND a.measure IS NOT NULL
          ORDER BY a.received_at DESC, a.id DESC LIMIT 1),
        inspections.measure) IN ('warning', 'regularisation_order')
    THEN COALESCE(
        (SELECT a.deadline FROM amendments a
          WHERE a.inspection_id = inspections.id AND a.deadline IS NOT NULL
          ORDER BY a.received_at DESC, a.id DESC LIMIT 1),
        (record::jsonb -> 'conclusion' ->> 'deadline')::date)
    END;
