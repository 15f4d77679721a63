//! The verdict of one check as a large card: a green ✓, a red ✗ or a grey ?, the plain word,
//! the reasons in the current language and the rule version in small print.

use leptos::prelude::*;
use shared::rules::verdict::{Verdict, VerdictStatus};

use crate::i18n::{I18n, Key, Lang};

/// `check` names the check in `data-test` (`verdict-{check}`); `data-status` holds
/// `pass`, `fail` or `unknown`.
#[component]
pub fn VerdictCard(check: &'static str, title: Key, verdict: Verdict) -> impl IntoView {
    let i18n = I18n::expect();
    let (status, mark, word) = match verdict.status {
        VerdictStatus::Pass => ("pass", "✓", Key::VerdictPass),
        VerdictStatus::Fail => ("fail", "✗", Key::VerdictFail),
        VerdictStatus::Unknown => ("unknown", "?", Key::VerdictUnknown),
    };
    let reasons = verdict
        .reasons
        .into_iter()
        .map(|reason| {
            view! {
                <li>
                    {move || match i18n.lang() {
                        Lang::Nl => reason.message_nl.clone(),
                        Lang::En => reason.message_en.clone(),
                    }}
                </li>
            }
        })
        .collect_view();
    view! {
        <section
            class=format!("verdict {status}")
            data-test=format!("verdict-{check}")
            data-status=status
        >
            <div class="head">
                <span class="mark" aria-hidden="true">{mark}</span>
                <div>
                    <h2 class="label">{i18n.text(title)}</h2>
                    <p class="word">{i18n.text(word)}</p>
                </div>
            </div>
            <ul>{reasons}</ul>
            <p class="rule">{i18n.text(Key::Rule)} ": " {verdict.rule_version}</p>
        </section>
    }
}
