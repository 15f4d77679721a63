//! Findings with their photos: each photo downscaled, hashed and saved with the draft that
//! names it, in one transaction.

use super::*;

#[component]
pub(super) fn Findings(ed: Editor) -> impl IntoView {
    let i18n = I18n::expect();
    let d = ed.draft;
    let check = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let severity = RwSignal::new(None::<Severity>);
    let text = RwSignal::new(String::new());
    let missing = RwSignal::new(Vec::<(String, String)>::new());
    let add = move |_| {
        let (c, t) = (category.get_untracked(), text.get_untracked());
        let mut found = Vec::new();
        if c.trim().is_empty() {
            found.push((
                "Vul een categorie in.".to_owned(),
                "Fill in a category.".to_owned(),
            ));
        }
        let Some(sev) = severity.get_untracked() else {
            found.push((
                "Kies de ernst.".to_owned(),
                "Choose the severity.".to_owned(),
            ));
            missing.set(found);
            return;
        };
        if t.trim().is_empty() {
            found.push((
                "Beschrijf wat je vaststelt.".to_owned(),
                "Describe what you find.".to_owned(),
            ));
        }
        missing.set(found.clone());
        if !found.is_empty() {
            return;
        }
        let finding = Finding {
            id: Uuid::new_v4(),
            check: match check.get_untracked().as_str() {
                "contract_filed" => Some(CheckKind::ContractFiled),
                "daily_registration" => Some(CheckKind::DailyRegistration),
                "supervisor_present" => Some(CheckKind::SupervisorPresent),
                _ => None,
            },
            category: c.trim().to_owned(),
            severity: sev,
            text: t.trim().to_owned(),
            photos: Vec::new(),
        };
        ed.edit(|d| d.findings.push(finding));
        category.set(String::new());
        text.set(String::new());
        severity.set(None);
    };
    view! {
        // Keyed: a finding's item (its photo being saved, its messages) outlives other edits.
        <ul class="findings" data-test="findings">
            <For
                each=move || d.with(|d| d.findings.clone())
                key=|f| f.id
                children=move |finding| view! { <FindingItem ed finding /> }
            />
        </ul>
        <div class="finding-form">
            <label>
                {i18n.text(FieldKey::BelongsTo)}
                <select data-test="finding-check" on:change=move |ev| check.set(event_target_value(&ev))>
                    <option value="">{i18n.text(Key::General)}</option>
                    <option value="contract_filed">{i18n.text(Key::ContractFiled)}</option>
                    <option value="daily_registration">{i18n.text(Key::DailyRegistration)}</option>
                    <option value="supervisor_present">{i18n.text(Key::SupervisorPresent)}</option>
                </select>
            </label>
            <label>
                {i18n.text(FieldKey::Category)}
                <input
                    type="text"
                    list="finding-categories"
                    data-test="finding-category"
                    prop:value=move || category.get()
                    on:input=move |ev| category.set(event_target_value(&ev))
                />
                <datalist id="finding-categories">
                    <option value="Registratie"></option>
                    <option value="Begeleiding"></option>
                    <option value="Instructies / terbeschikkingstelling"></option>
                    <option value="Contract"></option>
                    <option value="Veiligheid"></option>
                </datalist>
            </label>
            <label>
                {i18n.text(FieldKey::Severity)}
                <select
                    data-test="finding-severity"
                    prop:value=move || match severity.get() {
                        Some(Severity::Low) => "low",
                        Some(Severity::Medium) => "medium",
                        Some(Severity::High) => "high",
                        None => "",
                    }
                    on:change=move |ev| {
                        severity.set(match event_target_value(&ev).as_str() {
                            "low" => Some(Severity::Low),
                            "medium" => Some(Severity::Medium),
                            "high" => Some(Severity::High),
                            _ => None,
                        })
                    }
                >
                    <option value="">{i18n.text(FieldKey::ChooseOption)}</option>
                    <option value="low">{i18n.text(FieldKey::SeverityLow)}</option>
                    <option value="medium">{i18n.text(FieldKey::SeverityMedium)}</option>
                    <option value="high">{i18n.text(FieldKey::SeverityHigh)}</option>
                </select>
            </label>
            <label>
                {i18n.text(FieldKey::WhatDoYouFind)}
                <textarea
                    data-test="finding-text"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
            </label>
            <ProblemList problems=missing test="finding-problems" />
            <button data-test="add-finding" on:click=add>
                {i18n.text(FieldKey::AddFinding)}
            </button>
        </div>
    }
}

#[component]
pub(super) fn FindingItem(ed: Editor, finding: Finding) -> impl IntoView {
    let i18n = I18n::expect();
    let fid = finding.id;
    let check = finding.check;
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let save_failed = RwSignal::new(None::<StoreError>);
    let stored = RwSignal::new(0_u32);
    let on_photo = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        busy.set(true);
        failed.set(false);
        save_failed.set(None);
        leptos::task::spawn_local(async move {
            match photo::process(file).await {
                Ok(p) => add_photo(ed, fid, p, save_failed, stored).await,
                Err(_) => {
                    failed.try_set(true);
                }
            }
            busy.try_set(false);
        });
    };
    let enlarged = RwSignal::new(None::<Enlarged>);
    // The finding's photos: the thumbnails are redrawn when they change, not at every edit
    // of the draft.
    let list = Memo::new(move |_| {
        ed.draft.with(|d| {
            d.findings
                .iter()
                .find(|f| f.id == fid)
                .map(|f| f.photos.clone())
                .unwrap_or_default()
        })
    });
    let photos = move || {
        // Again once a photo's bytes are stored: they reach the device store after its
        // reference.
        stored.track();
        list.get()
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let sha = p.sha256.clone();
                let remove = move |_| {
                    ed.edit(|d| {
                        if let Some(f) = d.findings.iter_mut().find(|f| f.id == fid) {
                            f.photos.retain(|x| x.sha256 != sha);
                        }
                    })
                };
                let n = i + 1;
                let key = p.sha256.clone();
                view! {
                    <li class="photo" data-test="photo" data-sha256=key>
                        <PhotoThumb photo=p n session=None enlarged />
                        <button class="small remove-photo" data-test="remove-photo" on:click=remove>
                            {move || i18n.t(FieldKey::RemovePhoto).replace("{n}", &n.to_string())}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    let save_failure = move || {
        save_failed.get().map(|e| {
            let quota = e.is_quota_exceeded();
            view! {
                <p
                    class="notice error"
                    role="alert"
                    data-test="photo-save-failed"
                    data-reason=if quota { "quota" } else { "store" }
                >
                    {move || {
                        if quota {
                            i18n.t(FieldKey::PhotoDeviceFull).to_owned()
                        } else {
                            i18n.t(FieldKey::PhotoNotSaved).replace("{error}", &e.0)
                        }
                    }}
                </p>
            }
        })
    };
    view! {
        <li data-test="finding">
            <p>
                <span class="badge">
                    {i18n.text(Key::SeverityLabel)}
                    {i18n.text(severity_words(finding.severity))}
                </span>
                " "
                <strong>{finding.category}</strong>
                " · "
                <span data-test="finding-belongs-to">{move || belongs_to(i18n, check)}</span>
            </p>
            <p>{finding.text}</p>
            <ul class="photos thumbs">{photos}</ul>
            <Lightbox enlarged />
            <label class="button">
                {i18n.text(FieldKey::AddPhoto)}
                <input
                    type="file"
                    accept="image/*"
                    capture="environment"
                    class="visually-hidden"
                    data-test="photo-input"
                    on:change=on_photo
                />
            </label>
            <Show when=move || busy.get()>
                <span class="muted" data-test="photo-busy">{i18n.text(FieldKey::ProcessingPhoto)}</span>
            </Show>
            <Show when=move || failed.get()>
                <span class="notice error">{i18n.text(FieldKey::PhotoUnreadable)}</span>
            </Show>
            {save_failure}
            <button
                class="small"
                on:click=move |_| ed.edit(|d| d.findings.retain(|f| f.id != fid))
            >
                {i18n.text(FieldKey::RemoveFinding)}
            </button>
        </li>
    }
}

/// Adds photo `p` to the finding `fid` and saves its bytes with the draft, in one
/// transaction. If that fails, the draft goes back to what is saved — without the photo —
/// and `save_failed` says why. Once stored, `stored` counts one more.
pub(super) async fn add_photo(
    ed: Editor,
    fid: Uuid,
    p: photo::Photo,
    save_failed: RwSignal<Option<StoreError>>,
    stored: RwSignal<u32>,
) {
    let sha = p.sha256.clone();
    let mut added = false;
    ed.draft.update(|d| {
        if let Some(f) = d.findings.iter_mut().find(|f| f.id == fid)
            && !f.photos.iter().any(|x| x.sha256 == sha)
        {
            f.photos.push(PhotoRef {
                sha256: sha.clone(),
                content_type: p.content_type.to_owned(),
                bytes: p.bytes.len() as u64,
            });
            added = true;
        }
    });
    // The page may have been left while the photo was processed.
    let (Some(draft), Some(was_saved)) =
        (ed.draft.try_get_untracked(), ed.saved.try_get_untracked())
    else {
        return;
    };
    ed.saved.set(false);
    let id = draft.id;
    match ed.device.save_photo(draft, p.sha256, p.bytes).await {
        Ok(saved) => {
            ed.saved.set(saved);
            stored.try_update(|n| *n += 1);
        }
        Err(e) => {
            ed.saved.set(was_saved);
            if added {
                ed.draft.update(|d| {
                    if let Some(f) = d.findings.iter_mut().find(|f| f.id == fid) {
                        f.photos.retain(|x| x.sha256 != sha);
                    }
                });
                // A save of another change may have stored the reference meanwhile.
                let stored = ed.device.drafts.with_untracked(|all| {
                    all.iter()
                        .any(|d| d.id == id && d.photos().any(|x| x.sha256 == sha))
                });
                if stored {
                    ed.edit(|_| ());
                }
            }
            save_failed.try_set(Some(e));
        }
    }
}
