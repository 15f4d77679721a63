-- Photos, stored as files named by their SHA-256; this table records the complete ones.
CREATE TABLE attachments (
    sha256 TEXT PRIMARY KEY NOT NULL,
    content_type TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    uploader_id TEXT NOT NULL REFERENCES users (id),
    stored_at TIMESTAMP NOT NULL
);
