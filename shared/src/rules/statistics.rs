//! Inspection statistics of a year: per month, per maatwerkbedrijf and per host type, the
//! share of inspections failing each check, and the figures of the inspectorate's yearly
//! report. Pure: the server loads the inspections, this counts.
//!
//! The counting has two steps: an [`InspectionTally`] holds the inspections counted in groups
//! (per month, per enclave visited, per measure), and [`statistics`] turns it into the
//! report. The server has the database count the groups; [`tally`] (and
//! [`inspection_statistics`], which uses it) states the same counting over single
//! inspections, and is what the database's figures are tested against.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use crate::dto::inspection::Measure;
use crate::dto::report::{
    CheckCounts, FollowUpFigures, HostType, HostTypeCounts, InspectionStatistics,
    MaatwerkbedrijfCounts, MeasureCount, MonthCounts, YearFigures,
};
use crate::dto::review::ReviewState;
use crate::rules::follow_up::Outcome;
use crate::rules::verdict::VerdictStatus;

/// One submitted inspection, as much as the statistics need.
#[derive(Debug, Clone)]
pub struct InspectionFact {
    pub on: NaiveDate,
    pub maatwerkbedrijf_id: Uuid,
    pub maatwerkbedrijf: String,
    pub host_id: Uuid,
    pub host_type: HostType,
    /// Contract filed, daily registration, supervisor present: the statuses that count
    /// (overrides included).
    pub checks: [VerdictStatus; 3],
    pub measure: Measure,
    pub review_state: ReviewState,
    pub workers_present: u32,
    pub supervisors_present: u32,
    pub unregistered: u32,
    /// What it found of the inspection it follows up, if it is a follow-up.
    pub follow_up: Option<Outcome>,
}

impl CheckCounts {
    /// Counts one inspection.
    fn add(&mut self, f: &InspectionFact) {
        let failed = f.checks.map(|c| u32::from(c == VerdictStatus::Fail));
        self.inspections += 1;
        self.contract_filed_failed += failed[0];
        self.daily_registration_failed += failed[1];
        self.supervisor_present_failed += failed[2];
        self.any_failed += u32::from(failed.contains(&1));
    }

    /// Adds counts of other inspections.
    pub fn merge(&mut self, other: &CheckCounts) {
        self.inspections += other.inspections;
        self.contract_filed_failed += other.contract_filed_failed;
        self.daily_registration_failed += other.daily_registration_failed;
        self.supervisor_present_failed += other.supervisor_present_failed;
        self.any_failed += other.any_failed;
    }
}

/// Where inspections took place: an enclave's maatwerkbedrijf and host.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Visited {
    pub maatwerkbedrijf_id: Uuid,
    pub maatwerkbedrijf: String,
    pub host_id: Uuid,
    pub host_type: HostType,
}

/// A year's inspections counted in groups: what the statistics are made of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectionTally {
    /// Per month, January first.
    pub months: [CheckCounts; 12],
    /// Per place visited (one place may appear more than once: its counts add up).
    pub visits: Vec<(Visited, CheckCounts)>,
    /// Target-group workers and supervisors present, and unregistered people found, summed
    /// over the inspections.
    pub workers_present: u32,
    pub supervisors_present: u32,
    pub unregistered: u32,
    /// Per measure: how often it was proposed, and how often taken (the inspection approved).
    pub measures: HashMap<Measure, (u32, u32)>,
    /// What the follow-up inspections found.
    pub follow_ups: FollowUpFigures,
}

/// Counts the inspections of `year` in `facts` (those of other years are ignored).
pub fn tally(year: i32, facts: &[InspectionFact]) -> InspectionTally {
    let mut t = InspectionTally::default();
    let mut visits: HashMap<Visited, CheckCounts> = HashMap::new();
    for f in facts.iter().filter(|f| f.on.year() == year) {
        t.months[f.on.month0() as usize].add(f);
        visits
            .entry(Visited {
                maatwerkbedrijf_id: f.maatwerkbedrijf_id,
                maatwerkbedrijf: f.maatwerkbedrijf.clone(),
                host_id: f.host_id,
                host_type: f.host_type,
            })
            .or_default()
            .add(f);
        t.workers_present += f.workers_present;
        t.supervisors_present += f.supervisors_present;
        t.unregistered += f.unregistered;
        let (proposed, taken) = t.measures.entry(f.measure).or_default();
        *proposed += 1;
        *taken += u32::from(f.review_state == ReviewState::Approved);
        if let Some(outcome) = f.follow_up {
            t.follow_ups.add(outcome);
        }
    }
    t.visits = visits.into_iter().collect();
    t
}

/// The statistics of `year` over `facts` (inspections of other years are ignored).
pub fn inspection_statistics(year: i32, facts: &[InspectionFact]) -> InspectionStatistics {
    statistics(year, &tally(year, facts))
}

/// The statistics of `year` from its inspections counted in groups.
pub fn statistics(year: i32, tally: &InspectionTally) -> InspectionStatistics {
    let mut total = CheckCounts::default();
    for month in &tally.months {
        total.merge(month);
    }
    let mut per_mwb: HashMap<Uuid, (String, CheckCounts)> = HashMap::new();
    let mut per_type: HashMap<HostType, CheckCounts> = HashMap::new();
    let mut hosts = HashSet::new();
    for (visited, counts) in &tally.visits {
        per_mwb
            .entry(visited.maatwerkbedrijf_id)
            .or_insert_with(|| (visited.maatwerkbedrijf.clone(), CheckCounts::default()))
            .1
            .merge(counts);
        per_type.entry(visited.host_type).or_default().merge(counts);
        hosts.insert(visited.host_id);
    }
    let employers_visited = per_mwb.len() as u32;
    let mut per_maatwerkbedrijf: Vec<MaatwerkbedrijfCounts> = per_mwb
        .into_iter()
        .map(|(id, (name, counts))| MaatwerkbedrijfCounts {
            maatwerkbedrijf_id: id,
            maatwerkbedrijf: name,
            counts,
        })
        .collect();
    per_maatwerkbedrijf.sort_by(|a, b| {
        (
            b.counts.inspections,
            &a.maatwerkbedrijf,
            a.maatwerkbedrijf_id,
        )
            .cmp(&(
                a.counts.inspections,
                &b.maatwerkbedrijf,
                b.maatwerkbedrijf_id,
            ))
    });
    InspectionStatistics {
        year,
        total,
        per_month: (1..=12)
            .zip(tally.months)
            .map(|(month, counts)| MonthCounts { month, counts })
            .collect(),
        per_maatwerkbedrijf,
        per_host_type: HostType::ALL
            .into_iter()
            .map(|host_type| HostTypeCounts {
                host_type,
                counts: per_type.get(&host_type).copied().unwrap_or_default(),
            })
            .collect(),
        figures: YearFigures {
            controls: total.inspections,
            employers_visited,
            hosts_visited: hosts.len() as u32,
            workers_checked: tally.workers_present,
            supervisors_checked: tally.supervisors_present,
            unregistered_found: tally.unregistered,
            measures: Measure::ALL
                .into_iter()
                .map(|measure| {
                    let (proposed, taken) =
                        tally.measures.get(&measure).copied().unwrap_or_default();
                    MeasureCount {
                        measure,
                        proposed,
                        taken,
                    }
                })
                .collect(),
            follow_ups: tally.follow_ups,
        },
    }
}

/// A share as a whole percentage, `0` of nothing.
pub fn percent(part: u32, whole: u32) -> u32 {
    if whole == 0 {
        0
    } else {
        ((f64::from(part) * 100.0) / f64::from(whole)).round() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use VerdictStatus::{Fail, Pass, Unknown};

    fn fact(on: &str, mwb: u128, host: u128, checks: [VerdictStatus; 3]) -> InspectionFact {
        InspectionFact {
            on: NaiveDate::parse_from_str(on, "%Y-%m-%d").unwrap(),
            maatwerkbedrijf_id: Uuid::from_u128(mwb),
            maatwerkbedrijf: format!("MWB {mwb}"),
            host_id: Uuid::from_u128(host),
            host_type: if host.is_multiple_of(2) {
                HostType::RegularCompany
            } else {
                HostType::Government
            },
            checks,
            measure: Measure::Advice,
            review_state: ReviewState::Submitted,
            workers_present: 4,
            supervisors_present: 1,
            unregistered: 0,
            follow_up: None,
        }
    }

    #[test]
    fn counts_months_groups_and_failing_checks() {
        let mut report = fact("2025-03-02", 1, 10, [Pass, Fail, Fail]);
        report.measure = Measure::ReportProposed;
        report.review_state = ReviewState::Approved;
        report.unregistered = 2;
        let mut remedied = fact("2025-04-01", 1, 10, [Pass, Pass, Pass]);
        remedied.follow_up = Some(Outcome {
            remedied: 2,
            not_remedied: 0,
        });
        let mut not_remedied = fact("2025-04-02", 1, 10, [Pass, Fail, Pass]);
        not_remedied.follow_up = Some(Outcome {
            remedied: 1,
            not_remedied: 2,
        });
        let facts = vec![
            remedied,
            not_remedied,
            fact("2025-01-15", 1, 10, [Pass, Pass, Pass]),
            fact("2025-01-20", 2, 11, [Fail, Pass, Unknown]),
            report,
            // Another year: ignored.
            fact("2024-12-31", 1, 12, [Fail, Fail, Fail]),
        ];
        let s = inspection_statistics(2025, &facts);
        assert_eq!(
            s.figures.follow_ups,
            FollowUpFigures {
                remedied: 1,
                not_remedied: 1,
                shortcomings_remedied: 3,
                shortcomings_not_remedied: 2,
            }
        );
        let facts = &facts[2..];
        let s = inspection_statistics(2025, facts);
        assert_eq!(s.figures.follow_ups, FollowUpFigures::default());
        assert_eq!(s.total.inspections, 3);
        assert_eq!(s.total.contract_filed_failed, 1);
        assert_eq!(s.total.daily_registration_failed, 1);
        assert_eq!(s.total.supervisor_present_failed, 1);
        assert_eq!(s.total.any_failed, 2);
        assert_eq!(s.per_month.len(), 12);
        assert_eq!(s.per_month[0].counts.inspections, 2);
        assert_eq!(s.per_month[2].counts.any_failed, 1);
        assert_eq!(s.per_month[11].counts.inspections, 0);
        // MWB 1 has two inspections and comes first.
        assert_eq!(s.per_maatwerkbedrijf[0].maatwerkbedrijf, "MWB 1");
        assert_eq!(s.per_maatwerkbedrijf[0].counts.inspections, 2);
        assert_eq!(s.per_maatwerkbedrijf.len(), 2);
        let regular = &s.per_host_type[0];
        assert_eq!(regular.host_type, HostType::RegularCompany);
        assert_eq!(regular.counts.inspections, 2);
        assert_eq!(s.per_host_type[3].counts.inspections, 1);
        assert_eq!(s.figures.controls, 3);
        assert_eq!(s.figures.employers_visited, 2);
        assert_eq!(s.figures.hosts_visited, 2);
        assert_eq!(s.figures.workers_checked, 12);
        assert_eq!(s.figures.supervisors_checked, 3);
        assert_eq!(s.figures.unregistered_found, 2);
        let report = &s.figures.measures[3];
        assert_eq!((report.proposed, report.taken), (1, 1));
        let advice = &s.figures.measures[0];
        assert_eq!((advice.proposed, advice.taken), (2, 0));
    }

    #[test]
    fn an_empty_year_has_twelve_empty_months() {
        let s = inspection_statistics(2030, &[]);
        assert_eq!(s.per_month.len(), 12);
        assert_eq!(s.total, CheckCounts::default());
        assert!(s.per_maatwerkbedrijf.is_empty());
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(0, 0), 0);
    }
}
