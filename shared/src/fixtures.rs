//! Test data for the rules and the apps' native tests: a working set's enclaves with their
//! organisations, contract and registration, numbered so tests can tell them apart. Built
//! only for tests (`cfg(test)`) and with the `fixtures` feature (the apps' dev-dependencies).

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use uuid::Uuid;

use crate::dto::contract::{Contract, ContractStatus, Regime};
use crate::dto::enclave::{EnclaveStatus, EnclaveSummary, Province, Site};
use crate::dto::field::{FieldEnclave, FieldRegistration};
use crate::dto::inspection::{CheckRecord, Conclusion, InspectionRecord, Instructions, Measure};
use crate::dto::organisation::{Organisation, OrganisationKind, OrganisationRef};
use crate::dto::registration::{MemberRole, Registration, RegistrationMember};
use crate::rules::supervision_norm::SupportNeed::{High, Low, Medium};
use crate::rules::verdict::{Reason, ReasonCode, Verdict};

/// The id numbered `n`.
pub fn id(n: u64) -> Uuid {
    Uuid::from_u128(u128::from(n))
}

/// Organisation `n`: the maatwerkbedrijf for 0, a regular company otherwise.
pub fn organisation(n: u64) -> Organisation {
    Organisation {
        id: id(1_000 + n),
        kind: if n == 0 {
            OrganisationKind::Maatwerkbedrijf
        } else {
            OrganisationKind::RegularCompany
        },
        name: format!("Org {n}"),
        enterprise_number: n.is_multiple_of(2).then(|| format!("0{n:03}.456.749")),
        street: "Kouter 1".into(),
        postcode: "9000".into(),
        municipality: "Gent".into(),
        nace_code: n.is_multiple_of(3).then(|| "10.110".into()),
    }
}

fn short(o: &Organisation) -> OrganisationRef {
    OrganisationRef {
        id: o.id,
        kind: o.kind,
        name: o.name.clone(),
        enterprise_number: o.enterprise_number.clone(),
    }
}

/// Enclave `n` of maatwerkbedrijf `mwb` in Gent, in its `version` (the version changes its
/// contract and its team), registered for 7 December 2026 from 07:30 with `people` (the
/// first a begeleider, the others workers; none: no registration).
pub fn enclave(n: u64, version: u64, mwb: u64, people: &[u64]) -> FieldEnclave {
    let e = id(n);
    let (mwb, host) = (organisation(mwb), organisation(10 + n));
    let day = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    let site = Site {
        name: format!("Site {n}"),
        street: "Dok 2".into(),
        postcode: "9000".into(),
        municipality: "Gent".into(),
        province: Province::OostVlaanderen,
        latitude: 51.05 + n as f64 / 1000.0,
        longitude: 3.72,
        establishment_unit_number: (n % 2 == 1).then(|| "2.123.456.789".into()),
    };
    let members: Vec<RegistrationMember> = people
        .iter()
        .enumerate()
        .map(|(i, p)| RegistrationMember {
            person_id: id(10_000 + p),
            display_name: format!("Persoon {p}"),
            company_reference: format!("R-{p}"),
            role: if i == 0 {
                MemberRole::Supervisor
            } else {
                MemberRole::Worker
            },
        })
        .collect();
    let floating = members
        .first()
        .filter(|_| version % 2 == 1)
        .map(|m| m.person_id)
        .into_iter()
        .collect();
    FieldEnclave {
        summary: EnclaveSummary {
            id: e,
            latitude: site.latitude,
            longitude: site.longitude,
            site,
            activity: "Verpakken".into(),
            status: EnclaveStatus::Active,
            maatwerkbedrijf: short(&mwb),
            host: short(&host),
            distance_km: None,
            checks: None,
            support_need: [None, Some(Low), Some(Medium), Some(High)][(n % 4) as usize],
        },
        maatwerkbedrijf: mwb,
        host,
        contracts: vec![Contract {
            id: id(100 + n),
            enclave_id: e,
            reference: format!("ENC-{n}-{version}"),
            start_date: day,
            end_date: version.is_multiple_of(2).then_some(day),
            notified_at: Some(Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap()),
            approved_at: None,
            regime: Regime::Notification,
            status: ContractStatus::Notified,
            rejection_reason: None,
            min_supervisors: 1,
        }],
        registrations: (!members.is_empty())
            .then(|| FieldRegistration {
                registration: Registration {
                    id: id(200 + n * 10 + version),
                    enclave_id: e,
                    work_date: day,
                    registered_at: Utc.with_ymd_and_hms(2026, 12, 6, 18, 0, 0).unwrap(),
                    planned_start: NaiveTime::from_hms_opt(7, 30, 0).unwrap(),
                    members,
                },
                floating,
            })
            .into_iter()
            .collect(),
    }
}

/// A plain inspection of enclave 1 on 7 December 2026 at 10:15: every check computed as
/// passed, nobody ticked, no findings, an advice.
pub fn inspection_record() -> InspectionRecord {
    let check = || CheckRecord {
        computed: Verdict::from_reasons(
            vec![Reason::new(
                ReasonCode::RegisteredInTime,
                "Tijdig.",
                "In time.",
            )],
            "test/1",
        ),
        override_status: None,
        note: None,
    };
    let at = Utc.with_ymd_and_hms(2026, 12, 7, 9, 15, 0).unwrap();
    InspectionRecord {
        id: id(5_000),
        enclave_id: id(1),
        started_at: at,
        submitted_at: at,
        on: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
        at: NaiveTime::from_hms_opt(10, 15, 0).unwrap(),
        position: None,
        contract_filed: check(),
        daily_registration: check(),
        supervisor_present: check(),
        present: Vec::new(),
        unregistered: Vec::new(),
        workers_present: 0,
        supervisors_present: 0,
        instructions: Instructions::default(),
        findings: Vec::new(),
        conclusion: Conclusion {
            measure: Measure::Advice,
            deadline: None,
            motivation: "In orde.".into(),
        },
        follows: None,
    }
}
