-- A structured correction carried by an amendment: the corrected measure (as Measure::as_str)
-- and the corrected deadline, each NULL when the amendment does not correct it.
ALTER TABLE amendments ADD COLUMN measure TEXT NULL;
ALTER TABLE amendments ADD COLUMN deadline DATE NULL;
