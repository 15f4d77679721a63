//! The client of the server's JSON API (same origin, `/api/…`): `fetch` through web-sys,
//! the bearer token from the [`Session`], and one silent refresh when the server says the
//! access token has expired. Tabs take turns to refresh (the Web Locks API, where the browser
//! has it), so one rotation serves them all. A refused refresh, or a 401, ends the session:
//! the user stays on the device, signed out of the server.
//!
//! Offline, the service worker answers GET requests it has seen before with a stored copy
//! and marks it (`x-ei-offline-copy`); [`Fetched::offline_copy`] passes that on to the page.
//!
//! A URL with a query is built by [`url`] alone, from a query type of `shared::dto::query`
//! (the types the server's handlers extract), never by hand.

pub mod imports;

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use leptos::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::dto::auth::{
    Account, AccountChange, AccountUpdate, LoginRequest, PasswordChange, RefreshRequest,
    TokenResponse,
};
use shared::dto::enclave::{EnclaveDetail, EnclavePage};
use shared::dto::field::WireSet;
use shared::dto::inspection::InspectionView;
use shared::dto::query::{
    AuditQuery, ImportQuery, PullQuery, QueueQuery, RegisterQuery, ReportQuery, UsersQuery,
    WorkingSetQuery,
};
use shared::dto::report::{ContractOverview, ImportReport};
use shared::dto::review::{InspectionQueue, ReviewRequest};
use shared::dto::sync::{AttachmentStatus, PullResponse, PushRequest, PushResponse};
use shared::error::{ApiError, ErrorBody, ErrorCode};
use shared::rules::sync::content_range;
use wasm_bindgen::prelude::{Closure, wasm_bindgen};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, Request, RequestInit, Response};

use crate::i18n::{I18n, Key, fixed};
use crate::session::Session;

/// How long a request may take before it counts as offline.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Results per search page.
const PAGE_SIZE: usize = 20;
/// The service worker's cache of API answers (see `static/sw.js`), emptied on logout.
const API_CACHE: &str = "ei-api-v1";
/// The id of the last user who signed in on this device.
const LAST_USER_KEY: &str = "ei.last_user";

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// The server could not be reached, and the service worker had no stored copy.
    Offline,
    /// The server answered with an error; `error` is its body where it had the usual form,
    /// `request_id` the id the server logged it under.
    Api {
        status: u16,
        error: Option<ErrorBody>,
        request_id: Option<String>,
    },
    /// No live session (the refresh was refused, or the session had ended): the user must
    /// sign in again.
    SignedOut,
}

impl ApiFailure {
    /// What to tell the user, in the current language; a server error ends with the start of
    /// its request id (`(ref: 1a2b3c4d)`), so a report can be matched to the server's log.
    pub fn message(&self, i18n: I18n) -> String {
        match self {
            Self::Offline => i18n.t(Key::ErrOffline).to_owned(),
            Self::Api {
                status,
                error,
                request_id,
            } => {
                let text = match error {
                    Some(body) => i18n.pick(&body.message_nl, &body.message_en).to_owned(),
                    None => i18n
                        .t(Key::ErrServer)
                        .replace("{status}", &status.to_string()),
                };
                match request_id {
                    Some(id) => format!("{text} (ref: {})", short_ref(id)),
                    None => text,
                }
            }
            Self::SignedOut => i18n.t(Key::SessionExpired).to_owned(),
        }
    }
}

/// The first 8 characters of a request id: enough to find it in the log, short enough to
/// read out.
fn short_ref(id: &str) -> &str {
    id.char_indices().nth(8).map_or(id, |(end, _)| &id[..end])
}

/// A successful answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched<T> {
    pub value: T,
    /// When offline: the `Date` of the stored copy the service worker answered with.
    pub offline_copy: Option<String>,
}

/// What to search for.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchQuery {
    /// Free text: names, municipality, street.
    Text(String),
    /// An enterprise number as typed (the server checks its check digits).
    EnterpriseNumber(String),
    /// Enclaves within `radius_km` of a position, nearest first.
    Near { lat: f64, lon: f64, radius_km: u32 },
}

impl SearchQuery {
    /// The query for what was typed in the search box, if there is enough of it.
    pub fn from_input(input: &str) -> Option<Self> {
        let input = input.trim();
        if looks_like_enterprise_number(input) {
            Some(Self::EnterpriseNumber(input.to_owned()))
        } else if input.chars().count() >= 2 {
            Some(Self::Text(input.to_owned()))
        } else {
            None
        }
    }

    fn url(&self, cursor: Option<&str>) -> String {
        let mut query = shared::dto::query::SearchQuery {
            limit: Some(PAGE_SIZE),
            cursor: cursor.map(str::to_owned),
            ..Default::default()
        };
        match self {
            Self::Text(q) => query.q = Some(q.clone()),
            Self::EnterpriseNumber(n) => query.enterprise_number = Some(n.clone()),
            Self::Near {
                lat,
                lon,
                radius_km,
            } => {
                query.near = Some(format!("{},{}", fixed(*lat, 5), fixed(*lon, 5)));
                query.radius_km = Some(f64::from(*radius_km));
            }
        }
        url("/api/enclaves", &query)
    }
}

/// Digits with optional dots, spaces and a `BE` prefix, at least 9 digits: `0123.456.749`,
/// `BE 0123 456 749`, `123456749`.
fn looks_like_enterprise_number(input: &str) -> bool {
    let rest = match input.get(..2) {
        Some(prefix) if prefix.eq_ignore_ascii_case("be") => &input[2..],
        _ => input,
    };
    rest.chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ' ')
        && rest.chars().filter(char::is_ascii_digit).count() >= 9
}

/// A path segment, encoded.
fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

/// `path` with `query` as its query string (`path?a=1&b=x+y`), or `path` alone when nothing is
/// set. Every API URL with a query is built here, from a query type of `shared::dto::query`,
/// encoded as the server decodes it; a page's own address (its filters) is built the same way.
pub fn url(path: &str, query: &impl Serialize) -> String {
    // The query types are flat: text, numbers, flags, days and ids, which always encode.
    let query = serde_urlencoded::to_string(query).unwrap_or_default();
    if query.is_empty() {
        path.to_owned()
    } else {
        [path, "?", &query].concat()
    }
}

/// A filter as a form control holds it (text), as the field of a query type holds it: trimmed,
/// read as the server reads that field from a query, and none when blank or not a value of
/// `T` (an address edited by hand), so that a URL carries only the filters that are set.
pub fn filter<T: DeserializeOwned>(text: &str) -> Option<T> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let pair = serde_urlencoded::to_string([("v", text)]).ok()?;
    let read: Vec<(String, T)> = serde_urlencoded::from_str(&pair).ok()?;
    read.into_iter().next().map(|(_, value)| value)
}

/// The text a form control shows for a filter: the value as a query carries it (the other way
/// round from [`filter`]), blank for none.
pub fn filter_text<T: Serialize>(value: Option<T>) -> String {
    let Some(value) = value else {
        return String::new();
    };
    let pair = serde_urlencoded::to_string([("v", value)]).unwrap_or_default();
    let read: Vec<(String, String)> = serde_urlencoded::from_str(&pair).unwrap_or_default();
    read.into_iter()
        .next()
        .map(|(_, text)| text)
        .unwrap_or_default()
}

/// `POST /api/auth/login`. When someone else than last time signs in on this device, the
/// API answers the service worker stored for the previous user are forgotten.
pub async fn login(username: String, password: String) -> Result<TokenResponse, ApiFailure> {
    let body = json(&LoginRequest { username, password });
    let reply = send("POST", "/api/auth/login", Some(Body::Json(body)), None).await?;
    let tokens: TokenResponse = decode(&reply)?;
    let user = tokens.user.id.to_string();
    if let Ok(Some(storage)) = window().local_storage() {
        if storage.get_item(LAST_USER_KEY).ok().flatten().as_deref() != Some(user.as_str()) {
            forget_api_answers();
        }
        let _ = storage.set_item(LAST_USER_KEY, &user);
    }
    Ok(tokens)
}

/// Empties the service worker's cache of API answers.
pub fn forget_api_answers() {
    if let Ok(caches) = window().caches() {
        // The deletion finishes in the background; nothing waits for it.
        let _ = caches.delete(API_CACHE);
    }
}

/// Signs out at once, then ends the session on the server in the background with the
/// refresh token alone (the access token may have expired while the tablet sat idle), and
/// forgets the API answers the service worker stored for this user and the app they chose
/// (the next user of the device starts in their own role's app).
pub fn logout(session: Session) {
    let refresh = session.refresh_token();
    session.sign_out(false);
    forget_api_answers();
    crate::shell::forget_choice();
    if let Some(refresh) = refresh {
        leptos::task::spawn_local(async move {
            let body = json(&RefreshRequest {
                refresh_token: refresh,
            });
            // If this fails (offline) the session still ends on the server at its idle limit;
            // this device no longer has its refresh token.
            let _ = send("POST", "/api/auth/logout", Some(Body::Json(body)), None).await;
        });
    }
}

/// `GET /api/enclaves?…`: one page of search results.
pub async fn search(
    session: Session,
    query: &SearchQuery,
    cursor: Option<&str>,
) -> Result<Fetched<EnclavePage>, ApiFailure> {
    get(session, &query.url(cursor)).await
}

/// `GET /api/enclaves/{id}`: the enclave page with today's checks.
pub async fn enclave(session: Session, id: &str) -> Result<Fetched<EnclaveDetail>, ApiFailure> {
    get(session, &format!("/api/enclaves/{}", encode(id))).await
}

/// An authenticated GET; refreshes once on `token_expired`.
async fn get<T: DeserializeOwned>(session: Session, url: &str) -> Result<Fetched<T>, ApiFailure> {
    authed(session, "GET", url, None).await
}

/// An authenticated request. When the access token has expired (also in the middle of a
/// sync) it is refreshed once and the same request, with the same body, is sent again:
/// pushes and uploads are idempotent, so nothing is lost or doubled.
async fn authed<T: DeserializeOwned>(
    session: Session,
    method: &str,
    url: &str,
    body: Option<Body>,
) -> Result<Fetched<T>, ApiFailure> {
    let reply = authed_reply(session, method, url, body).await?;
    Ok(Fetched {
        value: decode(&reply)?,
        offline_copy: reply.offline_copy,
    })
}

/// [`authed`] without decoding: the raw answer, whatever its status (except 401).
async fn authed_reply(
    session: Session,
    method: &str,
    url: &str,
    body: Option<Body>,
) -> Result<Reply, ApiFailure> {
    let used = session.access_token().ok_or(ApiFailure::SignedOut)?;
    let mut reply = send(method, url, body.clone(), Some(&used)).await?;
    if reply.status == 401 && reply.error_code() == Some(ErrorCode::TokenExpired) {
        refresh(session, &used).await?;
        let token = session.access_token().ok_or(ApiFailure::SignedOut)?;
        reply = send(method, url, body, Some(&token)).await?;
    }
    if reply.status == 401 {
        session.sign_out(true);
        return Err(ApiFailure::SignedOut);
    }
    Ok(reply)
}

/// `POST /api/imports/{what}` (`contracts` or `registrations`): the file's report, also when
/// it has problems (422).
pub async fn import(
    session: Session,
    what: &str,
    bytes: Vec<u8>,
    xlsx: bool,
    dry_run: bool,
) -> Result<ImportReport, ApiFailure> {
    let query = ImportQuery {
        format: Some(if xlsx { "xlsx" } else { "csv" }.to_owned()),
        dry_run,
    };
    let url = url(&format!("/api/imports/{what}"), &query);
    let body = Body::Bytes {
        data: js_sys::Uint8Array::from(bytes.as_slice()),
        content_type: "application/octet-stream".to_owned(),
        range: None,
    };
    let reply = authed_reply(session, "POST", &url, Some(body)).await?;
    if reply.status == 422 {
        return serde_json::from_str(&reply.body).map_err(|_| reply.failure());
    }
    decode(&reply)
}

/// `GET /api/field/working-set`: the enclaves of the user's region (or `ids`) with the
/// registrations of the coming `days`; only what changed after the set of token `since`.
pub async fn working_set(
    session: Session,
    ids: Option<&[uuid::Uuid]>,
    days: u32,
    since: Option<&str>,
) -> Result<WireSet, ApiFailure> {
    let query = WorkingSetQuery {
        days: Some(days),
        ids: ids.map(|ids| {
            let ids: Vec<String> = ids.iter().map(uuid::Uuid::to_string).collect();
            ids.join(",")
        }),
        since: since.map(str::to_owned),
    };
    Ok(get(session, &url("/api/field/working-set", &query))
        .await?
        .value)
}

/// `GET /api/inspections/{id}`: an inspection as the server has it, with its review.
pub async fn inspection(session: Session, id: uuid::Uuid) -> Result<InspectionView, ApiFailure> {
    Ok(get(session, &format!("/api/inspections/{id}")).await?.value)
}

/// `GET /api/inspections?…`: one page (of 30) of the review queue, filtered by `query`.
pub async fn queue(
    session: Session,
    query: &QueueQuery,
    cursor: Option<&str>,
) -> Result<InspectionQueue, ApiFailure> {
    let query = QueueQuery {
        limit: Some(30),
        cursor: cursor.map(str::to_owned),
        ..query.clone()
    };
    Ok(get(session, &url("/api/inspections", &query)).await?.value)
}

/// `GET /api/enclaves/{id}/case-file`: the enclave's timeline, newest first.
pub async fn case_file(
    session: Session,
    enclave_id: &str,
) -> Result<shared::dto::case_file::CaseFile, ApiFailure> {
    let url = format!(
        "/api/enclaves/{}/case-file",
        js_sys::encode_uri_component(enclave_id)
    );
    Ok(get(session, &url).await?.value)
}

/// `GET /api/planning?…`: the enclaves to inspect first, highest score first.
pub async fn planning(
    session: Session,
    query: &shared::dto::query::PlanningQuery,
) -> Result<shared::dto::planning::PlanningAnswer, ApiFailure> {
    Ok(get(session, &url("/api/planning", query)).await?.value)
}

/// `GET /api/planning/facts`: what the planning weighs for the region's enclaves today, to
/// rank offline.
pub async fn planning_facts(
    session: Session,
) -> Result<shared::dto::planning::PlanningFacts, ApiFailure> {
    Ok(get(session, "/api/planning/facts").await?.value)
}

/// `GET /api/follow-ups?…`: follow-ups of measures, soonest due first.
pub async fn follow_ups(
    session: Session,
    query: &shared::dto::query::FollowUpQuery,
) -> Result<shared::dto::follow_up::FollowUpList, ApiFailure> {
    Ok(get(session, &url("/api/follow-ups", query)).await?.value)
}

/// `GET /api/audit?…`: audit events, newest first.
pub async fn audit(
    session: Session,
    query: &AuditQuery,
) -> Result<Vec<shared::dto::audit::AuditEvent>, ApiFailure> {
    Ok(get(session, &url("/api/audit", query)).await?.value)
}

/// `GET /api/reports/contracts?year=`: the yearly overview.
pub async fn contract_overview(
    session: Session,
    year: i32,
) -> Result<ContractOverview, ApiFailure> {
    let query = ReportQuery { year, format: None };
    Ok(get(session, &url("/api/reports/contracts", &query))
        .await?
        .value)
}

/// `GET /api/users?role=inspector`: the inspectors, for the queue's filter.
pub async fn inspectors(session: Session) -> Result<Vec<shared::dto::auth::User>, ApiFailure> {
    let query = UsersQuery {
        role: Some(shared::dto::auth::Role::Inspector),
    };
    Ok(get(session, &url("/api/users", &query)).await?.value)
}

/// `GET /api/users/me`: asks whether the session still lives. A session the server ended
/// answers 401, which signs the user out like any other 401 (see [`authed_reply`]).
pub async fn check_session(session: Session) -> Result<(), ApiFailure> {
    authed_reply(session, "GET", "/api/users/me", None)
        .await
        .map(|_| ())
}

/// `POST /api/auth/password`: the user replaces their password.
pub async fn change_password(
    session: Session,
    current: String,
    new: String,
) -> Result<(), ApiFailure> {
    let body = json(&PasswordChange { current, new });
    let reply = authed_reply(
        session,
        "POST",
        "/api/auth/password",
        Some(Body::Json(body)),
    )
    .await?;
    if (200..300).contains(&reply.status) {
        Ok(())
    } else {
        Err(reply.failure())
    }
}

/// `GET /api/accounts`: every account with its status (admins).
pub async fn accounts(session: Session) -> Result<Vec<Account>, ApiFailure> {
    Ok(get(session, "/api/accounts").await?.value)
}

/// `POST /api/accounts/{id}/{action}`: `disable`, `enable`, `password` (reset) or `revoke`.
pub async fn account_action(
    session: Session,
    id: uuid::Uuid,
    action: &str,
) -> Result<AccountChange, ApiFailure> {
    let url = format!("/api/accounts/{id}/{action}");
    Ok(authed(session, "POST", &url, None).await?.value)
}

/// `PATCH /api/accounts/{id}`: a new role and/or provinces.
pub async fn update_account(
    session: Session,
    id: uuid::Uuid,
    update: &AccountUpdate,
) -> Result<AccountChange, ApiFailure> {
    let url = format!("/api/accounts/{id}");
    Ok(
        authed(session, "PATCH", &url, Some(Body::Json(json(update))))
            .await?
            .value,
    )
}

/// `GET /api/reports/inspections?year=`: inspection statistics.
pub async fn inspection_statistics(
    session: Session,
    year: i32,
) -> Result<shared::dto::report::InspectionStatistics, ApiFailure> {
    let query = ReportQuery { year, format: None };
    Ok(get(session, &url("/api/reports/inspections", &query))
        .await?
        .value)
}

/// `GET /api/contracts?…`: a page of the register.
pub async fn register(
    session: Session,
    query: &RegisterQuery,
) -> Result<shared::dto::contract::RegisterPage, ApiFailure> {
    Ok(get(session, &url("/api/contracts", query)).await?.value)
}

/// `GET /api/contracts/{id}`.
pub async fn contract(
    session: Session,
    id: &str,
) -> Result<shared::dto::contract::RegisterEntry, ApiFailure> {
    Ok(get(session, &format!("/api/contracts/{}", encode(id)))
        .await?
        .value)
}

/// `POST /api/contracts` (`id` none) or `PUT /api/contracts/{id}`.
pub async fn save_contract(
    session: Session,
    draft: &shared::dto::contract::ContractDraft,
    previous: Option<&shared::dto::contract::Contract>,
) -> Result<shared::dto::contract::RegisterEntry, ApiFailure> {
    let (method, url, body) = match previous {
        None => ("POST", "/api/contracts".to_owned(), json(draft)),
        Some(previous) => (
            "PUT",
            format!("/api/contracts/{}", previous.id),
            json(&shared::dto::contract::ContractUpdate {
                previous: previous.clone(),
                draft: draft.clone(),
            }),
        ),
    };
    Ok(authed(session, method, &url, Some(Body::Json(body)))
        .await?
        .value)
}

/// `POST /api/inspections/{id}/review`.
pub async fn review(
    session: Session,
    id: uuid::Uuid,
    request: &ReviewRequest,
) -> Result<InspectionView, ApiFailure> {
    let body = Body::Json(json(request));
    let url = format!("/api/inspections/{id}/review");
    Ok(authed(session, "POST", &url, Some(body)).await?.value)
}

/// `POST /api/inspections/{id}/report-notified`.
pub async fn report_notified(
    session: Session,
    id: uuid::Uuid,
    on: chrono::NaiveDate,
) -> Result<(), ApiFailure> {
    let body = Body::Json(json(&shared::dto::review::ReportNotified { on }));
    let url = format!("/api/inspections/{id}/report-notified");
    let reply = authed_reply(session, "POST", &url, Some(body)).await?;
    if (200..300).contains(&reply.status) {
        Ok(())
    } else {
        Err(reply.failure())
    }
}

/// A photo fetched with the session's token, as an object URL for `<img src>`.
pub async fn photo_url(session: Session, sha256: &str) -> Result<String, ApiFailure> {
    blob_url(session, &format!("/api/attachments/{sha256}")).await
}

/// A file fetched with the session's token (a photo, a CSV export) as an object URL.
pub async fn blob_url(session: Session, url: &str) -> Result<String, ApiFailure> {
    let offline = |_: JsValue| ApiFailure::Offline;
    for attempt in 0..2 {
        let used = session.access_token().ok_or(ApiFailure::SignedOut)?;
        let headers = Headers::new().map_err(offline)?;
        headers
            .set("Authorization", &format!("Bearer {used}"))
            .map_err(offline)?;
        let init = RequestInit::new();
        init.set_headers(&headers);
        let request = Request::new_with_str_and_init(url, &init).map_err(offline)?;
        let response: Response = JsFuture::from(window().fetch_with_request(&request))
            .await
            .map_err(offline)?
            .dyn_into()
            .map_err(offline)?;
        if response.status() == 401 {
            if attempt == 0 {
                refresh(session, &used).await?;
                continue;
            }
            session.sign_out(true);
            return Err(ApiFailure::SignedOut);
        }
        if !response.ok() {
            return Err(ApiFailure::Api {
                status: response.status(),
                error: None,
                request_id: response.headers().get("x-request-id").ok().flatten(),
            });
        }
        let blob: web_sys::Blob = JsFuture::from(response.blob().map_err(offline)?)
            .await
            .map_err(offline)?
            .dyn_into()
            .map_err(offline)?;
        return web_sys::Url::create_object_url_with_blob(&blob).map_err(offline);
    }
    Err(ApiFailure::SignedOut)
}

/// Downloads `url` (an export) with the session's token as the file `filename`.
pub async fn download(session: Session, url: &str, filename: &str) -> Result<(), ApiFailure> {
    let href = blob_url(session, url).await?;
    if crate::file::save_url(&href, filename) {
        Ok(())
    } else {
        Err(ApiFailure::Offline)
    }
}

/// `POST /api/sync/push`.
pub async fn push(session: Session, request: &PushRequest) -> Result<PushResponse, ApiFailure> {
    let body = Body::Json(json(request));
    Ok(authed(session, "POST", "/api/sync/push", Some(body))
        .await?
        .value)
}

/// `GET /api/sync/pull?since=…`: up to 500 changes.
pub async fn pull(session: Session, since: i64) -> Result<PullResponse, ApiFailure> {
    let query = PullQuery {
        since: Some(since),
        limit: Some(500),
    };
    Ok(get(session, &url("/api/sync/pull", &query)).await?.value)
}

/// `GET /api/attachments/{sha256}/status`: how much of a photo the server has.
pub async fn attachment_status(
    session: Session,
    sha256: &str,
) -> Result<AttachmentStatus, ApiFailure> {
    Ok(get(session, &format!("/api/attachments/{sha256}/status"))
        .await?
        .value)
}

/// `PUT /api/attachments/{sha256}` of one piece: `piece` is the photo's bytes from `start`,
/// of `total` in all (always with its `Content-Range`). The server stores a piece only where
/// its stored part ends (409 otherwise) and answers where it stands.
pub async fn upload_piece(
    session: Session,
    sha256: &str,
    piece: &[u8],
    start: u64,
    total: u64,
    content_type: &str,
) -> Result<AttachmentStatus, ApiFailure> {
    let body = Body::Bytes {
        data: js_sys::Uint8Array::from(piece),
        content_type: content_type.to_owned(),
        range: Some(content_range(&(start..start + piece.len() as u64), total)),
    };
    let url = format!("/api/attachments/{sha256}");
    Ok(authed(session, "PUT", &url, Some(body)).await?.value)
}

type RefreshFuture = Shared<LocalBoxFuture<'static, Result<(), ApiFailure>>>;

thread_local! {
    /// The refresh under way, shared by every request that found its token expired: the
    /// refresh token rotates, so a second refresh with the same token would be refused.
    static REFRESHING: RefCell<Option<RefreshFuture>> = const { RefCell::new(None) };
}

/// Gets a new token pair unless `used` has already been replaced (by another request or tab).
async fn refresh(session: Session, used: &str) -> Result<(), ApiFailure> {
    session.sync_from_storage();
    if session.access_token().as_deref() != Some(used) {
        return Ok(());
    }
    let refreshing = REFRESHING.with(|slot| {
        slot.borrow_mut()
            .get_or_insert_with(|| refresh_now(session, used.to_owned()).boxed_local().shared())
            .clone()
    });
    let result = refreshing.clone().await;
    REFRESHING.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.as_ref().is_some_and(|f| f.ptr_eq(&refreshing)) {
            *slot = None;
        }
    });
    result
}

/// Refreshes in turn with the other tabs: inside the lock, the stored session is read again,
/// and when another tab has rotated the tokens meanwhile, that pair is used.
async fn refresh_now(session: Session, used: String) -> Result<(), ApiFailure> {
    exclusively(REFRESH_LOCK, move || {
        let used = used.clone();
        async move {
            session.sync_from_storage();
            match session.access_token() {
                None => Err(ApiFailure::SignedOut),
                Some(token) if token != used => Ok(()),
                Some(_) => refresh_tokens(session).await,
            }
        }
    })
    .await
}

async fn refresh_tokens(session: Session) -> Result<(), ApiFailure> {
    let refresh_token = session.refresh_token().ok_or(ApiFailure::SignedOut)?;
    let body = json(&RefreshRequest {
        refresh_token: refresh_token.clone(),
    });
    // Offline the session is kept: the inspector can go on with stored copies.
    let reply = send("POST", "/api/auth/refresh", Some(Body::Json(body)), None).await?;
    // A logout (here or in another tab) while the refresh was under way wins: its answer must
    // not sign the user in again, nor mark a session ended that the user closed.
    session.sync_from_storage();
    if session.refresh_token().as_deref() != Some(refresh_token.as_str()) {
        return if session.is_signed_in_untracked() {
            Ok(())
        } else {
            Err(ApiFailure::SignedOut)
        };
    }
    match reply.status {
        200..=299 => {
            session.sign_in(decode(&reply)?);
            Ok(())
        }
        400 | 401 | 403 => {
            session.sign_out(true);
            Err(ApiFailure::SignedOut)
        }
        _ => Err(reply.failure()),
    }
}

/// The Web Lock every tab of the app takes to refresh.
const REFRESH_LOCK: &str = "ei-refresh";

#[wasm_bindgen]
extern "C" {
    /// `navigator.locks`; web-sys has the Web Locks API only behind `web_sys_unstable_apis`.
    type LockManager;

    /// `request(name, callback)`: calls `callback` once the lock is held, and keeps it until
    /// the promise the callback returns settles.
    #[wasm_bindgen(method, catch)]
    fn request(
        this: &LockManager,
        name: &str,
        callback: &JsValue,
    ) -> Result<js_sys::Promise, JsValue>;
}

/// Runs `task` holding the browser-wide lock `name` (tabs of the app wait for each other).
/// Without the Web Locks API (or when the browser refuses the lock) it runs at once.
async fn exclusively<T, F>(name: &str, task: impl Fn() -> F) -> T
where
    T: 'static,
    F: Future<Output = T> + 'static,
{
    let locks = js_sys::Reflect::get(&window().navigator(), &"locks".into())
        .ok()
        .filter(|l| l.is_object())
        .map(JsCast::unchecked_into::<LockManager>);
    if let Some(locks) = locks {
        let done = Rc::new(RefCell::new(None));
        let slot = Rc::clone(&done);
        // Futures are lazy: this one runs only if the callback does.
        let run = task();
        let callback = Closure::once_into_js(move |_lock: JsValue| {
            wasm_bindgen_futures::future_to_promise(async move {
                *slot.borrow_mut() = Some(run.await);
                Ok(JsValue::UNDEFINED)
            })
        });
        if let Ok(held) = locks.request(name, &callback) {
            let _ = JsFuture::from(held).await;
        }
        let result = done.borrow_mut().take();
        if let Some(result) = result {
            return result;
        }
    }
    task().await
}

/// A raw answer.
struct Reply {
    status: u16,
    body: String,
    offline_copy: Option<String>,
}

impl Reply {
    fn error_code(&self) -> Option<ErrorCode> {
        serde_json::from_str::<ApiError>(&self.body)
            .ok()
            .map(|e| e.error.code)
    }

    fn failure(&self) -> ApiFailure {
        let body = serde_json::from_str::<ApiError>(&self.body).ok();
        ApiFailure::Api {
            status: self.status,
            request_id: body.as_ref().and_then(|e| e.request_id.clone()),
            error: body.map(|e| e.error),
        }
    }
}

fn decode<T: DeserializeOwned>(reply: &Reply) -> Result<T, ApiFailure> {
    if !(200..300).contains(&reply.status) {
        return Err(reply.failure());
    }
    serde_json::from_str(&reply.body).map_err(|_| ApiFailure::Api {
        status: reply.status,
        error: None,
        request_id: None,
    })
}

fn json<T: serde::Serialize>(value: &T) -> String {
    // Plain structs of strings: serialising cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}

/// A request body.
#[derive(Clone)]
enum Body {
    Json(String),
    /// Raw bytes, e.g. a photo or a piece of one (`range` is its `Content-Range`).
    Bytes {
        data: js_sys::Uint8Array,
        content_type: String,
        range: Option<String>,
    },
}

/// One `fetch`; network errors and timeouts are [`ApiFailure::Offline`].
async fn send(
    method: &str,
    url: &str,
    body: Option<Body>,
    bearer: Option<&str>,
) -> Result<Reply, ApiFailure> {
    let offline = |_: JsValue| ApiFailure::Offline;
    let headers = Headers::new().map_err(offline)?;
    headers.set("Accept", "application/json").map_err(offline)?;
    let init = RequestInit::new();
    init.set_method(method);
    match body {
        Some(Body::Json(body)) => {
            headers
                .set("Content-Type", "application/json")
                .map_err(offline)?;
            init.set_body(&JsValue::from_str(&body));
        }
        Some(Body::Bytes {
            data,
            content_type,
            range,
        }) => {
            headers
                .set("Content-Type", &content_type)
                .map_err(offline)?;
            if let Some(range) = range {
                headers.set("Content-Range", &range).map_err(offline)?;
            }
            init.set_body(&data);
        }
        None => {}
    }
    if let Some(token) = bearer {
        headers
            .set("Authorization", &format!("Bearer {token}"))
            .map_err(offline)?;
    }
    init.set_headers(&headers);
    let abort = AbortController::new().map_err(offline)?;
    init.set_signal(Some(&abort.signal()));
    let request = Request::new_with_str_and_init(url, &init).map_err(offline)?;

    let timer = set_timeout_with_handle(move || abort.abort(), TIMEOUT).ok();
    let result = async {
        let response: Response = JsFuture::from(window().fetch_with_request(&request))
            .await?
            .dyn_into()?;
        let text = JsFuture::from(response.text()?).await?;
        Ok::<_, JsValue>((response, text.as_string().unwrap_or_default()))
    }
    .await;
    if let Some(timer) = timer {
        timer.clear();
    }
    let (response, body) = result.map_err(offline)?;
    let header = |name: &str| response.headers().get(name).ok().flatten();
    Ok(Reply {
        status: response.status(),
        body,
        offline_copy: header("x-ei-offline-copy").map(|_| header("date").unwrap_or_default()),
    })
}

/// Formats the `Date` header of an offline copy in Belgian time, as the user reads it.
pub fn offline_copy_time(http_date: &str) -> String {
    let millis = js_sys::Date::parse(http_date);
    chrono::DateTime::from_timestamp_millis(millis as i64)
        .filter(|_| millis.is_finite())
        .map(crate::i18n::belgian_datetime)
        .unwrap_or_else(|| http_date.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::dto::report::HostType;

    #[test]
    fn urls_carry_what_is_set() {
        assert_eq!(url("/api/audit", &AuditQuery::default()), "/api/audit");
        let query = AuditQuery {
            user: Some("inès & co".into()),
            limit: Some(51),
            ..AuditQuery::default()
        };
        assert_eq!(
            url("/api/audit", &query),
            "/api/audit?user=in%C3%A8s+%26+co&limit=51"
        );
        let search = SearchQuery::Near {
            lat: 51.05,
            lon: 3.7,
            radius_km: 10,
        };
        assert_eq!(
            search.url(Some("c")),
            "/api/enclaves?near=51.05000%2C3.70000&radius_km=10.0&limit=20&cursor=c"
        );
        assert_eq!(
            SearchQuery::Text("Café Zoé".into()).url(None),
            "/api/enclaves?q=Caf%C3%A9+Zo%C3%A9&limit=20"
        );
    }

    /// A page's address can be a query type with the page's own fields beside it (the
    /// register's page number), in the order of the fields.
    #[test]
    fn addresses_flatten_a_query_type() {
        #[derive(Serialize)]
        struct Address<'a> {
            #[serde(flatten)]
            filter: &'a RegisterQuery,
            #[serde(skip_serializing_if = "Option::is_none")]
            page: Option<usize>,
        }
        let filter = RegisterQuery {
            q: Some("peeters & zonen".into()),
            host_type: Some(HostType::Government),
            late: true,
            sort: Some("start".into()),
            desc: true,
            ..RegisterQuery::default()
        };
        let address = |page| {
            url(
                "/register",
                &Address {
                    filter: &filter,
                    page,
                },
            )
        };
        assert_eq!(
            address(Some(2)),
            "/register?q=peeters+%26+zonen&host_type=government&late=true&sort=start&desc=true&page=2"
        );
        assert_eq!(
            address(None),
            "/register?q=peeters+%26+zonen&host_type=government&late=true&sort=start&desc=true"
        );
        let empty = RegisterQuery::default();
        let address = Address {
            filter: &empty,
            page: Some(3),
        };
        assert_eq!(url("/register", &address), "/register?page=3");
    }

    #[test]
    fn filters_are_read_as_the_server_reads_them() {
        assert_eq!(
            filter::<String>("  Sint-Niklaas "),
            Some("Sint-Niklaas".into())
        );
        assert_eq!(filter::<String>(" a & b "), Some("a & b".into()));
        assert_eq!(filter::<String>("   "), None);
        assert_eq!(filter::<i32>("2025"), Some(2025));
        assert_eq!(filter::<i32>("twenty"), None);
        assert_eq!(
            filter::<HostType>("sheltered_or_social"),
            Some(HostType::ShelteredOrSocial)
        );
        assert_eq!(filter::<HostType>("castle"), None);
        assert_eq!(
            filter_text(Some(HostType::ShelteredOrSocial)),
            "sheltered_or_social"
        );
        assert_eq!(filter_text(Some(2025)), "2025");
        assert_eq!(filter_text(Some("a & b")), "a & b");
        assert_eq!(filter_text(None::<HostType>), "");
        assert_eq!(
            filter::<chrono::NaiveDate>("2025-03-07"),
            chrono::NaiveDate::from_ymd_opt(2025, 3, 7)
        );
        assert_eq!(
            filter::<uuid::Uuid>("01010101-0101-0101-0101-010101010101"),
            Some(uuid::Uuid::from_bytes([1; 16]))
        );
    }
}
