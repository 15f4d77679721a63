//! The inspection report as a PDF from the server, for the file
//! (`GET /api/inspections/{id}/report.pdf`, in the interface's language): a button that
//! downloads it with the session's token, and says why when it cannot.

use leptos::prelude::*;
use shared::dto::query::InspectionReportQuery;
use uuid::Uuid;

use crate::api::{self, ApiFailure};
use crate::i18n::{I18n, Key};
use crate::session::Session;

/// Downloads the report of inspection `id` as `inspectie-{id}.pdf`.
#[component]
pub fn ReportPdfButton(id: Uuid) -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let failure = RwSignal::new(None::<ApiFailure>);
    let busy = RwSignal::new(false);
    let fetch = move |_| {
        busy.set(true);
        let query = InspectionReportQuery {
            lang: Some(i18n.lang().code().to_owned()),
        };
        let url = api::url(&format!("/api/inspections/{id}/report.pdf"), &query);
        leptos::task::spawn_local(async move {
            let result = api::download(session, &url, &format!("inspectie-{id}.pdf")).await;
            failure.try_set(result.err());
            busy.try_set(false);
        });
    };
    view! {
        <button data-test="report-pdf" disabled=move || busy.get() on:click=fetch>
            {i18n.text(Key::ReportPdf)}
        </button>
        {move || failure.get().map(|f| view! {
            <p class="notice error" role="alert" data-test="report-pdf-failure">{f.message(i18n)}</p>
        })}
    }
}
