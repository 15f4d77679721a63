//! The query strings of the API, one type per query: the server's handlers extract them
//! (`web::Query<…>`) and the apps build their URLs from them (`app_core::api::url`), both
//! through `serde_urlencoded`.
//!
//! They carry the wire form: text where the server reads more into it (`near=LAT,LON`, the
//! comma-separated `ids`, `format`, a day as `YYYY-MM-DD`), and the server checks it. What is
//! not set is left out of the URL: options when none, flags when false. With the feature
//! `openapi` each is also the parameter list of its operation in the OpenAPI document.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::auth::Role;
use super::contract::ContractStatus;
use super::enclave::Province;
use super::inspection::{CheckKind, Measure};
use super::report::HostType;
use super::review::ReviewState;

/// Query of `GET /api/enclaves`; give at most one of `q`, `enterprise_number` and `near`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct SearchQuery {
    /// Free text: host, maatwerkbedrijf, site, street, municipality (accents and case ignored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Enterprise number of the host or the maatwerkbedrijf, in any usual spelling; an
    /// establishment unit number (here or in `q`) finds the enclave at that site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enterprise_number: Option<String>,
    /// `LAT,LON`: nearest first.
    #[cfg_attr(
        feature = "openapi",
        param(
            pattern = r"^-?([0-8]?[0-9](\.[0-9]+)?|90(\.0+)?),-?((1[0-7][0-9]|[0-9]?[0-9])(\.[0-9]+)?|180(\.0+)?)$"
        )
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub near: Option<String>,
    /// Radius for `near`, default 10 km.
    #[cfg_attr(feature = "openapi", param(exclusive_minimum = 0, maximum = 250))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub radius_km: Option<f64>,
    /// Page size, 1–100 (default 20).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// `next_cursor` of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Query of `GET /api/enclaves/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct DetailQuery {
    /// The day to check, `YYYY-MM-DD` (default: today in Belgium).
    #[cfg_attr(feature = "openapi", param(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on: Option<String>,
    /// The Belgian local time of the check, `HH:MM` (default: now).
    #[cfg_attr(feature = "openapi", param(pattern = r"^[0-9]{2}:[0-9]{2}$"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// Query of `GET /api/field/working-set`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct WorkingSetQuery {
    /// Days of registrations from today on, 1–7 (default 3).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 7))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// Comma-separated enclave ids: only these (at most 500).
    #[cfg_attr(
        feature = "openapi",
        param(
            pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(,[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})*$"
        )
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ids: Option<String>,
    /// The token of the set the device holds: answer only what changed after it.
    #[cfg_attr(
        feature = "openapi",
        param(pattern = r"^w2\.[0-9]{1,18}\.[0-9]{1,7}\.[0-9]{1,9}\.[0-9a-f]{16}$")
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
}

/// Query of `GET /api/planning`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PlanningQuery {
    /// At most this many enclaves, 1–200 (default 50).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// Only enclaves in this province (an inspector: one of theirs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province: Option<Province>,
}

/// Query of `GET /api/follow-ups`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct FollowUpQuery {
    /// Only follow-ups past their deadline and not followed up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
    /// Only follow-ups of this inspector's inspections (an inspector: only their own).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inspector: Option<Uuid>,
    /// Only follow-ups of this enclave.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enclave: Option<Uuid>,
    /// At most this many, 1–500 (default 200).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 500))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// Query of `GET /api/sync/pull`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PullQuery {
    /// The `next_cursor` of the previous pull (0 at first).
    #[cfg_attr(
        feature = "openapi",
        param(minimum = 0, maximum = 9_223_372_036_854_775_807_i64)
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<i64>,
    /// At most this many changes, 1–1000 (default 500).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1000))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
}

/// Query of `GET /api/inspections`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct QueueQuery {
    /// Inspection dates from and to, `YYYY-MM-DD` (inclusive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    /// Inspector (user id); inspectors always see only their own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inspector: Option<Uuid>,
    /// Only inspections of this enclave (its history).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enclave: Option<Uuid>,
    /// Organisation id of the maatwerkbedrijf, or of the host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maatwerkbedrijf: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<Uuid>,
    /// Municipality of the site (case and accents ignored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
    /// `submitted`, `returned` or `approved`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<ReviewState>,
    /// A check that failed: `contract_filed`, `daily_registration`, `supervisor_present`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failing: Option<CheckKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure: Option<Measure>,
    /// Only approved reports not notified within 14 days of the inspection.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overdue: bool,
    /// Only approved reports not yet notified whose 14-day deadline falls between today and
    /// this many days from now (0–14).
    #[cfg_attr(feature = "openapi", param(minimum = 0, maximum = 14))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_within_days: Option<u32>,
    /// Free text: host, maatwerkbedrijf, site, street, municipality.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Page size, 1–100 (default 50).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// `json` (default, paged), or `csv` / `xlsx`: every match as a file (at most 10,000).
    #[cfg_attr(feature = "openapi", param(pattern = "^(json|csv|xlsx)$"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// Query of `GET /api/audit`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AuditQuery {
    /// Only events of this user (username).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Only events of this action (e.g. `login`, `read`, `export`, `purge`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Only events about this kind of object (e.g. `inspection`, `enclave`, `person`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_type: Option<String>,
    /// Only events about this object (its id or hash).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_id: Option<String>,
    /// From this day on (YYYY-MM-DD, Belgian time, inclusive).
    #[cfg_attr(feature = "openapi", param(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Up to and including this day (YYYY-MM-DD, Belgian time).
    #[cfg_attr(feature = "openapi", param(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// At most this many events, 1–500 (default 100).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 500))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// The `X-Next-Cursor` header of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// `json` (default, paged) or `csv`: every match as a file (at most 10,000).
    #[cfg_attr(feature = "openapi", param(pattern = "^(json|csv)$"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// Query of the reports (`GET /api/reports/contracts`, `GET /api/reports/inspections`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ReportQuery {
    /// The year, e.g. 2019.
    #[cfg_attr(feature = "openapi", param(minimum = 2000, maximum = 2100))]
    pub year: i32,
    /// `json` (default), `csv` or `xlsx`.
    #[cfg_attr(feature = "openapi", param(pattern = "^(json|csv|xlsx)$"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// Query of the inspection report (`GET /api/inspections/{id}/report.pdf`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct InspectionReportQuery {
    /// `nl` (default) or `en`.
    #[cfg_attr(feature = "openapi", param(pattern = "^(nl|en)$"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// Filters of `GET /api/contracts`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct RegisterQuery {
    /// Free text: reference, maatwerkbedrijf, host, site, municipality, enterprise number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Organisation id of the maatwerkbedrijf.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maatwerkbedrijf: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_type: Option<HostType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ContractStatus>,
    /// Only contracts received (notified, else approved) in this year.
    #[cfg_attr(feature = "openapi", param(minimum = 1900, maximum = 2200))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received_year: Option<i32>,
    /// Only contracts that arrived after their deadline.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub late: bool,
    /// Only open-ended contracts that are not rejected or ended.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub open_ended: bool,
    /// `json` (default, paged), `csv` or `xlsx` (every match).
    #[cfg_attr(feature = "openapi", param(pattern = "^(json|csv|xlsx)$"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Page size, 1–200 (default 50), and rows to skip.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    #[cfg_attr(feature = "openapi", param(minimum = 0, maximum = 1_000_000))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<usize>,
    /// Sort by `reference`, `maatwerkbedrijf`, `host`, `start`, `end`, `received` or
    /// `status` (default: maatwerkbedrijf, host, newest start first).
    #[cfg_attr(
        feature = "openapi",
        param(pattern = "^(reference|maatwerkbedrijf|host|start|end|received|status)$")
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// Sort descending.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub desc: bool,
}

/// Query of `GET /api/users`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct UsersQuery {
    /// Only users of this role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
}

/// Query of `GET /api/people`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PeopleQuery {
    /// Part of the name or the staff number (at least 2 characters; case ignored).
    #[cfg_attr(feature = "openapi", param(min_length = 2))]
    pub q: String,
}

/// Query of the column proposal (`POST /api/imports/contracts/columns`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct FormatQuery {
    /// `csv` (default) or `xlsx`.
    #[cfg_attr(feature = "openapi", param(pattern = "^(csv|xlsx)$"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// Query of the contract import (`POST /api/imports/contracts`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ContractImportQuery {
    /// `csv` (default) or `xlsx`.
    #[cfg_attr(feature = "openapi", param(pattern = "^(csv|xlsx)$"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Validate and preview only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
    /// The confirmed columns as JSON, field → 0-based column, e.g.
    /// `{"reference":0,"maatwerkbedrijf":4,"host":2,"site":5,"start":6,"received":7}`
    /// (fields: reference, maatwerkbedrijf, host, site, start, end, received, approved,
    /// status, rejection_reason). Without it, the proposal of `/columns` is used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapping: Option<String>,
}

/// Query of the other imports (`POST /api/imports/registrations`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ImportQuery {
    /// `csv` (default) or `xlsx`.
    #[cfg_attr(feature = "openapi", param(pattern = "^(csv|xlsx)$"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Validate and preview only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Debug;

    use serde::de::DeserializeOwned;

    /// `value` serialises to `wire` and `wire` reads back as `value`.
    #[track_caller]
    fn round_trip<T>(value: T, wire: &str)
    where
        T: Serialize + DeserializeOwned + PartialEq + Debug,
    {
        let written = serde_urlencoded::to_string(&value).expect("serialises");
        assert_eq!(written, wire);
        let read: T = serde_urlencoded::from_str(wire).expect("deserialises");
        assert_eq!(read, value);
    }

    fn id(n: u8) -> Uuid {
        Uuid::from_bytes([n; 16])
    }

    #[test]
    fn nothing_set_is_an_empty_query() {
        round_trip(SearchQuery::default(), "");
        round_trip(DetailQuery::default(), "");
        round_trip(WorkingSetQuery::default(), "");
        round_trip(PlanningQuery::default(), "");
        round_trip(FollowUpQuery::default(), "");
        round_trip(PullQuery::default(), "");
        round_trip(QueueQuery::default(), "");
        round_trip(AuditQuery::default(), "");
        round_trip(RegisterQuery::default(), "");
        round_trip(UsersQuery::default(), "");
        round_trip(FormatQuery::default(), "");
        round_trip(ContractImportQuery::default(), "");
        round_trip(ImportQuery::default(), "");
    }

    #[test]
    fn search() {
        round_trip(
            SearchQuery {
                q: Some("Café & Zoon".into()),
                limit: Some(20),
                cursor: Some("eyJrIjoicyJ9".into()),
                ..SearchQuery::default()
            },
            "q=Caf%C3%A9+%26+Zoon&limit=20&cursor=eyJrIjoicyJ9",
        );
        round_trip(
            SearchQuery {
                enterprise_number: Some("BE 0123.456.749".into()),
                ..SearchQuery::default()
            },
            "enterprise_number=BE+0123.456.749",
        );
        round_trip(
            SearchQuery {
                near: Some("51.05000,3.72000".into()),
                radius_km: Some(2.5),
                ..SearchQuery::default()
            },
            "near=51.05000%2C3.72000&radius_km=2.5",
        );
    }

    #[test]
    fn detail() {
        round_trip(
            DetailQuery {
                on: Some("2025-03-07".into()),
                at: Some("09:30".into()),
            },
            "on=2025-03-07&at=09%3A30",
        );
    }

    #[test]
    fn working_set() {
        round_trip(
            WorkingSetQuery {
                days: Some(3),
                ids: Some(format!("{},{}", id(1), id(2))),
                since: Some("w2.12.3.4.00ff00ff00ff00ff".into()),
            },
            "days=3\
             &ids=01010101-0101-0101-0101-010101010101%2C02020202-0202-0202-0202-020202020202\
             &since=w2.12.3.4.00ff00ff00ff00ff",
        );
    }

    #[test]
    fn planning() {
        round_trip(
            PlanningQuery {
                limit: Some(20),
                province: Some(Province::OostVlaanderen),
            },
            "limit=20&province=oost_vlaanderen",
        );
        assert!(serde_urlencoded::from_str::<PlanningQuery>("province=brussel").is_err());
    }

    #[test]
    fn follow_ups() {
        round_trip(
            FollowUpQuery {
                overdue: Some(true),
                inspector: Some(id(1)),
                enclave: Some(id(2)),
                limit: Some(50),
            },
            "overdue=true&inspector=01010101-0101-0101-0101-010101010101\
             &enclave=02020202-0202-0202-0202-020202020202&limit=50",
        );
        assert!(serde_urlencoded::from_str::<FollowUpQuery>("overdue=ja").is_err());
    }

    #[test]
    fn pull() {
        round_trip(
            PullQuery {
                since: Some(1234),
                limit: Some(500),
            },
            "since=1234&limit=500",
        );
    }

    #[test]
    fn queue() {
        round_trip(
            QueueQuery {
                from: NaiveDate::from_ymd_opt(2025, 3, 1),
                to: NaiveDate::from_ymd_opt(2025, 3, 31),
                inspector: Some(id(3)),
                municipality: Some("Sint-Niklaas".into()),
                state: Some(ReviewState::Approved),
                failing: Some(CheckKind::SupervisorPresent),
                measure: Some(Measure::RegularisationOrder),
                overdue: true,
                q: Some("élégance & co".into()),
                limit: Some(30),
                cursor: Some("2025-03-07T10:00:00.000001Z~abc".into()),
                format: Some("xlsx".into()),
                ..QueueQuery::default()
            },
            "from=2025-03-01&to=2025-03-31&inspector=03030303-0303-0303-0303-030303030303\
             &municipality=Sint-Niklaas&state=approved&failing=supervisor_present\
             &measure=regularisation_order&overdue=true&q=%C3%A9l%C3%A9gance+%26+co&limit=30\
             &cursor=2025-03-07T10%3A00%3A00.000001Z%7Eabc&format=xlsx",
        );
        round_trip(
            QueueQuery {
                enclave: Some(id(4)),
                maatwerkbedrijf: Some(id(5)),
                host: Some(id(6)),
                due_within_days: Some(7),
                ..QueueQuery::default()
            },
            "enclave=04040404-0404-0404-0404-040404040404\
             &maatwerkbedrijf=05050505-0505-0505-0505-050505050505\
             &host=06060606-0606-0606-0606-060606060606&due_within_days=7",
        );
    }

    #[test]
    fn audit() {
        round_trip(
            AuditQuery {
                user: Some("inès".into()),
                action: Some("read".into()),
                object_type: Some("person".into()),
                object_id: Some("a&b c".into()),
                from: Some("2025-01-01".into()),
                to: Some("2025-12-31".into()),
                limit: Some(51),
                cursor: Some("2025-03-07T10:00:00.000001Z~abc".into()),
                format: Some("csv".into()),
            },
            "user=in%C3%A8s&action=read&object_type=person&object_id=a%26b+c&from=2025-01-01\
             &to=2025-12-31&limit=51&cursor=2025-03-07T10%3A00%3A00.000001Z%7Eabc&format=csv",
        );
    }

    #[test]
    fn report() {
        round_trip(
            ReportQuery {
                year: 2025,
                format: Some("csv".into()),
            },
            "year=2025&format=csv",
        );
        round_trip(
            ReportQuery {
                year: 2019,
                format: None,
            },
            "year=2019",
        );
    }

    #[test]
    fn register() {
        round_trip(
            RegisterQuery {
                q: Some("Peeters & Zonen à Gent".into()),
                maatwerkbedrijf: Some(id(7)),
                host_type: Some(HostType::ShelteredOrSocial),
                status: Some(ContractStatus::Notified),
                received_year: Some(2025),
                late: true,
                open_ended: true,
                format: Some("csv".into()),
                limit: Some(50),
                offset: Some(100),
                sort: Some("start".into()),
                desc: true,
            },
            "q=Peeters+%26+Zonen+%C3%A0+Gent&maatwerkbedrijf=07070707-0707-0707-0707-070707070707\
             &host_type=sheltered_or_social&status=notified&received_year=2025&late=true\
             &open_ended=true&format=csv&limit=50&offset=100&sort=start&desc=true",
        );
    }

    #[test]
    fn register_flags_left_out_are_false_and_false_ones_are_left_out() {
        let read: RegisterQuery = serde_urlencoded::from_str("late=false&q=x").expect("reads");
        assert_eq!(
            read,
            RegisterQuery {
                q: Some("x".into()),
                ..RegisterQuery::default()
            }
        );
        assert_eq!(serde_urlencoded::to_string(&read).expect("writes"), "q=x");
    }

    #[test]
    fn users() {
        round_trip(
            UsersQuery {
                role: Some(Role::Inspector),
            },
            "role=inspector",
        );
    }

    #[test]
    fn people() {
        round_trip(
            PeopleQuery {
                q: "José De Smet & co".into(),
            },
            "q=Jos%C3%A9+De+Smet+%26+co",
        );
        // `q` is required.
        assert!(serde_urlencoded::from_str::<PeopleQuery>("").is_err());
    }

    #[test]
    fn imports() {
        round_trip(
            FormatQuery {
                format: Some("xlsx".into()),
            },
            "format=xlsx",
        );
        round_trip(
            ContractImportQuery {
                format: Some("csv".into()),
                dry_run: true,
                mapping: Some(r#"{"reference":0,"host":2}"#.into()),
            },
            "format=csv&dry_run=true&mapping=%7B%22reference%22%3A0%2C%22host%22%3A2%7D",
        );
        round_trip(
            ImportQuery {
                format: Some("csv".into()),
                dry_run: false,
            },
            "format=csv",
        );
    }
}
