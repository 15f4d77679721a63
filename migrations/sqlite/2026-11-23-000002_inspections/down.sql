DROP TABLE changes;
DROP TABLE amendments;
DROP TABLE inspections;
