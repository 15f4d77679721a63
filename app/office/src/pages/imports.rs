//! The import of the contract register (`/imports`): choose a CSV or Excel file; the server
//! proposes which column holds which field and the clerk confirms or corrects it in a table
//! with sample values; check it (dry run: nothing imported yet), see every problem with its
//! row, import and see what was imported, each contract linked to its enclave. Daily
//! registrations are imported by their fixed headers.

use leptos::prelude::*;
use shared::dto::import::{ColumnMapping, ImportChange, ImportColumns, ImportReport};

use crate::texts::OfficeKey;
use app_core::api::{self, ApiFailure};
use app_core::i18n::{I18n, Key};
use app_core::session::Session;

/// Importing the contract register from a CSV or Excel file.
#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let file = RwSignal::new(None::<(String, Vec<u8>)>);
    let columns = RwSignal::new(None::<Result<ImportColumns, ApiFailure>>);
    let mapping = RwSignal::new(ColumnMapping::new());
    let report = RwSignal::new(None::<Result<ImportReport, ApiFailure>>);
    let busy = RwSignal::new(false);
    let kind = RwSignal::new("contracts".to_owned());
    let contracts = move || kind.get() == "contracts";
    // The mapping step for the chosen contract register file.
    let propose = move || {
        let Some((name, bytes)) = file.get_untracked() else {
            return;
        };
        columns.set(None);
        if kind.get_untracked() != "contracts" {
            return;
        }
        let xlsx = name.to_lowercase().ends_with(".xlsx");
        busy.set(true);
        leptos::task::spawn_local(async move {
            let proposal = api::imports::columns(session, &bytes, xlsx).await;
            if let Ok(p) = &proposal {
                mapping.set(
                    p.fields
                        .iter()
                        .filter_map(|f| f.column.map(|c| (f.field, c)))
                        .collect(),
                );
            }
            columns.set(Some(proposal));
            busy.set(false);
        });
    };
    let choose = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(chosen) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        report.set(None);
        leptos::task::spawn_local(async move {
            let name = chosen.name();
            if let Ok(buffer) = wasm_bindgen_futures::JsFuture::from(chosen.array_buffer()).await {
                file.set(Some((name, js_sys::Uint8Array::new(&buffer).to_vec())));
                propose();
            }
        });
    };
    let switch = move |to: &str| {
        kind.set(to.to_owned());
        report.set(None);
        propose();
    };
    let run = move |dry_run: bool| {
        let Some((name, bytes)) = file.get_untracked() else {
            return;
        };
        let xlsx = name.to_lowercase().ends_with(".xlsx");
        busy.set(true);
        leptos::task::spawn_local(async move {
            let what = kind.get_untracked();
            let result = if what == "contracts" {
                api::imports::contracts(session, &bytes, xlsx, dry_run, &mapping.get_untracked())
                    .await
            } else {
                api::import(session, &what, bytes, xlsx, dry_run).await
            };
            report.set(Some(result));
            busy.set(false);
        });
    };
    view! {
        <main>
            <h1>{i18n.text(Key::Import)}</h1>
            <fieldset class="choice" data-test="import-kind">
                <legend class="visually-hidden">{i18n.text(OfficeKey::WhatToImport)}</legend>
                <label>
                    <input type="radio" name="kind" value="contracts" checked
                        on:change=move |_| switch("contracts") />
                    {i18n.text(OfficeKey::ContractRegister)}
                </label>
                <label>
                    <input type="radio" name="kind" value="registrations" data-test="import-registrations"
                        on:change=move |_| switch("registrations") />
                    {i18n.text(OfficeKey::DailyRegistrations)}
                </label>
            </fieldset>
            <p class="hint">
                {move || if contracts() {
                    i18n.t(OfficeKey::ContractsFileHint)
                } else {
                    i18n.t(OfficeKey::RegistrationsFileHint)
                }}
                " "
                {i18n.text(OfficeKey::AllOrNothing)}
            </p>
            <label class="button">
                {i18n.text(OfficeKey::ChooseFile)}
                <input type="file" accept=".csv,.xlsx,text/csv" class="visually-hidden" data-test="import-file" on:change=choose />
            </label>
            <p data-test="import-file-name">{move || file.get().map(|(name, _)| name)}</p>
            {move || contracts().then(|| columns.get().map(|c| match c {
                Err(f) => view! { <p class="notice error" role="alert">{f.message(i18n)}</p> }.into_any(),
                Ok(c) => view! { <MappingStep columns=c mapping report /> }.into_any(),
            }))}
            <div class="actions">
                <button data-test="import-check" disabled=move || busy.get() || file.with(Option::is_none) on:click=move |_| run(true)>
                    {i18n.text(OfficeKey::CheckFile)}
                </button>
                <button class="primary" data-test="import-run" disabled=move || busy.get() || file.with(Option::is_none) on:click=move |_| run(false)>
                    {i18n.text(Key::Import)}
                </button>
            </div>
            {move || report.get().map(|r| match r {
                Err(f) => view! { <p class="notice error" role="alert">{f.message(i18n)}</p> }.into_any(),
                Ok(r) => view! { <ReportView report=r /> }.into_any(),
            })}
        </main>
    }
}

/// The proposed columns as a table: per field the chosen column (a select) and its first
/// values, so the clerk sees at once whether a column of names was taken for numbers.
#[component]
fn MappingStep(
    columns: ImportColumns,
    mapping: RwSignal<ColumnMapping>,
    report: RwSignal<Option<Result<ImportReport, ApiFailure>>>,
) -> impl IntoView {
    let i18n = I18n::expect();
    let header = StoredValue::new(columns.header.clone());
    let samples = StoredValue::new(columns.samples.clone());
    let rows = columns
        .fields
        .iter()
        .map(|proposal| {
            let field = proposal.field;
            let (nl, en) = field.label();
            let id = format!("map-{}", field.as_str());
            let chosen = move || mapping.with(|m| m.get(&field).copied());
            let options = header.with_value(|h| {
                h.iter()
                    .enumerate()
                    .map(|(i, name)| {
                        let text = format!("{}. {}", i + 1, if name.is_empty() { "—" } else { name });
                        view! {
                            <option value=i.to_string() selected=move || chosen() == Some(i as u32)>{text}</option>
                        }
                    })
                    .collect_view()
            });
            let change = move |ev: leptos::ev::Event| {
                let value = event_target_value(&ev);
                mapping.update(|m| match value.parse::<u32>() {
                    Ok(c) => {
                        // A column holds one field: the field that had it gives it up.
                        m.retain(|_, v| *v != c);
                        m.insert(field, c);
                    }
                    Err(_) => {
                        m.remove(&field);
                    }
                });
                report.set(None);
            };
            let values = move || {
                chosen()
                    .map(|c| {
                        samples.with_value(|s| {
                            s.iter()
                                .filter_map(|r| r.get(c as usize))
                                .map(|v| {
                                    if v.is_empty() {
                                        i18n.t(OfficeKey::EmptyCell).to_owned()
                                    } else {
                                        v.clone()
                                    }
                                })
                                .take(3)
                                .collect::<Vec<_>>()
                                .join(" · ")
                        })
                    })
                    .unwrap_or_default()
            };
            let required = proposal.required;
            view! {
                <tr data-test="mapping-row" data-field=field.as_str()>
                    <th scope="row">
                        <label for=id.clone()>{move || i18n.pick(nl, en).to_owned()}</label>
                        {required.then(|| view! { <span class="required">" *"</span> })}
                    </th>
                    <td>
                        <select id=id.clone() data-test=id on:change=change>
                            <option value="" selected=move || chosen().is_none()>
                                {i18n.text(OfficeKey::NotInFile)}
                            </option>
                            {options}
                        </select>
                    </td>
                    <td class="samples" data-test="mapping-samples">{values}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="import-mapping" data-test="import-mapping" aria-labelledby="mapping-title">
            <h2 id="mapping-title">{i18n.text(OfficeKey::WhichColumn)}</h2>
            <p class="hint">
                {move || format!(
                    "{} {}",
                    columns.rows,
                    i18n.t(OfficeKey::ColumnsHint),
                )}
            </p>
            <table class="table">
                <thead><tr>
                    <th scope="col">{i18n.text(OfficeKey::MappingField)}</th>
                    <th scope="col">{i18n.text(OfficeKey::ColumnInFile)}</th>
                    <th scope="col">{i18n.text(OfficeKey::SampleValues)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

/// What the import did, or on a dry run what it would do, and every problem by row.
#[component]
fn ReportView(report: ImportReport) -> impl IntoView {
    let i18n = I18n::expect();
    let r = report;
    let failed = !r.problems.is_empty();
    let (added, updated) = (r.added, r.updated);
    let summary = move || {
        let total = added + updated;
        match (r.dry_run, failed) {
            (_, true) => i18n.t(OfficeKey::NothingImported).to_owned(),
            (true, false) => format!(
                "{} {total} {} {added} {}, {updated} {}.",
                i18n.t(OfficeKey::DryRunWould),
                if total == 1 {
                    i18n.t(OfficeKey::RowWrite)
                } else {
                    i18n.t(OfficeKey::RowsWrite)
                },
                i18n.t(OfficeKey::ChangeAdded),
                i18n.t(OfficeKey::ChangeUpdated),
            ),
            (false, false) => format!(
                "{total} {} {added} {}, {updated} {}.",
                i18n.t(OfficeKey::Imported),
                i18n.t(OfficeKey::ChangeAdded),
                i18n.t(OfficeKey::ChangeUpdated),
            ),
        }
    };
    let class = match (r.dry_run, failed) {
        (_, true) => "notice error",
        (true, false) => "notice",
        (false, false) => "notice success",
    };
    let problems = r
        .problems
        .into_iter()
        .map(|p| {
            view! {
                <tr data-test="import-problem">
                    <td>{p.row}</td>
                    <td>{p.column}</td>
                    <td>{move || i18n.pick(&p.message_nl, &p.message_en).to_owned()}</td>
                </tr>
            }
        })
        .collect_view();
    let imported = r
        .contracts
        .into_iter()
        .map(|c| {
            let change = move || match c.change {
                ImportChange::Added => i18n.t(OfficeKey::ChangeAdded),
                ImportChange::Updated => i18n.t(OfficeKey::ChangeUpdated),
            };
            view! {
                <li data-test="import-contract">
                    <a href=format!("/enclaves/{}", c.enclave_id)>{c.reference}</a>
                    " — " {c.enclave} " (" {change} ")"
                </li>
            }
        })
        .collect_view();
    view! {
        <section data-test="import-report" data-dry-run=r.dry_run.to_string() aria-live="polite">
            <p class=class role="status" data-test="import-summary">{summary}</p>
            // With problems nothing is written: no counts that look like a result.
            {(!failed).then(|| view! {
                <dl class="facts">
                    <dt>{i18n.text(OfficeKey::Rows)}</dt><dd>{r.rows}</dd>
                    <dt>{i18n.text(OfficeKey::New)}</dt><dd data-test="import-added">{r.added}</dd>
                    <dt>{i18n.text(OfficeKey::Changed)}</dt><dd data-test="import-updated">{r.updated}</dd>
                    <dt>{i18n.text(OfficeKey::Unchanged)}</dt><dd>{r.unchanged}</dd>
                    <dt>{i18n.text(OfficeKey::SupportNeedsSet)}</dt>
                    <dd data-test="import-support-needs">{r.support_needs}</dd>
                </dl>
            })}
            {failed.then(|| view! {
                <table class="table">
                    <thead><tr>
                        <th scope="col">{i18n.text(OfficeKey::Row)}</th>
                        <th scope="col">{i18n.text(OfficeKey::Column)}</th>
                        <th scope="col">{i18n.text(OfficeKey::Problem)}</th>
                    </tr></thead>
                    <tbody>{problems}</tbody>
                </table>
            })}
            <ul class="import-contracts">{imported}</ul>
        </section>
    }
}
