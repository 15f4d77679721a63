//! The inspector's record tells the truth, on the tablet (800×1280) and on a laptop (1366×768):
//! a reviewer is not offered "Inspectie starten"; an inspector starts an inspection and finds
//! every question unanswered, a submit refused with each unanswered question listed; overrides
//! a failing check and sees the status that counts on its card, marked as the inspector's; sees
//! check 3 open with the late registration that decides it; tells two "Stijn V." apart by their
//! staff references; adds the host's foreman as a supervisor, who is listed but not counted as
//! a begeleider; adds a finding with a photo (a thumbnail, removed, added again); concludes,
//! submits and reads the whole record (screenshots `inspection-summary*.png` in
//! `$CARGO_TARGET_TMPDIR`); enlarges the photo and closes it with Escape; and corrects the
//! measure and the deadline with a structured amendment.

use chrono::{Days, Duration, NaiveTime, Timelike};
use diesel::prelude::*;
use serde_json::json;
use shared::dto::auth::Role;
use shared::dto::organisation::OrganisationKind;
use shared::dto::registration::MemberRole::{Supervisor, Worker};
use shared::rules::supervision_norm::SupportNeed;
use tests::axe::audit;
use tests::dates::{date, local, now_local};
use tests::driver::Browser;
use tests::field::{
    photo_file, prepare_for_the_field, print_to_pdf, start_inspection, tap, until_submitted,
};
use tests::fixture::{ContractSpec, EnclaveSpec};
use tests::{Backend, TestApp};

const PW: &str = "a-long-test-password";

/// The text of the element `name`.
async fn text_of(b: &Browser, name: &str) -> String {
    let el = b.find(name).await;
    b.text(&el).await
}

async fn attr_of(b: &Browser, name: &str, attr: &str) -> Option<String> {
    let el = b.find(name).await;
    b.attr(&el, attr).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inspector_records_only_what_was_found_and_reads_it_back_in_full() {
    walk((800, 1280), "").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inspector_on_a_laptop_records_and_reads_back_the_same() {
    walk((1366, 768), "-laptop").await;
}

/// The inspector's whole path on a screen of `width`×`height`; screenshots named with
/// `suffix` (empty for the tablet).
async fn walk((width, height): (u32, u32), suffix: &str) {
    let Some(b) = Browser::open().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await;
    let f = app.fixture();
    f.user("ines", PW, Role::Inspector, &[]);
    f.user("rita", PW, Role::Reviewer, &[]);
    let mwb = f.organisation(
        OrganisationKind::Maatwerkbedrijf,
        "Atelier De Kouter vzw",
        None,
    );
    let host = f.organisation(OrganisationKind::RegularCompany, "Drukkerij Vanhove", None);
    let enclave = f.enclave(
        &mwb,
        &host,
        EnclaveSpec {
            support_need: Some(SupportNeed::High),
            ..EnclaveSpec::default()
        },
    );
    f.contract(
        &enclave,
        ContractSpec {
            start: date("2024-03-11"),
            notified_local: Some(local("2024-03-01 10:00")),
            ..ContractSpec::default()
        },
    );
    // Registered ten minutes after the planned start: late.
    let now = now_local();
    let planned = now - Duration::minutes(40);
    let planned_start =
        NaiveTime::from_hms_opt(planned.hour(), planned.minute(), 0).expect("a time");
    let registration = f.registration(
        &enclave,
        now.date(),
        now.date().and_time(planned_start) + Duration::minutes(10),
        planned_start,
        &[Supervisor, Worker, Worker],
    );
    // Two people of the same short name, told apart by their staff references.
    let mut workers = [("Stijn V.", "MWB-0342"), ("Anna P.", "MWB-0211")].into_iter();
    {
        use server::db::schema::people;
        let mut conn = app.db.get().expect("connection");
        for (person, role) in f.members(&registration) {
            let (name, reference) = if role == "supervisor" {
                ("Stijn V.", "MWB-0107")
            } else {
                workers.next().expect("two workers")
            };
            diesel::update(people::table.filter(people::id.eq(&person)))
                .set((
                    people::display_name.eq(name),
                    people::company_reference.eq(reference),
                ))
                .execute(&mut conn)
                .expect("rename");
        }
    }
    let base = app.base_url.clone();
    b.set_viewport(width, height).await;

    // A reviewer starts in the office app, reads the enclave (the field app's page) but is
    // not offered an inspection.
    b.sign_in(&format!("{base}/login"), "rita", PW).await;
    b.find("queue-state").await;
    b.goto(&format!("{base}/enclaves/{}", enclave.id)).await;
    b.find("registration").await;
    // The team's support need, and the supervision norm it sets for check 3.
    let need = text_of(&b, "support-need").await;
    assert_eq!(
        need, "hoog: 1 begeleider per 7 doelgroepwerknemers",
        "{need}"
    );
    assert!(
        b.all("start-inspection").await.is_empty(),
        "a reviewer is offered 'Inspectie starten'"
    );
    b.click("logout").await;
    b.find("login-username").await;

    // The inspector starts an inspection: nothing is answered.
    prepare_for_the_field(&b, &base, "ines", PW).await;
    start_inspection(&b, &base, &enclave.id).await;
    let answered = b
        .js(
            "return document.querySelectorAll('[data-test^=given-by-]:checked, \
             [data-test^=main_activity-]:checked, [data-test^=host_assigns_tasks-]:checked, \
             [data-test^=supervisor_whole_shift-]:checked, [data-test^=measure-]:checked, \
             .answer .chosen').length",
        )
        .await;
    assert_eq!(answered, json!(0), "a new inspection has no answers");
    let severity = b
        .js("return document.querySelector('[data-test=finding-severity]').value")
        .await;
    assert_eq!(severity, json!(""), "a finding's severity starts unchosen");
    // The main-activity question shows the host's NACE code and the enclave's activity.
    let activity = text_of(&b, "enclave-activity").await;
    assert!(
        !activity.is_empty(),
        "the enclave's activity beside the question"
    );
    b.find("host-nace").await;

    // Submitting lists each unanswered question.
    tap(&b, "submit").await;
    let problems = text_of(&b, "problems").await;
    assert_eq!(
        problems.matches("Vraag niet beantwoord").count(),
        4,
        "{problems}"
    );
    assert_eq!(
        problems.matches("Bevestig controle").count(),
        3,
        "{problems}"
    );
    assert!(problems.contains("Kies een maatregel"), "{problems}");
    // Everything else missing is listed at the first try too, not after a measure is chosen.
    assert!(
        problems.contains("De motivering van de conclusie"),
        "{problems}"
    );
    assert_eq!(b.all("sync-state").await.len(), 0, "not submitted");

    // An override is offered only where it changes something: check 2 fails, so it can be
    // declared in order, not "not in order".
    assert_eq!(
        b.js(
            "return document.querySelector('[data-test=override-fail-daily_registration]').hidden"
        )
        .await,
        json!(true)
    );

    // Check 2 fails (registered late); the inspector overrides it with a note, and the card
    // shows the status that counts, marked as the inspector's, the computed one beneath.
    assert_eq!(
        attr_of(&b, "verdict-daily_registration", "data-status")
            .await
            .as_deref(),
        Some("fail")
    );
    tap(&b, "override-pass-daily_registration").await;
    b.type_into(
        "note-daily_registration",
        "Registratie bij aankomst nagekeken: de ploeg begon pas na de registratie.",
    )
    .await;
    b.until("the card shows the override", async || {
        let card = b.find("verdict-daily_registration").await;
        (b.attr(&card, "data-status").await.as_deref() == Some("pass")).then_some(())
    })
    .await;
    let card = b.find("verdict-daily_registration").await;
    assert_eq!(
        b.attr(&card, "data-computed").await.as_deref(),
        Some("fail")
    );
    assert_eq!(
        b.attr(&card, "data-overridden").await.as_deref(),
        Some("true")
    );
    let card_text = b.text(&card).await;
    assert!(
        card_text.contains("Toch in orde (inspecteur)"),
        "{card_text}"
    );
    assert!(card_text.contains("Berekend"), "{card_text}");
    assert!(
        card_text.contains("Registratie bij aankomst"),
        "{card_text}"
    );

    // Two "Stijn V." told apart; everyone ticked; check 3 opens with the late registration.
    let mut refs = Vec::new();
    for (i, person) in b.all("present-person").await.into_iter().enumerate() {
        refs.push(b.text(&person).await);
        b.js(&format!(
            "document.querySelectorAll('[data-test=present-person]')[{i}]\
             .scrollIntoView({{ block: 'center' }})"
        ))
        .await;
        b.ok("ticking a person", person.click().await).await;
    }
    assert_eq!(
        refs.iter().filter(|t| t.contains("Stijn V.")).count(),
        2,
        "{refs:?}"
    );
    assert!(refs.iter().any(|t| t.contains("MWB-0107")), "{refs:?}");
    assert!(refs.iter().any(|t| t.contains("MWB-0342")), "{refs:?}");
    b.until("all three are counted", async || {
        let n = text_of(&b, "count-workers").await;
        n.trim().starts_with('2').then_some(())
    })
    .await;
    let first_reason = b
        .js(
            "return document.querySelector('[data-test=verdict-supervisor_present] ul li')\
             .textContent",
        )
        .await;
    assert!(
        first_reason
            .as_str()
            .is_some_and(|t| t.starts_with("De registratie werd gemaakt op")),
        "check 3's first reason: {first_reason}"
    );

    // The host's foreman, stated as supervisor: listed, not counted as a begeleider.
    b.type_into("unregistered-name", "Marc D. (ploegbaas gastbedrijf)")
        .await;
    b.choose("unregistered-role", "supervisor").await;
    tap(&b, "add-unregistered").await;
    b.find("unregistered").await;
    b.until("the foreman is counted apart", async || {
        let n = text_of(&b, "count-unregistered").await;
        n.trim().starts_with('1').then_some(())
    })
    .await;
    assert!(
        text_of(&b, "count-supervisors")
            .await
            .trim()
            .starts_with('1')
    );
    assert!(text_of(&b, "count-workers").await.trim().starts_with('2'));

    tap(&b, "confirm-contract_filed").await;
    tap(&b, "confirm-supervisor_present").await;
    tap(&b, "main_activity-no").await;
    tap(&b, "given-by-both").await;
    tap(&b, "host_assigns_tasks-yes").await;
    tap(&b, "supervisor_whole_shift-no").await;

    // A finding with a photo: a thumbnail, removed, added again.
    b.type_into("finding-category", "Begeleiding").await;
    b.choose("finding-check", "supervisor_present").await;
    b.choose("finding-severity", "high").await;
    b.type_into(
        "finding-text",
        "De ploegbaas van het gastbedrijf deelt de taken uit.",
    )
    .await;
    tap(&b, "add-finding").await;
    b.find("finding").await;
    let files = tempfile::tempdir().expect("photo directory");
    let photo = photo_file(files.path(), "ploegbaas", 320, 240, 7);
    let add_photo = async || {
        let input = b.find("photo-input").await;
        let chosen = input.send_keys(&photo.to_string_lossy()).await;
        b.ok("choosing a photo", chosen).await;
        b.until("the thumbnail shows the photo", async || {
            let thumb = b.all("photo-thumb").await.into_iter().next()?;
            (b.attr(&thumb, "data-loaded").await.as_deref() == Some("true")).then_some(())
        })
        .await;
    };
    add_photo().await;
    let remove = b.find("remove-photo").await;
    let name = b.text(&remove).await;
    assert!(
        name.contains("Foto 1 verwijderen"),
        "the remove button says which photo: {name}"
    );
    let size = b
        .js(
            "const r = document.querySelector('[data-test=remove-photo]').getBoundingClientRect(); \
             return [r.width, r.height];",
        )
        .await;
    assert!(
        size[0].as_f64() >= Some(44.0) && size[1].as_f64() >= Some(44.0),
        "the remove button is a touch target: {size}"
    );
    b.full_page_screenshot(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")),
        &format!("inspection-draft{suffix}.png"),
    )
    .await;
    // The form with its problems listed and a photo passes axe-core; controls are targets.
    let mut problems = Vec::new();
    audit(&b, "inspection draft", &mut problems).await;
    tap(&b, "remove-photo").await;
    b.until("the photo is removed", async || {
        b.all("photo").await.is_empty().then_some(())
    })
    .await;
    add_photo().await;

    // Conclude and submit.
    tap(&b, "measure-advice").await;
    b.type_into(
        "motivation",
        "Instructies door de ploegbaas: advies gegeven.",
    )
    .await;
    b.until("the draft is saved", async || {
        (attr_of(&b, "draft-saved", "data-saved").await.as_deref() == Some("true")).then_some(())
    })
    .await;
    tap(&b, "submit").await;
    until_submitted(&b).await;
    b.find("record").await;

    // The whole record.
    let card = b.find("verdict-daily_registration").await;
    assert_eq!(b.attr(&card, "data-status").await.as_deref(), Some("pass"));
    assert_eq!(
        b.attr(&card, "data-overridden").await.as_deref(),
        Some("true")
    );
    assert_eq!(b.all("record-present").await.len(), 3);
    let presence = text_of(&b, "record-presence").await;
    for reference in ["MWB-0107", "MWB-0342", "MWB-0211"] {
        assert!(presence.contains(reference), "{presence}");
    }
    assert!(presence.contains("Marc D."), "{presence}");
    let counts = text_of(&b, "record-counts").await;
    assert!(counts.contains("1 geregistreerde begeleider,"), "{counts}");
    assert!(
        counts.contains("2 geregistreerde doelgroepwerknemers"),
        "{counts}"
    );
    assert_eq!(text_of(&b, "record-unregistered-count").await.trim(), "1");
    b.find("record-unregistered-finding").await;
    assert_eq!(text_of(&b, "record-given-by").await.trim(), "allebei");
    assert_eq!(text_of(&b, "record-host-assigns").await.trim(), "ja");
    assert_eq!(text_of(&b, "record-whole-shift").await.trim(), "nee");
    assert_eq!(text_of(&b, "record-main-activity").await.trim(), "nee");
    let finding = b.find("record-finding").await;
    assert_eq!(
        b.attr(&finding, "data-severity").await.as_deref(),
        Some("hoog")
    );
    assert_eq!(
        text_of(&b, "record-finding-check").await.trim(),
        "Begeleider aanwezig",
        "the check the finding belongs to"
    );
    let finding_text = text_of(&b, "record-finding-text").await;
    assert!(
        finding_text.starts_with("De ploegbaas"),
        "no stray ':' before the text: {finding_text}"
    );
    assert_eq!(
        attr_of(&b, "record-measure", "data-measure")
            .await
            .as_deref(),
        Some("advice")
    );
    b.until("the photo shows in the record", async || {
        let thumb = b.all("photo-thumb").await.into_iter().next()?;
        (b.attr(&thumb, "data-loaded").await.as_deref() == Some("true")).then_some(())
    })
    .await;
    // On paper (print media): no header or buttons, each photo named by its SHA-256, and
    // Chromium prints the page to a PDF.
    b.cdp(
        "Emulation.setEmulatedMedia",
        json!({ "media": "print", "features": [] }),
    )
    .await;
    let printed = b
        .js(
            "const shown = (s) => { const e = document.querySelector(s); \
             return !!e && e.getClientRects().length > 0; }; \
             const sha = document.querySelector('[data-test=photo-sha]'); \
             return [shown('.topbar'), shown('[data-test=print]'), shown('[data-test=photo-sha]'), \
             sha ? sha.textContent : '', \
             document.querySelector('[data-test=photo-thumb]').getAttribute('data-sha256') || ''];",
        )
        .await;
    assert_eq!(printed[0], json!(false), "the header is not printed");
    assert_eq!(printed[1], json!(false), "the print button is not printed");
    assert_eq!(printed[2], json!(true), "the photo's hash is printed");
    assert_eq!(printed[3].as_str().map(str::len), Some(64), "{printed}");
    assert_eq!(printed[3], printed[4], "the hash of the photo shown");
    print_to_pdf(
        &b,
        &std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("inspection{suffix}.pdf")),
    )
    .await;
    b.cdp(
        "Emulation.setEmulatedMedia",
        json!({ "media": "", "features": [] }),
    )
    .await;
    b.full_page_screenshot(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")),
        &format!("inspection-summary{suffix}.png"),
    )
    .await;

    // The photo enlarges on tap and closes with Escape.
    tap(&b, "photo-thumb").await;
    b.find("lightbox").await;
    let focused = b
        .js("return document.activeElement.getAttribute('data-test')")
        .await;
    assert_eq!(
        focused,
        json!("lightbox-close"),
        "the close button has the focus"
    );
    let cover = b
        .js(
            "const r = document.querySelector('[data-test=lightbox]').getBoundingClientRect(); \
             return [r.top, r.height];",
        )
        .await;
    assert_eq!(
        cover,
        json!([0, height]),
        "the enlarged photo covers the screen"
    );
    b.screenshot(
        &std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("inspection-photo{suffix}.png")),
    )
    .await;
    audit(&b, "enlarged photo", &mut problems).await;
    b.press("\u{E00C}").await;
    b.until("the enlarged photo closes", async || {
        b.all("lightbox").await.is_empty().then_some(())
    })
    .await;

    // A structured correction: a regularisation order with a deadline.
    let deadline = now.date() + Days::new(30);
    b.choose("amendment-measure", "regularisation_order").await;
    b.choose("amendment-deadline", &deadline.to_string()).await;
    b.type_into(
        "amendment-text",
        "Herhaalde vaststelling bij dit gastbedrijf: bevel tot regularisatie.",
    )
    .await;
    tap(&b, "add-amendment").await;
    b.until("the record shows the corrected measure", async || {
        let measure = b.find("record-measure").await;
        (b.attr(&measure, "data-measure").await.as_deref() == Some("regularisation_order"))
            .then_some(())
    })
    .await;
    assert_eq!(
        attr_of(&b, "record-measure", "data-corrected")
            .await
            .as_deref(),
        Some("true")
    );
    let original = text_of(&b, "record-original-measure").await;
    assert!(original.contains("advies"), "{original}");
    let measure = text_of(&b, "record-measure").await;
    assert!(
        measure.contains(&deadline.format("%d/%m/%Y").to_string()),
        "{measure}"
    );
    b.find("record-amendment-correction").await;
    b.full_page_screenshot(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")),
        &format!("inspection-summary-corrected{suffix}.png"),
    )
    .await;
    audit(&b, "corrected record", &mut problems).await;
    assert_eq!(problems, Vec::<String>::new());
    b.close().await;
}
