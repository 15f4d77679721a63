//! API tests: each starts the real server on a random port against a fresh database, once on
//! SQLite and once on PostgreSQL.

mod accounts;
mod attachments;
mod auth;
mod backup;
mod bad_network;
mod case_file;
mod compression;
mod concurrency;
mod conformance;
mod connections;
mod evidence;
mod fault;
mod field;
mod follow_ups;
mod hostile_files;
mod imports;
mod inputs;
mod lookup;
mod migrations;
mod object_store;
mod observability;
mod planning;
mod privacy;
mod proxy;
mod register;
mod reports;
mod review;
mod sessions;
mod shutdown;
mod startup;
mod statistics;
mod sync;
mod throttling;
mod tls;
mod verdicts;
