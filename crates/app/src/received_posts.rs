//! Received posts are stored in groups: one write transaction (one commit) for the posts
//! that arrived while the previous group was being written.
//!
//! Each post used to take its own write transaction. On SQLite the write lock is held from
//! BEGIN to COMMIT, across the round trips to the driver's thread, so the inbox was held to
//! one post per lock hand-over; on PostgreSQL every commit waits for its own WAL flush. A
//! single writer task now takes every post waiting, stores them in one transaction and
//! answers each sender once it has committed, so the inbox still answers only for what is
//! stored. A group with any error (a post already stored, say, which aborts a PostgreSQL
//! transaction) is rolled back and its posts are stored one by one, so one bad post never
//! fails the others.

use crate::{
    App, Change, Changes,
    grouped::{GroupHandler, Grouped},
    notifications,
    posts::Received,
    relay,
};
use puentes_core::{ErrorKind, Result, urls::Urls};
use puentes_db::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, actor,
    query::{self, post::PostData},
};

/// Received posts (each with its author) waiting to be stored, written in groups.
pub(crate) type PostWriter = Grouped<(PostData, actor::Model), Received>;

/// What the writer needs of the application (not the `App` itself, which holds the writer).
#[derive(Clone)]
struct Store {
    db: DatabaseConnection,
    urls: Urls,
    changes: Changes,
}

impl App {
    /// Stores a received post that is wanted here, with its notifications and relays.
    pub(crate) async fn store_received(
        &self,
        data: PostData,
        author: &actor::Model,
    ) -> Result<Received> {
        let store = Store {
            db: self.db.clone(),
            urls: self.urls.clone(),
            changes: self.changes.clone(),
        };
        self.post_writer
            .submit(&store, (data, author.clone()))
            .await
    }
}

impl GroupHandler<(PostData, actor::Model), Received> for Store {
    const GROUP_LIMIT: usize = 64;

    async fn handle(&self, group: Vec<(PostData, actor::Model)>) -> Vec<Result<Received>> {
        if group.len() > 1 {
            match self.together(&group).await {
                Ok(()) => return group.iter().map(|_| Ok(Received::Stored)).collect(),
                Err(e) => tracing::debug!(error = ?e, "storing received posts one by one"),
            }
        }
        let mut outcomes = Vec::with_capacity(group.len());
        for (data, author) in group {
            outcomes.push(self.one(data, &author).await);
        }
        outcomes
    }
}

impl Store {
    /// Every post of the group in one transaction, or none.
    async fn together(&self, group: &[(PostData, actor::Model)]) -> Result<()> {
        let txn = puentes_db::begin_write(&self.db).await?;
        for (data, author) in group {
            store(&txn, &self.urls, data.clone(), author).await?;
        }
        self.commit(txn).await
    }

    /// One post in its own transaction; one already stored is ignored.
    async fn one(&self, data: PostData, author: &actor::Model) -> Result<Received> {
        let txn = puentes_db::begin_write(&self.db).await?;
        match store(&txn, &self.urls, data, author).await {
            Ok(()) => {}
            // Stored before, or the same post arriving twice at once (a relay and its
            // author): the unique id says so without a read first.
            Err(e) if e.kind() == ErrorKind::Conflict => {
                return Ok(Received::Ignored("post already stored"));
            }
            Err(e) => return Err(e),
        }
        self.commit(txn).await?;
        Ok(Received::Stored)
    }

    /// Commits, then tells live readers (as `App::commit` does for commands).
    async fn commit(&self, txn: DatabaseTransaction) -> Result<()> {
        txn.commit().await?;
        self.changes.tell(Change::Committed);
        Ok(())
    }
}

/// Writes a received post, the notifications it causes and the relays of our alliances.
async fn store(
    txn: &impl ConnectionTrait,
    urls: &Urls,
    data: PostData,
    author: &actor::Model,
) -> Result<()> {
    let stored = query::post::insert(txn, data).await?;
    notifications::post_stored(txn, &stored, author).await?;
    relay::consider(txn, urls, &stored, relay::Reached::FromAuthor(author)).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::{
        Caller,
        testing::{TestApp, remote_note},
    };
    use puentes_core::ActorKind;

    #[tokio::test]
    async fn posts_received_at_once_are_each_stored_once() {
        for app in TestApp::all().await {
            check(&app).await;
            app.close().await;
        }
    }

    async fn stored_by(app: &TestApp, author: &actor::Model) -> u64 {
        query::post::count_visible_by_author(&app.db, author.id)
            .await
            .unwrap()
    }

    async fn check(app: &TestApp) {
        let ong = app.actor("ong", ActorKind::Organization).await;
        let ana = app.remote("ana", ActorKind::Person).await;
        app.followed_by(&ong, &ana).await;
        let from_ana = Caller::remote_actor(&ana);

        // Thirty posts at once: the writer takes them in groups, and answers each.
        let outcomes = futures_util::future::join_all(
            (0..30).map(|n| app.receive_post(&from_ana, remote_note(&ana, n, "hola"))),
        )
        .await;
        for outcome in outcomes {
            assert_eq!(outcome.unwrap(), Received::Stored);
        }
        assert_eq!(stored_by(app, &ana).await, 30);

        // Ten new posts, each arriving twice at once (from its author and through a
        // relay), with five already stored: a group holding a post stored before is rolled
        // back and written one by one, so every new post is stored once and only the
        // repeats are ignored.
        let repeated = (30..40).chain(30..40).chain(0..5);
        let outcomes = futures_util::future::join_all(
            repeated.map(|n| app.receive_post(&from_ana, remote_note(&ana, n, "otra"))),
        )
        .await;
        let stored = outcomes
            .iter()
            .filter(|o| *o.as_ref().unwrap() == Received::Stored)
            .count();
        let ignored = outcomes
            .iter()
            .filter(|o| *o.as_ref().unwrap() == Received::Ignored("post already stored"))
            .count();
        assert_eq!((stored, ignored), (10, 15));
        assert_eq!(stored_by(app, &ana).await, 40);
        // What was stored before is unchanged.
        let first = query::post::by_ap_id(&app.db, &format!("{}/posts/0", ana.ap_id))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.content, "<p>hola</p>");
    }
}
