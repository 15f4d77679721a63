//! API tests: each starts the real server on a random port against a fresh database, once on
//! SQLite and once on PostgreSQL.

mod accounts;
mod attachments;
mod auth;
mod bad_network;
mod concurrency;
mod connections;
mod evidence;
mod fault;
mod field;
mod imports;
mod lookup;
mod register;
mod reports;
mod review;
mod statistics;
mod sync;
mod verdicts;
