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
use crate::auth::{AuthUser, client_of, keys, password};
use crate::db::repo::{self, audit::Event};
use crate::db::rows::{RefreshTokenRow, SessionRow, UserRow};
use crate::error::AppError;
use crate::state::AppState;

fn invalid_credentials() -> AppError {
    AppError::new(
        ErrorCode::InvalidCredentials,
        "Onbekende gebruikersnaam of fout wachtwoord.",
        "Unknown username or wrong password.",
    )
}

/// 429 with the seconds to wait in `Retry-After` and in the messages.
fn rate_limited(retry_after_secs: i64) -> HttpResponse {
    let error = AppError::new(
        ErrorCode::RateLimited,
        format!("Te veel mislukte aanmeldpogingen. Probeer opnieuw over {retry_after_secs} s."),
        format!("Too many failed login attempts. Try again in {retry_after_secs} s."),
    );
    HttpResponse::TooManyRequests()
        .insert_header(("Retry-After", retry_after_secs.to_string()))
        .json(error.body())
}

/// Log in with username and password. Failed attempts are throttled per username and client
/// (a growing wait) and per client (spraying): 429 with `Retry-After` in seconds.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse),
              (status = 400, description = "Malformed JSON body", body = shared::error::ApiError),
              (status = 401, body = shared::error::ApiError),
              (status = 408, description = "The request body arrived too slowly", body = shared::error::ApiError),
              (status = 413, description = "The request body is too large", body = shared::error::ApiError),
              (status = 429, description = "Too many failed attempts; see Retry-After",
               body = shared::error::ApiError,
               headers(("Retry-After" = i64, description = "Seconds to wait")))))]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, AppError> {
    let LoginRequest { username, password } = body.into_inner();
    let username = username.trim().to_lowercase();
    if username.is_empty() || username.len() > 100 || password.len() > 1024 {
        state.metrics.count_login_failure("invalid_credentials");
        return Err(invalid_credentials());
    }
    let client = client_of(&req);
    let limits = state.config.login_limits;

    // 1. Record the attempt, then apply the limits (its own row included), across all
    //    instances; only then look the user up.
    let attempt = uuid::Uuid::new_v4().to_string();
    let (u, c, a) = (username.clone(), client.clone(), attempt.clone());
    let user = state
        .db
        .run(move |conn| {
            if let Some(refusal) =
                repo::login_attempts::begin(conn, &a, &u, &c, repo::now(), &limits)?
            {
                repo::audit::record(
                    conn,
                    Event {
                        actor_username: Some(&u),
                        client: &c,
                        action: "login",
                        outcome: "rate_limited",
                        detail: Some(format!(
                            "limit {}, retry after {} s",
                            refusal.limit, refusal.retry_after_secs
                        )),
                        ..Default::default()
                    },
                )?;
                return Ok(Err(refusal.retry_after_secs));
            }
            Ok(Ok(repo::users::by_username(conn, &u)?))
        })
        .await?;
    let user = match user {
        Ok(user) => user,
        Err(retry_after_secs) => {
            state.metrics.count_login_failure("rate_limited");
            return Ok(rate_limited(retry_after_secs));
        }
    };

    // 2. Verify the password off the async workers, without holding a connection: one
    //    verification whether the account is unknown, inactive or active.
    let verified = web::block(move || {
        let account = user.as_ref().map(|u| (u.password_hash.as_str(), u.active));
        let opens = password::login_opens(account, &password, password::verify);
        user.filter(|_| opens)
    })
    .await
    .map_err(AppError::internal)?;

    // 3. Record the outcome; on success open a session with its first refresh token.
    let now = Utc::now().trunc_subsecs(0);
    if verified.is_none() {
        state.metrics.count_login_failure("invalid_credentials");
    }
    let state2 = state.clone();
    state
        .db
        .run(move |conn| {
            let Some(user) = verified else {
                repo::login_attempts::finish(conn, &attempt, "failure")?;
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
                repo::login_attempts::finish(conn, &attempt, "success")?;
                keys::reload(&state2, conn)?;
                let session = SessionRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    user_id: user.id.clone(),
                    client: client.clone(),
                    created_at: repo::now(),
                    revoked_at: None,
                    revoked_reason: None,
                };
                let jti = uuid::Uuid::new_v4().to_string();
                let ends = session_end(&state2, &session);
                let (token, row) = new_refresh_token(&state2, &user, &session.id, jti, now, ends)?;
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
                token_response(&state2, &user, &session.id, ends, now, token, &row)
            })
        })
        .await
        .map(|body| HttpResponse::Ok().json(body))
}

/// Exchange a refresh token for new tokens. The presented token dies; presenting it again
/// revokes the session. Refused once the session has reached its end or idle limit.
#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), (status = 400, body = shared::error::ApiError),
              (status = 401, body = shared::error::ApiError)))]
pub async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, AppError> {
    let client = client_of(&req);
    let claims = match keys::verify(&state, &body.refresh_token, TokenType::Refresh, true).await {
        Ok(c) => c,
        Err(e) => {
            let c = client.clone();
            state
                .db
                .run(move |conn| {
                    Ok(repo::audit::record(
                        conn,
                        Event {
                            client: &c,
                            action: "refresh",
                            outcome: "failure",
                            detail: Some(e.code.as_str().to_owned()),
                            ..Default::default()
                        },
                    )?)
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
                crate::db::take_write_lock(conn)?;
                keys::reload(&state2, conn)?;
                let Some((mut token, session)) =
                    repo::sessions::token_with_session(conn, &claims.jti)?
                else {
                    return Ok(Err(("unknown_token", None)));
                };
                if session.user_id != claims.sub || session.revoked_at.is_some() {
                    return Ok(Err(("revoked_session", Some(session.user_id))));
                }
                // The session's end and idle limit, checked here too: the tokens' own expiry
                // is read with some leeway for clock skew, and the settings may have changed.
                let ends = session_end(&state2, &session);
                let idle = token.used_at.is_none()
                    && token.issued_at.and_utc()
                        + Duration::seconds(state2.config.session_idle_secs)
                        <= Utc::now();
                if let Some(reason) = if Utc::now() >= ends {
                    Some("session_max_age")
                } else if idle {
                    Some("session_idle")
                } else {
                    None
                } {
                    repo::sessions::revoke(conn, &session.id, repo::now(), reason)?;
                    state2.sessions.forget(&session.id);
                    return Ok(Err((reason, Some(session.user_id))));
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
                            ends,
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
                let (jwt, row) = new_refresh_token(
                    &state2,
                    &user,
                    &session.id,
                    successor_jti(&token.id),
                    now,
                    ends,
                )?;
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
                    ends,
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

/// End the session of a refresh token (and thereby every token of it). The refresh token
/// alone is enough, even an expired one: ending a session is always safe, and a tablet that
/// was idle past its access token's life must still be able to log out. With a live access
/// token of the same user, that token's session ends too.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", request_body = RefreshRequest,
    security((), ("bearer" = [])),
    responses((status = 204), (status = 400, body = shared::error::ApiError),
              (status = 401, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError)))]
pub async fn logout(
    req: HttpRequest,
    user: Option<AuthUser>,
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, AppError> {
    let claims = keys::verify(&state, &body.refresh_token, TokenType::Refresh, false).await?;
    if user.as_ref().is_some_and(|u| u.id != claims.sub) {
        return Err(AppError::forbidden());
    }
    let client = user
        .as_ref()
        .map_or_else(|| client_of(&req), |u| u.client.clone());
    let own_sid = user.map(|u| u.session_id);
    let (sid, own) = (claims.sid.clone(), own_sid.clone());
    state
        .db
        .run(move |conn| {
            Ok(conn.transaction(|conn| {
                let now = repo::now();
                repo::sessions::revoke(conn, &claims.sid, now, "logout")?;
                if let Some(own) = own.filter(|own| *own != claims.sid) {
                    repo::sessions::revoke(conn, &own, now, "logout")?;
                }
                let username = repo::users::by_id(conn, &claims.sub)?.map(|u| u.username);
                repo::audit::record(
                    conn,
                    Event {
                        actor_username: username.as_deref(),
                        ..session_event(&claims.sub, "", &client, "logout", &claims.sid, None)
                    },
                )
            })?)
        })
        .await?;
    // Forget only after the revocation committed, so no request can re-cache it as live.
    state.sessions.forget(&sid);
    if let Some(own) = own_sid {
        state.sessions.forget(&own);
    }
    Ok(HttpResponse::NoContent().finish())
}

/// When `session` ends, however active: its start plus the absolute session lifetime.
fn session_end(state: &AppState, session: &SessionRow) -> DateTime<Utc> {
    session.created_at.and_utc() + Duration::seconds(state.config.session_max_age_secs)
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

/// A refresh token `jti` issued at `now` (whole seconds: it is signed again from its row). It
/// expires after its lifetime, or sooner: at the idle limit, and when the session `ends`.
fn new_refresh_token(
    state: &AppState,
    user: &UserRow,
    session_id: &str,
    jti: String,
    now: DateTime<Utc>,
    ends: DateTime<Utc>,
) -> Result<(String, RefreshTokenRow), AppError> {
    let lifetime = state
        .config
        .refresh_token_ttl_secs
        .min(state.config.session_idle_secs);
    let expires_at = (now + Duration::seconds(lifetime)).min(ends.trunc_subsecs(0));
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

/// The answer of a login or refresh: an access token that ends with the session at the
/// latest (`ends`), and the refresh token.
fn token_response(
    state: &AppState,
    user: &UserRow,
    session_id: &str,
    ends: DateTime<Utc>,
    now: DateTime<Utc>,
    refresh_token: String,
    refresh_row: &RefreshTokenRow,
) -> Result<TokenResponse, AppError> {
    let expires_at =
        (now + Duration::seconds(state.config.access_token_ttl_secs)).min(ends.trunc_subsecs(0));
    let ttl = (expires_at - now).num_seconds().max(0);
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
