//! The yearly overview of contracts received: which rows, on time or not, counted by host
//! type, and the people from the daily registrations. Pure: the server loads, this counts.
//!
//! The people are counted in two steps: [`RegisteredCounts`] holds the year's headcounts, and
//! [`overview`] puts them beside the contracts. The server has the database count them;
//! [`count_registered`] (and [`contract_overview`], which uses it) states the same counting
//! over single registrations, and is what the database's figures are tested against.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use super::contract_filed::{RuleSettings, notification_deadline};
use super::time::belgian_local;
use crate::dto::contract::{Contract, ContractStatus};
use crate::dto::registration::MemberRole;
use crate::dto::report::{
    ActivityCount, ContractOverview, Headcount, HostType, HostTypeActivities, HostTypeCount,
    MaatwerkbedrijfHeadcount, OverviewRow, ReasonCount,
};

/// A contract with the names the overview shows.
#[derive(Debug, Clone)]
pub struct ContractInput {
    pub contract: Contract,
    pub maatwerkbedrijf: String,
    pub host: String,
    pub host_type: HostType,
    /// The enclave's activity.
    pub activity: String,
}

/// A contract status in words (Dutch, English), as the register and the exports show it.
pub fn status_names(status: ContractStatus) -> (&'static str, &'static str) {
    match status {
        ContractStatus::Notified => ("gemeld", "notified"),
        ContractStatus::Approved => ("goedgekeurd", "approved"),
        ContractStatus::Rejected => ("geweigerd", "rejected"),
        ContractStatus::Ended => ("beëindigd", "ended"),
    }
}

/// One registered person on one day: `(enclave, work date, person, role)`.
pub type Registered = (Uuid, NaiveDate, Uuid, MemberRole);

/// The day WSE received a contract: the notification, else the approval (older regime);
/// `None` when the register has neither.
pub fn received(contract: &Contract) -> Option<NaiveDate> {
    contract
        .notified_at
        .or(contract.approved_at)
        .map(|t| belgian_local(t).date())
}

/// Which maatwerkbedrijf (id, name) runs each enclave.
pub type Owners = HashMap<Uuid, (Uuid, String)>;

/// The people of a year's daily registrations, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisteredCounts {
    /// Per enclave.
    pub per_enclave: HashMap<Uuid, Headcount>,
    /// Over the enclaves of the year's overview rows ([`overview_enclaves`]) together: a
    /// person in two of them counts once.
    pub total: Headcount,
    /// Per maatwerkbedrijf over all its enclaves, in any order.
    pub per_maatwerkbedrijf: Vec<MaatwerkbedrijfHeadcount>,
    /// Distinct (enclave, day, person, role) registrations in the year.
    pub registered_days: u32,
}

/// The enclaves with a contract received in `year`: those the overview's total counts.
pub fn overview_enclaves(year: i32, contracts: &[ContractInput]) -> HashSet<Uuid> {
    contracts
        .iter()
        .filter(|c| received(&c.contract).is_some_and(|d| d.year() == year))
        .map(|c| c.contract.enclave_id)
        .collect()
}

/// Counts the people of `year` in `registered`: per enclave, over `enclaves` together, and
/// per maatwerkbedrijf (`owners`) over all its enclaves.
pub fn count_registered(
    year: i32,
    registered: &[Registered],
    owners: &Owners,
    enclaves: &HashSet<Uuid>,
) -> RegisteredCounts {
    RegisteredCounts {
        per_enclave: headcounts(year, registered),
        total: total_headcount(year, registered, enclaves),
        per_maatwerkbedrijf: per_maatwerkbedrijf(year, registered, owners),
        registered_days: registered
            .iter()
            .filter(|r| r.1.year() == year)
            .collect::<HashSet<_>>()
            .len() as u32,
    }
}

/// The overview of `year`: the contracts received in it, with the headcount of their
/// enclaves in that year from `registered`, and per maatwerkbedrijf (`owners`) over all its
/// enclaves; `today` decides which open-ended ones still run.
pub fn contract_overview(
    year: i32,
    contracts: &[ContractInput],
    registered: &[Registered],
    owners: &Owners,
    rules: &RuleSettings,
    today: NaiveDate,
) -> ContractOverview {
    let enclaves = overview_enclaves(year, contracts);
    let counts = count_registered(year, registered, owners, &enclaves);
    overview(year, contracts, counts, rules, today)
}

/// The overview of `year` from the contracts and the year's people, counted (`counts`, whose
/// total covers [`overview_enclaves`]); `today` decides which open-ended ones still run.
pub fn overview(
    year: i32,
    contracts: &[ContractInput],
    counts: RegisteredCounts,
    rules: &RuleSettings,
    today: NaiveDate,
) -> ContractOverview {
    let RegisteredCounts {
        per_enclave: headcounts,
        total,
        mut per_maatwerkbedrijf,
        registered_days,
    } = counts;
    let mut rows: Vec<OverviewRow> = contracts
        .iter()
        .filter_map(|c| {
            let received = received(&c.contract).filter(|d| d.year() == year)?;
            let deadline = notification_deadline(c.contract.start_date, rules);
            Some(OverviewRow {
                contract_id: c.contract.id,
                reference: c.contract.reference.clone(),
                enclave_id: c.contract.enclave_id,
                maatwerkbedrijf: c.maatwerkbedrijf.clone(),
                host: c.host.clone(),
                host_type: c.host_type,
                activity: c.activity.trim().to_owned(),
                start: c.contract.start_date,
                end: c.contract.end_date,
                received,
                deadline,
                on_time: received <= deadline,
                status: c.contract.status,
                rejection_reason: c.contract.rejection_reason.clone(),
                headcount: headcounts
                    .get(&c.contract.enclave_id)
                    .copied()
                    .unwrap_or_default(),
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        (&a.maatwerkbedrijf, &a.host, a.start).cmp(&(&b.maatwerkbedrijf, &b.host, b.start))
    });
    let by_host_type = HostType::ALL
        .into_iter()
        .map(|host_type| {
            let of_type = || rows.iter().filter(move |r| r.host_type == host_type);
            HostTypeCount {
                host_type,
                contracts: of_type().count() as u32,
                rejected: of_type()
                    .filter(|r| r.status == ContractStatus::Rejected)
                    .count() as u32,
                late: of_type().filter(|r| !r.on_time).count() as u32,
            }
        })
        .collect();
    let rejected = rows
        .iter()
        .filter(|r| r.status == ContractStatus::Rejected)
        .count() as u32;
    let open_ended_running = rows
        .iter()
        .filter(|r| {
            r.end.is_none()
                && r.start <= today
                && !matches!(r.status, ContractStatus::Rejected | ContractStatus::Ended)
        })
        .count() as u32;
    let rejection_reasons = ranked(
        rows.iter()
            .filter(|r| r.status == ContractStatus::Rejected)
            .map(|r| r.rejection_reason.as_deref().unwrap_or("").trim()),
    )
    .into_iter()
    .map(|(reason, contracts)| ReasonCount { reason, contracts })
    .collect();
    let activities = HostType::ALL
        .into_iter()
        .filter_map(|host_type| {
            let of_type = rows.iter().filter(|r| r.host_type == host_type);
            let activities: Vec<ActivityCount> = ranked(of_type.map(|r| r.activity.as_str()))
                .into_iter()
                .map(|(activity, contracts)| ActivityCount {
                    activity,
                    contracts,
                })
                .collect();
            (!activities.is_empty()).then_some(HostTypeActivities {
                host_type,
                activities,
            })
        })
        .collect();
    per_maatwerkbedrijf.sort_by(|a, b| {
        (&a.maatwerkbedrijf, a.maatwerkbedrijf_id).cmp(&(&b.maatwerkbedrijf, b.maatwerkbedrijf_id))
    });
    ContractOverview {
        year,
        rows,
        by_host_type,
        rejected,
        open_ended_running,
        total,
        per_maatwerkbedrijf,
        rejection_reasons,
        activities,
        registered_days,
    }
}

/// Counts equal texts, most frequent first, then alphabetically (case and outer spaces
/// ignored for counting; the first spelling met is kept).
fn ranked<'a>(texts: impl Iterator<Item = &'a str>) -> Vec<(String, u32)> {
    let mut counts: Vec<(String, u32)> = Vec::new();
    for text in texts {
        let text = text.trim();
        match counts
            .iter_mut()
            .find(|(t, _)| t.to_lowercase() == text.to_lowercase())
        {
            Some((_, n)) => *n += 1,
            None => counts.push((text.to_owned(), 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
}

/// Headcount per maatwerkbedrijf in `year`, over all its enclaves, in any order.
fn per_maatwerkbedrijf(
    year: i32,
    registered: &[Registered],
    owners: &Owners,
) -> Vec<MaatwerkbedrijfHeadcount> {
    #[derive(Default)]
    struct Tally {
        enclaves: HashSet<Uuid>,
        workers: HashSet<Uuid>,
        supervisors: HashSet<Uuid>,
        days: HashSet<(NaiveDate, Uuid, MemberRole)>,
    }
    let mut tallies: HashMap<Uuid, Tally> = HashMap::new();
    for &(enclave, day, person, role) in registered.iter().filter(|r| r.1.year() == year) {
        let Some((mwb, _)) = owners.get(&enclave) else {
            continue;
        };
        let t = tallies.entry(*mwb).or_default();
        t.enclaves.insert(enclave);
        match role {
            MemberRole::Worker => t.workers.insert(person),
            MemberRole::Supervisor => t.supervisors.insert(person),
        };
        t.days.insert((day, person, role));
    }
    let names: HashMap<Uuid, &str> = owners
        .values()
        .map(|(id, name)| (*id, name.as_str()))
        .collect();
    tallies
        .into_iter()
        .map(|(id, t)| {
            let count = |role| t.days.iter().filter(|(_, _, r)| *r == role).count() as u32;
            MaatwerkbedrijfHeadcount {
                maatwerkbedrijf_id: id,
                maatwerkbedrijf: names.get(&id).copied().unwrap_or_default().to_owned(),
                enclaves: t.enclaves.len() as u32,
                headcount: Headcount {
                    workers: t.workers.len() as u32,
                    supervisors: t.supervisors.len() as u32,
                    worker_days: count(MemberRole::Worker),
                    supervisor_days: count(MemberRole::Supervisor),
                },
            }
        })
        .collect()
}

/// Headcount per enclave in `year`.
fn headcounts(year: i32, registered: &[Registered]) -> HashMap<Uuid, Headcount> {
    let mut people: HashMap<Uuid, (HashSet<Uuid>, HashSet<Uuid>)> = HashMap::new();
    let mut days: HashMap<Uuid, HashSet<(NaiveDate, Uuid, MemberRole)>> = HashMap::new();
    for &(enclave, day, person, role) in registered.iter().filter(|r| r.1.year() == year) {
        let (workers, supervisors) = people.entry(enclave).or_default();
        match role {
            MemberRole::Worker => workers.insert(person),
            MemberRole::Supervisor => supervisors.insert(person),
        };
        days.entry(enclave).or_default().insert((day, person, role));
    }
    people
        .into_iter()
        .map(|(enclave, (workers, supervisors))| {
            let d = &days[&enclave];
            let count = |role| d.iter().filter(|(_, _, r)| *r == role).count() as u32;
            (
                enclave,
                Headcount {
                    workers: workers.len() as u32,
                    supervisors: supervisors.len() as u32,
                    worker_days: count(MemberRole::Worker),
                    supervisor_days: count(MemberRole::Supervisor),
                },
            )
        })
        .collect()
}

/// Headcount over `enclaves` together: a person in two enclaves counts once.
fn total_headcount(year: i32, registered: &[Registered], enclaves: &HashSet<Uuid>) -> Headcount {
    let mut workers = HashSet::new();
    let mut supervisors = HashSet::new();
    let mut days = HashSet::new();
    for &(enclave, day, person, role) in registered {
        if day.year() != year || !enclaves.contains(&enclave) {
            continue;
        }
        match role {
            MemberRole::Worker => workers.insert(person),
            MemberRole::Supervisor => supervisors.insert(person),
        };
        days.insert((enclave, day, person, role));
    }
    let count = |role| days.iter().filter(|(_, _, _, r)| *r == role).count() as u32;
    Headcount {
        workers: workers.len() as u32,
        supervisors: supervisors.len() as u32,
        worker_days: count(MemberRole::Worker),
        supervisor_days: count(MemberRole::Supervisor),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::contract::Regime;
    use crate::rules::time::from_belgian_local;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn contract(enclave: Uuid, start: &str, notified: &str, status: ContractStatus) -> Contract {
        Contract {
            id: Uuid::new_v4(),
            enclave_id: enclave,
            reference: format!("C-{start}"),
            start_date: date(start),
            end_date: None,
            notified_at: Some(from_belgian_local(
                date(notified).and_hms_opt(10, 0, 0).unwrap(),
            )),
            approved_at: None,
            regime: Regime::Notification,
            status,
            rejection_reason: (status == ContractStatus::Rejected)
                .then(|| "geen begeleider".into()),
            min_supervisors: 1,
        }
    }

    fn input(c: Contract, host_type: HostType) -> ContractInput {
        ContractInput {
            contract: c,
            maatwerkbedrijf: "MWB".into(),
            host: "Host".into(),
            host_type,
            activity: match host_type {
                HostType::Government => "groenonderhoud".into(),
                _ => "verpakking".into(),
            },
        }
    }

    #[test]
    fn counts_the_year_by_host_type_with_people() {
        let (e1, e2) = (Uuid::new_v4(), Uuid::new_v4());
        let contracts = vec![
            // Monday start, notified the Friday before: on time.
            input(
                contract(e1, "2019-03-11", "2019-03-08", ContractStatus::Notified),
                HostType::RegularCompany,
            ),
            // Notified on the start day: late.
            input(
                contract(e2, "2019-05-06", "2019-05-06", ContractStatus::Notified),
                HostType::Government,
            ),
            input(
                contract(e2, "2019-09-02", "2019-08-01", ContractStatus::Rejected),
                HostType::Government,
            ),
            // Received in 2018: not in the 2019 overview.
            input(
                contract(e1, "2019-01-07", "2018-12-20", ContractStatus::Notified),
                HostType::RegularCompany,
            ),
        ];
        let (w, s) = (Uuid::new_v4(), Uuid::new_v4());
        let registered = vec![
            (e1, date("2019-04-01"), w, MemberRole::Worker),
            (e1, date("2019-04-02"), w, MemberRole::Worker),
            (e1, date("2019-04-02"), s, MemberRole::Supervisor),
            (e2, date("2019-06-03"), s, MemberRole::Supervisor),
            (e1, date("2018-04-02"), Uuid::new_v4(), MemberRole::Worker),
        ];
        // e1 and e2 belong to one maatwerkbedrijf; e3 (another) has a registration only.
        let (mwb, other, e3) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let mut registered = registered;
        registered.push((e3, date("2019-06-03"), w, MemberRole::Worker));
        let owners: Owners = [
            (e1, (mwb, "Kouter".to_owned())),
            (e2, (mwb, "Kouter".to_owned())),
            (e3, (other, "Atelier".to_owned())),
        ]
        .into_iter()
        .collect();
        let o = contract_overview(
            2019,
            &contracts,
            &registered,
            &owners,
            &RuleSettings::default(),
            date("2026-11-23"),
        );
        assert_eq!(o.rows.len(), 3);
        let on_time: Vec<bool> = o.rows.iter().map(|r| r.on_time).collect();
        assert_eq!(on_time.iter().filter(|t| **t).count(), 2);
        let regular = &o.by_host_type[0];
        assert_eq!(
            (regular.host_type, regular.contracts, regular.late),
            (HostType::RegularCompany, 1, 0)
        );
        let gov = o
            .by_host_type
            .iter()
            .find(|c| c.host_type == HostType::Government)
            .unwrap();
        assert_eq!((gov.contracts, gov.rejected, gov.late), (2, 1, 1));
        assert_eq!(o.rejected, 1);
        assert_eq!(
            o.open_ended_running, 2,
            "the two open-ended ones not rejected"
        );
        let r1 = o.rows.iter().find(|r| r.enclave_id == e1).unwrap();
        assert_eq!(
            r1.headcount,
            Headcount {
                workers: 1,
                supervisors: 1,
                worker_days: 2,
                supervisor_days: 1
            }
        );
        // The supervisor works in both enclaves: once in the total.
        assert_eq!(
            o.total,
            Headcount {
                workers: 1,
                supervisors: 1,
                worker_days: 2,
                supervisor_days: 2
            }
        );
        // Per maatwerkbedrijf over all its enclaves, also those without a contract received
        // in the year; by name.
        assert_eq!(o.per_maatwerkbedrijf.len(), 2);
        let (atelier, kouter) = (&o.per_maatwerkbedrijf[0], &o.per_maatwerkbedrijf[1]);
        assert_eq!(
            (atelier.maatwerkbedrijf.as_str(), atelier.enclaves),
            ("Atelier", 1)
        );
        assert_eq!(atelier.headcount.workers, 1);
        assert_eq!(kouter.enclaves, 2);
        assert_eq!(kouter.headcount, o.total);
        // 5 distinct (enclave, day, person, role) registrations in 2019.
        assert_eq!(o.registered_days, 5);
        assert_eq!(
            o.rejection_reasons,
            vec![ReasonCount {
                reason: "geen begeleider".into(),
                contracts: 1
            }]
        );
        assert_eq!(r1.activity, "verpakking");
        let gov_activities = o
            .activities
            .iter()
            .find(|a| a.host_type == HostType::Government)
            .unwrap();
        assert_eq!(
            gov_activities.activities,
            vec![ActivityCount {
                activity: "groenonderhoud".into(),
                contracts: 2
            }]
        );
        assert_eq!(o.activities.len(), 2, "only host types with contracts");
    }

    #[test]
    fn reasons_are_counted_case_blind_most_frequent_first() {
        let counted = ranked(["Te laat", "geen begeleider", " te laat ", ""].into_iter());
        assert_eq!(
            counted,
            vec![
                ("Te laat".to_owned(), 2),
                (String::new(), 1),
                ("geen begeleider".to_owned(), 1)
            ]
        );
    }

    #[test]
    fn a_year_without_registrations_says_so() {
        let e = Uuid::new_v4();
        let contracts = vec![input(
            contract(e, "2019-03-11", "2019-03-08", ContractStatus::Notified),
            HostType::RegularCompany,
        )];
        let registered = vec![(e, date("2018-04-02"), Uuid::new_v4(), MemberRole::Worker)];
        let o = contract_overview(
            2019,
            &contracts,
            &registered,
            &Owners::new(),
            &RuleSettings::default(),
            date("2026-11-23"),
        );
        assert_eq!((o.registered_days, o.total.workers), (0, 0));
    }
}
