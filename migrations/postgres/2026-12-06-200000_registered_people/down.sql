DROP TRIGGER registrations_removed ON registrations;
DROP FUNCTION registered_people_remove_registration();
DROP TRIGGER registration_members_removed ON registration_members;
DROP FUNCTION registered_people_remove();
DROP TRIGGER registration_members_added ON registration_members;
DROP FUNCTION registered_people_add();
DROP TABLE registered_people;
CREATE INDEX registration_members_role_idx
    ON registration_members (registration_id, role, person_id);
