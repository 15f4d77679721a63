//! The import of the contract register (`/imports`): choose a CSV or Excel file, check it (dry
//! run), see every problem with its row, import; the same for daily registrations.

use leptos::prelude::*;

use crate::api::{self, ApiFailure};
use crate::i18n::I18n;
use crate::session::Session;

/// Importing the contract register from a CSV or Excel file.
#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let file = RwSignal::new(None::<(String, Vec<u8>)>);
    let report = RwSignal::new(None::<Result<shared::dto::report::ImportReport, ApiFailure>>);
    let busy = RwSignal::new(false);
    let kind = RwSignal::new("contracts".to_owned());
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
            }
        });
    };
    let run = move |dry_run: bool| {
        let Some((name, bytes)) = file.get_untracked() else {
            return;
        };
        let xlsx = name.to_lowercase().ends_with(".xlsx");
        busy.set(true);
        leptos::task::spawn_local(async move {
            report.set(Some(
                api::import(session, &kind.get_untracked(), bytes, xlsx, dry_run).await,
            ));
            busy.set(false);
        });
    };
    view! {
        <main>
            <h1>{i18n.tr("Importeren", "Import")}</h1>
            <fieldset class="choice" data-test="import-kind">
                <label>
                    <input type="radio" name="kind" value="contracts" checked
                        on:change=move |_| { kind.set("contracts".into()); report.set(None); } />
                    {i18n.tr("Contractregister", "Contract register")}
                </label>
                <label>
                    <input type="radio" name="kind" value="registrations" data-test="import-registrations"
                        on:change=move |_| { kind.set("registrations".into()); report.set(None); } />
                    {i18n.tr("Dagregistraties", "Daily registrations")}
                </label>
            </fieldset>
            <p class="hint">
                {move || if kind.get() == "contracts" {
                    i18n.pick(
                        "CSV of Excel met een kopregel: referentie, maatwerkbedrijf (ondernemingsnummer), gastorganisatie (ondernemingsnummer), start, einde, ontvangen, status, reden weigering.",
                        "CSV or Excel with a header row: reference, maatwerkbedrijf (enterprise number), host (enterprise number), start, end, received, status, rejection reason.",
                    )
                } else {
                    i18n.pick(
                        "CSV of Excel, één rij per persoon per dag: referentie (van het contract), datum, geregistreerd (datum en uur), aanvang, personeelsnummer, naam, rol (doelgroepwerknemer of begeleider). Een bestaande registratie wordt nooit herschreven.",
                        "CSV or Excel, one row per person per day: reference (of the contract), date, registered (date and time), start, staff number, name, role (worker or supervisor). A stored registration is never rewritten.",
                    )
                }}
                " "
                {i18n.tr(
                    "Alles of niets: bij één probleem wordt niets ingelezen.",
                    "All or nothing: with one problem nothing is imported.",
                )}
            </p>
            <label class="button">
                {i18n.tr("Bestand kiezen", "Choose a file")}
                <input type="file" accept=".csv,.xlsx,text/csv" class="visually-hidden" data-test="import-file" on:change=choose />
            </label>
            <p data-test="import-file-name">{move || file.get().map(|(name, _)| name)}</p>
            <div class="actions">
                <button data-test="import-check" disabled=move || busy.get() || file.with(Option::is_none) on:click=move |_| run(true)>
                    {i18n.tr("Controleren", "Check")}
                </button>
                <button class="primary" data-test="import-run" disabled=move || busy.get() || file.with(Option::is_none) on:click=move |_| run(false)>
                    {i18n.tr("Importeren", "Import")}
                </button>
            </div>
            {move || report.get().map(|r| match r {
                Err(f) => view! { <p class="notice error" role="alert">{f.message(i18n)}</p> }.into_any(),
                Ok(r) => {
                    let problems = r
                        .problems
                        .into_iter()
                        .map(|p| view! {
                            <tr data-test="import-problem">
                                <td>{p.row}</td>
                                <td>{p.column}</td>
                                <td>{move || i18n.pick(&p.message_nl, &p.message_en).to_owned()}</td>
                            </tr>
                        })
                        .collect_view();
                    view! {
                        <dl class="facts" data-test="import-report" data-dry-run=r.dry_run.to_string()>
                            <dt>{i18n.tr("Rijen", "Rows")}</dt><dd>{r.rows}</dd>
                            <dt>{i18n.tr("Nieuw", "New")}</dt><dd data-test="import-added">{r.added}</dd>
                            <dt>{i18n.tr("Gewijzigd", "Changed")}</dt><dd>{r.updated}</dd>
                            <dt>{i18n.tr("Ongewijzigd", "Unchanged")}</dt><dd>{r.unchanged}</dd>
                        </dl>
                        <table class="table">
                            <thead><tr>
                                <th>{i18n.tr("Rij", "Row")}</th>
                                <th>{i18n.tr("Kolom", "Column")}</th>
                                <th>{i18n.tr("Probleem", "Problem")}</th>
                            </tr></thead>
                            <tbody>{problems}</tbody>
                        </table>
                    }
                    .into_any()
                }
            })}
        </main>
    }
}
