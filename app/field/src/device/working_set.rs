//! Keeping the working set up to date by delta. After each pull the device asks the server
//! what changed since the set it holds (`since`: the token the set carries) and merges the
//! answer with `WorkingSet::apply` (in `shared`): only the enclaves that changed come, and
//! only they are written to the device store. The server answers with the whole set instead
//! when the window of days moved (the first sync of a Belgian day), the region, the rules or
//! the register's enclaves changed.
//!
//! A set stored before sets carried a token is read as ever (the stored enclaves have the
//! same form) and downloaded whole at its first refresh; so is a set whose token the server
//! does not read (400).

use leptos::prelude::*;
use shared::dto::field::WorkingSet;
use uuid::Uuid;

use super::{Device, FIELD_META, FieldMeta, WORKING_SET_DAYS, planning_op};
use crate::store::{self, Op, Store};
use app_core::api::{self, ApiFailure};

/// A server answer the app cannot read: it fails like one that is not JSON.
pub(super) fn unreadable() -> ApiFailure {
    ApiFailure::Api {
        status: 200,
        error: None,
        request_id: None,
    }
}

impl Device {
    /// Brings the working set up to date: what changed since its token, merged and stored.
    /// Without a working set, nothing.
    pub(super) async fn refresh_working_set(self) -> Result<(), ApiFailure> {
        let (Some(me), Some(meta)) = untrack(|| (self.me(), self.field_meta())) else {
            return Ok(());
        };
        // A chosen list is refreshed as such; a region set as the region.
        let ids: Option<Vec<Uuid>> = (!meta.region).then(|| {
            self.enclaves
                .with_value(|all| all.iter().map(|e| e.summary.id).collect())
        });
        let since = meta.token.as_deref();
        let answer =
            match api::working_set(self.session, ids.as_deref(), WORKING_SET_DAYS, since).await {
                Err(ApiFailure::Api { status: 400, .. }) if since.is_some() => {
                    api::working_set(self.session, ids.as_deref(), WORKING_SET_DAYS, None).await?
                }
                answer => answer?,
            };
        let mut set = WorkingSet {
            generated_at: meta.generated_at,
            from: meta.from,
            to: meta.to,
            rules: meta.rules,
            token: meta.token.clone().unwrap_or_default(),
            enclaves: self.enclaves.get_value(),
        };
        let applied = set.apply(&answer).map_err(|_| unreadable())?;
        // Not reachable: the follow-ups held stay.
        let follow_ups = super::follow_ups_to_do(self.session)
            .await
            .unwrap_or(meta.follow_ups);
        // The planning facts are the day's: fetched again on another day (kept if the
        // server cannot be asked) and with a whole set (dropped if it cannot: they were read
        // with another set).
        let today = shared::rules::time::belgian_local(chrono::Utc::now()).date();
        let planning = match meta.planning_on {
            Some(on) if on == today && !applied.full => None,
            _ => super::planning_facts_today(self.session).await,
        };
        let planning_on = match &planning {
            Some(facts) => Some(facts.on),
            None if applied.full => None,
            None => meta.planning_on,
        };
        let fresh = FieldMeta {
            owner: me,
            generated_at: set.generated_at,
            from: set.from,
            to: set.to,
            rules: set.rules,
            enclaves: set.enclaves.len(),
            region: meta.region,
            token: Some(set.token.clone()),
            follow_ups,
            route: meta.route.clone(),
            planning_on,
        };
        let rewrite = applied.full || !applied.removed.is_empty();
        let mut ops = if rewrite {
            vec![Op::Clear(Store::Enclaves)]
        } else {
            Vec::new()
        };
        ops.extend(
            set.enclaves
                .iter()
                .filter(|e| rewrite || applied.changed.contains(&e.summary.id))
                .map(|e| Op::put(Store::Enclaves, e.summary.id.to_string(), e)),
        );
        ops.push(Op::put(Store::Meta, FIELD_META, &fresh));
        ops.extend(planning_op(planning.as_ref(), planning_on));
        if self.store_result(store::write(ops).await) {
            if rewrite || !applied.changed.is_empty() {
                self.hold(set.enclaves);
            }
            self.field.set(Some(fresh));
        }
        Ok(())
    }
}
