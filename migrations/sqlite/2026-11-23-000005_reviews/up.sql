-- Review decisions of inspection supervisors: approve, or return to the inspector with a
-- comment. Kept in full; the inspection's review_state follows the latest decision (and goes
-- back to 'submitted' when the inspector answers with an amendment).
CREATE TABLE reviews (
    id TEXT PRIMARY KEY NOT NULL,
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    reviewer_id TEXT NOT NULL REFERENCES users (id),
    decision TEXT NOT NULL,
    comment TEXT NOT NULL,
    inspection_version INTEGER NOT NULL,
    decided_at TIMESTAMP NOT NULL
);
CREATE INDEX reviews_inspection_idx ON reviews (inspection_id, decided_at);
