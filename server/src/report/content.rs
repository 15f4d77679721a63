//! What the inspection report says, in order, as blocks of text and photos: the enclave, its
//! host and maatwerkbedrijf, date and place, the three checks with their reasons and rule
//! versions, who was present, the answers on how the work is directed (with the host's and the
//! enclave's activity beside the main-activity question), the findings with each photo and
//! its SHA-256, the conclusion as corrected, the follow-up answers, the amendments and the
//! review decisions. The words are the app's record's (`app_core::components::record`).

use chrono::{DateTime, NaiveDate, Utc};
use shared::dto::inspection::{
    CheckKind, CheckRecord, InstructionGiver, Severity, Shortcoming, corrected_conclusion,
};
use shared::dto::registration::MemberRole;
use shared::dto::review::{ReviewDecision, ReviewState};
use shared::rules::follow_up;
use shared::rules::time::belgian_local;
use shared::rules::verdict::VerdictStatus;

use super::{Evidence, Lang, Report};

/// One part of the report, laid out top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title(String),
    Heading(String),
    /// A label with its value beside it.
    Field(String, String),
    Text(String),
    /// Small print: rule versions, originals, explanations.
    Small(String),
    Photo(Photo),
}

/// A photo of a finding: its caption, its hash, and the picture or why it is not shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Photo {
    pub caption: String,
    pub sha256: String,
    pub evidence: Evidence,
}

fn date(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

fn moment(at: DateTime<Utc>) -> String {
    belgian_local(at).format("%d-%m-%Y %H:%M").to_string()
}

fn status(l: Lang, s: VerdictStatus) -> &'static str {
    match s {
        VerdictStatus::Pass => l.pick("In orde", "Pass"),
        VerdictStatus::Fail => l.pick("Niet in orde", "Fail"),
        VerdictStatus::Unknown => l.pick("Onbekend", "Unknown"),
    }
}

fn check_name(l: Lang, check: Option<CheckKind>) -> &'static str {
    match check {
        Some(CheckKind::ContractFiled) => l.pick("Contract gemeld", "Contract filed"),
        Some(CheckKind::DailyRegistration) => {
            l.pick("Dagelijkse registratie", "Daily registration")
        }
        Some(CheckKind::SupervisorPresent) => l.pick("Begeleider aanwezig", "Supervisor present"),
        None => l.pick("Algemeen", "General"),
    }
}

fn role(l: Lang, r: MemberRole) -> &'static str {
    match r {
        MemberRole::Worker => l.pick("Doelgroepwerknemer", "Target-group worker"),
        MemberRole::Supervisor => l.pick("Begeleider", "Supervisor"),
    }
}

fn yes_no(l: Lang, answer: Option<bool>) -> &'static str {
    match answer {
        Some(true) => l.pick("ja", "yes"),
        Some(false) => l.pick("nee", "no"),
        None => l.pick("niet beantwoord", "not answered"),
    }
}

/// The report's blocks, in the report's language.
pub fn blocks(report: &Report) -> Vec<Block> {
    let l = report.lang;
    let view = &report.view;
    let r = &view.record;
    let mut out = vec![Block::Title(
        l.pick(
            "Inspectieverslag enclavewerking",
            "Enclave inspection report",
        )
        .to_owned(),
    )];
    let field = |label: &str, value: String| Block::Field(label.to_owned(), value);

    // Where and when.
    match &report.place {
        Some(p) => {
            out.push(field(
                l.pick("Gastorganisatie", "Host"),
                p.host.name.clone(),
            ));
            out.push(field(
                l.pick("Maatwerkbedrijf", "Maatwerkbedrijf"),
                p.maatwerkbedrijf.name.clone(),
            ));
            out.push(field(
                l.pick("Vestiging", "Site"),
                format!(
                    "{}, {}, {} {}",
                    p.site.name, p.site.street, p.site.postcode, p.site.municipality
                ),
            ));
        }
        None => out.push(field(
            l.pick("Enclave", "Enclave"),
            format!(
                "{} {}",
                r.enclave_id,
                l.pick("(niet meer in het register)", "(no longer in the register)")
            ),
        )),
    }
    out.push(field(
        l.pick("Datum en uur", "Date and time"),
        format!("{} {}", date(r.on), r.at.format("%H:%M")),
    ));
    if let Some(p) = &r.position {
        let accuracy = p
            .accuracy_m
            .map(|m| format!(" (± {m:.0} m)"))
            .unwrap_or_default();
        out.push(field(
            l.pick("Positie van het toestel", "Position of the device"),
            format!("{:.5}, {:.5}{accuracy}", p.latitude, p.longitude),
        ));
    }
    out.push(field(l.pick("Inspectie", "Inspection"), r.id.to_string()));
    out.push(field(
        l.pick("Ontvangen", "Received"),
        moment(view.received_at),
    ));

    // The three checks.
    out.push(Block::Heading(l.pick("Controles", "Checks").to_owned()));
    for (kind, check) in [
        (CheckKind::ContractFiled, &r.contract_filed),
        (CheckKind::DailyRegistration, &r.daily_registration),
        (CheckKind::SupervisorPresent, &r.supervisor_present),
    ] {
        checked(l, &mut out, check_name(l, Some(kind)), check);
    }

    // Who was present.
    out.push(Block::Heading(l.pick("Aanwezig", "Present").to_owned()));
    out.push(Block::Text(format!(
        "{} {}, {} {}",
        r.workers_present,
        l.pick(
            "geregistreerde doelgroepwerknemer(s)",
            "registered target-group worker(s)"
        ),
        r.supervisors_present,
        l.pick("geregistreerde begeleider(s)", "registered supervisor(s)"),
    )));
    for p in &r.present {
        let name = if p.name.trim().is_empty() {
            l.pick("(naam niet bewaard)", "(name not kept)")
        } else {
            &p.name
        };
        let staff = if p.staff_ref.is_empty() {
            String::new()
        } else {
            format!(" · {}{}", l.pick("pers.nr. ", "staff no. "), p.staff_ref)
        };
        out.push(Block::Text(format!("{name}{staff} · {}", role(l, p.role))));
    }
    if !r.unregistered.is_empty() {
        out.push(Block::Small(
            l.pick(
                "Aan het werk maar niet geregistreerd; wie niet geregistreerd is, telt niet als doelgroepwerknemer of begeleider van het team, welke rol die ook opgeeft:",
                "Working but not registered; people who are not registered do not count as the team's workers or supervisors, whatever role they state:",
            )
            .to_owned(),
        ));
        for u in &r.unregistered {
            out.push(Block::Text(format!(
                "{} · {} {}",
                u.name,
                l.pick("verklaart:", "states:"),
                role(l, u.stated_role)
            )));
        }
    }

    // How the work is directed.
    let ins = &r.instructions;
    out.push(Block::Heading(
        l.pick("Instructies", "Instructions").to_owned(),
    ));
    let giver = match ins.given_by {
        Some(InstructionGiver::Supervisor) => l.pick("alleen de begeleider", "only the supervisor"),
        Some(InstructionGiver::HostStaff) => l.pick("personeel van het gastbedrijf", "host staff"),
        Some(InstructionGiver::Both) => l.pick("allebei", "both"),
        Some(InstructionGiver::Unclear) => l.pick("niet vast te stellen", "cannot be established"),
        None => l.pick("niet beantwoord", "not answered"),
    };
    out.push(field(
        l.pick("Instructies gegeven door", "Instructions given by"),
        giver.to_owned(),
    ));
    out.push(field(
        l.pick(
            "Gastbedrijf verdeelt of controleert taken",
            "Host assigns or checks tasks",
        ),
        yes_no(l, ins.host_assigns_tasks).to_owned(),
    ));
    out.push(field(
        l.pick(
            "Begeleider de hele shift aanwezig",
            "Supervisor present the whole shift",
        ),
        yes_no(l, ins.supervisor_whole_shift).to_owned(),
    ));
    out.push(field(
        l.pick(
            "Hoofdactiviteit gastorganisatie",
            "The host's main activity",
        ),
        yes_no(l, ins.main_activity).to_owned(),
    ));
    if let Some(p) = &report.place {
        let nace = |code: &Option<String>| code.clone().unwrap_or_else(|| "—".into());
        out.push(Block::Small(format!(
            "{} {} · {} {} · {} {}",
            l.pick("NACE gastorganisatie:", "Host's NACE:"),
            nace(&p.host.nace_code),
            l.pick("NACE maatwerkbedrijf:", "Maatwerkbedrijf's NACE:"),
            nace(&p.maatwerkbedrijf.nace_code),
            l.pick("activiteit van de enclave:", "the enclave's activity:"),
            p.activity
        )));
    }
    if let Some(note) = &ins.note {
        out.push(field(l.pick("Toelichting", "Note"), note.clone()));
    }

    // Findings and their photos.
    out.push(Block::Heading(
        l.pick("Vaststellingen", "Findings").to_owned(),
    ));
    if r.findings.is_empty() {
        out.push(Block::Text(
            l.pick("Geen vaststellingen.", "No findings.").to_owned(),
        ));
    }
    for (n, f) in r.findings.iter().enumerate() {
        let severity = match f.severity {
            Severity::Low => l.pick("laag", "low"),
            Severity::Medium => l.pick("middel", "medium"),
            Severity::High => l.pick("hoog", "high"),
        };
        out.push(field(
            &format!("{} {}", l.pick("Vaststelling", "Finding"), n + 1),
            format!(
                "{} · {} · {}{severity}",
                f.category,
                check_name(l, f.check),
                l.pick("ernst: ", "severity: ")
            ),
        ));
        out.push(Block::Text(f.text.clone()));
        for (i, p) in f.photos.iter().enumerate() {
            out.push(Block::Photo(Photo {
                caption: format!("{} {}.{}", l.pick("Foto", "Photo"), n + 1, i + 1),
                sha256: p.sha256.clone(),
                evidence: report
                    .photos
                    .get(&p.sha256)
                    .cloned()
                    .unwrap_or(Evidence::NotReceived),
            }));
        }
    }

    // The conclusion, as corrected.
    let corrected = corrected_conclusion(
        &r.conclusion,
        view.amendments.iter().filter_map(|a| a.correction()),
    );
    let measure = |c: &shared::dto::inspection::Conclusion| {
        let (nl, en) = c.measure.names();
        let deadline = c
            .deadline
            .map(|d| format!(" · {} {}", l.pick("termijn", "deadline"), date(d)))
            .unwrap_or_default();
        format!("{}{deadline}", l.pick(nl, en))
    };
    out.push(Block::Heading(l.pick("Conclusie", "Conclusion").to_owned()));
    let changed =
        corrected.measure != r.conclusion.measure || corrected.deadline != r.conclusion.deadline;
    out.push(field(
        l.pick("Maatregel", "Measure"),
        if changed {
            format!(
                "{} ({})",
                measure(&corrected),
                l.pick("rechtgezet", "corrected")
            )
        } else {
            measure(&corrected)
        },
    ));
    if changed {
        out.push(Block::Small(format!(
            "{}{}",
            l.pick("Oorspronkelijk: ", "Originally: "),
            measure(&r.conclusion)
        )));
    }
    out.push(field(
        l.pick("Motivering", "Motivation"),
        corrected.motivation.clone(),
    ));

    // A follow-up's answers.
    if let Some(follows) = &r.follows {
        let outcome = follow_up::tally(&follows.remedies);
        out.push(Block::Heading(l.pick("Opvolging", "Follow-up").to_owned()));
        out.push(Block::Text(format!(
            "{} {} {}, {} {}.",
            l.pick(
                "Volgt een eerdere inspectie op:",
                "Follows up an earlier inspection:"
            ),
            outcome.remedied,
            l.pick("verholpen", "remedied"),
            outcome.not_remedied,
            l.pick("niet verholpen", "not remedied"),
        )));
        out.push(Block::Small(format!(
            "{} {}",
            l.pick("Opgevolgde inspectie:", "Inspection followed up:"),
            follows.inspection_id
        )));
        for remedy in &follows.remedies {
            let what = match remedy.shortcoming {
                Shortcoming::Check(check) => check_name(l, Some(check)).to_owned(),
                Shortcoming::Finding(id) => {
                    format!("{} {id}", l.pick("Vaststelling", "Finding"))
                }
            };
            let answer = if remedy.remedied {
                l.pick("verholpen", "remedied")
            } else {
                l.pick("niet verholpen", "not remedied")
            };
            out.push(Block::Text(format!("{what}: {answer}")));
        }
    }

    // Amendments.
    if !view.amendments.is_empty() {
        out.push(Block::Heading(
            l.pick("Rechtzettingen", "Amendments").to_owned(),
        ));
        for a in &view.amendments {
            out.push(Block::Small(format!(
                "{} · {}",
                moment(a.received_at),
                a.author_name
            )));
            out.push(Block::Text(a.text.clone()));
            if let Some(m) = a.measure {
                let (nl, en) = m.names();
                out.push(Block::Small(format!(
                    "{}{}",
                    l.pick("maatregel: ", "measure: "),
                    l.pick(nl, en)
                )));
            }
            if let Some(d) = a.deadline {
                out.push(Block::Small(format!(
                    "{}{}",
                    l.pick("termijn: ", "deadline: "),
                    date(d)
                )));
            }
        }
    }

    // The review.
    out.push(Block::Heading(l.pick("Beoordeling", "Review").to_owned()));
    out.push(field(
        l.pick("Stand", "State"),
        match view.review_state {
            ReviewState::Submitted => l.pick("wacht op beoordeling", "waiting for review"),
            ReviewState::Returned => l.pick("teruggestuurd", "returned"),
            ReviewState::Approved => l.pick("goedgekeurd", "approved"),
        }
        .to_owned(),
    ));
    for d in &view.reviews {
        let decision = match d.decision {
            ReviewDecision::Approve => l.pick("goedgekeurd", "approved"),
            ReviewDecision::Return => l.pick("teruggestuurd", "returned"),
        };
        let comment = if d.comment.is_empty() {
            String::new()
        } else {
            format!(": “{}”", d.comment)
        };
        out.push(Block::Text(format!(
            "{} · {} · {decision} ({} {}){comment}",
            moment(d.decided_at),
            d.reviewer_name,
            l.pick("versie", "version"),
            d.inspection_version
        )));
    }
    if let Some(on) = view.report_notified_on {
        out.push(field(
            l.pick("Proces-verbaal betekend", "Report notified"),
            date(on),
        ));
    }
    out
}

/// One check: the status that counts (an override marked, with the computed status and the
/// inspector's note), each reason, and the rule version.
fn checked(l: Lang, out: &mut Vec<Block>, name: &str, check: &CheckRecord) {
    let counts = status(l, check.status());
    let value = match check.override_status {
        Some(_) => format!(
            "{counts} ({}) · {}{}",
            l.pick("inspecteur", "inspector"),
            l.pick("berekend: ", "computed: "),
            status(l, check.computed.status)
        ),
        None => counts.to_owned(),
    };
    out.push(Block::Field(name.to_owned(), value));
    for reason in &check.computed.reasons {
        out.push(Block::Text(format!(
            "– {}",
            l.pick(&reason.message_nl, &reason.message_en)
        )));
    }
    if let Some(note) = &check.note {
        out.push(Block::Text(format!(
            "{} {note}",
            l.pick("Toelichting:", "Note:")
        )));
    }
    out.push(Block::Small(format!(
        "{} {}",
        l.pick("Regel", "Rule"),
        check.computed.rule_version
    )));
}
