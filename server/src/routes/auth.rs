//! `POST /api/auth/login`, `/refresh` and `/logout`: argon2id passwords, short-lived access
//! tokens, rotating refresh tokens whose reuse revokes the whole session, rate-limited logins,
//! and an audit row for every attempt.
//!
//! A refresh answer lost on a bad link (or two tabs refreshing at once) must not end the
//! session: for a short grace window after a rotation, the previous refresh token gets the
//! same new pair again. That pair is rebuilt, not stored: the successor's token id is derived
//! from its predecessor's and both tokens are signed from the successor's stored times, so
//! signing them again gives the same bytes. Outside the window, or once the successor has
//! been used, a reuse revokes the session as before.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use diesel::Connection;
use sha2::{Digest, Sha256};
use shared::dto::auth::{LoginRequest, RefreshRequest, TokenResponse};
use shared::error::ErrorCode;

use crate::auth::token::{TokenType, invalid_token};
use crate::auth::{AuthUser, client_of, password};
use crate::db::repo::{self, audit::Event};
use crate::db::rows::{RefreshTokenRow, SessionRow, UserRow};
use crate::error::AppError;
use crate::state::AppState;

/// Registers the auth routes under `/api/auth`.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/auth")
            .route("/login", web::post().to(login))
            .route("/refresh", web::post().to(refresh))
            .route("/logout", web::post().to(logout))
            .route("/password", web::post().to(super::users::change_password)),
    );
}

fn invalid_credentials() -> AppError {
    AppError::new(
        ErrorCode::InvalidCredentials,
        "Onbekende gebruikersnaam of fout wachtwoord.",
        "Unknown username or wrong password.",
    )
}

fn rate_limited() -> AppError {
    AppError::new(
        ErrorCode::RateLimited,
        "Te veel mislukte aanmeldpogingen. Wacht enkele minuten en probeer opnieuw.",
        "Too many failed login attempts. Wait a few minutes and try again.",
    )
}

/// Log in with username and password.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = shared::error::ApiError),
              (status = 429, body = shared::error::ApiError)))]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, AppError> {
    let LoginRequest { username, password } = body.into_inner();
    let username = username.trim().to_lowercase();
    if username.is_empty() || username.len() > 100 || password.len() > 1024 {
        return Err(invalid_credentials());
    }
    let client = client_of(&req);
    let limits = state.config.login_limits;

    // 1. Rate limit on recent failures, per username and per client, across all instances.
    let (u, c) = (username.clone(), client.clone());
    let user = state
        .db
        .run(move |conn| {
            let since = repo::now() - Duration::seconds(limits.window_secs);
            let (by_user, by_client) = repo::audit::login_failures_since(conn, &u, &c, since)?;
            if by_user >= limits.failures_per_username || by_client >= limits.failures_per_client {
                repo::audit::record(
                    conn,
                    Event {
                        actor_username: Some(&u),
                        client: &c,
                        action: "login",
                        outcome: "rate_limited",
                        ..Default::default()
                    },
                )?;
                return Err(rate_limited());
            }
            repo::users::by_username(conn, &u)
        })
        .await?;

    // 2. Verify the password off the async workers, without holding a connection.
    let verified = web::block(move || match user {
        Some(user) if user.active && password::verify(&password, &user.password_hash) => Some(user),
        Some(_) => None,
        None => {
            password::verify_dummy(&password);
            None
        }
    })
    .await
    .map_err(AppError::internal)?;

    // 3. Record the outcome; on success open a session with its first refresh token.
    let now = Utc::now().trunc_subsecs(0);
    let state2 = state.clone();
    state
        .db
        .run(move |conn| {
            let Some(user) = verified else {
                repo::audit::record(
                    conn,
                    Event {
                        actor_username: Some(&username),
                        client: &client,
                        action: "login",
                        outcome: "failure",
                        ..Default::default()
                    },
                )?;
                return Err(invalid_credentials());
            };
            conn.transaction(|conn| {
                let session = SessionRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    user_id: user.id.clone(),
                    client: client.clone(),
                    created_at: repo::now(),
                    revoked_at: None,
                    revoked_reason: None,
                };
                let jti = uuid::Uuid::new_v4().to_string();
                let (token, row) = new_refresh_token(&state2, &user, &session.id, jti, now)?;
                repo::sessions::create(conn, &session, &row)?;
                repo::audit::record(
                    conn,
                    session_event(
                        &user.id,
                        &user.username,
                        &client,
                        "login",
                        &session.id,
                        None,
                    ),
                )?;
                token_response(&state2, &user, &session.id, now, token, &row)
            })
        })
        .await
        .map(|body| HttpResponse::Ok().json(body))
}

/// Exchange a refresh token for new tokens. The presented token dies; presenting it again
/// revokes the session.
#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = shared::error::ApiError)))]
pub async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, AppError> {
    let client = client_of(&req);
    let claims = match state.keys.verify(&body.refresh_token, TokenType::Refresh) {
        Ok(c) => c,
        Err(e) => {
            let c = client.clone();
            state
                .db
                .run(move |conn| {
                    repo::audit::record(
                        conn,
                        Event {
                            client: &c,
                            action: "refresh",
                            outcome: "failure",
                            detail: Some(e.code.as_str().to_owned()),
                            ..Default::default()
                        },
                    )
                })
                .await?;
            return Err(e);
        }
    };
    // Whole seconds: the tokens' times are seconds, and the grace window signs them again
    // from the stored successor row.
    let now = Utc::now().trunc_subsecs(0);
    let grace = Duration::seconds(state.config.refresh_grace_secs);
    let state2 = state.clone();
    let outcome = state
        .db
        .run(move |conn| {
            conn.transaction::<_, AppError, _>(|conn| {
                let Some((mut token, session)) =
                    repo::sessions::token_with_session(conn, &claims.jti)?
                else {
                    return Ok(Err(("unknown_token", None)));
                };
                if session.user_id != claims.sub || session.revoked_at.is_some() {
                    return Ok(Err(("revoked_session", Some(session.user_id))));
                }
                if token.used_at.is_none()
                    && !repo::sessions::mark_used(conn, &token.id, repo::now())?
                {
                    // Used by a concurrent refresh that committed first: read when.
                    token = repo::sessions::token_with_session(conn, &token.id)?
                        .map(|(t, _)| t)
                        .unwrap_or(token);
                }
                if let Some(used_at) = token.used_at {
                    let successor =
                        repo::sessions::token_with_session(conn, &successor_jti(&token.id))?
                            .map(|(t, _)| t)
                            .filter(|t| t.used_at.is_none() && t.session_id == session.id);
                    let user = repo::users::by_id(conn, &session.user_id)?.filter(|u| u.active);
                    if let (Some(successor), Some(user)) = (successor, user)
                        && used_at.and_utc() + grace > Utc::now()
                    {
                        // The answer to the first use was lost: give the same pair again.
                        let issued = successor.issued_at.and_utc();
                        let jwt = state2.keys.issue(
                            TokenType::Refresh,
                            &user.id,
                            &session.id,
                            &successor.id,
                            issued,
                            successor.expires_at.and_utc(),
                        )?;
                        repo::audit::record(
                            conn,
                            session_event(
                                &user.id,
                                &user.username,
                                &client,
                                "refresh",
                                &session.id,
                                Some("repeated within the grace window".to_owned()),
                            ),
                        )?;
                        return Ok(Ok(token_response(
                            &state2,
                            &user,
                            &session.id,
                            issued,
                            jwt,
                            &successor,
                        )?));
                    }
                    // Reuse of a rotated token: someone else may hold the family. Kill it.
                    repo::sessions::revoke(conn, &session.id, repo::now(), "refresh_token_reuse")?;
                    state2.sessions.forget(&session.id);
                    return Ok(Err(("reuse_detected", Some(session.user_id))));
                }
                let Some(user) = repo::users::by_id(conn, &session.user_id)?.filter(|u| u.active)
                else {
                    return Ok(Err(("inactive_user", Some(session.user_id))));
                };
                let (jwt, row) =
                    new_refresh_token(&state2, &user, &session.id, successor_jti(&token.id), now)?;
                repo::sessions::add_token(conn, &row)?;
                repo::audit::record(
                    conn,
                    session_event(
                        &user.id,
                        &user.username,
                        &client,
                        "refresh",
                        &session.id,
                        None,
                    ),
                )?;
                Ok(Ok(token_response(
                    &state2,
                    &user,
                    &session.id,
                    now,
                    jwt,
                    &row,
                )?))
            })
            .and_then(|result| match result {
                Ok(body) => Ok(Ok(body)),
                Err((reason, user_id)) => {
                    // Recorded outside the rolled-back part, so the revocation and the
                    // failure row both persist.
                    repo::audit::record(
                        conn,
                        Event {
                            actor_id: user_id.as_deref(),
                            client: &client,
                            action: "refresh",
                            outcome: "failure",
                            detail: Some(reason.to_owned()),
                            ..Default::default()
                        },
                    )?;
                    Ok(Err(invalid_token()))
                }
            })
        })
        .await?;
    outcome.map(|body| HttpResponse::Ok().json(body))
}

/// End the session of a refresh token (and thereby every token of it).
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", request_body = RefreshRequest,
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = shared::error::ApiError)))]
pub async fn logout(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, AppError> {
    let claims = state.keys.verify(&body.refresh_token, TokenType::Refresh)?;
    if claims.sub != user.id {
        return Err(AppError::forbidden());
    }
    let (sid, own_sid) = (claims.sid.clone(), user.session_id.clone());
    state
        .db
        .run(move |conn| {
            conn.transaction(|conn| {
                repo::sessions::revoke(conn, &claims.sid, repo::now(), "logout")?;
                if claims.sid != user.session_id {
                    repo::sessions::revoke(conn, &user.session_id, repo::now(), "logout")?;
                }
                repo::audit::record(
                    conn,
                    session_event(
                        &user.id,
                        &user.username,
                        &user.client,
                        "logout",
                        &claims.sid,
                        None,
                    ),
                )
            })
        })
        .await?;
    // Forget only after the revocation committed, so no request can re-cache it as live.
    state.sessions.forget(&sid);
    state.sessions.forget(&own_sid);
    Ok(HttpResponse::NoContent().finish())
}

/// The audit event of a session step that succeeded (login, refresh, logout).
fn session_event<'a>(
    user_id: &'a str,
    username: &'a str,
    client: &'a str,
    action: &'a str,
    session_id: &'a str,
    detail: Option<String>,
) -> Event<'a> {
    Event {
        actor_id: Some(user_id),
        actor_username: Some(username),
        client,
        action,
        outcome: "success",
        object_type: Some("session"),
        object_id: Some(session_id),
        detail,
    }
}

/// The id of the refresh token that follows `jti`: derived, so a repeated refresh within the
/// grace window finds the same successor.
fn successor_jti(jti: &str) -> String {
    let digest = Sha256::digest(format!("enclave-inspect/refresh-successor/{jti}"));
    uuid::Builder::from_random_bytes(digest[..16].try_into().unwrap_or_default())
        .into_uuid()
        .to_string()
}

/// A refresh token `jti` issued at `now` (whole seconds: it is signed again from its row).
fn new_refresh_token(
    state: &AppState,
    user: &UserRow,
    session_id: &str,
    jti: String,
    now: DateTime<Utc>,
) -> Result<(String, RefreshTokenRow), AppError> {
    let expires_at = now + Duration::seconds(state.config.refresh_token_ttl_secs);
    let token = state.keys.issue(
        TokenType::Refresh,
        &user.id,
        session_id,
        &jti,
        now,
        expires_at,
    )?;
    let row = RefreshTokenRow {
        id: jti,
        session_id: session_id.to_owned(),
        issued_at: now.naive_utc(),
        expires_at: expires_at.naive_utc(),
        used_at: None,
    };
    Ok((token, row))
}

fn token_response(
    state: &AppState,
    user: &UserRow,
    session_id: &str,
    now: DateTime<Utc>,
    refresh_token: String,
    refresh_row: &RefreshTokenRow,
) -> Result<TokenResponse, AppError> {
    let ttl = state.config.access_token_ttl_secs;
    let expires_at = now + Duration::seconds(ttl);
    // Derived from the refresh token it comes with: the grace window repeats it exactly.
    let jti = successor_jti(&format!("access/{}", refresh_row.id));
    let access_token = state.keys.issue(
        TokenType::Access,
        &user.id,
        session_id,
        &jti,
        now,
        expires_at,
    )?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: ttl,
        expires_at,
        refresh_token,
        refresh_expires_at: refresh_row.expires_at.and_utc(),
        user: repo::users::to_dto(user)?,
        must_change_password: user.must_change_password,
    })
}
