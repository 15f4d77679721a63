DROP INDEX inspections_on_date_idx;
DROP INDEX registration_members_person_idx;
DROP INDEX registrations_work_date_idx;
DROP INDEX audit_events_object_idx;
DROP INDEX audit_events_time_idx;
