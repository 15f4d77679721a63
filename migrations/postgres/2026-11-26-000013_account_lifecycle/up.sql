-- An account whose password was set by someone else (`user password`, an admin's reset) must
-- get a new password from its user before anything else.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
