DROP INDEX attachments_unnamed;
ALTER TABLE attachments DROP COLUMN named_at;
