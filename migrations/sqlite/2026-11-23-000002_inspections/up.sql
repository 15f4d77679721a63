-- Inspections pushed from tablets (client-generated ids), their amendments, and the change
-- log that devices pull by cursor.

CREATE TABLE inspections (
    id TEXT PRIMARY KEY NOT NULL,
    enclave_id TEXT NOT NULL REFERENCES enclaves (id),
    inspector_id TEXT NOT NULL REFERENCES users (id),
    province TEXT NOT NULL,
    on_date DATE NOT NULL,
    measure TEXT NOT NULL,
    contract_filed TEXT NOT NULL,
    daily_registration TEXT NOT NULL,
    supervisor_present TEXT NOT NULL,
    version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    record TEXT NOT NULL,
    review_state TEXT NOT NULL,
    started_at_device TIMESTAMP NOT NULL,
    submitted_at_device TIMESTAMP NOT NULL,
    received_at TIMESTAMP NOT NULL
);
CREATE INDEX inspections_inspector_idx ON inspections (inspector_id, received_at);
CREATE INDEX inspections_enclave_idx ON inspections (enclave_id, on_date);

CREATE TABLE amendments (
    id TEXT PRIMARY KEY NOT NULL,
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    author_id TEXT NOT NULL REFERENCES users (id),
    base_version INTEGER NOT NULL,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    written_at_device TIMESTAMP NOT NULL,
    received_at TIMESTAMP NOT NULL
);
CREATE INDEX amendments_inspection_idx ON amendments (inspection_id);

-- seq is assigned under a table lock inside the writing transaction, so changes become
-- visible in seq order and a pull by cursor never skips one.
CREATE TABLE changes (
    seq BIGINT PRIMARY KEY NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    inspection_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    deleted BOOLEAN NOT NULL,
    received_at TIMESTAMP NOT NULL
);
CREATE INDEX changes_owner_idx ON changes (owner_id, seq);
