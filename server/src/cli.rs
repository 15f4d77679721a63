//! `enclave-inspect user …`: the operator's account commands, on `crate::accounts` (the same
//! logic, transactions and audit rows as the admins' API, with actor `cli`). Passwords come
//! from standard input, never from the command line (which other users of the machine can
//! read in the process list).
//!
//! A running server notices a change made here within `SESSION_CACHE_TTL_MS`.

use std::io::{BufRead, Write};

use clap::{Args, Subcommand};
use shared::dto::auth::{Account, AccountChange, AccountUpdate, Role};
use shared::dto::enclave::Province;

use crate::accounts::{self, Actor, Target};
use crate::auth::password;
use crate::db::Db;

/// `enclave-inspect user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is read from the first line of standard input.
    Add(UserAdd),
    /// List every user with role, provinces, status and last login.
    List,
    /// Disable a user: no more logins, and every session ends.
    Disable(Username),
    /// Enable a disabled user.
    Enable(Username),
    /// Set a new password, read from the first line of standard input; the user must change
    /// it at their next login, and every session ends.
    Password(Username),
    /// Change a user's role and/or provinces; every session ends.
    Set(UserSet),
    /// End every session of a user (a lost or stolen tablet).
    Revoke(Username),
}

/// The user a command is about.
#[derive(Debug, Args)]
pub struct Username {
    #[arg(long)]
    pub username: String,
}

/// `user add`.
#[derive(Debug, Args)]
pub struct UserAdd {
    #[arg(long)]
    pub username: String,
    #[arg(long)]
    pub display_name: String,
    /// inspector, reviewer or admin.
    #[arg(long, value_parser = parse_role)]
    pub role: Role,
    /// Provinces an inspector covers (repeat; default: all of Flanders).
    #[arg(long = "province", value_parser = parse_province)]
    pub provinces: Vec<Province>,
}

/// `user set`.
#[derive(Debug, Args)]
pub struct UserSet {
    #[arg(long)]
    pub username: String,
    /// inspector, reviewer or admin.
    #[arg(long, value_parser = parse_role)]
    pub role: Option<Role>,
    /// Provinces the user covers from now on (repeat).
    #[arg(long = "province", value_parser = parse_province, conflicts_with = "all_provinces")]
    pub provinces: Vec<Province>,
    /// The user covers all of Flanders.
    #[arg(long)]
    pub all_provinces: bool,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "expected inspector, reviewer or admin".into())
}

fn parse_province(s: &str) -> Result<Province, String> {
    Province::parse(s).ok_or_else(|| {
        "expected antwerpen, limburg, oost_vlaanderen, vlaams_brabant or west_vlaanderen".into()
    })
}

/// Runs a user command on `db`, reading a password from `input` where one is needed and
/// writing what it did to `out`. Errors are the English message.
pub fn run(
    db: &Db,
    command: UserCommand,
    input: &mut impl BufRead,
    out: &mut impl Write,
) -> Result<(), String> {
    let mut conn = db.get().map_err(|e| e.message_en)?;
    let conn = &mut *conn;
    let result = match command {
        UserCommand::Add(add) => {
            let hash = read_password(input)?;
            let user = accounts::add(
                conn,
                &add.username,
                &add.display_name,
                add.role,
                &hash,
                &add.provinces,
            )
            .map_err(|e| e.message_en)?;
            writeln!(out, "user {} added ({})", user.username, user.role)
        }
        UserCommand::List => {
            let accounts = accounts::list(conn).map_err(|e| e.message_en)?;
            writeln!(
                out,
                "{:<20} {:<28} {:<9} {:<8} {:<40} last login (UTC)",
                "username", "name", "role", "status", "provinces"
            )
            .and_then(|()| accounts.iter().try_for_each(|a| list_line(out, a)))
        }
        UserCommand::Disable(u) => {
            let change = accounts::disable(conn, Actor::CLI, Target::Username(&u.username))
                .map_err(|e| e.message_en)?;
            report(out, "disabled", &change)
        }
        UserCommand::Enable(u) => {
            let change = accounts::enable(conn, Actor::CLI, Target::Username(&u.username))
                .map_err(|e| e.message_en)?;
            report(out, "enabled", &change)
        }
        UserCommand::Password(u) => {
            // Refuse an unknown user before reading and hashing a password.
            accounts::get(conn, Target::Username(&u.username)).map_err(|e| e.message_en)?;
            let hash = read_password(input)?;
            let change = accounts::reset_password(
                conn,
                Actor::CLI,
                Target::Username(&u.username),
                hash,
                None,
            )
            .map_err(|e| e.message_en)?;
            report(
                out,
                "has a new password (to be changed at the next login)",
                &change,
            )
        }
        UserCommand::Set(set) => {
            let provinces = if set.all_provinces {
                Some(Vec::new())
            } else if set.provinces.is_empty() {
                None
            } else {
                Some(set.provinces)
            };
            let update = AccountUpdate {
                role: set.role,
                provinces,
            };
            let change =
                accounts::update(conn, Actor::CLI, Target::Username(&set.username), &update)
                    .map_err(|e| e.message_en)?;
            report(out, "changed", &change)
        }
        UserCommand::Revoke(u) => {
            let change = accounts::revoke_sessions(conn, Actor::CLI, Target::Username(&u.username))
                .map_err(|e| e.message_en)?;
            report(out, "signed out", &change)
        }
    };
    result.map_err(|e| format!("cannot write the output: {e}"))
}

/// Reads a password from the first line of `input`, checks its strength and hashes it.
fn read_password(input: &mut impl BufRead) -> Result<String, String> {
    let mut line = String::new();
    input
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let pw = line.trim_end_matches(['\r', '\n']);
    accounts::check_strength(pw).map_err(|e| e.message_en)?;
    password::hash(pw)
}

fn report(out: &mut impl Write, what: &str, change: &AccountChange) -> std::io::Result<()> {
    writeln!(
        out,
        "user {} {what}; {} sessions ended (running servers notice within SESSION_CACHE_TTL_MS)",
        change.account.username, change.sessions_ended
    )
}

fn list_line(out: &mut impl Write, a: &Account) -> std::io::Result<()> {
    let provinces = if a.provinces.is_empty() {
        "all".to_owned()
    } else {
        a.provinces
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(",")
    };
    let status = match (a.active, a.must_change_password) {
        (false, _) => "disabled",
        (true, true) => "must-chg",
        (true, false) => "active",
    };
    let last = a.last_login_at.map_or_else(
        || "never".to_owned(),
        |t| t.format("%Y-%m-%d %H:%M").to_string(),
    );
    writeln!(
        out,
        "{:<20} {:<28} {:<9} {:<8} {:<40} {last}",
        a.username,
        a.display_name,
        a.role.as_str(),
        status,
        provinces
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// The user commands as `enclave-inspect user …` parses them.
    #[derive(Debug, Parser)]
    struct User {
        #[command(subcommand)]
        command: UserCommand,
    }

    fn parse(args: &[&str]) -> Result<UserCommand, clap::Error> {
        User::try_parse_from(std::iter::once("user").chain(args.iter().copied())).map(|u| u.command)
    }

    #[test]
    fn set_takes_a_role_repeated_provinces_or_all_of_flanders() {
        let Ok(UserCommand::Set(set)) = parse(&[
            "set",
            "--username",
            "jan",
            "--role",
            "reviewer",
            "--province",
            "limburg",
            "--province",
            "antwerpen",
        ]) else {
            panic!("set parses");
        };
        assert_eq!(set.role, Some(Role::Reviewer));
        assert_eq!(set.provinces, [Province::Limburg, Province::Antwerpen]);
        let Ok(UserCommand::Set(all)) = parse(&["set", "--username", "jan", "--all-provinces"])
        else {
            panic!("--all-provinces parses");
        };
        assert!(all.all_provinces && all.role.is_none());
        assert!(
            parse(&[
                "set",
                "--username",
                "jan",
                "--all-provinces",
                "--province",
                "limburg"
            ])
            .is_err()
        );
        assert!(parse(&["set", "--username", "jan", "--role", "emperor"]).is_err());
    }

    #[test]
    fn every_account_command_needs_a_username() {
        for command in ["disable", "enable", "password", "revoke", "set"] {
            assert!(parse(&[command]).is_err(), "{command}");
            assert!(parse(&[command, "--username", "jan"]).is_ok(), "{command}");
        }
        assert!(matches!(parse(&["list"]), Ok(UserCommand::List)));
    }
}
