//! The inspection page (`/inspections/:id`): a draft being recorded, or a submitted
//! inspection with its sync state and amendments.
//!
//! The draft form runs top to bottom as the inspector works on site: checks 1 and 2
//! (computed from the device's copy of the register, confirmed or overridden with a note),
//! check 3 (ticking who is present from the registration, adding people who are not in it,
//! the counts; the verdict follows every tick), how the work is directed, findings with
//! photos, and the conclusion. Every change is saved to the device store at once; a photo
//! with the draft that names it, in one transaction — when the device cannot keep it, the
//! draft stays as it was and the page says why. Submitting checks what the server checks.
//!
//! A follow-up inspection starts with the earlier inspection's shortcomings, each to be said
//! remedied or not.
//!
//! One module per section: [`draft_form`] holds them together; [`follow_up`], [`checks`],
//! [`presence`], [`instructions`], [`findings`], [`conclusion`]; [`submitted`] shows what was
//! sent.

use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use shared::dto::inspection::{
    CheckKind, Correction, Finding, InspectionRecord, InstructionGiver, Measure, PhotoRef,
    Severity, Shortcoming, UnregisteredPerson,
};
use shared::dto::registration::MemberRole;
use shared::dto::review::ReviewState;
use shared::dto::sync::SyncRecord;
use shared::rules::time::belgian_local;
use shared::rules::verdict::VerdictStatus;
use shared::rules::{validate_correction, validate_inspection};
use uuid::Uuid;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use crate::components::status::SyncBadge;
use crate::device::{Device, OutboxEntry, ReviewNote, Submission};
use crate::draft::Draft;
use crate::photo;
use crate::store::StoreError;
use crate::texts::FieldKey;
use app_core::components::problems::ProblemList;
use app_core::components::record::{
    Enlarged, Lightbox, PhotoThumb, RecordAmendment, RecordExtras, RecordView, belongs_to,
    severity_words,
};
use app_core::components::verdict::CheckCard;
use app_core::i18n::{self, I18n, Key};
use app_core::router::Router;
use app_core::session::Session;

mod checks;
mod conclusion;
mod draft_form;
mod findings;
mod follow_up;
mod instructions;
mod presence;
mod submitted;

use self::checks::CheckAnswerCard;
use self::conclusion::ConclusionForm;
use self::draft_form::DraftForm;
use self::findings::Findings;
use self::follow_up::FollowUpForm;
use self::instructions::InstructionsForm;
use self::presence::Presence;
use self::submitted::Submitted;

/// The inspection `id` as the device knows it.
#[component]
pub fn InspectionPage(id: String) -> impl IntoView {
    let i18n = I18n::expect();
    let device = Device::expect();
    let id = Uuid::parse_str(&id).ok();
    // Changes only when the inspection moves from draft to submitted, so saving a draft or
    // a sync does not rebuild the form under the inspector's fingers.
    let kind = Memo::new(move |_| {
        if !device.ready.get() {
            return Kind::Loading;
        }
        let Some(id) = id else { return Kind::Missing };
        if device.drafts.with(|d| d.iter().any(|d| d.id == id)) {
            Kind::Draft(id)
        } else if device
            .outbox
            .with(|o| o.iter().any(|e| e.inspection_id == id))
        {
            Kind::Submitted(id)
        } else {
            Kind::Missing
        }
    });
    let page = move || match kind.get() {
        Kind::Loading => view! { <p class="notice">{i18n.text(Key::Loading)}</p> }.into_any(),
        Kind::Draft(id) => {
            let draft = device
                .drafts
                .with_untracked(|d| d.iter().find(|d| d.id == id).cloned());
            draft.map(|draft| view! { <DraftForm draft /> }).into_any()
        }
        Kind::Submitted(id) => view! { <Submitted id /> }.into_any(),
        Kind::Missing => view! {
            <p class="notice" data-test="inspection-missing">
                {i18n.text(FieldKey::InspectionNotOnDevice)}
            </p>
        }
        .into_any(),
    };
    view! {
        <main class="inspection inspection-print">
            <a class="button back" href="/device">
                {i18n.text(FieldKey::BackToDevice)}
            </a>
            {page}
        </main>
    }
}

/// What the page shows.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Loading,
    Draft(Uuid),
    Submitted(Uuid),
    Missing,
}

/// Changes the draft and saves it.
#[derive(Clone, Copy)]
pub(super) struct Editor {
    pub(super) draft: RwSignal<Draft>,
    pub(super) device: Device,
    pub(super) saved: RwSignal<bool>,
}

impl Editor {
    pub(super) fn edit(self, f: impl FnOnce(&mut Draft)) {
        self.draft.update(f);
        // Gone when the page was left while a photo was being saved.
        let Some(draft) = self.draft.try_get_untracked() else {
            return;
        };
        self.saved.set(false);
        leptos::task::spawn_local(async move {
            let ok = self.device.save_draft(draft).await;
            self.saved.set(ok);
        });
    }
}
