//! The yearly overview of contracts received: every number equals a count of the data behind
//! it (contracts by host type, on time or late, rejected with reasons, open-ended still
//! running, workers and supervisors from the registrations); CSV; who may read it; and the
//! database's counting of the registered people equal to `shared::rules::overview`'s on the
//! demo data and as registrations are imported, purged and deleted.

use std::collections::HashSet;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::NaiveTime;
use reqwest::StatusCode;
use shared::dto::contract::ContractStatus;
use shared::dto::organisation::OrganisationKind;
use shared::dto::registration::MemberRole::{Supervisor, Worker};
use shared::dto::report::{ContractOverview, Headcount, HostType};
use shared::rules::overview::RegisteredCounts;
use tests::dates::{date, local};
use tests::fixture::{ContractSpec, EnclaveSpec};
use tests::{Backend, TestApp, World, assert_error, json, on_both_backends};
use uuid::Uuid;

on_both_backends!(
    the_yearly_overview_counts_the_register,
    the_demo_data_answers_the_departments_questions,
    the_database_counts_the_demo_registrations_as_the_rule_does,
    the_counts_follow_registrations_as_they_arrive_and_go
);

async fn the_yearly_overview_counts_the_register(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let mwb = f.organisation(OrganisationKind::Maatwerkbedrijf, "Atelier Kouter", None);
    let regular = f.organisation(OrganisationKind::RegularCompany, "Brouwerij Gent", None);
    let city = f.organisation(OrganisationKind::GovernmentBody, "Stad Gent", None);
    let shelter = f.organisation(
        OrganisationKind::SocialWorkplace,
        "Sociale Werkplaats",
        None,
    );
    let e1 = f.enclave(&mwb, &regular, EnclaveSpec::default());
    let e2 = f.enclave(
        &mwb,
        &city,
        EnclaveSpec {
            activity: "Groenonderhoud".into(),
            ..EnclaveSpec::default()
        },
    );
    let e3 = f.enclave(&mwb, &shelter, EnclaveSpec::default());
    // e1: Monday start, notified the Friday before: on time.
    f.contract(
        &e1,
        ContractSpec {
            start: date("2019-03-11"),
            notified_local: Some(local("2019-03-08 10:00")),
            ..ContractSpec::default()
        },
    );
    // e2: notified on the start day (late), and a later one rejected.
    f.contract(
        &e2,
        ContractSpec {
            start: date("2019-05-06"),
            end: Some(date("2019-12-31")),
            notified_local: Some(local("2019-05-06 09:00")),
            ..ContractSpec::default()
        },
    );
    f.contract(
        &e2,
        ContractSpec {
            start: date("2020-01-06"),
            notified_local: Some(local("2019-11-04 09:00")),
            status: ContractStatus::Rejected,
            rejection_reason: Some("Geen begeleider voorzien.".into()),
            ..ContractSpec::default()
        },
    );
    // e3: received in 2018, not in the 2019 overview.
    f.contract(
        &e3,
        ContractSpec {
            start: date("2019-01-07"),
            notified_local: Some(local("2018-12-20 09:00")),
            ..ContractSpec::default()
        },
    );
    let seven = NaiveTime::from_hms_opt(7, 0, 0).unwrap();
    for day in ["2019-04-01", "2019-04-02"] {
        f.registration(
            &e1,
            date(day),
            local(&format!("{day} 06:00")),
            seven,
            &[Supervisor, Worker, Worker],
        );
    }
    f.registration(
        &e2,
        date("2019-06-03"),
        local("2019-06-03 06:00"),
        seven,
        &[Supervisor],
    );
    f.registration(
        &e1,
        date("2018-06-04"),
        local("2018-06-04 06:00"),
        seven,
        &[Worker],
    );
    // e3 has no contract received in 2019, but its people count for the maatwerkbedrijf.
    f.registration(
        &e3,
        date("2019-07-01"),
        local("2019-07-01 06:00"),
        seven,
        &[Worker],
    );

    let adam = app.admin().await.token;
    let o: ContractOverview = json(
        app.get("/api/reports/contracts?year=2019", &adam).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(o.year, 2019);
    let hosts: Vec<(&str, bool, ContractStatus)> = o
        .rows
        .iter()
        .map(|r| (r.host.as_str(), r.on_time, r.status))
        .collect();
    assert_eq!(
        hosts,
        vec![
            ("Brouwerij Gent", true, ContractStatus::Notified),
            ("Stad Gent", false, ContractStatus::Notified),
            ("Stad Gent", true, ContractStatus::Rejected),
        ]
    );
    let count = |t: HostType| {
        o.by_host_type
            .iter()
            .find(|c| c.host_type == t)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (
            count(HostType::RegularCompany).contracts,
            count(HostType::RegularCompany).late
        ),
        (1, 0)
    );
    let gov = count(HostType::Government);
    assert_eq!((gov.contracts, gov.rejected, gov.late), (2, 1, 1));
    assert_eq!(
        count(HostType::ShelteredOrSocial).contracts,
        0,
        "received in 2018"
    );
    assert_eq!(o.rejected, 1);
    assert_eq!(
        o.rows[2].rejection_reason.as_deref(),
        Some("Geen begeleider voorzien.")
    );
    assert_eq!(
        o.open_ended_running, 1,
        "e1's; e2's first ended, its second was rejected"
    );
    assert_eq!(
        o.rows[0].headcount,
        Headcount {
            workers: 4,
            supervisors: 2,
            worker_days: 4,
            supervisor_days: 2
        }
    );
    assert_eq!(
        o.total,
        Headcount {
            workers: 4,
            supervisors: 3,
            worker_days: 4,
            supervisor_days: 3
        }
    );
    // Per maatwerkbedrijf: all three enclaves of Atelier Kouter.
    assert_eq!(o.per_maatwerkbedrijf.len(), 1);
    let kouter = &o.per_maatwerkbedrijf[0];
    assert_eq!(kouter.maatwerkbedrijf, "Atelier Kouter");
    assert_eq!(kouter.enclaves, 3);
    assert_eq!(
        kouter.headcount,
        Headcount {
            workers: 5,
            supervisors: 3,
            worker_days: 5,
            supervisor_days: 3
        }
    );

    // What the enclaves do, per row and per host type; the rejections by reason; the year's
    // registrations.
    let activities: Vec<&str> = o.rows.iter().map(|r| r.activity.as_str()).collect();
    assert_eq!(
        activities,
        vec!["verpakking", "Groenonderhoud", "Groenonderhoud"]
    );
    let of_type = |t: HostType| {
        o.activities
            .iter()
            .find(|a| a.host_type == t)
            .map(|a| {
                a.activities
                    .iter()
                    .map(|a| (a.activity.clone(), a.contracts))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        of_type(HostType::Government),
        vec![("Groenonderhoud".to_owned(), 2)]
    );
    assert_eq!(
        of_type(HostType::RegularCompany),
        vec![("verpakking".to_owned(), 1)]
    );
    assert!(
        o.activities
            .iter()
            .all(|a| a.host_type != HostType::ShelteredOrSocial),
        "no contract of that type in 2019"
    );
    let reasons: Vec<(&str, u32)> = o
        .rejection_reasons
        .iter()
        .map(|r| (r.reason.as_str(), r.contracts))
        .collect();
    assert_eq!(reasons, vec![("Geen begeleider voorzien.", 1)]);
    assert_eq!(
        o.registered_days, 8,
        "6 person-days on e1, 1 on e2, 1 on e3"
    );
    // A year without a single registration says so (registered_days 0) rather than only 0.
    let empty: ContractOverview = json(
        app.get("/api/reports/contracts?year=2021", &adam).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((empty.registered_days, empty.total.workers), (0, 0));

    // CSV: one line per row under a Dutch header, `;`-separated.
    let res = app
        .get("/api/reports/contracts?year=2019&format=csv", &adam)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let body = res.text().await.unwrap();
    // A BOM first, so Excel reads UTF-8.
    let body = body.strip_prefix('\u{feff}').expect("a BOM");
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 4, "{body}");
    assert!(
        lines[0].starts_with(
            "referentie;maatwerkbedrijf;gastorganisatie;type gastorganisatie;activiteit;"
        ),
        "{body}"
    );
    // The status in Dutch, as the register says it, not the API's codes.
    let status = |line: &str| line.split(';').nth(10).unwrap_or_default().to_owned();
    assert_eq!(
        lines[1..].iter().map(|l| status(l)).collect::<Vec<_>>(),
        vec!["gemeld", "gemeld", "geweigerd"],
        "{body}"
    );
    assert!(
        !body.contains(";notified;") && !body.contains(";rejected;"),
        "{body}"
    );
    assert!(
        lines[2].contains("Stad Gent") && lines[2].contains(";nee;"),
        "late: {body}"
    );
    assert!(lines[3].contains("Geen begeleider voorzien."), "{body}");

    // XLSX: the same rows, numbers as numbers, and the counts by host type.
    let res = app
        .get("/api/reports/contracts?year=2019&format=xlsx", &adam)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range("Contracten 2019").unwrap();
    assert_eq!(sheet.height(), 4);
    assert_eq!(
        sheet.get_value((0, 0)),
        Some(&Data::String("referentie".into()))
    );
    assert_eq!(
        sheet.get_value((1, 2)),
        Some(&Data::String("Brouwerij Gent".into()))
    );
    assert_eq!(
        sheet.get_value((1, 12)),
        Some(&Data::Float(4.0)),
        "workers of e1"
    );
    assert_eq!(
        sheet.get_value((3, 10)),
        Some(&Data::String("geweigerd".into()))
    );
    let reasons = book.worksheet_range("Redenen weigering").unwrap();
    assert_eq!(
        reasons.get_value((1, 0)),
        Some(&Data::String("Geen begeleider voorzien.".into()))
    );
    assert_eq!(reasons.get_value((1, 1)), Some(&Data::Float(1.0)));
    let kinds = book.worksheet_range("Activiteiten").unwrap();
    assert!(
        kinds.rows().any(|r| r[0] == Data::String("overheid".into())
            && r[1] == Data::String("Groenonderhoud".into())
            && r[2] == Data::Float(2.0)),
        "government hosts' activities"
    );
    let people = book.worksheet_range("Per maatwerkbedrijf").unwrap();
    assert_eq!(people.get_value((1, 2)), Some(&Data::Float(5.0)));
    let types = book.worksheet_range("Per type").unwrap();
    let government = types
        .rows()
        .find(|r| r[0] == Data::String("overheid".into()))
        .expect("a government row");
    assert_eq!(government[1], Data::Float(2.0));

    let ines = app.inspector().await.token;
    assert_error(
        app.get("/api/reports/contracts?year=2019", &ines).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    for bad in ["year=1999", "year=2019&format=pdf", "year=abc"] {
        let res = app
            .get(&format!("/api/reports/contracts?{bad}"), &adam)
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
}

/// The demo data, as the department and the reviewers would meet it: this year's overview has
/// contracts of every host type with worker and supervisor figures, the statistics count a year
/// of inspections, and the queue holds the last two weeks' inspections to review.
async fn the_demo_data_answers_the_departments_questions(backend: Backend) {
    use chrono::Datelike;
    use shared::dto::report::InspectionStatistics;
    use shared::dto::review::{InspectionQueue, ReviewState};

    let demo = tests::demo::start(backend).await;
    let client = tests::http_client();
    let reviewer = tests::demo::login(&demo.base_url, "reviewer", "reviewer-demo").await;
    let get = async |path: &str| {
        client
            .get(format!("{}{path}", demo.base_url))
            .bearer_auth(&reviewer)
            .send()
            .await
            .unwrap()
    };
    let year = tests::dates::today().year();
    let overview: ContractOverview = json(
        get(&format!("/api/reports/contracts?year={year}")).await,
        StatusCode::OK,
    )
    .await;
    assert!(overview.rows.len() > 20, "{}", overview.rows.len());
    for t in [
        HostType::RegularCompany,
        HostType::Maatwerkbedrijf,
        HostType::ShelteredOrSocial,
        HostType::Government,
    ] {
        let count = overview
            .by_host_type
            .iter()
            .find(|c| c.host_type == t)
            .unwrap();
        assert!(count.contracts > 0, "{t:?}");
    }
    assert_eq!(
        overview
            .by_host_type
            .iter()
            .map(|c| c.contracts)
            .sum::<u32>() as usize,
        overview.rows.len()
    );
    assert!(overview.total.workers > 0 && overview.total.supervisors > 0);
    assert!(overview.total.worker_days >= overview.total.workers);
    // The figures the department could not give: people per maatwerkbedrijf, all enclaves.
    assert!(overview.per_maatwerkbedrijf.len() > 10);
    assert!(
        overview
            .per_maatwerkbedrijf
            .iter()
            .all(|m| m.headcount.supervisors > 0 && m.headcount.worker_days >= m.headcount.workers)
    );

    let stats: InspectionStatistics = json(
        get(&format!("/api/reports/inspections?year={year}")).await,
        StatusCode::OK,
    )
    .await;
    assert!(stats.figures.controls > 0);
    assert_eq!(
        stats
            .per_month
            .iter()
            .map(|m| m.counts.inspections)
            .sum::<u32>(),
        stats.figures.controls
    );
    assert!(stats.total.any_failed > 0 && stats.total.any_failed < stats.total.inspections);
    let queue: InspectionQueue = json(
        get("/api/inspections?state=submitted&limit=100").await,
        StatusCode::OK,
    )
    .await;
    assert!(!queue.items.is_empty());
    assert!(
        queue
            .items
            .iter()
            .all(|i| i.review_state == ReviewState::Submitted)
    );
}

/// The overview's people are counted by the database; `shared::rules::overview` states the
/// counting over single registrations. On the demo data (about 200,000 registered person-days)
/// both give the same figures: per enclave, over the year's overview enclaves, per
/// maatwerkbedrijf, and the answer of the report itself. The database's counts are kept as
/// the demo is loaded; the migration that made them fills them alike from the registrations.
async fn the_database_counts_the_demo_registrations_as_the_rule_does(backend: Backend) {
    use chrono::Datelike;

    let app = TestApp::spawn(backend).await;
    let today = tests::dates::today();
    let year = today.year();
    let db = app.db.clone();
    let Counted {
        person_days,
        by_rule,
        by_database,
        enclaves,
    } = tokio::task::spawn_blocking(move || {
        server::demo::load_if_empty(&db, today).expect("demo data");
        let counted = counted_both_ways(&db, year);
        // The migration's back-fill, run again on the demo data, gives the counts the
        // triggers kept while the demo was loaded.
        let kept = registered_people(&db);
        refill_registered_people(&db, backend);
        assert_eq!(registered_people(&db), kept);
        counted
    })
    .await
    .unwrap();
    assert!(person_days > 100_000, "{person_days}");
    let sorted = |mut v: Vec<shared::dto::report::MaatwerkbedrijfHeadcount>| {
        v.sort_by_key(|m| m.maatwerkbedrijf_id);
        v
    };
    assert!(by_rule.registered_days > 100_000);
    assert!(by_rule.total.supervisors > 0 && !enclaves.is_empty());
    assert_eq!(by_database.per_enclave, by_rule.per_enclave);
    assert_eq!(by_database.total, by_rule.total);
    assert_eq!(by_database.registered_days, by_rule.registered_days);
    assert_eq!(
        sorted(by_database.per_maatwerkbedrijf.clone()),
        sorted(by_rule.per_maatwerkbedrijf.clone())
    );
    // A floating supervisor (registered in two enclaves of one maatwerkbedrijf on one day)
    // makes a maatwerkbedrijf's person-days fewer than its enclaves' together: the data test
    // what the per-enclave figures alone could not.
    let summed: u32 = by_rule
        .per_enclave
        .values()
        .map(|h| h.supervisor_days)
        .sum();
    let per_mwb: u32 = by_rule
        .per_maatwerkbedrijf
        .iter()
        .map(|m| m.headcount.supervisor_days)
        .sum();
    assert!(per_mwb < summed, "{per_mwb} < {summed}");

    // The report answers with those figures.
    let adam = app.login("admin", "admin-demo").await.access_token;
    let o: ContractOverview = json(
        app.get(&format!("/api/reports/contracts?year={year}"), &adam)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(o.total, by_rule.total);
    assert_eq!(o.registered_days, by_rule.registered_days);
    assert_eq!(
        sorted(o.per_maatwerkbedrijf.clone()),
        sorted(by_rule.per_maatwerkbedrijf)
    );
    let mut names: Vec<&str> = o
        .per_maatwerkbedrijf
        .iter()
        .map(|m| m.maatwerkbedrijf.as_str())
        .collect();
    let listed = names.clone();
    names.sort();
    assert_eq!(listed, names, "by name");
    for row in &o.rows {
        assert_eq!(
            row.headcount,
            by_rule
                .per_enclave
                .get(&row.enclave_id)
                .copied()
                .unwrap_or_default()
        );
    }
}

/// The database keeps its counts up to date whoever writes: registrations imported (a
/// supervisor floating between two enclaves of Atelier Kouter on one day), purged by
/// retention, deleted with their members and a member taken off. After each step the
/// database counts both years as the rule does.
async fn the_counts_follow_registrations_as_they_arrive_and_go(backend: Backend) {
    use diesel::prelude::*;
    use server::config::Retention;
    use server::db::schema::{registration_members, registrations};
    use server::retention::{Outcome, Trigger, purge};

    let world = World::new(backend).await;
    world.contract();
    let f = world.app.fixture();
    let e1 = world.enclave.clone();
    let e2 = f.enclave(&world.maatwerkbedrijf, &world.host, EnclaveSpec::default());
    f.contract(
        &e2,
        ContractSpec {
            start: date("2022-03-14"),
            notified_local: Some(local("2022-03-10 10:00")),
            ..ContractSpec::default()
        },
    );
    let rows = [
        ("2022-03-14", &e1, "P-001", "doelgroepwerknemer"),
        ("2022-03-14", &e1, "B-001", "begeleider"),
        ("2022-03-14", &e2, "B-001", "begeleider"),
        ("2022-03-14", &e2, "P-002", "doelgroepwerknemer"),
        ("2022-03-15", &e2, "P-002", "doelgroepwerknemer"),
        ("2022-03-15", &e2, "B-001", "begeleider"),
        ("2025-03-10", &e1, "P-001", "doelgroepwerknemer"),
        ("2025-03-10", &e1, "B-001", "begeleider"),
        ("2025-03-10", &e2, "B-001", "begeleider"),
        ("2025-03-10", &e2, "P-003", "doelgroepwerknemer"),
        ("2025-03-11", &e1, "P-001", "doelgroepwerknemer"),
        ("2025-03-11", &e1, "P-002", "doelgroepwerknemer"),
        ("2025-03-11", &e1, "B-001", "begeleider"),
    ];
    let mut file = String::from("enclave;datum;geregistreerd;aanvang;personeelsnummer;naam;rol\n");
    for (day, enclave, staff_number, role) in rows {
        file += &format!(
            "{};{day};{day} 06:30;07:00;{staff_number};Persoon {staff_number};{role}\n",
            enclave.id
        );
    }
    let imported: shared::dto::import::ImportReport = json(
        world.admin.upload("/api/imports/registrations", file).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(imported.added, 6);

    let db = world.app.db.clone();
    let agree = move |step: &str, registered_days: [u32; 2]| {
        let db = db.clone();
        let step = step.to_owned();
        async move {
            tokio::task::spawn_blocking(move || {
                for (year, days) in [2022, 2025].into_iter().zip(registered_days) {
                    let Counted {
                        mut by_rule,
                        mut by_database,
                        ..
                    } = counted_both_ways(&db, year);
                    for counts in [&mut by_rule, &mut by_database] {
                        counts
                            .per_maatwerkbedrijf
                            .sort_by_key(|m| m.maatwerkbedrijf_id);
                    }
                    assert_eq!(by_database, by_rule, "{step}: {year}");
                    assert_eq!(by_database.registered_days, days, "{step}: {year}");
                }
            })
            .await
            .unwrap()
        }
    };
    agree("imported", [6, 7]).await;

    // Retention deletes the registrations of 2022 (older than two years).
    let purged = purge(
        &world.app.db,
        Retention::default(),
        &world.app.photos,
        Trigger::Command,
        false,
    )
    .await
    .expect("purge");
    assert!(
        matches!(purged, Outcome::Done(ref p) if p.registrations == 3),
        "{purged:?}"
    );
    agree("purged", [0, 7]).await;

    // A registration deleted with its members in it (the database cascades), and one member
    // taken off another.
    let in_e1 = |day: &str| {
        registrations::table
            .filter(registrations::enclave_id.eq(e1.id.clone()))
            .filter(registrations::work_date.eq(date(day)))
    };
    {
        let mut conn = world.app.db.get().expect("connection");
        let tenth: String = in_e1("2025-03-10")
            .select(registrations::id)
            .first(&mut conn)
            .unwrap();
        diesel::delete(in_e1("2025-03-11"))
            .execute(&mut conn)
            .unwrap();
        let taken_off = diesel::delete(
            registration_members::table
                .filter(registration_members::registration_id.eq(&tenth))
                .filter(registration_members::role.eq("supervisor")),
        )
        .execute(&mut conn)
        .unwrap();
        assert_eq!(taken_off, 1);
    }
    agree("deleted", [0, 3]).await;
}

/// The people of a year's registrations, counted by `shared::rules::overview` from every
/// registered person-day and by the database.
struct Counted {
    /// The year's registered person-days the rule counted.
    person_days: usize,
    by_rule: RegisteredCounts,
    by_database: RegisteredCounts,
    /// The year's overview enclaves (those with a contract received in it).
    enclaves: HashSet<Uuid>,
}

/// Counts the people registered in `year` both ways.
fn counted_both_ways(db: &server::db::Db, year: i32) -> Counted {
    use chrono::NaiveDate;
    use diesel::prelude::*;
    use server::db::rows::ContractRow;
    use server::db::schema::{
        contracts, enclaves, organisations, registration_members, registrations,
    };
    use shared::dto::registration::MemberRole;
    use shared::rules::overview::{
        ContractInput, Owners, Registered, count_registered, overview_enclaves,
    };

    let mut conn = db.get().expect("connection");
    let (from, to) = (
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap(),
    );
    let uuid = |s: &str| s.parse::<Uuid>().unwrap();
    let owners: Owners = enclaves::table
        .inner_join(organisations::table.on(organisations::id.eq(enclaves::maatwerkbedrijf_id)))
        .select((enclaves::id, organisations::id, organisations::name))
        .load::<(String, String, String)>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|(enclave, mwb, name)| (uuid(&enclave), (uuid(&mwb), name)))
        .collect();
    let inputs: Vec<ContractInput> = contracts::table
        .select(ContractRow::as_select())
        .load(&mut conn)
        .unwrap()
        .iter()
        .map(|c| ContractInput {
            contract: c.to_dto().unwrap(),
            maatwerkbedrijf: String::new(),
            host: String::new(),
            host_type: HostType::RegularCompany,
            activity: String::new(),
        })
        .collect();
    let enclaves = overview_enclaves(year, &inputs);
    let registered: Vec<Registered> = registrations::table
        .inner_join(registration_members::table)
        .filter(registrations::work_date.between(from, to))
        .select((
            registrations::enclave_id,
            registrations::work_date,
            registration_members::person_id,
            registration_members::role,
        ))
        .load::<(String, NaiveDate, String, String)>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|(enclave, day, person, role)| {
            (
                uuid(&enclave),
                day,
                uuid(&person),
                MemberRole::parse(&role).unwrap(),
            )
        })
        .collect();
    let by_rule = count_registered(year, &registered, &owners, &enclaves);
    let by_database =
        server::db::repo::reports::registered_counts(&mut conn, year, &enclaves, &owners)
            .expect("counted");
    Counted {
        person_days: registered.len(),
        by_rule,
        by_database,
        enclaves,
    }
}

/// Every person's registered days per year, enclave and role, as the database keeps them.
fn registered_people(db: &server::db::Db) -> Vec<(i32, String, String, String, i32)> {
    use diesel::prelude::*;
    use server::db::schema::registered_people as p;

    let mut conn = db.get().expect("connection");
    p::table
        .select((p::year, p::enclave_id, p::person_id, p::role, p::days))
        .order((p::year, p::enclave_id, p::person_id, p::role))
        .load(&mut conn)
        .unwrap()
}

/// Empties the registered people and fills them again with the back-fill statement of the
/// migration that made them.
fn refill_registered_people(db: &server::db::Db, backend: Backend) {
    use diesel::prelude::*;
    use server::db::schema::registered_people;

    let migration = match backend {
        Backend::Sqlite => {
            include_str!("../../migrations/sqlite/2026-12-06-200000_registered_people/up.sql")
        }
        Backend::Postgres => {
            include_str!("../../migrations/postgres/2026-12-06-200000_registered_people/up.sql")
        }
    };
    let backfill = &migration[migration
        .find("INSERT INTO registered_people")
        .expect("the back-fill")..];
    let backfill = &backfill[..=backfill.find(';').expect("one statement")];
    let mut conn = db.get().expect("connection");
    diesel::delete(registered_people::table)
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query(backfill).execute(&mut conn).unwrap();
}
