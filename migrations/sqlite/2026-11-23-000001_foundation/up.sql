-- Foundation: organisations, enclaves, contracts, people, daily registrations, users,
-- sessions with rotating refresh tokens, the audit trail and server settings.
-- Ids are UUID text; times are UTC timestamps; planned_start is Belgian local time.

CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    enterprise_number TEXT UNIQUE,
    street TEXT NOT NULL,
    postcode TEXT NOT NULL,
    municipality TEXT NOT NULL,
    nace_code TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE enclaves (
    id TEXT PRIMARY KEY NOT NULL,
    maatwerkbedrijf_id TEXT NOT NULL REFERENCES organisations (id),
    host_id TEXT NOT NULL REFERENCES organisations (id),
    site_name TEXT NOT NULL,
    street TEXT NOT NULL,
    postcode TEXT NOT NULL,
    municipality TEXT NOT NULL,
    province TEXT NOT NULL,
    latitude DOUBLE NOT NULL,
    longitude DOUBLE NOT NULL,
    establishment_unit_number TEXT,
    activity TEXT NOT NULL,
    status TEXT NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX enclaves_sort_idx ON enclaves (sort_key, id);
CREATE INDEX enclaves_maatwerkbedrijf_idx ON enclaves (maatwerkbedrijf_id);
CREATE INDEX enclaves_host_idx ON enclaves (host_id);
CREATE INDEX enclaves_position_idx ON enclaves (latitude, longitude);

CREATE TABLE contracts (
    id TEXT PRIMARY KEY NOT NULL,
    enclave_id TEXT NOT NULL REFERENCES enclaves (id),
    reference TEXT NOT NULL UNIQUE,
    start_date DATE NOT NULL,
    end_date DATE,
    notified_at TIMESTAMP,
    approved_at TIMESTAMP,
    regime TEXT NOT NULL,
    status TEXT NOT NULL,
    rejection_reason TEXT,
    min_supervisors INTEGER NOT NULL CHECK (min_supervisors >= 1),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX contracts_enclave_idx ON contracts (enclave_id);

CREATE TABLE people (
    id TEXT PRIMARY KEY NOT NULL,
    maatwerkbedrijf_id TEXT NOT NULL REFERENCES organisations (id),
    display_name TEXT NOT NULL,
    company_reference TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (maatwerkbedrijf_id, company_reference)
);

CREATE TABLE registrations (
    id TEXT PRIMARY KEY NOT NULL,
    enclave_id TEXT NOT NULL REFERENCES enclaves (id),
    work_date DATE NOT NULL,
    registered_at TIMESTAMP NOT NULL,
    planned_start TIME NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (enclave_id, work_date)
);

CREATE TABLE registration_members (
    registration_id TEXT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES people (id),
    role TEXT NOT NULL,
    PRIMARY KEY (registration_id, person_id)
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    provinces TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- A login session; its refresh tokens form one rotation family.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    client TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_reason TEXT
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    issued_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor_id TEXT,
    actor_username TEXT,
    client TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    object_type TEXT,
    object_id TEXT,
    detail TEXT
);
CREATE INDEX audit_events_user_idx ON audit_events (action, actor_username, occurred_at);
CREATE INDEX audit_events_client_idx ON audit_events (action, client, occurred_at);

CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
