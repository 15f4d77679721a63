-- The audit trail read by administrators (newest first, by object) and the retention purge
-- (oldest first by date).
CREATE INDEX audit_events_time_idx ON audit_events (occurred_at, id);
CREATE INDEX audit_events_object_idx ON audit_events (object_type, object_id, occurred_at);
CREATE INDEX registrations_work_date_idx ON registrations (work_date);
CREATE INDEX registration_members_person_idx ON registration_members (person_id);
CREATE INDEX inspections_on_date_idx ON inspections (on_date);
