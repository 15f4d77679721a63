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
SELECT EXTRACT(YEAR FROM r.work_date)::integer, r.enclave_id, m.person_id, m.role, count(*)
FROM registrations r
JOIN registration_members m ON m.registration_id = r.id
GROUP BY 1, 2, 3, 4;

-- Members inserted: one grouped upsert per statement (an import inserts thousands at once),
-- in key order, so that writers at the same time lock the counts they share in one order.
CREATE FUNCTION registered_people_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO registered_people AS p (year, enclave_id, person_id, role, days)
    SELECT EXTRACT(YEAR FROM r.work_date)::integer, r.enclave_id, m.person_id, m.role, count(*)
    FROM added m
    JOIN registrations r ON r.id = m.registration_id
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (year, enclave_id, person_id, role) DO UPDATE SET days = p.days + EXCLUDED.days;
    RETURN NULL;
END
$$;
CREATE TRIGGER registration_members_added
    AFTER INSERT ON registration_members
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION registered_people_add();

-- Members deleted: counted off through their registration, which must still be there (see
-- registered_people_remove_registration).
CREATE FUNCTION registered_people_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE registered_people p SET days = p.days - gone.days
    FROM (
        SELECT EXTRACT(YEAR FROM r.work_date)::integer AS year, r.enclave_id, m.person_id,
               m.role, count(*) AS days
        FROM removed m
        JOIN registrations r ON r.id = m.registration_id
        GROUP BY 1, 2, 3, 4
    ) gone
    WHERE p.year = gone.year AND p.enclave_id = gone.enclave_id
      AND p.person_id = gone.person_id AND p.role = gone.role;
    DELETE FROM registered_people WHERE days = 0;
    RETURN NULL;
END
$$;
CREATE TRIGGER registration_members_removed
    AFTER DELETE ON registration_members
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION registered_people_remove();

-- A registration deleted with its members still in it: its members are deleted first, while
-- the registration says which year and enclave they are counted in (the cascade would delete
-- them after it, when it no longer does).
CREATE FUNCTION registered_people_remove_registration() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM registration_members WHERE registration_id = OLD.id;
    RETURN OLD;
END
$$;
CREATE TRIGGER registrations_removed
    BEFORE DELETE ON registrations
    FOR EACH ROW EXECUTE FUNCTION registered_people_remove_registration();
