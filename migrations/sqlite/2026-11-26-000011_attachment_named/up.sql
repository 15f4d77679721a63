-- When a pushed inspection first named the photo; NULL while none does. Unnamed photos count
-- against their uploader's upload quota. Photos stored before this column are taken as named.
ALTER TABLE attachments ADD COLUMN named_at TIMESTAMP NULL;
UPDATE attachments SET named_at = stored_at;
CREATE INDEX attachments_unnamed ON attachments (uploader_id) WHERE named_at IS NULL;
