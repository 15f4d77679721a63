//! The lookup index: an in-memory read model of the enclave register (enclaves with their
//! maatwerkbedrijf, host and contracts) and of today's registrations, so a search and today's
//! enclave page cost no database read.
//!
//! The register is small (thousands of rows) and changes rarely; today's registrations arrive
//! in the morning, mostly by import; inspectors look them up constantly. The index checks the
//! fingerprints of both at most once per `max_age` and reloads what changed — also when
//! another server instance or an import changed it — so answers are never staler than
//! `max_age`. A writer on this instance calls [`EnclaveIndex::expire`], so its own next read
//! sees the change at once. A `max_age` of zero checks on every lookup.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use shared::dto::contract::Contract;
use shared::dto::enclave::{Checks, EnclaveSummary, Province};
use shared::dto::organisation::Organisation;
use shared::dto::registration::Registration;
use shared::rules::RuleSettings;
use shared::rules::contract_filed::check_contract_filed;
use shared::rules::daily_registration::check_daily_registration;
use shared::rules::geo::haversine_km;
use shared::rules::time::belgian_local;
use shared::search::WordIndex;

use crate::db::Db;
use crate::db::repo::enclaves::{
    self as repo, DayVersion, Register, RegisterVersion, RegistrationWithMembers,
};
use crate::db::rows::uuid;
use crate::error::AppError;

/// How to search.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchMode {
    /// Every enclave, by name.
    All,
    /// Normalised words that must each start a word of the search text.
    Text(Vec<String>),
    /// A 10-digit enterprise number of the host or the maatwerkbedrijf.
    EnterpriseNumber(String),
    /// A 10-digit establishment unit number (vestigingseenheidsnummer) of the site.
    EstablishmentUnit(String),
    /// Within `radius_km` of a position, nearest first.
    Near { lat: f64, lon: f64, radius_km: f64 },
}

/// Where the previous page ended: by sort key, or by distance for `Near`.
#[derive(Debug, Clone, PartialEq)]
pub enum After {
    Key { sort_key: String, id: String },
    Distance { km: f64, id: String },
}

/// A search.
#[derive(Debug, Clone)]
pub struct Search {
    pub mode: SearchMode,
    pub limit: usize,
    pub after: Option<After>,
    /// Restrict to these provinces (empty: all).
    pub provinces: Vec<Province>,
}

/// One enclave in the index, with everything of the register the enclave page shows.
#[derive(Debug, Clone)]
pub struct Entry {
    pub summary: EnclaveSummary,
    pub host: Organisation,
    pub maatwerkbedrijf: Organisation,
    /// Newest start first.
    pub contracts: Vec<Contract>,
    pub id: String,
    pub sort_key: String,
    /// Normalised text with a leading space, so `" word"` matches at a word's start.
    pub search_text: String,
    pub province: Province,
    /// Where the entry stands in its snapshot's order.
    pub position: usize,
}

/// An immutable view of the register; searches run on one snapshot.
#[derive(Debug, Default)]
pub struct Snapshot {
    version: RegisterVersion,
    /// Sorted by `(sort_key, id)`.
    entries: Vec<Entry>,
    /// Enterprise number (10 digits) → entries of enclaves whose host or maatwerkbedrijf has it.
    by_number: HashMap<String, Vec<usize>>,
    /// Establishment unit number (10 digits) → entries of enclaves at that site.
    by_unit: HashMap<String, Vec<usize>>,
    by_id: HashMap<String, usize>,
    /// The words of the entries' search texts, by position: the words starting with a
    /// prefix are one range (the device searches its working set with the same index).
    words: WordIndex,
}

impl Snapshot {
    /// Builds a snapshot from the register's rows.
    fn build(version: RegisterVersion, register: Register) -> Result<Self, AppError> {
        let orgs: HashMap<&str, _> = register
            .organisations
            .iter()
            .map(|o| (o.id.as_str(), o))
            .collect();
        let mut contracts: HashMap<&str, Vec<Contract>> = HashMap::new();
        for c in &register.contracts {
            contracts
                .entry(c.enclave_id.as_str())
                .or_default()
                .push(c.to_dto()?);
        }
        let mut entries = Vec::with_capacity(register.enclaves.len());
        let mut by_number: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_unit: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_id = HashMap::with_capacity(register.enclaves.len());
        for e in &register.enclaves {
            let host = orgs
                .get(e.host_id.as_str())
                .ok_or_else(|| AppError::internal("enclave without host"))?;
            let mwb = orgs
                .get(e.maatwerkbedrijf_id.as_str())
                .ok_or_else(|| AppError::internal("enclave without maatwerkbedrijf"))?;
            let i = entries.len();
            for number in [&host.enterprise_number, &mwb.enterprise_number]
                .into_iter()
                .flatten()
            {
                let list = by_number.entry(number.clone()).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
            if let Some(unit) = &e.establishment_unit_number {
                let digits: String = unit.chars().filter(char::is_ascii_digit).collect();
                by_unit.entry(digits).or_default().push(i);
            }
            by_id.insert(e.id.clone(), i);
            entries.push(Entry {
                summary: EnclaveSummary {
                    id: uuid(&e.id)?,
                    site: e.site()?,
                    latitude: e.latitude,
                    longitude: e.longitude,
                    activity: e.activity.clone(),
                    status: e.status()?,
                    maatwerkbedrijf: mwb.to_ref()?,
                    host: host.to_ref()?,
                    distance_km: None,
                    checks: None,
                    support_need: e.support_need()?,
                },
                host: host.to_dto()?,
                maatwerkbedrijf: mwb.to_dto()?,
                contracts: contracts.remove(e.id.as_str()).unwrap_or_default(),
                province: e.province()?,
                id: e.id.clone(),
                sort_key: e.sort_key.clone(),
                search_text: e.search_text.clone(),
                position: i,
            });
        }
        let words = WordIndex::build(entries.iter().map(|e| e.search_text.as_str()));
        Ok(Self {
            version,
            entries,
            by_number,
            by_unit,
            by_id,
            words,
        })
    }

    /// The register's fingerprint this snapshot was built from.
    pub fn version(&self) -> RegisterVersion {
        self.version
    }

    /// Every entry, sorted by `(sort_key, id)`.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry of the enclave `id`.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(id).map(|i| &self.entries[*i])
    }

    /// Runs a search; returns up to `limit + 1` hits (with the distance for `Near`) so the
    /// caller can tell whether more follow.
    pub fn search(&self, s: &Search) -> Vec<(&Entry, Option<f64>)> {
        let in_region = |e: &Entry| s.provinces.is_empty() || s.provinces.contains(&e.province);
        if let SearchMode::Near {
            lat,
            lon,
            radius_km,
        } = s.mode
        {
            let mut near: Vec<(&Entry, f64)> = self
                .entries
                .iter()
                .filter(|e| in_region(e))
                .map(|e| {
                    (
                        e,
                        haversine_km(lat, lon, e.summary.latitude, e.summary.longitude),
                    )
                })
                .filter(|(_, d)| *d <= radius_km)
                .filter(|(e, d)| match &s.after {
                    Some(After::Distance { km, id }) => (*d, &e.id) > (*km, id),
                    _ => true,
                })
                .collect();
            near.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.id.cmp(&b.0.id)));
            near.truncate(s.limit + 1);
            return near.into_iter().map(|(e, d)| (e, Some(d))).collect();
        }
        // Entries are sorted by (sort_key, id): start right after the cursor.
        let start = match &s.after {
            Some(After::Key { sort_key, id }) => self.entries.partition_point(|e| {
                (e.sort_key.as_str(), e.id.as_str()) <= (sort_key.as_str(), id.as_str())
            }),
            _ => 0,
        };
        let candidates: Box<dyn Iterator<Item = &Entry>> = match &s.mode {
            SearchMode::EnterpriseNumber(number) | SearchMode::EstablishmentUnit(number) => {
                Box::new(
                    match &s.mode {
                        SearchMode::EnterpriseNumber(_) => &self.by_number,
                        _ => &self.by_unit,
                    }
                    .get(number)
                    .into_iter()
                    .flatten()
                    .filter(move |i| **i >= start)
                    .map(|i| &self.entries[*i]),
                )
            }
            SearchMode::Text(words) => Box::new(
                self.words
                    .positions(words, start)
                    .map_while(|p| self.entries.get(p)),
            ),
            _ => Box::new(self.entries[start.min(self.entries.len())..].iter()),
        };
        candidates
            .filter(|e| in_region(e))
            .take(s.limit + 1)
            .map(|e| (e, None))
            .collect()
    }
}

/// The registrations of one work day by enclave, as the API shows them (at most one per
/// enclave and day).
#[derive(Debug, Default)]
pub struct DayRegistrations {
    /// `None` until loaded.
    version: Option<DayVersion>,
    by_enclave: HashMap<String, Registration>,
}

impl DayRegistrations {
    fn build(version: DayVersion, rows: Vec<RegistrationWithMembers>) -> Result<Self, AppError> {
        let by_enclave = rows
            .into_iter()
            .map(|(registration, members)| {
                Ok((
                    registration.enclave_id.clone(),
                    registration.to_dto(&members)?,
                ))
            })
            .collect::<Result<_, AppError>>()?;
        Ok(Self {
            version: Some(version),
            by_enclave,
        })
    }

    /// The work day these are the registrations of (`None` before the first load).
    pub fn day(&self) -> Option<NaiveDate> {
        self.version.map(|v| v.day)
    }

    /// The registration of the enclave `id` that day, if it has one.
    pub fn get(&self, enclave_id: &str) -> Option<&Registration> {
        self.by_enclave.get(enclave_id)
    }
}

/// Every enclave's search result for one day, as JSON, rendered once per change of the
/// register or of the day's registrations.
///
/// A search result carries checks 1 and 2 for today. Check 1 reads only the contracts, the
/// day and the rule settings; check 2 for today reads only the day's registration and the
/// date of "now" (a day after today is its only time-dependent case, and today is never after
/// itself), so both are the same all day long and a search only joins rendered results.
#[derive(Debug, Default)]
pub struct DayResults {
    day: Option<NaiveDate>,
    /// Per entry of the register's snapshot, in its order: the JSON of its summary up to and
    /// including `"distance_km":`, and what follows the distance.
    rendered: Vec<(String, String)>,
}

impl DayResults {
    /// Renders every entry's summary with its checks for `day`.
    fn build(
        register: &Snapshot,
        registrations: &DayRegistrations,
        rules: &RuleSettings,
    ) -> Result<Self, AppError> {
        let Some(day) = registrations.day() else {
            return Ok(Self::default());
        };
        // Check 2 reads only the date of "now" for a registration of today.
        let now = day.and_time(chrono::NaiveTime::MIN);
        const DISTANCE: &str = "\"distance_km\":";
        let rendered = register
            .entries
            .iter()
            .map(|e| {
                let summary = EnclaveSummary {
                    checks: Some(Checks {
                        contract_filed: check_contract_filed(&e.contracts, day, rules),
                        daily_registration: check_daily_registration(
                            registrations.get(&e.id),
                            day,
                            now,
                        ),
                    }),
                    ..e.summary.clone()
                };
                let json = serde_json::to_string(&summary)
                    .map_err(|e| AppError::internal(format!("search result: {e}")))?;
                // Strings are escaped, so the key is found only as the key; `null` is the
                // absent distance.
                let at = json
                    .find(DISTANCE)
                    .ok_or_else(|| AppError::internal("search result without distance"))?
                    + DISTANCE.len();
                let tail = json[at..]
                    .strip_prefix("null")
                    .ok_or_else(|| AppError::internal("search result with a distance"))?;
                Ok((json[..at].to_owned(), tail.to_owned()))
            })
            .collect::<Result<_, AppError>>()?;
        Ok(Self {
            day: Some(day),
            rendered,
        })
    }

    /// The day the checks are for (`None` before the first load).
    pub fn day(&self) -> Option<NaiveDate> {
        self.day
    }

    /// Appends the JSON of the summary of the entry at `position` with its checks
    /// and the distance from the searched position, exactly as serde would write it.
    pub fn write(&self, out: &mut Vec<u8>, position: usize, distance_km: Option<f64>) {
        let (head, tail) = &self.rendered[position];
        out.extend_from_slice(head.as_bytes());
        serde_json::to_writer(&mut *out, &distance_km).expect("a number or null writes to memory");
        out.extend_from_slice(tail.as_bytes());
    }
}

/// What a lookup reads: the register and the registrations of the day asked for, each no
/// older than the index's `max_age`, and the day's search results rendered from both.
#[derive(Debug, Clone, Default)]
pub struct Lookup {
    pub register: Arc<Snapshot>,
    pub registrations: Arc<DayRegistrations>,
    pub results: Arc<DayResults>,
}

/// The shared, self-refreshing index.
pub struct EnclaveIndex {
    loaded: RwLock<Lookup>,
    /// When the fingerprints were last compared; held while refreshing so one request does it.
    checked: tokio::sync::Mutex<Option<Instant>>,
    /// Milliseconds since `epoch` of the last comparison (`u64::MAX`: expired): the lock-free
    /// fast path.
    checked_ms: AtomicU64,
    /// Counts [`Self::expire`] calls: a comparison that began before one does not count.
    expirations: AtomicU64,
    epoch: Instant,
    max_age: Duration,
    /// The settings of check 1 in the rendered search results.
    rules: RuleSettings,
}

impl EnclaveIndex {
    /// An empty index that loads on first use; search results carry check 1 under `rules`.
    pub fn new(max_age: Duration, rules: RuleSettings) -> Self {
        Self {
            loaded: RwLock::new(Lookup::default()),
            checked: tokio::sync::Mutex::new(None),
            checked_ms: AtomicU64::new(u64::MAX),
            expirations: AtomicU64::new(0),
            epoch: Instant::now(),
            max_age,
            rules,
        }
    }

    fn current(&self) -> Lookup {
        self.loaded
            .read()
            .map(|l| l.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// A snapshot of the register no older than `max_age`.
    pub async fn snapshot(&self, db: &Db) -> Result<Arc<Snapshot>, AppError> {
        let today = belgian_local(Utc::now()).date();
        Ok(self.lookup(db, today).await?.register)
    }

    /// The register and the registrations of `day` (today, as the caller reckons it), each
    /// no older than `max_age`.
    pub async fn lookup(&self, db: &Db, day: NaiveDate) -> Result<Lookup, AppError> {
        let last = self.checked_ms.load(Ordering::SeqCst);
        if last != u64::MAX && self.millis().saturating_sub(last) < self.max_age.as_millis() as u64
        {
            let current = self.current();
            if current.registrations.day() == Some(day) {
                return Ok(current);
            }
        }
        let mut checked = self.checked.lock().await;
        let expired = self.checked_ms.load(Ordering::SeqCst) == u64::MAX;
        let current = self.current();
        if !expired
            && checked.is_some_and(|at| at.elapsed() < self.max_age)
            && current.registrations.day() == Some(day)
        {
            return Ok(current);
        }
        let expirations = self.expirations.load(Ordering::SeqCst);
        let known = (current.register.version, current.registrations.version);
        let (register, registrations) = db
            .run(move |conn| {
                // Fingerprints before contents: a change in between reloads once more.
                let version = repo::register_version(conn)?;
                let day_version = repo::day_version(conn, day)?;
                let register = if version == known.0 && known.0 != RegisterVersion::default() {
                    None
                } else {
                    Some(Snapshot::build(version, repo::register(conn)?)?)
                };
                let registrations = if Some(day_version) == known.1 {
                    None
                } else {
                    let rows = repo::registrations_between(conn, day, day)?;
                    Some(DayRegistrations::build(day_version, rows)?)
                };
                Ok((register, registrations))
            })
            .await?;
        if register.is_some() || registrations.is_some() {
            if let Some(register) = &register {
                tracing::info!(enclaves = register.entries.len(), "lookup index loaded");
            }
            if let Some(registrations) = &registrations {
                tracing::debug!(
                    %day,
                    registrations = registrations.by_enclave.len(),
                    "registrations of the day loaded"
                );
            }
            // Render the day's results before taking the lock, so lookups do not wait.
            let register = register.map_or(current.register, Arc::new);
            let registrations = registrations.map_or(current.registrations, Arc::new);
            let results = Arc::new(DayResults::build(&register, &registrations, &self.rules)?);
            let mut loaded = match self.loaded.write() {
                Ok(l) => l,
                Err(p) => p.into_inner(),
            };
            *loaded = Lookup {
                register,
                registrations,
                results,
            };
        }
        *checked = Some(Instant::now());
        self.checked_ms.store(self.millis(), Ordering::SeqCst);
        if self.expirations.load(Ordering::SeqCst) != expirations {
            // Expired while comparing: the change may not have been seen.
            self.checked_ms.store(u64::MAX, Ordering::SeqCst);
        }
        Ok(self.current())
    }

    /// Makes the next lookup compare the fingerprints again: called after this instance
    /// changed the register or added registrations, so its own next read sees the change.
    pub fn expire(&self) {
        self.expirations.fetch_add(1, Ordering::SeqCst);
        self.checked_ms.store(u64::MAX, Ordering::SeqCst);
    }

    fn millis(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX - 1)
    }
}
