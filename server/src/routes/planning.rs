//! `GET /api/planning`: the enclaves to inspect first. The facts the risk planning weighs
//! ([`PlanningInput`]) come from the register index (contracts, check 1) and one read of the
//! database: the registrations of the window (all of Flanders, for floating supervisors), the
//! inspections of the history with their corrections, and each enclave's last inspection.
//! `shared::rules::planning::rank` scores and orders them. `GET /api/planning/facts` answers
//! the same facts unscored, for the tablet to rank offline with the same rule.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use shared::dto::auth::Role;
use shared::dto::contract::{Contract, ContractStatus};
use shared::dto::enclave::EnclaveStatus;
use shared::dto::enclave::Province;
use shared::dto::inspection::{Conclusion, Measure, corrected_conclusion};
use shared::dto::planning::{PlannedVisit, PlanningAnswer, PlanningFacts};
use shared::dto::query::PlanningQuery;
use shared::dto::registration::{MemberRole, Registration};
use shared::rules::daily_registration::registered_after_start;
use shared::rules::time::belgian_local;
use shared::rules::{
    Notification, PlanningInput, PlanningSettings, RuleSettings, TeamSize, check_contract_filed,
    floating_supervisors, rank,
};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::db::DbConnection;
use crate::db::repo::enclaves as register;
use crate::db::repo::inspections as repo;
use crate::db::rows::{failed_checks, uuid};
use crate::error::AppError;
use crate::index::{Entry, Snapshot};
use crate::state::AppState;

/// Enclaves answered when `limit` is not given.
const DEFAULT_LIMIT: usize = 50;
/// The largest `limit`.
const MAX_LIMIT: usize = 200;

/// The active enclaves of the user's region (an inspector's provinces; all of Flanders for
/// reviewers and admins), or of one province of it, highest planning score first.
#[utoipa::path(get, path = "/api/planning", tag = "planning", params(PlanningQuery),
    security(("bearer" = [])),
    responses((status = 200, body = PlanningAnswer), (status = 400, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError), (status = 429, body = shared::error::ApiError)))]
pub async fn planning(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<PlanningQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Inspector, Role::Reviewer, Role::Admin])?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::bad_request(
            "limit moet tussen 1 en 200 liggen.",
            "limit must be between 1 and 200.",
        ));
    }
    if query.province.is_some_and(|p| !user.covers(p)) {
        return Err(AppError::forbidden());
    }

    let _turn = state.heavy.turn(&user.id).await?;
    let region = Region::read(&user, &state, query.province).await?;
    let (today, settings, inputs, snapshot) =
        (region.on, region.settings, region.inputs, region.snapshot);
    let items = rank(&inputs, &settings, today, limit)
        .into_iter()
        .filter_map(|ranked| {
            let e = snapshot.get(&ranked.enclave_id.to_string())?;
            Some(PlannedVisit {
                enclave_id: ranked.enclave_id,
                score: ranked.score,
                reasons: ranked.reasons,
                site: e.summary.site.clone(),
                host_name: e.host.name.clone(),
                maatwerkbedrijf_name: e.maatwerkbedrijf.name.clone(),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(PlanningAnswer {
        items,
        on: today,
        rule_version: settings.version_tag(),
    }))
}

/// What the planning weighs for every active enclave of the user's region, with no score,
/// for the tablet to rank offline with the same rule: the region's [`PlanningFacts`] today.
#[utoipa::path(get, path = "/api/planning/facts", tag = "planning",
    security(("bearer" = [])),
    responses((status = 200, body = PlanningFacts), (status = 403, body = shared::error::ApiError), (status = 429, body = shared::error::ApiError)))]
pub async fn facts(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Inspector, Role::Reviewer, Role::Admin])?;
    let _turn = state.heavy.turn(&user.id).await?;
    let region = Region::read(&user, &state, None).await?;
    Ok(HttpResponse::Ok().json(PlanningFacts {
        on: region.on,
        settings: region.settings,
        inputs: region.inputs,
    }))
}

/// The planning's facts about the active enclaves of a user's region (or one province of it)
/// today, and the register they were read with.
struct Region {
    on: NaiveDate,
    settings: PlanningSettings,
    inputs: Vec<PlanningInput>,
    snapshot: Arc<Snapshot>,
}

impl Region {
    async fn read(
        user: &AuthUser,
        state: &AppState,
        province: Option<Province>,
    ) -> Result<Self, AppError> {
        let today = belgian_local(Utc::now()).date();
        let settings = PlanningSettings {
            calendar: state.config.rules.calendar,
            norm: state.config.rules.norm,
            ..state.config.planning
        };
        let window = settings.registration_window(today);
        let since = settings.history_since(today);
        let facts = {
            let window = window.clone();
            state
                .db
                .run(move |conn| Facts::load(conn, &window, since))
                .await?
        };
        let snapshot = state.index.snapshot(&state.db).await?;
        let inputs = snapshot
            .entries()
            .iter()
            .filter(|e| e.summary.status == EnclaveStatus::Active && user.covers(e.province))
            .filter(|e| province.is_none_or(|p| p == e.province))
            .map(|e| facts.input(e, today, &window, &state.config.rules))
            .collect();
        Ok(Self {
            on: today,
            settings,
            inputs,
            snapshot,
        })
    }
}

/// What the database says about every enclave, read at once.
struct Facts {
    /// The window's registrations, by enclave.
    registrations: HashMap<Uuid, Vec<Registration>>,
    /// The days of the window on which a supervisor of the enclave was also registered as a
    /// supervisor of another enclave.
    floating: HashMap<Uuid, HashSet<NaiveDate>>,
    history: HashMap<Uuid, History>,
    last_inspection: HashMap<Uuid, NaiveDate>,
}

/// An enclave's inspections in the history, counted as [`PlanningInput`] counts them.
#[derive(Default)]
struct History {
    failed_checks: u32,
    warnings: u32,
    orders: u32,
    reports: u32,
    open_deadlines: Vec<NaiveDate>,
}

/// As much of a stored record as the planning reads.
#[derive(Deserialize)]
struct StoredConclusion {
    conclusion: Conclusion,
}

impl Facts {
    /// The registrations of the `window`'s days and the inspections from `since` on, with
    /// every enclave's last inspection: four queries.
    fn load(
        conn: &mut DbConnection,
        window: &[NaiveDate],
        since: NaiveDate,
    ) -> Result<Self, AppError> {
        let registrations = match (window.first(), window.last()) {
            (Some(&from), Some(&to)) => register::registrations_between(conn, from, to)?,
            _ => Vec::new(),
        };
        let days: HashSet<NaiveDate> = window.iter().copied().collect();
        let mut by_day: HashMap<NaiveDate, Vec<Registration>> = HashMap::new();
        for (row, members) in registrations {
            if days.contains(&row.work_date) {
                let registration = row.to_dto(&members)?;
                by_day
                    .entry(registration.work_date)
                    .or_default()
                    .push(registration);
            }
        }
        let mut floating: HashMap<Uuid, HashSet<NaiveDate>> = HashMap::new();
        let mut by_enclave: HashMap<Uuid, Vec<Registration>> = HashMap::new();
        for (day, same_day) in by_day {
            // Only a supervisor named in two registrations of the day can float: the rule
            // judges just the registrations naming one, not every registration against the
            // whole day.
            let mut named: HashMap<Uuid, u32> = HashMap::new();
            for m in same_day.iter().flat_map(|r| &r.members) {
                if m.role == MemberRole::Supervisor {
                    *named.entry(m.person_id).or_default() += 1;
                }
            }
            for registration in &same_day {
                let shared = registration
                    .members
                    .iter()
                    .filter(|m| m.role == MemberRole::Supervisor)
                    .any(|m| named.get(&m.person_id).is_some_and(|n| *n > 1));
                if shared && !floating_supervisors(registration, &same_day).is_empty() {
                    floating
                        .entry(registration.enclave_id)
                        .or_default()
                        .insert(day);
                }
            }
            for registration in same_day {
                by_enclave
                    .entry(registration.enclave_id)
                    .or_default()
                    .push(registration);
            }
        }

        let mut last_inspection = HashMap::new();
        for (enclave, day) in repo::last_inspections(conn)? {
            if let Some(day) = day {
                last_inspection.insert(uuid(&enclave)?, day);
            }
        }
        let mut corrections = repo::corrections_since(conn, since)?;
        let mut history: HashMap<Uuid, History> = HashMap::new();
        for row in repo::history_since(conn, since)? {
            let stored: StoredConclusion = serde_json::from_str(&row.record).map_err(|e| {
                AppError::internal(format!("stored inspection {} unreadable: {e}", row.id))
            })?;
            let conclusion = corrected_conclusion(
                &stored.conclusion,
                corrections.remove(&row.id).unwrap_or_default(),
            );
            let enclave = uuid(&row.enclave_id)?;
            let h = history.entry(enclave).or_default();
            h.failed_checks += failed_checks([
                &row.contract_filed,
                &row.daily_registration,
                &row.supervisor_present,
            ]);
            match conclusion.measure {
                Measure::Advice => {}
                Measure::Warning => h.warnings += 1,
                Measure::RegularisationOrder => h.orders += 1,
                Measure::ReportProposed => h.reports += 1,
            }
            let followed_up = last_inspection
                .get(&enclave)
                .is_some_and(|last| *last > row.on_date);
            if let Some(deadline) = conclusion.deadline
                && conclusion.measure.needs_deadline()
                && !followed_up
            {
                h.open_deadlines.push(deadline);
            }
        }
        Ok(Self {
            registrations: by_enclave,
            floating,
            history,
            last_inspection,
        })
    }

    /// The planning's facts about the enclave of `entry` on `today`.
    fn input(
        &self,
        entry: &Entry,
        today: NaiveDate,
        window: &[NaiveDate],
        rules: &RuleSettings,
    ) -> PlanningInput {
        let id = entry.summary.id;
        let verdict = check_contract_filed(&entry.contracts, today, rules);
        let contract_days: Vec<NaiveDate> = window
            .iter()
            .copied()
            .filter(|d| covering(&entry.contracts, *d).next().is_some())
            .collect();
        let own = self.registrations.get(&id).map_or(&[][..], Vec::as_slice);
        let registered: HashSet<NaiveDate> = own.iter().map(|r| r.work_date).collect();
        let history = self.history.get(&id);
        PlanningInput {
            enclave_id: id,
            contract_days: contract_days.len() as u32,
            unregistered_days: contract_days
                .iter()
                .filter(|d| !registered.contains(d))
                .count() as u32,
            late_registrations: own
                .iter()
                .filter(|r| registered_after_start(r, r.work_date))
                .count() as u32,
            unsupervised_registrations: own.iter().filter(|r| team_size(r).supervisors == 0).count()
                as u32,
            floating_days: self.floating.get(&id).map_or(0, |days| days.len() as u32),
            busiest_team: own.iter().map(team_size).fold(None, busier),
            support_need: entry.summary.support_need,
            notification: Notification::from_verdict(&verdict),
            failed_checks: history.map_or(0, |h| h.failed_checks),
            warnings: history.map_or(0, |h| h.warnings),
            orders: history.map_or(0, |h| h.orders),
            reports: history.map_or(0, |h| h.reports),
            open_deadlines: history.map_or_else(Vec::new, |h| h.open_deadlines.clone()),
            last_inspection: self.last_inspection.get(&id).copied(),
            contract_start: covering(&entry.contracts, today)
                .map(|c| c.start_date)
                .max(),
        }
    }
}

/// The contracts among `contracts` that are not rejected and cover `day`.
fn covering(contracts: &[Contract], day: NaiveDate) -> impl Iterator<Item = &Contract> {
    contracts.iter().filter(move |c| {
        c.status != ContractStatus::Rejected
            && c.start_date <= day
            && c.end_date.is_none_or(|end| day <= end)
    })
}

/// Workers and supervisors of a registration, each person counted once.
fn team_size(registration: &Registration) -> TeamSize {
    let mut seen = HashSet::new();
    let mut team = TeamSize::default();
    for m in registration
        .members
        .iter()
        .filter(|m| seen.insert(m.person_id))
    {
        match m.role {
            MemberRole::Worker => team.workers += 1,
            MemberRole::Supervisor => team.supervisors += 1,
        }
    }
    team
}

/// The busier of `best` and `team` among teams with a supervisor: the most workers per
/// supervisor, ties the most workers.
fn busier(best: Option<TeamSize>, team: TeamSize) -> Option<TeamSize> {
    if team.supervisors == 0 {
        return best;
    }
    let Some(best) = best else {
        return Some(team);
    };
    let per = |a: TeamSize, b: TeamSize| u64::from(a.workers) * u64::from(b.supervisors);
    let busier = (per(team, best), team.workers) > (per(best, team), best.workers);
    Some(if busier { team } else { best })
}
