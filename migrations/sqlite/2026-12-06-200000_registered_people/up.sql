-- The registered days of each person per year, enclave and role, kept up to date by the
-- database as registrations arrive and go, so that the yearly overview reads some thousands
-- of counts instead of grouping a year of registered person-days (230,000 on the demo data).
-- Triggers cover every writer (imports, demo data, retention, tests). Registrations and their
-- members are written once and deleted, never updated in place.
CREATE TABLE registered_people (
    year INTEGER NOT NULL,
    enclave_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    role TEXT NOT NULL,
    days INTEGER NOT NULL,
    PRIMARY KEY (year, enclave_id, person_id, role)
);
-- Counts fallen to 0, deleted right after: always (nearly) empty.
CREATE INDEX registered_people_emptied_idx ON registered_people (year) WHERE days = 0;

-- The members' covering index served the overview's scan of the year's registrations, which
-- is gone: imports no longer maintain it.
DROP INDEX registration_members_role_idx;

INSERT INTO registered_people (year, enclave_id, person_id, role, days)
SELECT CAST(strftime('%Y', r.work_date) AS INTEGER), r.enclave_id, m.person_id, m.role, count(*)
FROM registrations r
JOIN registration_members m ON m.registration_id = r.id
GROUP BY 1, 2, 3, 4;

-- A member inserted: one more day.
CREATE TRIGGER registration_members_added
AFTER INSERT ON registration_members
BEGIN
    INSERT INTO registered_people (year, enclave_id, person_id, role, days)
    SELECT CAST(strftime('%Y', work_date) AS INTEGER), enclave_id, NEW.person_id, NEW.role, 1
    FROM registrations
    WHERE id = NEW.registration_id
    ON CONFLICT (year, enclave_id, person_id, role) DO UPDATE SET days = days + 1;
END;

-- A member deleted: one day less, counted off through the registration, which must still be
-- there (see registrations_removed).
CREATE TRIGGER registration_members_removed
AFTER DELETE ON registration_members
BEGIN
    UPDATE registered_people SET days = days - 1
    WHERE person_id = OLD.person_id AND role = OLD.role
      AND (year, enclave_id) = (
          SELECT CAST(strftime('%Y', work_date) AS INTEGER), enclave_id
          FROM registrations
          WHERE id = OLD.registration_id
      );
    DELETE FROM registered_people WHERE days = 0;
END;

-- A registration deleted with its members still in it: its members are deleted first, while
-- the registration says which year and enclave they are counted in (the cascade would delete
-- them after it, when it no longer does).
CREATE TRIGGER registrations_removed
BEFORE DELETE ON registrations
BEGIN
    DELETE FROM registration_members WHERE registration_id = OLD.id;
END;
