//! Client-side routing for the app's pages, on the History API: same-origin links
//! change the URL without a page load, back and forward work, and the server answers every
//! app URL with the same shell.
//!
//! Hand-written rather than `leptos_router`: a handful of fixed routes need none of its nesting,
//! and leaving it out keeps ~20 KB (gzip) out of the wasm bundle.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlAnchorElement, MouseEvent, Url, UrlSearchParams};

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
            let next = UrlSearchParams::new_with_str(search)
                .ok()
                .and_then(|params| params.get("next"))
                .filter(|n| shared::rules::redirect::same_origin_path(n).is_some())
                .unwrap_or_else(|| "/".to_owned());
            return Self::Login { next };
        }
        if path == "/device" {
            return Self::Device;
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
        let year = || {
            UrlSearchParams::new_with_str(search)
                .ok()
                .and_then(|params| params.get("year"))
                .and_then(|y| y.parse().ok())
        };
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

    /// Whether the page works from the device, for a user whose session ended: search, the
    /// enclave page, inspections and the device page.
    pub fn works_from_device(&self) -> bool {
        matches!(
            self,
            Self::Search | Self::Enclave { .. } | Self::Inspection { .. } | Self::Device
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
        )
    }
}

/// The current route, and navigation.
#[derive(Clone, Copy)]
pub struct Router {
    /// `(pathname, search)` of the current URL.
    location: RwSignal<(String, String)>,
    route: Memo<Route>,
}

impl Router {
    /// Creates the router and starts following back/forward and link clicks.
    pub fn provide() -> Self {
        let location = RwSignal::new(current_location());
        let route = Memo::new(move |_| location.with(|(path, search)| Route::parse(path, search)));
        let router = Self { location, route };
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

    /// Shows `to` in the address bar in place of the current URL without changing the page:
    /// a page whose record just got its id stays as it is, and a reload finds the record.
    pub fn show_url(self, to: &str) {
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(to));
        }
    }

    /// Goes to `to` (a same-origin path). `replace` leaves no history entry behind (redirects).
    pub fn navigate(self, to: &str, replace: bool) {
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
