//! The state shared by all handlers.

use crate::auth::token::TokenKeys;
use crate::config::Config;
use crate::db::Db;

/// Database pool, token keys and configuration, given to handlers as `web::Data<AppState>`.
pub struct AppState {
    pub db: Db,
    pub keys: TokenKeys,
    pub config: Config,
}
