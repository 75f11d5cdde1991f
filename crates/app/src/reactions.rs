//! Boosts and likes of our statements and calls to action, counted as boosts of posts
//! are: once per actor, forgotten again by the actor's `Undo`. A like of a statement is an
//! unverified supporter (see `statements`); a like of a call counts in its `likes`.

use crate::{App, Caller, posts::Received};
use puentes_core::Result;
use puentes_db::{query, query::statement as s};

/// What a boost or like is about, when it is one of ours.
enum Ours {
    /// The statement's stable address (versions are boosted by their own id).
    Statement(String),
    Call {
        id: i64,
        ap_id: String,
    },
}

impl App {
    async fn ours(&self, object_id: &str) -> Result<Option<Ours>> {
        let statement = match s::version_by_ap_id(&self.db, object_id).await? {
            Some(version) => Some(s::get(&self.db, version.statement_id).await?),
            None => s::by_url(&self.db, object_id).await?,
        };
        if let Some(row) = statement.filter(|r| r.local) {
            return Ok(Some(Ours::Statement(row.ap_url)));
        }
        Ok(query::call::by_ap_id(&self.db, object_id)
            .await?
            .filter(|c| c.local)
            .map(|c| Ours::Call {
                id: c.id,
                ap_id: c.ap_id,
            }))
    }

    /// An `Announce` (boost) of one of our statements or calls. `Ignored` when the object
    /// is neither, or this actor had already boosted it.
    pub async fn receive_boost(
        &self,
        from: &Caller,
        object_id: &str,
        announce_id: &str,
    ) -> Result<Received> {
        let announcer = from.remote()?;
        let object = match self.ours(object_id).await? {
            Some(Ours::Statement(url)) => url,
            Some(Ours::Call { ap_id, .. }) => ap_id,
            None => return Ok(Received::Ignored("Announce of an unknown local object")),
        };
        Ok(
            if query::relay::record_announce(&self.db, announcer.id, &object, Some(announce_id))
                .await?
            {
                Received::Stored
            } else {
                Received::Ignored("already boosted by this actor")
            },
        )
    }

    /// `Undo{Announce}`: the boost no longer counts. False when it was not one we counted.
    pub async fn receive_unboost(&self, from: &Caller, announce_id: &str) -> Result<bool> {
        let announcer = from.remote()?;
        Ok(
            query::relay::remove_announce(&self.db, announcer.id, announce_id)
                .await?
                .is_some(),
        )
    }

    /// A `Like` of one of our calls. False when it likes something else.
    pub async fn receive_call_like(
        &self,
        from: &Caller,
        object_id: &str,
        like_id: &str,
    ) -> Result<bool> {
        let liker = from.remote()?;
        match self.ours(object_id).await? {
            Some(Ours::Call { id, .. }) => {
                query::call::add_like(&self.db, id, &liker.ap_id, like_id).await?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// `Undo{Like}` of one of our calls; false when it undoes something else.
    pub async fn receive_call_unlike(&self, from: &Caller, like_id: &str) -> Result<bool> {
        let liker = from.remote()?;
        Ok(query::call::remove_like(&self.db, like_id, &liker.ap_id)
            .await?
            .is_some())
    }
}
