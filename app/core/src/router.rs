//! Client-side routing for the app's pages, on the History API: same-origin links
//! change the URL without a page load, back and forward work, and the server answers every
//! app URL with the same shell.
//!
//! Hand-written rather than `leptos_router`: a handful of fixed routes need none of its nesting,
//! and leaving it out keeps ~20 KB (gzip) out of the wasm bundle.

use leptos::prelude::*;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use web_sys::{HtmlAnchorElement, MouseEvent, Url};

use shared::dto::auth::Role;

use crate::session::Session;
use crate::shell::AppKind;

/// A page of the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    /// `/`
    Search,
    /// `/login?next=/where/to/go`
    Login {
        next: String,
    },
    /// `/enclaves/{id}`
    Enclave {
        id: String,
    },
    /// `/inspections/{id}`: a draft or a submitted inspection on this device.
    Inspection {
        id: String,
    },
    /// `/device`: working set, drafts, outbox.
    Device,
    /// `/logout`: the office app's logout when the field app holds data on the device.
    Logout,
    /// `/review`: the review queue.
    Review,
    /// `/imports`: importing the contract register.
    Imports,
    /// `/reports/contracts?year=`: the yearly overview of contracts received.
    ContractOverview {
        year: Option<i32>,
    },
    /// `/reports/inspections?year=`: inspection statistics.
    Statistics {
        year: Option<i32>,
    },
    /// `/register`: the contract register.
    Register,
    /// `/register/new` (`id` none) or `/register/{id}`: the contract form.
    ContractForm {
        id: Option<String>,
    },
    /// `/audit?user=&action=&object_type=&object_id=&from=&to=&cursor=`: the audit trail.
    Audit,
    /// `/users`: the admins' Users page.
    Users,
    /// `/follow-ups?overdue=`: follow-ups of measures, in both apps.
    FollowUps,
    /// `/planning`: the day's visits, ranked by risk and put in a route.
    Planning,
    /// `/review/{id}`: one inspection to approve or return.
    ReviewItem {
        id: String,
    },
    NotFound,
}

impl Route {
    fn parse(path: &str, search: &str) -> Self {
        let path = path.trim_end_matches('/');
        if path.is_empty() {
            return Self::Search;
        }
        if path == "/login" {
            let next = query(search, "next")
                .filter(|n| shared::rules::redirect::same_origin_path(n).is_some())
                .unwrap_or_else(|| "/".to_owned());
            return Self::Login { next };
        }
        if path == "/device" {
            return Self::Device;
        }
        if path == "/logout" {
            return Self::Logout;
        }
        if path == "/review" {
            return Self::Review;
        }
        if path == "/imports" {
            return Self::Imports;
        }
        if path == "/audit" {
            return Self::Audit;
        }
        if path == "/users" {
            return Self::Users;
        }
        if path == "/follow-ups" {
            return Self::FollowUps;
        }
        if path == "/planning" {
            return Self::Planning;
        }
        let year = || query(search, "year").and_then(|y| y.parse().ok());
        if path == "/reports/contracts" {
            return Self::ContractOverview { year: year() };
        }
        if path == "/reports/inspections" {
            return Self::Statistics { year: year() };
        }
        if path == "/register" {
            return Self::Register;
        }
        if path == "/register/new" {
            return Self::ContractForm { id: None };
        }
        let segment = |prefix: &str| {
            path.strip_prefix(prefix)
                .filter(|id| !id.is_empty() && !id.contains('/'))
                .map(str::to_owned)
        };
        if let Some(id) = segment("/enclaves/") {
            Self::Enclave { id }
        } else if let Some(id) = segment("/inspections/") {
            Self::Inspection { id }
        } else if let Some(id) = segment("/review/") {
            Self::ReviewItem { id }
        } else if let Some(id) = segment("/register/") {
            Self::ContractForm { id: Some(id) }
        } else {
            Self::NotFound
        }
    }

    /// The app whose page this is; none for the pages both apps have (`/`, the login, an
    /// unknown path). `boot.js` keeps the same list of paths: a test compares them.
    pub fn app(&self) -> Option<AppKind> {
        match self {
            Self::Search | Self::Login { .. } | Self::FollowUps | Self::NotFound => None,
            Self::Enclave { .. }
            | Self::Inspection { .. }
            | Self::Device
            | Self::Logout
            | Self::Planning => Some(AppKind::Field),
            Self::Review
            | Self::ReviewItem { .. }
            | Self::Imports
            | Self::ContractOverview { .. }
            | Self::Statistics { .. }
            | Self::Register
            | Self::ContractForm { .. }
            | Self::Audit
            | Self::Users => Some(AppKind::Office),
        }
    }

    /// Whether the page works from the device, for a user whose session ended: search, the
    /// enclave page, inspections, the device page and the day's route.
    pub fn works_from_device(&self) -> bool {
        matches!(
            self,
            Self::Search
                | Self::Enclave { .. }
                | Self::Inspection { .. }
                | Self::Device
                | Self::Planning
        )
    }

    /// Whether the page needs a signed-in user.
    pub fn needs_session(&self) -> bool {
        matches!(
            self,
            Self::Search
                | Self::Enclave { .. }
                | Self::Inspection { .. }
                | Self::Device
                | Self::Review
                | Self::ReviewItem { .. }
                | Self::ContractOverview { .. }
                | Self::Statistics { .. }
                | Self::Register
                | Self::ContractForm { .. }
                | Self::Imports
                | Self::Audit
                | Self::Users
                | Self::FollowUps
                | Self::Planning
        )
    }
}

/// The first value of `name` in a query string (`?a=1&b=2`, the `?` optional), decoded.
fn query(search: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(search.trim_start_matches('?').as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// The query of the address shown now (also after [`Router::show_url`]) as a `T`: a page's
/// filters, as a query type of `shared::dto::query` or the page's own, decoded as the server
/// decodes a query. `T::default()` when it does not fit `T` (an address edited by hand).
pub fn shown_query<T: DeserializeOwned + Default>() -> T {
    decode_query(&window().location().search().unwrap_or_default())
}

fn decode_query<T: DeserializeOwned + Default>(search: &str) -> T {
    serde_urlencoded::from_str(search.trim_start_matches('?')).unwrap_or_default()
}

/// The current route, and navigation.
#[derive(Clone, Copy)]
pub struct Router {
    /// `(pathname, search)` of the current URL.
    location: RwSignal<(String, String)>,
    route: Memo<Route>,
    /// The app this bundle is: a route of the other app is a page load.
    kind: AppKind,
    session: Session,
}

impl Router {
    /// Creates the router and starts following back/forward and link clicks.
    pub fn provide(kind: AppKind, session: Session) -> Self {
        let location = RwSignal::new(current_location());
        let route = Memo::new(move |_| location.with(|(path, search)| Route::parse(path, search)));
        let router = Self {
            location,
            route,
            kind,
            session,
        };
        // The app lives as long as the page: the listeners are never removed.
        let _ = window_event_listener(leptos::ev::popstate, move |_| {
            location.set(current_location());
        });
        let _ = window_event_listener(leptos::ev::click, move |ev| router.follow_link(&ev));
        router
    }

    /// The current route (tracked; changes only when the route does).
    pub fn route(self) -> Route {
        self.route.get()
    }

    /// The current path and query, e.g. `/enclaves/…`, to come back to after a login.
    pub fn here(self) -> String {
        self.location
            .with_untracked(|(path, search)| format!("{path}{search}"))
    }

    /// Goes to the login page, to come back here after it (`/login?next=…`). `replace` as
    /// for [`Router::navigate`].
    pub fn sign_in_and_return(self, replace: bool) {
        let login = crate::api::url("/login", &[("next", self.here())]);
        self.navigate(&login, replace);
    }

    /// Shows `to` in the address bar in place of the current URL without changing the page:
    /// a page whose record just got its id stays as it is, and a reload finds the record.
    pub fn show_url(self, to: &str) {
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(to));
        }
    }

    /// The app that serves `to` for the user now.
    fn app_for(self, to: &str) -> AppKind {
        let (path, search) = to.split_once('?').unwrap_or((to, ""));
        let role = untrack(|| self.session.user()).map(|u| u.role);
        self.app_serving(&Route::parse(path, search), role)
    }

    /// The app that serves `route` to a user of `role`: the page's own app, else (for `/`,
    /// the login page and unknown paths) the app the role prefers, else this one. The one
    /// place in Rust that decides it; `boot.js` decides the same for the first load.
    pub fn app_serving(self, route: &Route, role: Option<Role>) -> AppKind {
        route
            .app()
            .or_else(|| role.map(AppKind::preferred))
            .unwrap_or(self.kind)
    }

    /// Loads the current URL again, for `boot.js` to start the app that serves it. Twice
    /// within a few seconds is a loop (the two lists of paths disagree): then it stays.
    pub fn reload_here(self) {
        const RECENT_MS: u64 = 5_000;
        // Whole milliseconds: formatting an `f64` would pull float formatting into the wasm.
        let now = js_sys::Date::now() as u64;
        let storage = window().session_storage().ok().flatten();
        let last = storage
            .as_ref()
            .and_then(|s| s.get_item("ei.app-switched").ok().flatten())
            .and_then(|t| t.parse::<u64>().ok());
        if last.is_some_and(|t| now.saturating_sub(t) < RECENT_MS) {
            leptos::logging::warn!("not switching apps again for {}", self.here());
            return;
        }
        if let Some(storage) = storage {
            let _ = storage.set_item("ei.app-switched", &now.to_string());
        }
        let _ = window().location().replace(&self.here());
    }

    /// Goes to `to` (a same-origin path). `replace` leaves no history entry behind (redirects).
    /// A page of the other app is a page load.
    pub fn navigate(self, to: &str, replace: bool) {
        if self.app_for(to) != self.kind {
            let location = window().location();
            let _ = if replace {
                location.replace(to)
            } else {
                location.assign(to)
            };
            return;
        }
        let history = window().history();
        if let Ok(history) = history {
            let result = if replace {
                history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(to))
            } else {
                history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(to))
            };
            if result.is_err() {
                // Not a same-origin URL after all: let the browser go there.
                let _ = window().location().set_href(to);
                return;
            }
        }
        self.location.set(current_location());
        if !replace {
            window().scroll_to_with_x_and_y(0.0, 0.0);
        }
    }

    /// Turns a plain left click on a same-origin link into [`Router::navigate`].
    fn follow_link(self, ev: &MouseEvent) {
        if ev.default_prevented()
            || ev.button() != 0
            || ev.meta_key()
            || ev.ctrl_key()
            || ev.shift_key()
            || ev.alt_key()
        {
            return;
        }
        let anchor = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("a[href]").ok().flatten())
            .and_then(|el| el.dyn_into::<HtmlAnchorElement>().ok());
        let Some(anchor) = anchor else { return };
        if !anchor.target().is_empty() || anchor.has_attribute("download") {
            return;
        }
        let Ok(url) = Url::new(&anchor.href()) else {
            return;
        };
        if url.origin() != window().location().origin().unwrap_or_default() {
            return;
        }
        ev.prevent_default();
        self.navigate(&format!("{}{}", url.pathname(), url.search()), false);
    }
}

fn current_location() -> (String, String) {
    let location = window().location();
    (
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_give_their_routes() {
        let id = || "7f0c8a4e-1b2d-4c3e-9f00-0123456789ab".to_owned();
        for (path, search, route) in [
            ("/", "", Route::Search),
            ("", "", Route::Search),
            (
                "/login",
                "?next=%2Fenclaves%2Fx",
                Route::Login {
                    next: "/enclaves/x".into(),
                },
            ),
            // Only a path on this origin is a place to go after the login.
            (
                "/login",
                "?next=https%3A%2F%2Fevil.example",
                Route::Login { next: "/".into() },
            ),
            (
                "/login",
                "?next=%2F%2Fevil.example",
                Route::Login { next: "/".into() },
            ),
            ("/login", "", Route::Login { next: "/".into() }),
            (
                "/enclaves/7f0c8a4e-1b2d-4c3e-9f00-0123456789ab",
                "",
                Route::Enclave { id: id() },
            ),
            ("/enclaves/", "", Route::NotFound),
            ("/enclaves/a/b", "", Route::NotFound),
            (
                "/inspections/7f0c8a4e-1b2d-4c3e-9f00-0123456789ab/",
                "",
                Route::Inspection { id: id() },
            ),
            ("/device", "", Route::Device),
            ("/logout", "", Route::Logout),
            ("/review", "", Route::Review),
            (
                "/review/7f0c8a4e-1b2d-4c3e-9f00-0123456789ab",
                "",
                Route::ReviewItem { id: id() },
            ),
            ("/imports", "", Route::Imports),
            (
                "/reports/contracts",
                "?year=2025",
                Route::ContractOverview { year: Some(2025) },
            ),
            (
                "/reports/contracts",
                "?year=twenty",
                Route::ContractOverview { year: None },
            ),
            (
                "/reports/inspections",
                "?x=1&year=2024",
                Route::Statistics { year: Some(2024) },
            ),
            ("/register", "", Route::Register),
            ("/register/new", "", Route::ContractForm { id: None }),
            (
                "/register/7f0c8a4e-1b2d-4c3e-9f00-0123456789ab",
                "",
                Route::ContractForm { id: Some(id()) },
            ),
            ("/audit", "?user=x", Route::Audit),
            ("/users", "", Route::Users),
            ("/follow-ups", "?overdue=true", Route::FollowUps),
            ("/planning", "", Route::Planning),
            ("/nothing", "", Route::NotFound),
        ] {
            assert_eq!(Route::parse(path, search), route, "{path}{search}");
        }
    }

    /// The app `boot.js` loads for `path` when no one is signed in (its `pick()`).
    fn boot_js_app(path: &str) -> Option<AppKind> {
        let script = include_str!("../../static/boot.js");
        let list = |name: &str| -> Vec<String> {
            let start = script.find(&format!("const {name} = [")).expect(name) + name.len() + 10;
            let end = start + script[start..].find(']').expect("a list");
            script[start..end]
                .split(',')
                .map(|p| p.trim().trim_matches('\'').to_owned())
                .filter(|p| !p.is_empty())
                .collect()
        };
        let under = |prefixes: Vec<String>| {
            prefixes
                .iter()
                .any(|p| path == p || path.starts_with(&format!("{p}/")))
        };
        if under(list("OFFICE_PATHS")) {
            Some(AppKind::Office)
        } else if under(list("FIELD_PATHS")) {
            Some(AppKind::Field)
        } else {
            None
        }
    }

    #[test]
    fn boot_js_loads_the_app_of_every_route() {
        for path in [
            "/",
            "/login",
            "/enclaves/x",
            "/inspections/x",
            "/device",
            "/logout",
            "/review",
            "/review/x",
            "/imports",
            "/reports/contracts",
            "/reports/inspections",
            "/register",
            "/register/new",
            "/register/x",
            "/audit",
            "/users",
            "/follow-ups",
            "/planning",
            "/nothing",
        ] {
            assert_eq!(boot_js_app(path), Route::parse(path, "").app(), "{path}");
        }
    }

    #[test]
    fn shown_queries_are_decoded_as_the_server_decodes_them() {
        use shared::dto::query::{AuditQuery, RegisterQuery};
        let audit: AuditQuery = decode_query("?user=in%C3%A8s+%26+co&action=read&page=2");
        assert_eq!(
            audit,
            AuditQuery {
                user: Some("inès & co".into()),
                action: Some("read".into()),
                ..AuditQuery::default()
            }
        );
        let register: RegisterQuery = decode_query("q=peeters&sort=start&desc=true");
        assert_eq!(register.q.as_deref(), Some("peeters"));
        assert!(register.desc && !register.late);
        // What does not fit the type is no filter at all.
        let register: RegisterQuery = decode_query("?received_year=twenty&q=x");
        assert_eq!(register, RegisterQuery::default());
        assert_eq!(decode_query::<AuditQuery>(""), AuditQuery::default());
    }

    #[test]
    fn queries_are_decoded() {
        assert_eq!(query("?a=1&b=x%20y", "b").as_deref(), Some("x y"));
        assert_eq!(query("a=1&a=2", "a").as_deref(), Some("1"));
        assert_eq!(
            query("?next=%2Freview%3Fstate%3Dopen", "next").as_deref(),
            Some("/review?state=open")
        );
        assert_eq!(query("", "a"), None);
    }
}
