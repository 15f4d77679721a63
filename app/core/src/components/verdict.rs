//! The verdict of one check as a large card: a green ✓, a red ✗ or a grey ?, the plain word,
//! the reasons in the current language and the rule version in small print.
//!
//! [`CheckCard`] is the one place that decides how a recorded check shows: the status that
//! counts ([`CheckRecord::status`]) is the card's colour and word; when the inspector
//! overrode it, the card says so, with the note, and the computed status in small print.

use leptos::prelude::*;
use shared::dto::inspection::CheckRecord;
use shared::rules::verdict::{Verdict, VerdictStatus};

use crate::i18n::{I18n, Key};

/// `check` names the check in `data-test` (`verdict-{check}`); `data-status` holds
/// `pass`, `fail` or `unknown`.
#[component]
pub fn VerdictCard(check: &'static str, title: Key, verdict: Verdict) -> impl IntoView {
    card(check, title, verdict, None)
}

/// A recorded check: the status that counts, marked when it is the inspector's override.
/// `data-status` holds the status that counts, `data-computed` the computed one and
/// `data-overridden` whether the inspector overrode it.
#[component]
pub fn CheckCard(check: &'static str, title: Key, record: CheckRecord) -> impl IntoView {
    let overridden = record.override_status.map(|status| Override {
        status,
        note: record.note.clone().unwrap_or_default(),
    });
    card(check, title, record.computed, overridden)
}

/// The inspector's override of a computed verdict.
struct Override {
    status: VerdictStatus,
    note: String,
}

/// The mark, the class and the word of a status.
fn looks(status: VerdictStatus) -> (&'static str, &'static str, Key) {
    match status {
        VerdictStatus::Pass => ("pass", "✓", Key::VerdictPass),
        VerdictStatus::Fail => ("fail", "✗", Key::VerdictFail),
        VerdictStatus::Unknown => ("unknown", "?", Key::VerdictUnknown),
    }
}

fn card(
    check: &'static str,
    title: Key,
    verdict: Verdict,
    overridden: Option<Override>,
) -> impl IntoView {
    let i18n = I18n::expect();
    let computed = verdict.status;
    let counts = overridden.as_ref().map_or(computed, |o| o.status);
    let (status, mark, word) = looks(counts);
    let reasons = verdict
        .reasons
        .into_iter()
        .map(|reason| {
            view! {
                <li>
                    {move || i18n.pick(&reason.message_nl, &reason.message_en).to_owned()}
                </li>
            }
        })
        .collect_view();
    let is_overridden = overridden.is_some();
    let override_view = overridden.map(|o| {
        let overridden_to = match o.status {
            VerdictStatus::Pass => Key::OverriddenPass,
            VerdictStatus::Fail => Key::OverriddenFail,
            VerdictStatus::Unknown => Key::OverriddenUnknown,
        };
        let (_, computed_mark, computed_word) = looks(computed);
        view! {
            <div class="override" data-test=format!("override-{check}")>
                <p class="override-mark"><strong>{i18n.text(overridden_to)}</strong></p>
                {(!o.note.is_empty()).then(|| view! { <p class="override-note">{o.note}</p> })}
                <p class="small computed" data-test="computed">
                    {i18n.text(Key::Computed)}
                    <span aria-hidden="true">{computed_mark}</span>
                    " "
                    {i18n.text(computed_word)}
                </p>
            </div>
        }
    });
    view! {
        <section
            class=format!("verdict {status}")
            data-test=format!("verdict-{check}")
            data-status=status
            data-computed=computed.as_str()
            data-overridden=is_overridden.to_string()
        >
            <div class="head">
                <span class="mark" aria-hidden="true">{mark}</span>
                <div>
                    <h2 class="label">{i18n.text(title)}</h2>
                    <p class="word">{i18n.text(word)}</p>
                </div>
            </div>
            {override_view}
            <ul>{reasons}</ul>
            <p class="rule">{i18n.text(Key::Rule)} ": " {verdict.rule_version}</p>
        </section>
    }
}
