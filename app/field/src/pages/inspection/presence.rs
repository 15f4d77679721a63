//! Check 3: ticking who is present from the day's registration, adding people who are not in
//! it, and the counts the verdict follows.

use super::*;

/// Ticking the registration, people not in it, and the counts.
#[component]
pub(super) fn Presence(ed: Editor) -> impl IntoView {
    let i18n = I18n::expect();
    let d = ed.draft;
    let members = d.with_untracked(|d| d.registration().map(|r| r.members.clone()));
    let floating = d.with_untracked(|d| d.floating().to_vec());
    let list = match members {
        None => view! {
            <p class="notice" data-test="no-registration">{i18n.text(FieldKey::NoRegistration)}</p>
        }
        .into_any(),
        Some(members) => {
            let rows = members
                .into_iter()
                .map(|m| {
                    let pid = m.person_id;
                    let ticked = move || d.with(|d| d.present.iter().any(|p| p.person_id == pid));
                    let role = match m.role {
                        MemberRole::Supervisor => Key::RoleSupervisor,
                        MemberRole::Worker => Key::RoleWorker,
                    };
                    let floats = floating.contains(&pid);
                    view! {
                        <li>
                            <label class="tick" data-test="present-person" data-role=m.role.as_str()>
                                <input
                                    type="checkbox"
                                    prop:checked=ticked
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        ed.edit(|d| d.set_present(pid, on));
                                    }
                                />
                                <span>
                                    <strong>{m.display_name}</strong>
                                    " "
                                    <span class="staff-ref" data-test="staff-ref">
                                        {i18n.text(Key::StaffNumber)}
                                        {m.company_reference}
                                    </span>
                                    " "
                                    <span class="badge">{i18n.text(role)}</span>
                                    {floats
                                        .then(|| {
                                            view! {
                                                " "
                                                <span class="badge warn" data-test="floating">
                                                    {i18n.text(FieldKey::RegisteredElsewhere)}
                                                </span>
                                            }
                                        })}
                                </span>
                            </label>
                        </li>
                    }
                })
                .collect_view();
            view! { <ul class="ticks">{rows}</ul> }.into_any()
        }
    };

    let name = RwSignal::new(String::new());
    let role = RwSignal::new(MemberRole::Worker);
    let add = move |_| {
        let n = name.get_untracked().trim().to_owned();
        if n.is_empty() {
            return;
        }
        let stated_role = role.get_untracked();
        ed.edit(|d| {
            d.unregistered.push(UnregisteredPerson {
                name: n,
                stated_role,
            });
            d.recount();
        });
        name.set(String::new());
    };
    let unregistered = move || {
        d.with(|d| d.unregistered.clone())
            .into_iter()
            .enumerate()
            .map(|(i, u)| {
                let role = if u.stated_role == MemberRole::Supervisor {
                    Key::RoleSupervisor
                } else {
                    Key::RoleWorker
                };
                view! {
                    <li data-test="unregistered" data-role=u.stated_role.as_str()>
                        <strong>{u.name.clone()}</strong>
                        " "
                        <span class="badge warn">{i18n.text(Key::NotRegistered)}</span>
                        " "
                        {i18n.text(Key::States)}
                        {i18n.text(role)}
                        " "
                        <button
                            class="small"
                            aria-label=move || format!("{} {}", i18n.t(FieldKey::RemovePersonLabel), u.name)
                            on:click=move |_| {
                                ed.edit(|d| {
                                    if i < d.unregistered.len() {
                                        d.unregistered.remove(i);
                                    }
                                    d.recount();
                                })
                            }
                        >
                            {i18n.text(FieldKey::RemovePerson)}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    // Counted from the ticks: only registered people of the maatwerkbedrijf count as its
    // workers and begeleiders; people not registered are counted apart.
    let counts = move || {
        d.with(|d| {
            (
                d.workers_present,
                d.supervisors_present,
                d.unregistered.len(),
            )
        })
    };
    view! {
        <p class="hint">
            {i18n.text(FieldKey::TickPresent)}
        </p>
        {list}
        <h3>{i18n.text(FieldKey::WorkingNotRegistered)}</h3>
        <ul class="members">{unregistered}</ul>
        <div class="add-person">
            <label class="visually-hidden" for="unregistered-name">
                {i18n.text(FieldKey::UnregisteredNameLabel)}
            </label>
            <input
                type="text"
                id="unregistered-name"
                data-test="unregistered-name"
                placeholder=move || i18n.t(FieldKey::NameAsGiven)
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))
            />
            <label class="visually-hidden" for="unregistered-role">
                {i18n.text(FieldKey::StatedRoleLabel)}
            </label>
            <select
                id="unregistered-role"
                data-test="unregistered-role"
                on:change=move |ev| {
                    role.set(
                        if event_target_value(&ev) == "supervisor" {
                            MemberRole::Supervisor
                        } else {
                            MemberRole::Worker
                        },
                    )
                }
            >
                <option value="worker">{i18n.text(Key::RoleWorker)}</option>
                <option value="supervisor">{i18n.text(Key::RoleSupervisor)}</option>
            </select>
            <button data-test="add-unregistered" on:click=add>
                {i18n.text(FieldKey::AddPerson)}
            </button>
        </div>
        <p class="counts" data-test="counts">
            <span data-test="count-workers">
                <output data-test="count">{move || counts().0}</output>
                " " {i18n.text(Key::RegisteredWorkers)}
            </span>
            " · "
            <span data-test="count-supervisors">
                <output data-test="count">{move || counts().1}</output>
                " " {i18n.text(Key::RegisteredSupervisors)}
            </span>
            " · "
            <span data-test="count-unregistered">
                <output data-test="count">{move || counts().2}</output>
                " " {i18n.text(FieldKey::NotRegisteredNotCounted)}
            </span>
        </p>
    }
}
