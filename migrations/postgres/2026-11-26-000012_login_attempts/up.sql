-- Login attempts for throttling, kept only for the throttling window. An attempt is written
-- as `pending` before its password is checked (so parallel attempts cannot outrun the limits,
-- on every instance sharing the database) and then becomes `failure`, `success` or `refused`.
CREATE TABLE login_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL,
    client TEXT NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX login_attempts_user_client_idx ON login_attempts (username, client, attempted_at);
CREATE INDEX login_attempts_client_idx ON login_attempts (client, attempted_at);
CREATE INDEX login_attempts_time_idx ON login_attempts (attempted_at);
