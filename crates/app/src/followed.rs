//! Remote actors someone here follows, remembered for a few seconds: every received post
//! asks whether its author is one, and the answer rarely changes.
//!
//! Only "followed" is remembered. A follow that begins can only turn "not followed" into
//! "followed", so it needs no invalidation; one that ends (or changes state), or an actor
//! that changes, drops every entry through the change counters of this process. A follow
//! ended by another process (a CLI command) is seen within `TTL`: meanwhile a post of that
//! author may still be kept, as it would have been a moment before.

use crate::App;
use puentes_core::Result;
use puentes_db::{changes, query};
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

const TTL: Duration = Duration::from_secs(5);
/// Entries at most; the map starts afresh beyond (a cheap bound, like the actor cache's).
const LIMIT: usize = 4_096;

#[derive(Default)]
pub(crate) struct FollowedHere(Mutex<HashMap<i64, (u64, Instant)>>);

/// Changes that may have ended a follow so far.
fn generation() -> u64 {
    changes::follows_ended().wrapping_add(changes::actors())
}

impl App {
    /// Does any local actor follow (accepted) this remote actor?
    pub(crate) async fn followed_here(&self, actor_id: i64) -> Result<bool> {
        let now = generation();
        if let Ok(map) = self.followed.0.lock()
            && let Some((at_generation, at)) = map.get(&actor_id)
            && *at_generation == now
            && at.elapsed() < TTL
        {
            return Ok(true);
        }
        // The counter is read before the query: an end during it leaves the entry stale.
        let followed = query::follow::has_local_follower(&self.db, actor_id).await?;
        if followed && let Ok(mut map) = self.followed.0.lock() {
            if map.len() >= LIMIT {
                map.clear();
            }
            map.insert(actor_id, (now, Instant::now()));
        }
        Ok(followed)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use crate::{
        Caller,
        posts::Received,
        testing::{TestApp, remote_note},
    };
    use puentes_core::ActorKind;

    #[tokio::test]
    async fn an_unfollowed_author_is_forgotten_at_once() {
        for app in TestApp::all().await {
            let ong = app.actor("ong", ActorKind::Organization).await;
            let ana = app.remote("ana", ActorKind::Person).await;
            let from_ana = Caller::remote_actor(&ana);
            // Nobody follows ana yet: her post is not kept, and that is not remembered.
            assert!(matches!(
                app.receive_post(&from_ana, remote_note(&ana, 1, "uno"))
                    .await
                    .unwrap(),
                Received::Ignored(_)
            ));
            app.followed_by(&ong, &ana).await;
            assert_eq!(
                app.receive_post(&from_ana, remote_note(&ana, 2, "dos"))
                    .await
                    .unwrap(),
                Received::Stored
            );
            // ong unfollows: the next post is not kept, well within the memory's lifetime.
            app.unfollow(&Caller::Operator, "ong", "ana@remote.example")
                .await
                .unwrap();
            assert!(matches!(
                app.receive_post(&from_ana, remote_note(&ana, 3, "tres"))
                    .await
                    .unwrap(),
                Received::Ignored(_)
            ));
            app.close().await;
        }
    }
}
