DROP TRIGGER registrations_removed;
DROP TRIGGER registration_members_removed;
DROP TRIGGER registration_members_added;
DROP TABLE registered_people;
CREATE INDEX registration_members_role_idx
    ON registration_members (registration_id, role, person_id);
