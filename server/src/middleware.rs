//! Checks every request passes before a handler runs, and what every API answer carries.
//!
//! - [`no_store`]: `Cache-Control: no-store` on every `/api` answer (JSON, exports, photos,
//!   errors): nothing about the people in the data stays in a browser's or proxy's HTTP cache
//!   after a logout. (The service worker's own cache of looked-up enclaves is the Cache API,
//!   which the app empties itself; `no-store` does not stop it.)
//! - [`refuse_control_characters`]: NUL and other control characters in the path, the query
//!   string or a JSON body are refused with a 400 before any query. PostgreSQL cannot store a
//!   NUL in text (a 500 there) while SQLite stores it: refusing them here makes both databases
//!   answer alike. Tab, line feed and carriage return pass (free-text fields hold them; the
//!   rules of one-line fields refuse them). A push (`POST /api/sync/push`) is exempt: its
//!   records are checked one by one by `shared::rules::inspection`, so one bad record is a
//!   `rejected` outcome and not the whole batch refused.
//!   The same pass writes whole numbers sent as floats (`4.0`) as integers, which JSON and
//!   JSON Schema hold them to be and serde would otherwise refuse for an integer field.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};
use futures_util::StreamExt;
use shared::error::ErrorCode;
use shared::rules::inspection::first_control_character;

use crate::error::AppError;
use crate::state::AppState;

/// The path whose JSON body is checked record by record instead.
const PUSH_PATH: &str = "/api/sync/push";

/// Sets `Cache-Control: no-store` on every answer under `/api`, replacing what a handler set.
pub async fn no_store(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let api = is_api(req.path());
    let mut res = next.call(req).await?;
    if api {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Refuses a request whose decoded path, query string or JSON body holds a control character
/// other than tab, line feed or carriage return.
pub async fn refuse_control_characters(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    if let Some(refusal) = in_path_or_query(&req) {
        return Ok(req.error_response(refusal).map_into_right_body());
    }
    if is_json(&req) {
        let push = req.path() == PUSH_PATH;
        let limit = if push {
            crate::routes::sync::MAX_PUSH_BYTES
        } else {
            req.app_data::<web::Data<AppState>>()
                .map_or(0, |state| state.config.json_body_limit)
        };
        let mut body = match read_body(&mut req, limit).await {
            Ok(body) => body,
            Err(refusal) => return Ok(req.error_response(refusal).map_into_right_body()),
        };
        // A body that is not JSON is left to the extractor, which says why.
        if let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&body) {
            // A push is checked record by record by its own rules (a `rejected` outcome).
            if !push && let Some(found) = first_control_in_json(&value) {
                let refusal = refused(&found.0, found.1);
                return Ok(req.error_response(refusal).map_into_right_body());
            }
            if whole_numbers_as_integers(&mut value) {
                body = serde_json::to_vec(&value)
                    .map_err(actix_web::error::ErrorInternalServerError)?
                    .into();
            }
        }
        req.set_payload(actix_web::dev::Payload::from(body));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// Writes every whole number written as a float (`4.0`) as the integer it is, and says whether
/// there was one. JSON has one kind of number and JSON Schema counts `4.0` as an integer; serde
/// would refuse it for an integer field.
fn whole_numbers_as_integers(value: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Number(n) => {
            let whole = n
                .as_f64()
                .filter(|f| n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15);
            if let Some(f) = whole {
                // Exact: below 2^53 every whole float is an integer as it is.
                *n = serde_json::Number::from(f as i64);
                true
            } else {
                false
            }
        }
        // Every item is visited (no short circuit): each may hold a whole float.
        Value::Array(items) => {
            let mut changed = false;
            for item in items {
                changed |= whole_numbers_as_integers(item);
            }
            changed
        }
        Value::Object(fields) => {
            let mut changed = false;
            for field in fields.values_mut() {
                changed |= whole_numbers_as_integers(field);
            }
            changed
        }
        _ => false,
    }
}

/// Whether the body is JSON (`application/json`, `…+json`), as the JSON extractor reads it.
fn is_json(req: &ServiceRequest) -> bool {
    req.mime_type().ok().flatten().is_some_and(|m| {
        m.subtype().as_str() == "json" || m.suffix().is_some_and(|s| s.as_str() == "json")
    })
}

fn in_path_or_query(req: &ServiceRequest) -> Option<AppError> {
    let path = percent_decode(req.path());
    if let Some(c) = first_control(&path) {
        return Some(refused("path", c));
    }
    for (name, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        if let Some(c) = first_control(&name).or_else(|| first_control(&value)) {
            return Some(refused(&name, c));
        }
    }
    None
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Reads the whole body, at most `limit` bytes.
async fn read_body(req: &mut ServiceRequest, limit: usize) -> Result<web::Bytes, AppError> {
    let too_large = || {
        AppError::new(
            ErrorCode::PayloadTooLarge,
            format!("De inhoud is te groot (maximaal {limit} bytes)."),
            format!("The request body is too large (at most {limit} bytes)."),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            AppError::bad_request(
                format!("De inhoud kon niet gelezen worden: {e}"),
                format!("The request body could not be read: {e}"),
            )
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The first control character no text may hold (the rule of `shared`, multi-line: one-line
/// fields refuse line breaks in their own rules).
fn first_control(s: &str) -> Option<char> {
    first_control_character(s, false).map(|(_, c)| c)
}

/// The field (a JSON path such as `comment` or `items[2].name`) and character of the first
/// refused control character in a JSON value's keys or strings.
fn first_control_in_json(value: &serde_json::Value) -> Option<(String, char)> {
    use serde_json::Value;
    match value {
        Value::String(s) => first_control(s).map(|c| (String::new(), c)),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            first_control_in_json(item).map(|(field, c)| (format!("[{i}]{}", dotted(&field)), c))
        }),
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            if let Some(c) = first_control(key) {
                return Some((key.escape_debug().to_string(), c));
            }
            first_control_in_json(item).map(|(field, c)| (format!("{key}{}", dotted(&field)), c))
        }),
        _ => None,
    }
}

/// `field` as the tail of a longer path.
fn dotted(field: &str) -> String {
    if field.is_empty() || field.starts_with('[') {
        field.to_owned()
    } else {
        format!(".{field}")
    }
}

fn refused(field: &str, c: char) -> AppError {
    let code = u32::from(c);
    let field = if field.is_empty() { "body" } else { field };
    AppError::new(
        ErrorCode::BadRequest,
        format!("{field} bevat een onzichtbaar stuurteken (U+{code:04X}); verwijder het."),
        format!("{field} contains an invisible control character (U+{code:04X}); remove it."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_found_in_keys_and_strings_at_any_depth() {
        let found = |v: serde_json::Value| first_control_in_json(&v);
        assert_eq!(
            found(serde_json::json!({ "comment": "a\u{0}b" })),
            Some(("comment".into(), '\0'))
        );
        assert_eq!(
            found(serde_json::json!({ "items": [{ "ok": 1 }, { "name": "x\u{7f}" }] })),
            Some(("items[1].name".into(), '\u{7f}'))
        );
        assert_eq!(
            found(serde_json::json!({ "a\u{1}": true })),
            Some(("a\\u{1}".into(), '\u{1}'))
        );
        assert_eq!(
            found(serde_json::json!({ "text": "regel\neen\ttwee\r\n", "n": 0 })),
            None
        );
        assert_eq!(
            found(serde_json::json!(["\u{9f}"])),
            Some(("[0]".into(), '\u{9f}'))
        );
    }

    #[test]
    fn paths_are_checked_decoded() {
        assert_eq!(percent_decode("/api/enclaves/%00"), "/api/enclaves/\0");
        assert_eq!(first_control(&percent_decode("/api/a%20b")), None);
    }

    #[test]
    fn whole_floats_become_integers_and_nothing_else_changes() {
        let mut v = serde_json::json!({"a": 4.0, "b": [1.5, 2.0, -3.0], "c": "4.0", "d": 7});
        assert!(whole_numbers_as_integers(&mut v));
        assert_eq!(
            v,
            serde_json::json!({"a": 4, "b": [1.5, 2, -3], "c": "4.0", "d": 7})
        );
        let mut same = serde_json::json!({"a": 1, "b": 0.5});
        assert!(!whole_numbers_as_integers(&mut same));
    }
}
