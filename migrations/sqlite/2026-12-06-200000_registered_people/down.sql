DROP TRIGGER registrations_removed;
DROP TRIGGER registration_members_removed;
DROP TRIGGER registration_members_added;
DROP TABLE registered_people;
