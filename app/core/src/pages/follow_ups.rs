//! The follow-ups of measures (`/follow-ups?overdue=`), in both apps: an inspector sees the
//! follow-ups of their own inspections, a reviewer or admin everyone's. Each warning or order
//! with a deadline, soonest due first; the overdue ones stand out (a red badge, counted at the
//! top) and can be shown alone. The filter is kept in the address. A reviewer opens the
//! inspection; an inspector the enclave, to inspect it again.

use leptos::prelude::*;
use shared::dto::auth::Role;
use shared::dto::follow_up::{FollowUp, FollowUpList};
use shared::dto::query::FollowUpQuery;
use shared::rules::follow_up::FollowUpStatus;

use crate::api;
use crate::components::loaded::loaded;
use crate::i18n::{self, I18n, Key};
use crate::router::Router;
use crate::session::Session;

/// The follow-ups the user may see, soonest due first.
#[component]
pub fn FollowUpsPage() -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let router = expect_context::<Router>();
    let shown: FollowUpQuery = crate::router::shown_query();
    let overdue = RwSignal::new(shown.overdue == Some(true));
    let query = move || FollowUpQuery {
        overdue: overdue.get().then_some(true),
        ..FollowUpQuery::default()
    };
    Effect::new(move || router.show_url(&api::url("/follow-ups", &query())));
    let list = LocalResource::new(move || {
        let query = query();
        async move { api::follow_ups(session, &query).await }
    });
    // Read once: a role does not change while the page lives (a changed role ends the
    // session), and the list is not drawn again when the session's tokens are refreshed.
    let reviewer =
        untrack(|| session.user()).is_some_and(|u| matches!(u.role, Role::Reviewer | Role::Admin));
    view! {
        <main data-test="follow-ups-page">
            <h1>{i18n.text(Key::FollowUps)}</h1>
            <p class="hint">{i18n.text(Key::FollowUpsIntro)}</p>
            <label class="check">
                <input type="checkbox" data-test="only-overdue" prop:checked=move || overdue.get()
                    on:change=move |ev| overdue.set(event_target_checked(&ev)) />
                {i18n.text(Key::OnlyOverdue)}
            </label>
            {loaded(list, move |list: FollowUpList| {
                let late = list
                    .items
                    .iter()
                    .filter(|i| i.status == FollowUpStatus::Overdue)
                    .count();
                let count = i18n
                    .t(Key::FollowUpCount)
                    .replace("{n}", &list.items.len().to_string())
                    .replace("{late}", &late.to_string());
                let more = list.more.then(|| {
                    let text = i18n
                        .t(Key::FollowUpsMore)
                        .replace("{n}", &list.items.len().to_string());
                    view! { <p class="hint">{text}</p> }
                });
                let empty = list.items.is_empty().then(|| {
                    view! { <p class="notice" data-test="follow-ups-empty">{i18n.text(Key::FollowUpsNone)}</p> }
                });
                let items = list
                    .items
                    .into_iter()
                    .map(|item| follow_up(i18n, item, reviewer))
                    .collect_view();
                view! {
                    <p class="hint" data-test="follow-up-count" aria-live="polite">{count}</p>
                    {empty}
                    <ul class="results" data-test="follow-ups">{items}</ul>
                    {more}
                }
            })}
        </main>
    }
}

/// One follow-up as a card: where, which measure of which day, its deadline and status, and
/// what its follow-up found.
fn follow_up(i18n: I18n, item: FollowUp, reviewer: bool) -> impl IntoView {
    let (measure_nl, measure_en) = item.measure.names();
    let inspected = i18n
        .t(Key::FollowUpInspected)
        .replace("{measure}", i18n.pick(measure_nl, measure_en))
        .replace("{date}", &i18n::date(item.inspected_on));
    let due = i18n
        .t(Key::FollowUpDue)
        .replace("{date}", &i18n::date(item.due));
    let (status_nl, status_en) = item.status.names();
    let badge = match item.status {
        FollowUpStatus::Overdue | FollowUpStatus::NotRemedied => "badge fail",
        FollowUpStatus::Due => "badge warn",
        FollowUpStatus::Remedied => "badge pass",
        FollowUpStatus::Open => "badge",
    };
    let result = item.followed_up_on.map(|on| {
        let text = i18n
            .t(Key::FollowUpResult)
            .replace("{date}", &i18n::date(on))
            .replace("{yes}", &item.remedied.to_string())
            .replace("{no}", &item.not_remedied.to_string());
        view! { <p class="line" data-test="follow-up-result">{text}</p> }
    });
    let href = if reviewer {
        format!("/review/{}", item.inspection_id)
    } else {
        format!("/enclaves/{}", item.enclave_id)
    };
    view! {
        <li>
            <a class="card" href=href data-test="follow-up" data-status=item.status.as_str()
                data-id=item.inspection_id.to_string()>
                <p class="title">
                    {item.host_name} " · " {item.site.municipality}
                    " " <span class=badge data-test="follow-up-status">{i18n.pick(status_nl, status_en).to_owned()}</span>
                </p>
                <p class="line">{inspected}</p>
                <p class="line">{due}</p>
                {result}
            </a>
        </li>
    }
}
