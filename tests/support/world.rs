//! The recurring scenario: a server with its administrator, reviewer and inspector (of
//! Oost-Vlaanderen) signed in, and the enclave of the maatwerkbedrijf "Atelier Kouter" at
//! "Brouwerij Gent" in Gent, both with their enterprise numbers; its usual contract on request.

use server::db::rows::{ContractRow, EnclaveRow, OrganisationRow};
use shared::dto::auth::Role;
use shared::dto::contract::ContractStatus;
use shared::dto::enclave::Province;
use shared::dto::organisation::OrganisationKind;

use crate::dates::{date, local};
use crate::fixture::{ContractSpec, EnclaveSpec};
use crate::{Backend, TestApp, User};

/// The enterprise number of Atelier Kouter.
pub const KOUTER: &str = "0123456749";
/// The enterprise number of Brouwerij Gent.
pub const BREWERY: &str = "0200000043";

/// The recurring scenario, on a fresh server.
pub struct World {
    pub app: TestApp,
    /// Adam.
    pub admin: User,
    /// Rita.
    pub reviewer: User,
    /// Ines, inspector of Oost-Vlaanderen.
    pub inspector: User,
    /// Atelier Kouter.
    pub maatwerkbedrijf: OrganisationRow,
    /// Brouwerij Gent.
    pub host: OrganisationRow,
    /// Atelier Kouter's enclave at Brouwerij Gent.
    pub enclave: EnclaveRow,
}

impl World {
    /// The scenario on `backend`.
    pub async fn new(backend: Backend) -> Self {
        let app = TestApp::spawn(backend).await;
        let f = app.fixture();
        let maatwerkbedrijf = f.organisation(
            OrganisationKind::Maatwerkbedrijf,
            "Atelier Kouter",
            Some(KOUTER),
        );
        let host = f.organisation(
            OrganisationKind::RegularCompany,
            "Brouwerij Gent",
            Some(BREWERY),
        );
        let enclave = f.enclave(&maatwerkbedrijf, &host, EnclaveSpec::default());
        let admin = app.admin().await;
        let reviewer = app.reviewer().await;
        let inspector = app
            .user("ines", Role::Inspector, &[Province::OostVlaanderen])
            .await;
        Self {
            app,
            admin,
            reviewer,
            inspector,
            maatwerkbedrijf,
            host,
            enclave,
        }
    }

    /// The enclave's contract for work from Monday 10 March 2025, notified on the Thursday
    /// before.
    pub fn contract(&self) -> ContractRow {
        self.app.fixture().contract(
            &self.enclave,
            ContractSpec {
                start: date("2025-03-10"),
                notified_local: Some(local("2025-03-06 10:00")),
                status: ContractStatus::Notified,
                ..ContractSpec::default()
            },
        )
    }
}
