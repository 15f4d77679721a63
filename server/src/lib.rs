//! Enclave Inspect server: the HTTP API for enclave lookup, verdicts and (later) inspections,
//! plus the embedded PWA, on SQLite (default) or PostgreSQL.
//!
//! Layering: `routes` (HTTP, extraction, DTOs) → `shared::rules` (pure verdicts) →
//! `db::repo` (SQL, transactions) → `db::rows`; `index` keeps the register in memory for lookups. `startup` wires it together; `main.rs` is the CLI, its user commands in `cli` on `accounts`.

pub mod accounts;
pub mod auth;
pub mod backup;
pub mod cli;
pub mod compression;
pub mod config;
pub mod connections;
pub mod db;
pub mod demo;
pub mod error;
pub mod heavy;
pub mod import;
pub mod index;
pub mod middleware;
pub mod observe;
pub mod photos;
pub mod pwa;
pub mod read_audit;
pub mod report;
pub mod retention;
pub mod routes;
pub mod search_text;
pub mod serve;
pub mod startup;
pub mod state;
