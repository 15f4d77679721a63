ALTER TABLE enclaves DROP COLUMN support_need;
