-- The support need of the enclave's team (low, medium, high), which sets the sector's
-- supervision norm check 3 compares with; empty when the register does not record it.
ALTER TABLE enclaves ADD COLUMN support_need TEXT
    CHECK (support_need IS NULL OR support_need IN ('low', 'medium', 'high'));
