//! Read markers of the client API: where a staff member stopped reading an actor's home
//! timeline and notifications, shared by every app they use for that actor.

use crate::{App, Caller, Permission};
use puentes_core::{Error, Result};
use puentes_db::{marker, query};

/// The timelines Mastodon keeps markers for.
const TIMELINES: [&str; 2] = ["home", "notifications"];

impl App {
    /// The caller's markers on `as_name`.
    pub async fn markers(&self, caller: &Caller, as_name: &str) -> Result<Vec<marker::Model>> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let staff_id = caller
            .staff_id()
            .ok_or_else(|| Error::forbidden("markers belong to a staff member"))?;
        query::marker::of(&self.db, staff_id, acting.actor.id).await
    }

    /// Moves the caller's marker of `timeline` (home or notifications) on `as_name`.
    pub async fn save_marker(
        &self,
        caller: &Caller,
        as_name: &str,
        timeline: &str,
        last_read_id: &str,
    ) -> Result<marker::Model> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let staff_id = caller
            .staff_id()
            .ok_or_else(|| Error::forbidden("markers belong to a staff member"))?;
        if !TIMELINES.contains(&timeline) {
            return Err(Error::bad_request(
                "markers are kept for home and notifications",
            ));
        }
        if last_read_id.is_empty()
            || last_read_id.len() > 40
            || !last_read_id.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(Error::bad_request(
                "last_read_id is a status or notification id",
            ));
        }
        let txn = self.write().await?;
        let row =
            query::marker::save(&txn, staff_id, acting.actor.id, timeline, last_read_id).await?;
        self.commit(txn).await?;
        Ok(row)
    }
}
