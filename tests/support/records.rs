//! Valid inspection and amendment records for sync tests.

use chrono::{Duration, NaiveTime, Utc};
use shared::dto::inspection::{
    AmendmentRecord, CheckRecord, Conclusion, Finding, InspectionRecord, InstructionGiver,
    Instructions, Measure, PhotoRef, Severity,
};
use shared::rules::time::belgian_local;
use shared::rules::verdict::{Verdict, VerdictStatus};
use uuid::Uuid;

fn check(status: VerdictStatus) -> CheckRecord {
    CheckRecord {
        computed: Verdict {
            status,
            reasons: Vec::new(),
            rule_version: "test/1".into(),
        },
        override_status: None,
        note: None,
    }
}

/// A complete, valid inspection of `enclave_id` done today.
pub fn inspection(enclave_id: &str) -> InspectionRecord {
    let now = Utc::now();
    InspectionRecord {
        id: Uuid::new_v4(),
        enclave_id: enclave_id.parse().expect("enclave uuid"),
        started_at: now - Duration::minutes(40),
        submitted_at: now,
        on: belgian_local(now).date(),
        at: NaiveTime::from_hms_opt(10, 15, 0).expect("time"),
        position: None,
        contract_filed: check(VerdictStatus::Pass),
        daily_registration: check(VerdictStatus::Fail),
        supervisor_present: check(VerdictStatus::Pass),
        present: Vec::new(),
        unregistered: Vec::new(),
        workers_present: 5,
        supervisors_present: 1,
        instructions: Instructions {
            given_by: Some(InstructionGiver::Supervisor),
            host_assigns_tasks: Some(false),
            supervisor_whole_shift: Some(true),
            main_activity: Some(true),
            note: None,
        },
        findings: vec![Finding {
            id: Uuid::new_v4(),
            check: None,
            category: "registratie".into(),
            severity: Severity::Medium,
            text: "Registratie pas na de start ingediend.".into(),
            photos: Vec::new(),
        }],
        conclusion: Conclusion {
            measure: Measure::Warning,
            deadline: Some(belgian_local(now).date() + Duration::days(14)),
            motivation: "Eerste vaststelling; waarschuwing met termijn.".into(),
        },
        follows: None,
    }
}

/// A photo of `len` bytes (varied by `seed`) and the reference a record names it by.
pub fn photo(len: usize, seed: u8) -> (Vec<u8>, PhotoRef) {
    use sha2::{Digest, Sha256};
    let bytes: Vec<u8> = (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect();
    let reference = PhotoRef {
        sha256: format!("{:x}", Sha256::digest(&bytes)),
        content_type: "image/jpeg".into(),
        bytes: len as u64,
    };
    (bytes, reference)
}

/// An amendment of `inspection_id` written against `base_version`.
pub fn amendment(inspection_id: Uuid, base_version: u32, text: &str) -> AmendmentRecord {
    AmendmentRecord {
        id: Uuid::new_v4(),
        inspection_id,
        base_version,
        text: text.into(),
        measure: None,
        deadline: None,
        written_at: Utc::now(),
    }
}
