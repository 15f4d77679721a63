//! Realistic, deterministic demo data: about 120 maatwerkbedrijven, 800 hosts and 1,500
//! enclaves across Flemish municipalities, contracts since 2017 (open-ended, late, rejected,
//! unapproved), teams of workers and supervisors, and daily registrations for the last 30
//! working days with gaps, late ones and ones without a supervisor; and a year of inspections by
//! the demo inspector: the older ones reviewed (approved, some returned, reports notified or
//! overdue), the last two weeks' waiting in the review queue.
//!
//! The same seed and `today` always give the same data.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shared::dto::auth::Role;
use shared::dto::contract::{ContractStatus, Regime};
use shared::dto::enclave::{EnclaveStatus, Province};
use shared::dto::organisation::OrganisationKind;
use shared::dto::registration::MemberRole;
use shared::rules::calendar::{CalendarSettings, is_working_day};
use shared::rules::contract_filed::regime_for_start;
use shared::rules::enterprise_number::{EnterpriseNumber, EstablishmentUnitNumber};
use shared::rules::time::from_belgian_local;

use crate::auth::password;
use crate::db::repo::insert_chunks;
use crate::db::rows::*;
use crate::db::schema::*;
use crate::db::{Db, DbConnection, repo};
use crate::error::AppError;
use crate::search_text::{enclave_search_text, normalise};

/// The demo accounts: username, password, role.
pub const ACCOUNTS: [(&str, &str, Role); 3] = [
    ("inspector", "inspector-demo", Role::Inspector),
    ("reviewer", "reviewer-demo", Role::Reviewer),
    ("admin", "admin-demo", Role::Admin),
];

const SEED: u64 = 0x0E4C_1A7E_2026;
const MAATWERKBEDRIJVEN: usize = 120;
const HOSTS: usize = 800;
const ENCLAVES: usize = 1500;
const REGISTRATION_DAYS: usize = 30;
const INSPECTIONS: usize = 400;

/// Counts of what was loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSummary {
    pub maatwerkbedrijven: usize,
    pub hosts: usize,
    pub enclaves: usize,
    pub contracts: usize,
    pub registrations: usize,
    pub inspections: usize,
}

/// All generated rows.
pub struct DemoData {
    pub organisations: Vec<OrganisationRow>,
    pub enclaves: Vec<EnclaveRow>,
    pub contracts: Vec<ContractRow>,
    pub people: Vec<PersonRow>,
    pub registrations: Vec<RegistrationRow>,
    pub members: Vec<RegistrationMemberRow>,
}

/// Why `serve --demo` leaves a database alone.
const NOT_A_DEMO_DATABASE: &str = "this database holds accounts or register data that \
    `serve --demo` did not put there: demo accounts (with their published passwords) are only \
    created in an empty database or one seeded by `serve --demo`. Start without --demo, or point \
    DATABASE_URL at an empty database for a demo";

/// Loads the demo data and the demo accounts into an empty database, or one `serve --demo`
/// seeded before (marked in its settings); refuses any other database, so demo accounts never
/// reach real data. Returns `None` when the demo data were there already.
pub fn load_if_empty(db: &Db, today: NaiveDate) -> Result<Option<DemoSummary>, AppError> {
    let mut conn = db.get()?;
    conn.transaction(|c| {
        if !repo::settings::demo_seeded(c)? {
            let users: i64 = users::table.count().get_result(c)?;
            let organisations: i64 = organisations::table.count().get_result(c)?;
            if users > 0 || organisations > 0 {
                return Err(AppError::new(
                    shared::error::ErrorCode::Conflict,
                    "deze databank bevat accounts of registergegevens die `serve --demo` er niet \
                     in zette: demo-accounts komen alleen in een lege databank of een die \
                     `serve --demo` zelf vulde",
                    NOT_A_DEMO_DATABASE,
                ));
            }
            repo::settings::mark_demo_seeded(c, repo::now())?;
        }
        ensure_accounts(c)
    })?;
    let existing: i64 = organisations::table.count().get_result(&mut *conn)?;
    if existing > 0 {
        return Ok(None);
    }
    let data = generate(today);
    let summary = DemoSummary {
        maatwerkbedrijven: data
            .organisations
            .iter()
            .filter(|o| o.kind == OrganisationKind::Maatwerkbedrijf.as_str())
            .count(),
        hosts: data
            .organisations
            .iter()
            .filter(|o| o.kind != OrganisationKind::Maatwerkbedrijf.as_str())
            .count(),
        enclaves: data.enclaves.len(),
        contracts: data.contracts.len(),
        registrations: data.registrations.len(),
        inspections: INSPECTIONS,
    };
    conn.transaction(|c| {
        insert(c, &data)?;
        insert_inspections(c, &data, today)
    })?;
    Ok(Some(summary))
}

/// The demo accounts that are active with their published password: a server without
/// `--demo` refuses to start while any exists.
pub fn live_demo_accounts(db: &Db) -> Result<Vec<&'static str>, AppError> {
    let mut conn = db.get()?;
    let mut live = Vec::new();
    for (username, pw, _) in ACCOUNTS {
        if let Some(user) = repo::users::by_username(&mut conn, username)?
            && user.active
            && password::verify(pw, &user.password_hash)
        {
            live.push(username);
        }
    }
    Ok(live)
}

fn ensure_accounts(conn: &mut DbConnection) -> Result<(), AppError> {
    for (username, pw, role) in ACCOUNTS {
        if repo::users::by_username(conn, username)?.is_none() {
            let hash = password::hash(pw).map_err(AppError::internal)?;
            let display = match role {
                Role::Inspector => "Inge Inspecteur",
                Role::Reviewer => "Rik Reviewer",
                Role::Admin => "Ann Admin",
            };
            repo::users::insert(conn, username, display, role, &hash, &[])?;
        }
    }
    Ok(())
}

/// Inserts generated rows in chunks that stay under both backends' bind-parameter limits.
pub fn insert(conn: &mut DbConnection, d: &DemoData) -> Result<(), AppError> {
    insert_chunks!(conn, organisations::table, d.organisations, 1000)?;
    insert_chunks!(conn, enclaves::table, d.enclaves, 1000)?;
    insert_chunks!(conn, contracts::table, d.contracts, 1000)?;
    repo::registrations::insert(conn, &d.people, &d.registrations, &d.members)?;
    Ok(())
}

/// Flemish municipalities: name, postcode, latitude, longitude of the centre.
const MUNICIPALITIES: &[(&str, &str, f64, f64)] = &[
    ("Antwerpen", "2000", 51.2194, 4.4025),
    ("Gent", "9000", 51.0543, 3.7174),
    ("Brugge", "8000", 51.2093, 3.2247),
    ("Leuven", "3000", 50.8798, 4.7005),
    ("Mechelen", "2800", 51.0259, 4.4776),
    ("Aalst", "9300", 50.9378, 4.0403),
    ("Kortrijk", "8500", 50.8280, 3.2649),
    ("Hasselt", "3500", 50.9307, 5.3325),
    ("Genk", "3600", 50.9650, 5.5008),
    ("Sint-Niklaas", "9100", 51.1650, 4.1437),
    ("Oostende", "8400", 51.2300, 2.9126),
    ("Roeselare", "8800", 50.9469, 3.1227),
    ("Turnhout", "2300", 51.3227, 4.9447),
    ("Geel", "2440", 51.1618, 4.9891),
    ("Mol", "2400", 51.1911, 5.1166),
    ("Lier", "2500", 51.1313, 4.5704),
    ("Herentals", "2200", 51.1766, 4.8363),
    ("Dendermonde", "9200", 51.0284, 4.1010),
    ("Lokeren", "9160", 51.1036, 3.9930),
    ("Ninove", "9400", 50.8285, 4.0246),
    ("Oudenaarde", "9700", 50.8453, 3.6044),
    ("Ronse", "9600", 50.7453, 3.6003),
    ("Eeklo", "9900", 51.1857, 3.5650),
    ("Waregem", "8790", 50.8893, 3.4247),
    ("Ieper", "8900", 50.8503, 2.8850),
    ("Poperinge", "8970", 50.8550, 2.7260),
    ("Tielt", "8700", 50.9990, 3.3267),
    ("Torhout", "8820", 51.0650, 3.1000),
    ("Diksmuide", "8600", 51.0330, 2.8640),
    ("Menen", "8930", 50.7968, 3.1213),
    ("Vilvoorde", "1800", 50.9281, 4.4246),
    ("Halle", "1500", 50.7335, 4.2346),
    ("Zaventem", "1930", 50.8837, 4.4728),
    ("Aarschot", "3200", 50.9870, 4.8366),
    ("Tienen", "3300", 50.8070, 4.9380),
    ("Diest", "3290", 50.9847, 5.0507),
    ("Sint-Truiden", "3800", 50.8167, 5.1867),
    ("Tongeren", "3700", 50.7806, 5.4645),
    ("Lommel", "3920", 51.2302, 5.3133),
    ("Beringen", "3580", 51.0493, 5.2260),
    ("Maasmechelen", "3630", 50.9650, 5.6945),
    ("Bilzen", "3740", 50.8728, 5.5181),
    ("Heist-op-den-Berg", "2220", 51.0750, 4.7280),
    ("Boom", "2850", 51.0880, 4.3660),
    ("Brasschaat", "2930", 51.2910, 4.4920),
    ("Schoten", "2900", 51.2520, 4.5020),
    ("Kapellen", "2950", 51.3140, 4.4340),
    ("Beveren", "9120", 51.2120, 4.2560),
    ("Temse", "9140", 51.1250, 4.2130),
    ("Wetteren", "9230", 51.0050, 3.8830),
    ("Zele", "9240", 51.0660, 4.0390),
    ("Deinze", "9800", 50.9820, 3.5300),
    ("Evergem", "9940", 51.1130, 3.7090),
    ("Asse", "1730", 50.9100, 4.1980),
    ("Grimbergen", "1850", 50.9340, 4.3720),
    ("Londerzeel", "1840", 51.0080, 4.3000),
    ("Izegem", "8870", 50.9140, 3.2130),
    ("Harelbeke", "8530", 50.8540, 3.3140),
    ("Wevelgem", "8560", 50.8090, 3.1830),
    ("Zonhoven", "3520", 50.9910, 5.3690),
    ("Houthalen-Helchteren", "3530", 51.0330, 5.3750),
    ("Pelt", "3900", 51.2140, 5.4190),
    ("Willebroek", "2830", 51.0600, 4.3600),
    ("Puurs-Sint-Amands", "2870", 51.0750, 4.2870),
    ("Zottegem", "9620", 50.8690, 3.8100),
    ("Geraardsbergen", "9500", 50.7730, 3.8820),
];

const STREETS: &[&str] = &[
    "Industrieweg",
    "Nijverheidsstraat",
    "Kerkstraat",
    "Stationsstraat",
    "Molenstraat",
    "Ambachtsweg",
    "Europalaan",
    "Zandstraat",
    "Hoogstraat",
    "Fabriekstraat",
    "Havenlaan",
    "Energielaan",
    "Toekomstlaan",
    "Kouterstraat",
    "Lindenlaan",
    "Brugstraat",
    "Dorpsstraat",
    "Schoolstraat",
    "Kapelstraat",
    "Rijksweg",
    "Steenweg",
    "Ringlaan",
    "Bedrijvenpark",
    "Zuiderlaan",
    "Noorderlaan",
    "Veldstraat",
    "Beekstraat",
    "Kanaaloever",
    "Spoorweglaan",
];

const MWB_NOUNS: &[&str] = &[
    "Kouter",
    "Linde",
    "Haven",
    "Brug",
    "Beuk",
    "Schakel",
    "Wegwijzer",
    "Ploeg",
    "Spil",
    "Sprong",
    "Molen",
    "Bron",
    "Smidse",
    "Vlinder",
    "Ambacht",
    "Eik",
    "Horizon",
    "Kompas",
    "Wissel",
    "Poort",
    "Dijk",
    "Kring",
    "Stroom",
    "Vonk",
    "Klaver",
    "Hefboom",
    "Anker",
    "Zonnebloem",
    "Raster",
    "Kiem",
];

const MWB_FORMS: &[&str] = &[
    "Maatwerkbedrijf De {n}",
    "Atelier De {n}",
    "Werkplaats {n}",
    "{n} Maatwerk",
    "De {n} vzw",
    "Werkhuis {n}",
    "{n}werk",
];

const REGIONS: &[&str] = &[
    "Kempen",
    "Waasland",
    "Meetjesland",
    "Westhoek",
    "Pajottenland",
    "Hageland",
    "Limburg",
    "Leiestreek",
    "Vlaamse Ardennen",
    "Rivierenland",
    "Noorderkempen",
    "Dender",
    "Polders",
];

const SURNAMES: &[&str] = &[
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De Smet",
    "Dubois",
    "Hermans",
    "Aerts",
    "Vermeulen",
    "Van den Broeck",
    "Desmet",
    "Verhoeven",
    "Van Damme",
    "Martens",
    "De Backer",
    "Vandenberghe",
    "Lambrechts",
    "Declercq",
    "Coppens",
    "Smets",
    "Verbruggen",
    "Van Dyck",
    "De Vos",
    "Cools",
    "Segers",
];

const SECTORS: &[(&str, &str)] = &[
    ("Verpakking", "82.920"),
    ("Logistics", "52.100"),
    ("Voeding", "10.890"),
    ("Metaalbouw", "25.620"),
    ("Kunststoffen", "22.290"),
    ("Bouwmaterialen", "23.610"),
    ("Tuinbouw", "01.190"),
    ("Textiel", "13.990"),
    ("Houtbewerking", "16.230"),
    ("Elektrotechniek", "27.900"),
    ("Facility Services", "81.210"),
    ("Drukkerij", "18.120"),
    ("Recycling", "38.320"),
    ("Automotive Parts", "29.320"),
    ("Meubelmakerij", "31.090"),
];

const LEGAL_FORMS: &[&str] = &["NV", "BV", "BV", "NV", "CV"];

const ACTIVITIES: &[&str] = &[
    "verpakking en conditionering",
    "assemblage",
    "groenonderhoud",
    "schoonmaak",
    "logistiek en orderpicking",
    "kwaliteitscontrole",
    "sortering en recyclage",
    "keuken en catering",
    "textielbewerking",
    "metaalbewerking",
    "houtbewerking",
    "productie-ondersteuning",
    "wasserij",
    "labelen en etiketteren",
];

const SITE_NAMES: &[&str] = &[
    "Productiehal",
    "Magazijn",
    "Distributiecentrum",
    "Hoofdzetel",
    "Site",
    "Atelier",
    "Centrale keuken",
    "Werf",
    "Expeditie",
];

const FIRST_NAMES: &[&str] = &[
    "Jan", "Els", "Tom", "An", "Bart", "Sofie", "Kevin", "Lies", "Pieter", "Nathalie", "Wim",
    "Katrien", "Jens", "Sarah", "Dries", "Emma", "Youssef", "Fatima", "Koen", "Ilse", "Mohamed",
    "Eline", "Stijn", "Nele", "Jonas", "Hanne", "Lukas", "Amina", "Geert", "Marie",
];

const REJECTION_REASONS: &[&str] = &[
    "Geen begeleider voorzien in het contract",
    "Activiteit sluit niet aan bij de hoofdactiviteit van de ontvangende organisatie",
    "Contract niet ondertekend door beide partijen",
    "Onvolledig contract: aantal doelgroepwerknemers en begeleiding niet bepaald",
];

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn id(rng: &mut StdRng) -> String {
    uuid::Builder::from_random_bytes(rng.random())
        .into_uuid()
        .to_string()
}

fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    shared::rules::geo::haversine_km(a.0, a.1, b.0, b.1)
}

fn province_of(postcode: &str) -> Province {
    postcode
        .parse()
        .ok()
        .and_then(Province::from_postcode)
        .unwrap_or(Province::VlaamsBrabant)
}

fn local(date: NaiveDate, h: u32, m: u32) -> NaiveDateTime {
    from_belgian_local(date.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()))
        .naive_utc()
}

struct Org {
    row: OrganisationRow,
    municipality: usize,
}

/// Generates the demo data for `today`.
pub fn generate(today: NaiveDate) -> DemoData {
    let mut rng = StdRng::seed_from_u64(SEED);
    let created = local(today, 6, 0);
    let calendar = CalendarSettings::default();

    let org = |rng: &mut StdRng,
               kind: OrganisationKind,
               name: String,
               number_base: u32,
               nace: Option<&str>| {
        let m = rng.random_range(0..MUNICIPALITIES.len());
        let (municipality, postcode, _, _) = MUNICIPALITIES[m];
        Org {
            municipality: m,
            row: OrganisationRow {
                id: id(rng),
                kind: kind.as_str().into(),
                name,
                enterprise_number: EnterpriseNumber::from_base(number_base)
                    .map(|n| n.digits().to_owned()),
                street: format!("{} {}", pick(rng, STREETS), rng.random_range(1..220)),
                postcode: postcode.into(),
                municipality: municipality.into(),
                nace_code: nace.map(str::to_owned),
                created_at: created,
                updated_at: created,
            },
        }
    };

    // Maatwerkbedrijven, with unique names.
    let mut mwbs: Vec<Org> = Vec::with_capacity(MAATWERKBEDRIJVEN);
    let mut names = std::collections::HashSet::new();
    while mwbs.len() < MAATWERKBEDRIJVEN {
        let form = pick(&mut rng, MWB_FORMS);
        let noun: &str = MWB_NOUNS[rng.random_range(0..MWB_NOUNS.len())];
        let mut name = form.replace("{n}", noun);
        if rng.random_bool(0.5) {
            name = format!("{name} {}", pick(&mut rng, REGIONS));
        }
        if !names.insert(name.clone()) {
            continue;
        }
        let base = 4_100_000 + mwbs.len() as u32 * 13_337;
        mwbs.push(org(
            &mut rng,
            OrganisationKind::Maatwerkbedrijf,
            name,
            base,
            Some("88.999"),
        ));
    }

    // Hosts of every kind.
    let mut hosts: Vec<Org> = Vec::with_capacity(HOSTS);
    while hosts.len() < HOSTS {
        let i = hosts.len() as u32;
        let roll = rng.random_range(0..100);
        let (kind, name, nace) = if roll < 84 {
            let (sector, nace) = *pick(&mut rng, SECTORS);
            let name = format!(
                "{} {} {}",
                pick(&mut rng, SURNAMES),
                sector,
                pick(&mut rng, LEGAL_FORMS)
            );
            (OrganisationKind::RegularCompany, name, Some(nace))
        } else if roll < 89 {
            let name = format!("Beschutte Werkplaats {}", pick(&mut rng, MWB_NOUNS));
            (OrganisationKind::ShelteredWorkplace, name, Some("88.999"))
        } else if roll < 92 {
            let name = format!("Sociale Werkplaats {}", pick(&mut rng, MWB_NOUNS));
            (OrganisationKind::SocialWorkplace, name, Some("88.999"))
        } else if roll < 98 {
            (
                OrganisationKind::GovernmentBody,
                String::new(),
                Some("84.110"),
            )
        } else {
            let name = format!(
                "vzw {} {}",
                pick(&mut rng, MWB_NOUNS),
                pick(&mut rng, REGIONS)
            );
            (OrganisationKind::Other, name, Some("94.990"))
        };
        // Numbers starting with 1 exist since 2023: give some recent hosts one.
        let base = if i.is_multiple_of(9) {
            10_050_000 + i * 1_013
        } else {
            4_600_000 + i * 9_871
        };
        let mut o = org(&mut rng, kind, name, base, nace);
        if kind == OrganisationKind::GovernmentBody {
            let m = MUNICIPALITIES[o.municipality].0;
            o.row.name = match rng.random_range(0..4) {
                0 => format!("Stad {m}"),
                1 => format!("OCMW {m}"),
                2 => format!("Agentschap Natuur en Bos, beheerregio {m}"),
                _ => format!("De Vlaamse Waterweg, district {m}"),
            };
        }
        hosts.push(o);
    }

    // Enclaves: hosts near the maatwerkbedrijf's home.
    let mut enclaves = Vec::with_capacity(ENCLAVES);
    let mut contracts = Vec::new();
    let mut people = Vec::new();
    let mut registrations = Vec::new();
    let mut members = Vec::new();
    let mut person_seq = vec![0u32; mwbs.len()];
    let mut contract_seq = std::collections::HashMap::<i32, u32>::new();
    let working_days: Vec<NaiveDate> = {
        let mut days = Vec::new();
        let mut d = today;
        while days.len() < REGISTRATION_DAYS {
            if is_working_day(d, calendar) {
                days.push(d);
            }
            d = d.pred_opt().unwrap_or(d);
        }
        days.reverse();
        days
    };
    // Supervisors per maatwerkbedrijf, to make a few "floating" ones appear twice a day.
    let mut supervisors_of: Vec<Vec<String>> = vec![Vec::new(); mwbs.len()];

    for e in 0..ENCLAVES {
        let w = rng.random_range(0..mwbs.len());
        let home = MUNICIPALITIES[mwbs[w].municipality];
        let host = if rng.random_bool(0.07) {
            // Hosted by another maatwerkbedrijf.
            let mut other = rng.random_range(0..mwbs.len());
            if other == w {
                other = (other + 1) % mwbs.len();
            }
            &mwbs[other]
        } else {
            let mut best = rng.random_range(0..hosts.len());
            for _ in 0..12 {
                let c = rng.random_range(0..hosts.len());
                let hm = MUNICIPALITIES[hosts[c].municipality];
                if distance_km((home.2, home.3), (hm.2, hm.3)) < 35.0 {
                    best = c;
                    break;
                }
            }
            &hosts[best]
        };
        let (municipality, postcode, lat, lon) = MUNICIPALITIES[host.municipality];
        let site_name = format!("{} {}", pick(&mut rng, SITE_NAMES), municipality);
        let street = format!("{} {}", pick(&mut rng, STREETS), rng.random_range(1..300));
        let activity = pick(&mut rng, ACTIVITIES).to_string();
        let status = match rng.random_range(0..100) {
            0..85 => EnclaveStatus::Active,
            85..90 => EnclaveStatus::Suspended,
            _ => EnclaveStatus::Ended,
        };
        let enclave_id = id(&mut rng);
        let search_text = enclave_search_text(&[
            &host.row.name,
            &mwbs[w].row.name,
            &site_name,
            &street,
            postcode,
            municipality,
            &activity,
        ]);
        enclaves.push(EnclaveRow {
            id: enclave_id.clone(),
            maatwerkbedrijf_id: mwbs[w].row.id.clone(),
            host_id: host.row.id.clone(),
            sort_key: normalise(&format!("{} {}", host.row.name, site_name)),
            site_name,
            street,
            postcode: postcode.into(),
            municipality: municipality.into(),
            province: province_of(postcode).as_str().into(),
            latitude: lat + rng.random_range(-0.02..0.02),
            longitude: lon + rng.random_range(-0.03..0.03),
            establishment_unit_number: rng
                .random_bool(0.6)
                .then(|| EstablishmentUnitNumber::from_base(21_000_000 + e as u32 * 4_513))
                .flatten()
                .map(|n| n.digits().to_owned()),
            activity,
            status: status.as_str().into(),
            search_text,
            created_at: created,
            updated_at: created,
            // By position, not drawn: the rest of the demo data stays as it was. One in four
            // teams has no recorded need.
            support_need: [Some("low"), Some("medium"), Some("high"), None][e % 4]
                .map(str::to_owned),
        });

        // Contracts.
        let covers_today = enclave_contracts(
            &mut rng,
            &enclave_id,
            status,
            today,
            calendar,
            &mut contracts,
            &mut contract_seq,
            created,
        );

        // The team.
        let workers = rng.random_range(3..=10);
        let sups = if rng.random_bool(0.15) { 2 } else { 1 };
        let mut team = Vec::new();
        for k in 0..workers + sups {
            person_seq[w] += 1;
            let role = if k < sups {
                MemberRole::Supervisor
            } else {
                MemberRole::Worker
            };
            let pid = id(&mut rng);
            people.push(PersonRow {
                id: pid.clone(),
                maatwerkbedrijf_id: mwbs[w].row.id.clone(),
                display_name: format!(
                    "{} {}.",
                    pick(&mut rng, FIRST_NAMES),
                    &pick(&mut rng, SURNAMES)[..1]
                ),
                company_reference: format!(
                    "{}-{:05}",
                    if role == MemberRole::Supervisor {
                        "B"
                    } else {
                        "W"
                    },
                    person_seq[w]
                ),
                role: role.as_str().into(),
                created_at: created,
            });
            if role == MemberRole::Supervisor {
                supervisors_of[w].push(pid.clone());
            }
            team.push((pid, role));
        }

        // Registrations for the last 30 working days, for running enclaves.
        if status != EnclaveStatus::Active || !covers_today {
            continue;
        }
        let start_slot = rng.random_range(0..7u32); // 06:00 .. 09:00 by half hours
        for day in &working_days {
            if rng.random_bool(0.04) {
                continue; // a gap: no registration that day
            }
            let planned = NaiveTime::from_hms_opt(6 + start_slot / 2, (start_slot % 2) * 30, 0)
                .unwrap_or_default();
            let late = rng.random_bool(0.04);
            let registered_at = if late {
                from_belgian_local(
                    day.and_time(planned) + chrono::Duration::minutes(rng.random_range(5..90)),
                )
            } else if rng.random_bool(0.6) || *day == today {
                let prev = day.checked_sub_days(Days::new(1)).unwrap_or(*day);
                from_belgian_local(
                    prev.and_hms_opt(rng.random_range(16..21), rng.random_range(0..60), 0)
                        .unwrap_or_default(),
                )
            } else {
                from_belgian_local(
                    day.and_time(planned) - chrono::Duration::minutes(rng.random_range(20..120)),
                )
            };
            let reg_id = id(&mut rng);
            registrations.push(RegistrationRow {
                id: reg_id.clone(),
                enclave_id: enclave_id.clone(),
                work_date: *day,
                registered_at: registered_at.naive_utc(),
                planned_start: planned,
                created_at: registered_at.naive_utc(),
            });
            let without_supervisor = rng.random_bool(0.03);
            let mut present: Vec<&(String, MemberRole)> = team
                .iter()
                .filter(|(_, role)| match role {
                    MemberRole::Supervisor => !without_supervisor,
                    MemberRole::Worker => rng.random_bool(0.85),
                })
                .collect();
            if present.is_empty() {
                present.push(&team[team.len() - 1]);
            }
            for (pid, role) in present {
                members.push(RegistrationMemberRow {
                    registration_id: reg_id.clone(),
                    person_id: pid.clone(),
                    role: role.as_str().into(),
                });
            }
            // Now and then a supervisor of another team of the same company is also
            // registered here: a "floating" supervisor.
            if rng.random_bool(0.02)
                && let Some(other) = supervisors_of[w]
                    .iter()
                    .find(|s| !team.iter().any(|(p, _)| p == *s))
            {
                members.push(RegistrationMemberRow {
                    registration_id: reg_id.clone(),
                    person_id: other.clone(),
                    role: MemberRole::Supervisor.as_str().into(),
                });
            }
        }
    }

    let mut organisations: Vec<OrganisationRow> = mwbs.into_iter().map(|o| o.row).collect();
    organisations.extend(hosts.into_iter().map(|o| o.row));
    DemoData {
        organisations,
        enclaves,
        contracts,
        people,
        registrations,
        members,
    }
}

/// Adds an enclave's contracts; returns whether a valid contract covers `today`.
#[allow(clippy::too_many_arguments)]
fn enclave_contracts(
    rng: &mut StdRng,
    enclave_id: &str,
    status: EnclaveStatus,
    today: NaiveDate,
    calendar: CalendarSettings,
    out: &mut Vec<ContractRow>,
    seq: &mut std::collections::HashMap<i32, u32>,
    created: NaiveDateTime,
) -> bool {
    if rng.random_bool(0.02) {
        return rng.random_bool(0.5); // no contract at all, yet sometimes working
    }
    let first = NaiveDate::from_ymd_opt(2017, 1, 2).unwrap_or(today);
    let span = (today - first).num_days().max(30);
    // An ended enclave has no contract still to start.
    let mut start = if status != EnclaveStatus::Ended && rng.random_bool(0.01) {
        today + chrono::Duration::days(rng.random_range(3..15)) // starts soon
    } else {
        first + chrono::Duration::days(rng.random_range(0..span - 20))
    };
    while start.weekday() == Weekday::Sat
        || start.weekday() == Weekday::Sun
        || !is_working_day(start, calendar)
    {
        start = start.succ_opt().unwrap_or(start);
    }
    // Nothing reaches the department after the data is made: a receipt or approval that
    // would lie later (a late notification of a recent start, the early one of a contract
    // starting soon) arrived yesterday at closing time instead.
    let received_by = local(today - chrono::Duration::days(1), 17, 0);
    let mut covers_today = false;
    loop {
        let regime = regime_for_start(start);
        let open_ended = rng.random_bool(0.55) && status != EnclaveStatus::Ended;
        let mut end =
            (!open_ended).then(|| start + chrono::Duration::days(rng.random_range(180..1100)));
        // An ended enclave's contracts have all ended: the last one before today.
        if status == EnclaveStatus::Ended && end.is_some_and(|e| e >= today) {
            let room = (today - start).num_days().clamp(1, 120);
            end = Some((today - chrono::Duration::days(rng.random_range(1..=room))).max(start));
        }
        let roll = rng.random_range(0..100);
        let office = |rng: &mut StdRng, d: NaiveDate| {
            local(d, rng.random_range(8..17), rng.random_range(0..60))
        };
        let (notified_at, approved_at, mut cstatus, reason) = match regime {
            Regime::Approval => {
                let lead = rng.random_range(10..40);
                let notified = office(rng, start - chrono::Duration::days(lead));
                if roll < 4 {
                    (Some(notified), None, ContractStatus::Notified, None)
                } else if roll < 6 {
                    let r = pick(rng, REJECTION_REASONS).to_string();
                    (Some(notified), None, ContractStatus::Rejected, Some(r))
                } else {
                    let lead = rng.random_range(1..8);
                    let approved = office(rng, start - chrono::Duration::days(lead));
                    (
                        Some(notified),
                        Some(approved),
                        ContractStatus::Approved,
                        None,
                    )
                }
            }
            Regime::Notification => {
                if roll < 6 {
                    let r = pick(rng, REJECTION_REASONS).to_string();
                    let lead = rng.random_range(3..20);
                    let n = office(rng, start - chrono::Duration::days(lead));
                    (Some(n), None, ContractStatus::Rejected, Some(r))
                } else if roll < 14 {
                    // Late: on the start day, after it, or over the weekend before a Monday.
                    let d = match rng.random_range(0..3) {
                        0 => start,
                        1 => start + chrono::Duration::days(rng.random_range(1..6)),
                        _ => {
                            start
                                - chrono::Duration::days(if start.weekday() == Weekday::Mon {
                                    1
                                } else {
                                    0
                                })
                        }
                    };
                    (Some(office(rng, d)), None, ContractStatus::Notified, None)
                } else {
                    let d = start - chrono::Duration::days(rng.random_range(2..30));
                    (Some(office(rng, d)), None, ContractStatus::Notified, None)
                }
            }
        };
        let notified_at = notified_at.map(|t| t.min(received_by));
        let approved_at = approved_at.map(|t| t.min(received_by));
        if end.is_some_and(|e| e < today) && cstatus != ContractStatus::Rejected {
            cstatus = ContractStatus::Ended;
        }
        let year = start.year();
        let n = seq.entry(year).or_insert(0);
        *n += 1;
        out.push(ContractRow {
            id: id(rng),
            enclave_id: enclave_id.to_owned(),
            reference: format!("ENC-{year}-{n:04}"),
            start_date: start,
            end_date: end,
            notified_at,
            approved_at,
            regime: regime.as_str().into(),
            status: cstatus.as_str().into(),
            rejection_reason: reason.clone(),
            min_supervisors: if rng.random_bool(0.1) { 2 } else { 1 },
            created_at: created,
            updated_at: created,
        });
        let covers = start <= today && end.is_none_or(|e| today <= e);
        if covers && cstatus != ContractStatus::Rejected {
            covers_today = true;
        }
        // A rejected contract is usually resubmitted; an ended one renewed if the enclave runs.
        let next = if cstatus == ContractStatus::Rejected && rng.random_bool(0.7) {
            Some(start + chrono::Duration::days(rng.random_range(14..60)))
        } else {
            end.filter(|e| *e < today && status != EnclaveStatus::Ended)
                .map(|e| e + chrono::Duration::days(1))
        };
        match next {
            Some(n) if n < today => start = n,
            _ => break,
        }
    }
    covers_today
}

/// A year of inspections by the demo inspector, with their review decisions, and the
/// follow-ups of most measures whose deadline has passed.
fn insert_inspections(
    conn: &mut DbConnection,
    d: &DemoData,
    today: NaiveDate,
) -> Result<(), AppError> {
    use sha2::{Digest, Sha256};
    use shared::dto::inspection::{
        CheckKind, CheckRecord, Conclusion, Finding, FollowUpRecord, InspectionRecord,
        InstructionGiver, Instructions, Measure, Remedy, Severity, Shortcoming, UnregisteredPerson,
    };
    use shared::dto::review::ReviewState;
    use shared::rules::follow_up;
    use shared::rules::verdict::{Verdict, VerdictStatus};

    let user = |conn: &mut DbConnection, name: &str| -> Result<String, AppError> {
        repo::users::by_username(conn, name)?
            .map(|u| u.id)
            .ok_or_else(|| AppError::internal("demo account missing"))
    };
    let inspector = user(conn, "inspector")?;
    let reviewer = user(conn, "reviewer")?;
    let mut rng = StdRng::seed_from_u64(SEED ^ 0x1A5);
    let calendar = CalendarSettings::default();
    let days: Vec<NaiveDate> = (0..365u64)
        .filter_map(|n| today.checked_sub_days(Days::new(n)))
        .filter(|day| is_working_day(*day, calendar))
        .collect();
    let active: Vec<&EnclaveRow> = d
        .enclaves
        .iter()
        .filter(|e| e.status == EnclaveStatus::Active.as_str())
        .collect();
    let check = |status: VerdictStatus| CheckRecord {
        computed: Verdict {
            status,
            reasons: Vec::new(),
            rule_version: "demo".into(),
        },
        override_status: None,
        note: None,
    };
    let mut rows = Vec::with_capacity(INSPECTIONS);
    let mut reviews = Vec::new();
    let mut earlier = Vec::new();
    for _ in 0..INSPECTIONS {
        let on = *pick(&mut rng, &days);
        let enclave = *pick(&mut rng, &active);
        let mut roll = |p: f64| rng.random_bool(p);
        let contract = if roll(0.12) {
            VerdictStatus::Fail
        } else {
            VerdictStatus::Pass
        };
        let registration = if roll(0.2) {
            VerdictStatus::Fail
        } else {
            VerdictStatus::Pass
        };
        let supervisor = if roll(0.1) {
            VerdictStatus::Fail
        } else {
            VerdictStatus::Pass
        };
        let failing: Vec<CheckKind> = [
            (CheckKind::ContractFiled, contract),
            (CheckKind::DailyRegistration, registration),
            (CheckKind::SupervisorPresent, supervisor),
        ]
        .into_iter()
        .filter(|(_, s)| *s == VerdictStatus::Fail)
        .map(|(k, _)| k)
        .collect();
        let measure = match failing.len() {
            0 => Measure::Advice,
            1 if roll(0.4) => Measure::Advice,
            1 => Measure::Warning,
            _ if failing.contains(&CheckKind::SupervisorPresent) && roll(0.6) => {
                Measure::ReportProposed
            }
            _ => Measure::RegularisationOrder,
        };
        let at = NaiveTime::from_hms_opt(rng.random_range(7..16), rng.random_range(0..60), 0)
            .unwrap_or_default();
        let started = from_belgian_local(on.and_time(at));
        let submitted = started + chrono::Duration::minutes(rng.random_range(20..70));
        let supervisors_present = if supervisor == VerdictStatus::Fail {
            0
        } else {
            rng.random_range(1..3)
        };
        let unregistered = if registration == VerdictStatus::Fail && rng.random_bool(0.3) {
            vec![UnregisteredPerson {
                name: "Niet geregistreerde werknemer".into(),
                stated_role: MemberRole::Worker,
            }]
        } else {
            Vec::new()
        };
        let findings = failing
            .iter()
            .map(|k| {
                let (category, text) = match k {
                    CheckKind::ContractFiled => (
                        "contract",
                        "Enclavecontract niet tijdig gemeld aan het departement.",
                    ),
                    CheckKind::DailyRegistration => (
                        "registratie",
                        "Samenstelling van de ploeg niet vooraf geregistreerd.",
                    ),
                    CheckKind::SupervisorPresent => (
                        "begeleiding",
                        "Geen begeleider van het maatwerkbedrijf ter plaatse.",
                    ),
                };
                Finding {
                    id: uuid::Uuid::from_u128(rng.random()),
                    check: Some(*k),
                    category: category.into(),
                    severity: if *k == CheckKind::SupervisorPresent {
                        Severity::High
                    } else {
                        Severity::Medium
                    },
                    text: text.into(),
                    photos: Vec::new(),
                }
            })
            .collect();
        let record = InspectionRecord {
            id: uuid::Uuid::from_u128(rng.random()),
            enclave_id: enclave.id.parse().map_err(AppError::internal)?,
            started_at: started,
            submitted_at: submitted,
            on,
            at,
            position: None,
            contract_filed: check(contract),
            daily_registration: check(registration),
            supervisor_present: check(supervisor),
            present: Vec::new(),
            unregistered,
            workers_present: rng.random_range(2..10),
            supervisors_present,
            instructions: Instructions {
                given_by: Some(if supervisor == VerdictStatus::Fail {
                    InstructionGiver::HostStaff
                } else {
                    InstructionGiver::Supervisor
                }),
                host_assigns_tasks: Some(supervisor == VerdictStatus::Fail),
                supervisor_whole_shift: Some(supervisor != VerdictStatus::Fail),
                main_activity: Some(true),
                note: None,
            },
            findings,
            conclusion: Conclusion {
                measure,
                deadline: matches!(measure, Measure::Warning | Measure::RegularisationOrder)
                    .then(|| on + Days::new(30)),
                motivation: match measure {
                    Measure::Advice => "Alles in orde of een kleine tekortkoming: advies gegeven.",
                    Measure::Warning => "Eerste vaststelling: waarschuwing met termijn.",
                    Measure::RegularisationOrder => {
                        "Meerdere tekortkomingen: bevel tot regularisatie."
                    }
                    Measure::ReportProposed => {
                        "Geen begeleider en geen registratie: proces-verbaal voorgesteld."
                    }
                }
                .into(),
            },
            follows: None,
        };
        let age = (today - on).num_days();
        let state = if age <= 14 {
            if rng.random_bool(0.9) {
                ReviewState::Submitted
            } else {
                ReviewState::Returned
            }
        } else if rng.random_bool(0.93) {
            ReviewState::Approved
        } else {
            ReviewState::Returned
        };
        let decided_at = submitted.naive_utc() + chrono::Duration::days(rng.random_range(1..4));
        if state != ReviewState::Submitted {
            let returned = state == ReviewState::Returned;
            reviews.push(ReviewRow {
                id: id(&mut rng),
                inspection_id: record.id.to_string(),
                reviewer_id: reviewer.clone(),
                decision: if returned { "return" } else { "approve" }.into(),
                comment: if returned {
                    "Vermeld welke begeleider de instructies gaf.".into()
                } else {
                    String::new()
                },
                inspection_version: 1,
                decided_at,
            });
        }
        let reported = state == ReviewState::Approved && measure == Measure::ReportProposed;
        let notified =
            (reported && rng.random_bool(0.75)).then(|| on + Days::new(rng.random_range(3..14)));
        let json = serde_json::to_string(&record).map_err(AppError::internal)?;
        let province = Province::parse(&enclave.province)
            .ok_or_else(|| AppError::internal("demo province"))?;
        let hash = format!("{:x}", Sha256::digest(json.as_bytes()));
        let mut row = InspectionRow::submitted(
            &record,
            &inspector,
            province,
            json,
            hash,
            submitted.naive_utc(),
        );
        row.review_state = state.as_str().into();
        row.report_notified_on = notified;
        if row.follow_up_due.is_some_and(|due| due < today) {
            earlier.push((record, province));
        }
        rows.push(row);
    }
    // Most measures whose deadline passed were followed up, most shortcomings remedied; the
    // rest stand overdue. A generator of its own keeps the inspections above as they were.
    let mut rng = StdRng::seed_from_u64(SEED ^ 0xF011);
    for (before, province) in earlier {
        if !rng.random_bool(0.7) {
            continue;
        }
        let due = before.conclusion.deadline.unwrap_or(before.on);
        let Some(&on) = days
            .iter()
            .find(|d| **d <= due + Days::new(rng.random_range(0..10)) && **d > before.on)
        else {
            continue;
        };
        let remedies: Vec<Remedy> = follow_up::shortcomings(&before)
            .into_iter()
            .map(|shortcoming| Remedy {
                shortcoming,
                remedied: rng.random_bool(0.85),
            })
            .collect();
        let still = |kind| {
            let failing = remedies
                .iter()
                .any(|r| r.shortcoming == Shortcoming::Check(kind) && !r.remedied);
            check(if failing {
                VerdictStatus::Fail
            } else {
                VerdictStatus::Pass
            })
        };
        let remedied = remedies.iter().all(|r| r.remedied);
        let started = from_belgian_local(on.and_time(before.at));
        let record = InspectionRecord {
            id: uuid::Uuid::from_u128(rng.random()),
            started_at: started,
            submitted_at: started + chrono::Duration::minutes(30),
            on,
            contract_filed: still(CheckKind::ContractFiled),
            daily_registration: still(CheckKind::DailyRegistration),
            supervisor_present: still(CheckKind::SupervisorPresent),
            findings: Vec::new(),
            conclusion: if remedied {
                Conclusion {
                    measure: Measure::Advice,
                    deadline: None,
                    motivation: "Opvolging: alle tekortkomingen zijn verholpen.".into(),
                }
            } else {
                Conclusion {
                    measure: Measure::RegularisationOrder,
                    deadline: Some(on + Days::new(30)),
                    motivation: "Opvolging: niet alles is verholpen; bevel tot regularisatie."
                        .into(),
                }
            },
            follows: Some(FollowUpRecord {
                inspection_id: before.id,
                remedies,
            }),
            ..before
        };
        let json = serde_json::to_string(&record).map_err(AppError::internal)?;
        let hash = format!("{:x}", Sha256::digest(json.as_bytes()));
        let received = record.submitted_at.naive_utc();
        let mut row = InspectionRow::submitted(&record, &inspector, province, json, hash, received);
        if (today - on).num_days() > 14 {
            row.review_state = ReviewState::Approved.as_str().into();
            reviews.push(ReviewRow {
                id: id(&mut rng),
                inspection_id: row.id.clone(),
                reviewer_id: reviewer.clone(),
                decision: "approve".into(),
                comment: String::new(),
                inspection_version: 1,
                decided_at: received + chrono::Duration::days(1),
            });
        }
        rows.push(row);
    }
    repo::inspections::insert_many(conn, &rows)?;
    insert_chunks!(conn, reviews::table, reviews, 1000)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_sized_as_documented() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let a = generate(today);
        let b = generate(today);
        assert_eq!(a.enclaves.len(), ENCLAVES);
        assert_eq!(a.organisations.len(), MAATWERKBEDRIJVEN + HOSTS);
        assert_eq!(a.enclaves[17].id, b.enclaves[17].id);
        assert_eq!(a.registrations.len(), b.registrations.len());
        assert!(a.registrations.len() > 20_000, "{}", a.registrations.len());
        // Every enterprise number is valid, and some start with 1.
        let numbers: Vec<&String> = a
            .organisations
            .iter()
            .filter_map(|o| o.enterprise_number.as_ref())
            .collect();
        assert_eq!(numbers.len(), a.organisations.len());
        assert!(
            numbers
                .iter()
                .all(|n| n.parse::<EnterpriseNumber>().is_ok())
        );
        assert!(numbers.iter().any(|n| n.starts_with('1')));
        // Open-ended, rejected, late and unapproved contracts all occur.
        assert!(a.contracts.iter().any(|c| c.end_date.is_none()));
        assert!(a.contracts.iter().any(|c| c.status == "rejected"));
        assert!(
            a.contracts
                .iter()
                .any(|c| c.regime == "approval" && c.status == "notified")
        );
    }

    /// The demo data says nothing the register itself would refuse: no receipt or approval
    /// after the data was made, every contract valid and overlapping no other of its enclave,
    /// and no ended enclave with a contract that runs today or later.
    #[test]
    fn demo_contracts_pass_the_registers_own_rules() {
        use shared::dto::contract::ContractDraft;
        use shared::rules::register::{overlapping, validate_contract};
        for today in [
            NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
            NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
        ] {
            let d = generate(today);
            let contracts: Vec<_> = d.contracts.iter().map(|c| c.to_dto().unwrap()).collect();
            for (row, c) in d.contracts.iter().zip(&contracts) {
                let now = row.created_at.and_utc();
                let draft = ContractDraft::of(c);
                let problems = validate_contract(&draft, now);
                assert!(problems.is_empty(), "{today}: {row:?}: {problems:?}");
                let others = overlapping(&draft, &contracts);
                assert!(others.is_empty(), "{today}: {row:?} overlaps {others:?}");
            }
            for e in d.enclaves.iter().filter(|e| e.status == "ended") {
                let running = d.contracts.iter().find(|c| {
                    c.enclave_id == e.id
                        && c.status != "rejected"
                        && c.end_date.is_none_or(|end| end >= today)
                });
                assert!(
                    running.is_none(),
                    "{today}: ended enclave {} ({}) has {running:?}",
                    e.site_name,
                    e.id
                );
            }
        }
    }
}
