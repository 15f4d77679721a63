//! The admins' Users page (`/users`): every account with its role, provinces, status and
//! last login; disable and enable, change role and provinces, reset the password (the server
//! makes a temporary one, shown here once) and end every session of a user (a lost tablet).
//! Destructive actions ask for a confirmation first; the server refuses what would lock the
//! admins out (one's own account, the last admin) and says why.

use futures::future::{FutureExt, LocalBoxFuture};
use leptos::prelude::*;
use shared::dto::auth::{Account, AccountChange, AccountUpdate, Role};
use shared::dto::enclave::Province;

use crate::texts::OfficeKey;
use app_core::api::{self, ApiFailure};
use app_core::i18n::{I18n, Key};
use app_core::session::Session;

/// An action on an account that waits for its confirmation.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Pending {
    Disable,
    Revoke,
    ResetPassword,
}

impl Pending {
    /// The action's path segment in `/api/accounts/{id}/…`.
    fn action(self) -> &'static str {
        match self {
            Self::Disable => "disable",
            Self::Revoke => "revoke",
            Self::ResetPassword => "password",
        }
    }

    fn question(self, i18n: I18n) -> &'static str {
        match self {
            Self::Disable => i18n.t(OfficeKey::DisableQuestion),
            Self::Revoke => i18n.t(OfficeKey::RevokeQuestion),
            Self::ResetPassword => i18n.t(OfficeKey::ResetPasswordQuestion),
        }
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let accounts = LocalResource::new(move || api::accounts(session));
    // What the last action said: the temporary password of a reset, or a refusal.
    let message = RwSignal::new(None::<(Account, AccountChange)>);
    let failure = RwSignal::new(None::<ApiFailure>);
    let done = move |result: Result<AccountChange, ApiFailure>, account: Account| match result {
        Ok(change) => {
            failure.set(None);
            message.set(Some((account, change)));
            accounts.refetch();
        }
        Err(f) => {
            message.set(None);
            failure.set(Some(f));
        }
    };
    view! {
        <main class="users">
            <h1>{i18n.text(Key::Users)}</h1>
            <p class="muted">
                {i18n.text(OfficeKey::UsersIntro)}
            </p>
            {move || failure.get().map(|f| view! {
                <p class="notice error" role="alert" data-test="users-error">{f.message(i18n)}</p>
            })}
            {move || message.get().map(|(account, change)| view! {
                <div class="notice" role="status" data-test="users-done">
                    <p>
                        {i18n
                            .t(OfficeKey::SessionsEnded)
                            .replace("{user}", &account.display_name)
                            .replace("{n}", &change.sessions_ended.to_string())}
                    </p>
                    {change.temporary_password.map(|pw| view! {
                        <p>
                            {i18n.text(OfficeKey::TemporaryPassword)}
                            " "
                            <code class="temporary-password" data-test="temporary-password">{pw}</code>
                        </p>
                    })}
                </div>
            })}
            <Suspense fallback=move || view! { <p class="muted">{i18n.text(Key::Loading)}</p> }>
                {move || accounts.get().map(|result| match result {
                    Ok(list) => view! {
                        <ul class="accounts" data-test="accounts">
                            {list.into_iter().map(|a| view! { <AccountItem account=a done /> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(f) => view! {
                        <p class="notice error" role="alert">{f.message(i18n)}</p>
                    }.into_any(),
                })}
            </Suspense>
        </main>
    }
}

/// One account with its actions.
#[component]
fn AccountItem(
    account: Account,
    done: impl Fn(Result<AccountChange, ApiFailure>, Account) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let me = untrack(|| session.user()).map(|u| u.id);
    let pending = RwSignal::new(None::<Pending>);
    let editing = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let role = RwSignal::new(account.role);
    let provinces = RwSignal::new(account.provinces.clone());
    let id = account.id;
    let account = StoredValue::new(account);
    let run = move |call: LocalBoxFuture<'static, Result<AccountChange, ApiFailure>>| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = call.await;
            busy.set(false);
            pending.set(None);
            editing.set(false);
            done(result, account.get_value());
        });
    };
    let confirm = move |_| {
        if let Some(p) = pending.get_untracked() {
            run(api::account_action(session, id, p.action()).boxed_local());
        }
    };
    let enable = move |_| run(api::account_action(session, id, "enable").boxed_local());
    let save = move |_| {
        let update = AccountUpdate {
            role: Some(role.get_untracked()),
            provinces: Some(provinces.get_untracked()),
        };
        run(async move { api::update_account(session, id, &update).await }.boxed_local());
    };
    let a = account.get_value();
    let status = if !a.active {
        "disabled"
    } else if a.must_change_password {
        "must-change"
    } else {
        "active"
    };
    let status_text = move || match status {
        "disabled" => i18n.t(OfficeKey::Disabled),
        "must-change" => i18n.t(OfficeKey::MustChangePassword),
        _ => i18n.t(OfficeKey::Active),
    };
    let named = a
        .provinces
        .iter()
        .map(|p| province_name(*p))
        .collect::<Vec<_>>()
        .join(", ");
    let provinces_text = move || {
        if named.is_empty() {
            i18n.t(OfficeKey::AllOfFlanders).to_owned()
        } else {
            named.clone()
        }
    };
    let last_login = a.last_login_at.map(|t| {
        shared::rules::time::belgian_local(t)
            .format("%d/%m/%Y %H:%M")
            .to_string()
    });
    let last_login = move || {
        last_login
            .clone()
            .unwrap_or_else(|| i18n.t(OfficeKey::Never).to_owned())
    };
    let account_role = a.role;
    let is_me = me == Some(a.id);
    let active = a.active;
    view! {
        <li class="account" data-test="account" data-username=a.username.clone() data-status=status>
            <div class="account-head">
                <span class="name">{a.display_name.clone()}</span>
                <span class="muted">{a.username.clone()}</span>
                <span class=format!("badge status-{status}")>{status_text}</span>
            </div>
            <dl class="facts">
                <dt>{i18n.text(OfficeKey::Role)}</dt>
                <dd data-test="account-role">{move || role_name(i18n, account_role)}</dd>
                <dt>{i18n.text(OfficeKey::Provinces)}</dt>
                <dd>{provinces_text}</dd>
                <dt>{i18n.text(OfficeKey::LastLogin)}</dt>
                <dd>{last_login}</dd>
            </dl>
            <div class="actions">
                {if active {
                    view! {
                        <button class="danger" data-test="account-disable" disabled=move || busy.get() || is_me
                            on:click=move |_| pending.set(Some(Pending::Disable))>
                            {i18n.text(OfficeKey::Disable)}
                        </button>
                    }.into_any()
                } else {
                    view! {
                        <button data-test="account-enable" disabled=move || busy.get() on:click=enable>
                            {i18n.text(OfficeKey::Enable)}
                        </button>
                    }.into_any()
                }}
                <button data-test="account-edit" disabled=move || busy.get()
                    on:click=move |_| editing.update(|e| *e = !*e) aria-expanded=move || editing.get().to_string()>
                    {i18n.text(OfficeKey::RoleAndProvinces)}
                </button>
                <button data-test="account-reset" disabled=move || busy.get()
                    on:click=move |_| pending.set(Some(Pending::ResetPassword))>
                    {i18n.text(OfficeKey::ResetPassword)}
                </button>
                <button class="danger" data-test="account-revoke" disabled=move || busy.get()
                    on:click=move |_| pending.set(Some(Pending::Revoke))>
                    {i18n.text(OfficeKey::EndSessions)}
                </button>
            </div>
            {move || pending.get().map(|p| view! {
                <div class="notice confirm" role="alertdialog" aria-label=i18n.t(OfficeKey::Confirm).to_owned()
                    data-test="account-confirm">
                    <p>{move || p.question(i18n)}</p>
                    <div class="actions">
                        <button class="primary" data-test="account-confirm-yes" disabled=move || busy.get() on:click=confirm>
                            {i18n.text(OfficeKey::Confirm)}
                        </button>
                        <button data-test="account-confirm-no" on:click=move |_| pending.set(None)>
                            {i18n.text(Key::Cancel)}
                        </button>
                    </div>
                </div>
            })}
            <Show when=move || editing.get()>
                <div class="account-edit" data-test="account-editor">
                    <fieldset class="choices">
                        <legend>{i18n.text(OfficeKey::Role)}</legend>
                        {[Role::Inspector, Role::Reviewer, Role::Admin].into_iter().map(|r| view! {
                            <label class="choice">
                                <input type="radio" name=format!("role-{id}") data-test=format!("role-{}", r.as_str())
                                    prop:checked=move || role.get() == r on:change=move |_| role.set(r) />
                                {move || role_name(i18n, r)}
                            </label>
                        }).collect_view()}
                    </fieldset>
                    <fieldset class="choices">
                        <legend>{i18n.text(OfficeKey::ProvincesOrAll)}</legend>
                        {Province::ALL.into_iter().map(|p| view! {
                            <label class="choice">
                                <input type="checkbox" data-test=format!("province-{}", p.as_str())
                                    prop:checked=move || provinces.with(|ps| ps.contains(&p))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        provinces.update(|ps| {
                                            ps.retain(|x| *x != p);
                                            if on { ps.push(p); ps.sort(); }
                                        });
                                    } />
                                {province_name(p)}
                            </label>
                        }).collect_view()}
                    </fieldset>
                    <button class="primary" data-test="account-save" disabled=move || busy.get() on:click=save>
                        {i18n.text(OfficeKey::SaveEndsSessions)}
                    </button>
                </div>
            </Show>
        </li>
    }
}

fn role_name(i18n: I18n, role: Role) -> &'static str {
    match role {
        Role::Inspector => i18n.t(OfficeKey::Inspector),
        Role::Reviewer => i18n.t(OfficeKey::RoleReviewer),
        Role::Admin => i18n.t(OfficeKey::RoleAdmin),
    }
}

fn province_name(p: Province) -> &'static str {
    match p {
        Province::Antwerpen => "Antwerpen",
        Province::Limburg => "Limburg",
        Province::OostVlaanderen => "Oost-Vlaanderen",
        Province::VlaamsBrabant => "Vlaams-Brabant",
        Province::WestVlaanderen => "West-Vlaanderen",
    }
}
