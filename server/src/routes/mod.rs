//! HTTP routes, wired in one place: one table of every operation (liveness, readiness and
//! `/api/...` per resource), the OpenAPI document, and the PWA's static files as the fallback.

pub mod attachments;
pub mod audit;
pub mod auth;
pub mod case_file;
pub mod contracts;
pub mod enclaves;
pub mod field;
pub mod follow_ups;
pub mod health;
pub mod imports;
pub mod inspections;
pub mod people;
pub mod planning;
pub mod reports;
pub mod sync;
pub mod users;

use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::error::AppError;

/// Registers every route of the application: the [`ROUTES`] table, the OpenAPI document, the
/// metrics placeholder and the PWA.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.configure(root_routes)
        // Metrics are served on METRICS_BIND only: here a scraper gets a 404, not the app.
        .route("/metrics", web::route().to(metrics_not_here))
        .service(
            web::scope("/api")
                .route("/openapi.json", web::get().to(openapi))
                .configure(api_routes)
                .default_service(web::to(api_not_found)),
        )
        .configure(crate::pwa::config)
        .default_service(web::to(crate::pwa::spa_fallback));
}

/// One operation of the API: a method on a path, as the OpenAPI document names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub method: Method,
    /// The full path, with `{name}` for a path parameter.
    pub path: &'static str,
}

/// Declares the route table once: [`ROUTES`] lists it as data, and one wiring function per
/// scope registers it, so the two cannot drift. A path with `[data]` becomes one resource
/// holding that extractor configuration (a wrong method there is a 405); the others are one
/// route per method.
macro_rules! route_table {
    ($($wiring:ident at $scope:literal {
        $($path:literal $([$data:expr])? { $($method:ident => $handler:path),+ $(,)? })*
    })*) => {
        /// Every operation the server answers (besides the OpenAPI document itself, the
        /// metrics placeholder and the PWA's files), each documented in [`ApiDoc`].
        pub const ROUTES: &[Operation] = &[$($($(Operation {
            method: Method::$method,
            path: concat!($scope, $path),
        },)+)*)*];

        $(fn $wiring(cfg: &mut web::ServiceConfig) {
            $(wire!(cfg, $path, [$($data)?], $($method => $handler),+);)*
        })*
    };
}

/// Registers one path of [`route_table!`].
macro_rules! wire {
    ($cfg:ident, $path:literal, [], $($method:ident => $handler:path),+) => {
        $($cfg.route($path, web::method(Method::$method).to($handler));)+
    };
    ($cfg:ident, $path:literal, [$data:expr], $($method:ident => $handler:path),+) => {
        $cfg.service(
            web::resource($path)
                .app_data($data)
                $(.route(web::method(Method::$method).to($handler)))+,
        );
    };
}

route_table! {
    root_routes at "" {
        "/healthz" { GET => health::health }
        "/readyz" { GET => health::ready }
    }
    api_routes at "/api" {
        "/auth/login" { POST => auth::login }
        "/auth/refresh" { POST => auth::refresh }
        "/auth/logout" { POST => auth::logout }
        "/auth/password" { POST => users::change_password }
        "/enclaves" { GET => enclaves::search }
        "/enclaves/{id}" { GET => enclaves::detail }
        "/enclaves/{id}/case-file" { GET => case_file::case_file }
        "/field/working-set" { GET => field::working_set }
        "/planning" { GET => planning::planning }
        "/planning/facts" { GET => planning::facts }
        "/follow-ups" { GET => follow_ups::list }
        "/audit" { GET => audit::list }
        "/sync/push" [sync::push_body()] { POST => sync::push }
        "/sync/pull" { GET => sync::pull }
        "/attachments/{sha256}" [attachments::photo_body()] {
            PUT => attachments::put,
            GET => attachments::get,
        }
        "/attachments/{sha256}/status" { GET => attachments::status }
        "/inspections" { GET => inspections::queue }
        "/inspections/{id}" { GET => inspections::get }
        "/inspections/{id}/report-notified" { POST => inspections::report_notified }
        "/inspections/{id}/report.pdf" { GET => inspections::report_pdf }
        "/inspections/{id}/review" { POST => inspections::review }
        "/reports/contracts" { GET => reports::contracts }
        "/reports/inspections" { GET => reports::inspections }
        "/imports/contracts" { POST => imports::contracts_import }
        "/imports/contracts/columns" { POST => imports::contract_columns }
        "/imports/registrations" { POST => imports::registrations_import }
        "/contracts" { GET => contracts::list, POST => contracts::create }
        "/contracts/{id}" { GET => contracts::get, PUT => contracts::update }
        "/users" { GET => users::list }
        "/users/me" { GET => users::me }
        "/accounts" { GET => users::accounts_list }
        "/accounts/{id}" { PATCH => users::update }
        "/accounts/{id}/disable" { POST => users::disable }
        "/accounts/{id}/enable" { POST => users::enable }
        "/accounts/{id}/password" { POST => users::reset_password }
        "/accounts/{id}/revoke" { POST => users::revoke }
        "/people" { GET => people::search }
        "/people/{id}/export" { GET => people::export }
    }
}

/// The id in a path, as stored (lowercase, hyphenated); what is not a UUID names no object,
/// so it is `missing` (a 404 that says which kind of object).
pub fn path_id(raw: &str, missing: fn() -> AppError) -> Result<String, AppError> {
    uuid::Uuid::parse_str(raw)
        .map(|id| id.to_string())
        .map_err(|_| missing())
}

/// Whether `s` has the shape of `template`: a digit wherever it has `0`, its other characters
/// as they are (`"0000-00-00"`: a date in form, whether or not it exists).
pub fn shaped_like(s: &str, template: &str) -> bool {
    s.len() == template.len()
        && s.bytes().zip(template.bytes()).all(|(c, t)| {
            if t == b'0' {
                c.is_ascii_digit()
            } else {
                c == t
            }
        })
}

async fn metrics_not_here() -> Result<HttpResponse, AppError> {
    Err(AppError::not_found(
        "Metrieken (enkel op METRICS_BIND)",
        "Metrics (served on METRICS_BIND only)",
    ))
}

async fn api_not_found(req: HttpRequest) -> Result<HttpResponse, AppError> {
    Err(AppError::not_found(
        &format!("API-pad {}", req.path()),
        &format!("API path {}", req.path()),
    ))
}

/// The OpenAPI document, generated from the handlers and the `shared` types.
#[derive(OpenApi)]
#[openapi(
    info(title = "Enclave Inspect API", description = "Lookup, verdicts and inspections of enclavewerking."),
    paths(health::health, health::ready, auth::login, auth::refresh, auth::logout, enclaves::search, enclaves::detail, case_file::case_file, field::working_set, planning::planning, planning::facts, follow_ups::list, audit::list, sync::push, sync::pull, inspections::queue, inspections::get, inspections::report_pdf, inspections::review, inspections::report_notified, reports::contracts, reports::inspections, contracts::list, contracts::get, contracts::create, contracts::update, imports::contracts_import, imports::contract_columns, imports::registrations_import, attachments::put, attachments::status, attachments::get, users::list, people::search, people::export, users::me, users::change_password, users::accounts_list, users::update, users::disable, users::enable, users::reset_password, users::revoke),
    modifiers(&BearerAuth, &CommonResponses, &DatePatterns),
    tags((name = "auth"), (name = "enclaves"), (name = "field"), (name = "planning"), (name = "audit"), (name = "sync"), (name = "inspections"), (name = "reports"), (name = "imports"), (name = "register"), (name = "people"), (name = "accounts"), (name = "health"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The operations of a path, whatever their method.
fn operations(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .flatten()
}

/// The answers every operation of a kind can give, added to each so that the document lists
/// every status the server can send: 401 wherever a token is needed, 400 wherever there is a
/// parameter or a body to get wrong, 413 and 408 (too large, too slow) wherever there is a body,
/// and 503 everywhere (the
/// database may be unreachable). Each operation's own attribute lists what is particular to it.
struct CommonResponses;

impl utoipa::Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ApiError")))
                        .build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let path_has_parameters = item.parameters.as_ref().is_some_and(|p| !p.is_empty());
            for operation in operations(item) {
                let responses = &mut operation.responses.responses;
                let mut add = |status: &str, description: &str| {
                    responses
                        .entry(status.to_owned())
                        .or_insert_with(|| error(description).into());
                };
                let has_body = operation.request_body.is_some();
                let has_parameters = path_has_parameters
                    || operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
                if has_body || has_parameters {
                    add(
                        "400",
                        "Malformed request: a parameter, the path or the body",
                    );
                }
                if has_body {
                    add("413", "The request body is larger than allowed");
                    add(
                        "408",
                        "The body arrived more slowly than the server waits for",
                    );
                }
                if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    add("401", "No token, or an expired, revoked or invalid one");
                }
                if path != "/healthz" {
                    add("503", "The database is unavailable; retry later");
                }
            }
        }
    }
}

/// Dates, times and text as the server reads them: a JSON Schema `format` is only an
/// annotation, so each date and date-time string also gets the pattern the server requires
/// (`""` is no date), and other text (property names included) the pattern that leaves out
/// control characters.
struct DatePatterns;

/// Text without the control characters every route refuses (tab, line feed and carriage
/// return are allowed).
const NO_CONTROL_PATTERN: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";

/// `YYYY-MM-DD`.
const DATE_PATTERN: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
/// RFC 3339 with seconds and an offset.
const DATE_TIME_PATTERN: &str =
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$";

impl utoipa::Modify for DatePatterns {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::Parameter;
        if let Some(components) = openapi.components.as_mut() {
            components.schemas.values_mut().for_each(date_patterns);
        }
        for item in openapi.paths.paths.values_mut() {
            for operation in operations(item) {
                let parameters = operation.parameters.iter_mut().flatten();
                parameters
                    .filter_map(|p: &mut Parameter| p.schema.as_mut())
                    .for_each(date_patterns);
            }
        }
    }
}

/// Adds the date or date-time pattern to `schema` and every schema inside it.
fn date_patterns(schema: &mut utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{
        AdditionalProperties, ArrayItems, KnownFormat, Schema, SchemaFormat, SchemaType, Type,
    };
    let RefOr::T(schema) = schema else { return };
    match schema {
        Schema::Object(object) => {
            let pattern = match &object.format {
                Some(SchemaFormat::KnownFormat(KnownFormat::Date)) => Some(DATE_PATTERN),
                Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)) => Some(DATE_TIME_PATTERN),
                _ => None,
            };
            if let Some(pattern) = pattern {
                object.pattern.get_or_insert_with(|| pattern.to_owned());
            }
            // Text holds no control characters (see `crate::middleware`): say so in the
            // document, for free text and for the names of properties alike.
            let text = object.schema_type == SchemaType::Type(Type::String)
                || object.schema_type == SchemaType::Array(vec![Type::String, Type::Null]);
            if text && object.format.is_none() && object.enum_values.is_none() {
                object
                    .pattern
                    .get_or_insert_with(|| NO_CONTROL_PATTERN.to_owned());
            }
            // A body takes the properties it documents and no others (the server ignores
            // others, but refuses control characters anywhere, so the document rules them out).
            if !object.properties.is_empty() && object.additional_properties.is_none() {
                object.additional_properties =
                    Some(Box::new(AdditionalProperties::FreeForm(false)));
            }
            if object.schema_type == SchemaType::Type(Type::Object) {
                object.property_names.get_or_insert_with(|| {
                    Box::new(Schema::Object(
                        utoipa::openapi::ObjectBuilder::new()
                            .schema_type(Type::String)
                            .pattern(Some(NO_CONTROL_PATTERN))
                            .build(),
                    ))
                });
            }
            object.properties.values_mut().for_each(date_patterns);
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                date_patterns(items);
            }
        }
        Schema::OneOf(one) => one.items.iter_mut().for_each(date_patterns),
        Schema::AllOf(all) => all.items.iter_mut().for_each(date_patterns),
        Schema::AnyOf(any) => any.items.iter_mut().for_each(date_patterns),
        _ => {}
    }
}

/// The document is for API users, so it needs a token like the rest of the API.
async fn openapi(_user: crate::auth::AuthUser) -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn document() -> Value {
        serde_json::to_value(ApiDoc::openapi()).expect("the document is JSON")
    }

    fn parameter<'a>(doc: &'a Value, path: &str, method: &str, name: &str) -> &'a Value {
        doc["paths"][path][method]["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == name))
            .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"))
    }

    #[test]
    fn query_parameters_are_in_the_query_and_required_only_when_they_are() {
        let doc = document();
        for path in ["/api/reports/contracts", "/api/reports/inspections"] {
            let year = parameter(&doc, path, "get", "year");
            assert_eq!(
                (&year["in"], &year["required"]),
                (&"query".into(), &true.into())
            );
            let format = parameter(&doc, path, "get", "format");
            assert_eq!(format["in"], "query");
            assert_ne!(format["required"], true);
        }
        let q = parameter(&doc, "/api/enclaves", "get", "q");
        assert_eq!((&q["in"], &q["required"]), (&"query".into(), &false.into()));
    }

    #[test]
    fn attachment_hashes_have_their_pattern() {
        let doc = document();
        for (path, method) in [
            ("/api/attachments/{sha256}", "put"),
            ("/api/attachments/{sha256}", "get"),
            ("/api/attachments/{sha256}/status", "get"),
        ] {
            let hash = parameter(&doc, path, method, "sha256");
            assert_eq!(
                hash["schema"]["pattern"], "^[0-9a-f]{64}$",
                "{method} {path}"
            );
        }
    }

    #[test]
    fn every_operation_lists_the_common_answers() {
        let doc = document();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("operations") {
                let responses = &operation["responses"];
                let secured = operation["security"]
                    .as_array()
                    .is_some_and(|s| !s.is_empty());
                let public = matches!(
                    path.as_str(),
                    "/healthz" | "/readyz" | "/api/auth/login" | "/api/auth/refresh"
                );
                assert_eq!(secured, !public, "{method} {path}: security");
                if secured {
                    assert!(responses.get("401").is_some(), "{method} {path}: 401");
                }
                if operation.get("requestBody").is_some() {
                    assert!(responses.get("413").is_some(), "{method} {path}: 413");
                    assert!(responses.get("400").is_some(), "{method} {path}: 400");
                }
                assert!(responses.get("503").is_some(), "{method} {path}: 503");
            }
        }
    }

    #[test]
    fn dates_carry_the_pattern_the_server_reads() {
        let doc = document();
        let draft = &doc["components"]["schemas"]["ContractDraft"]["properties"];
        assert_eq!(draft["start_date"]["pattern"], DATE_PATTERN);
        assert_eq!(draft["notified_at"]["pattern"], DATE_TIME_PATTERN);
        let from = parameter(&doc, "/api/inspections", "get", "from");
        assert_eq!(from["schema"]["pattern"], DATE_PATTERN);
    }
}
