//! Ids of incoming activities already applied: each activity is applied once. The ids are
//! recorded in groups: one INSERT for the ids that arrived while the previous group was
//! written, instead of a statement (and a connection checkout) per activity.

use crate::{
    App,
    grouped::{GroupHandler, Grouped},
};
use puentes_core::{Error, Result};
use puentes_db::{DatabaseConnection, query};
use std::collections::HashSet;

pub(crate) type ReceiptTaker = Grouped<String, bool>;

#[derive(Clone)]
struct Receipts {
    db: DatabaseConnection,
}

impl App {
    /// Records an incoming activity's id: true the first time, false when it was received
    /// before (or is being received at the same moment).
    pub async fn first_receipt(&self, ap_id: &str) -> Result<bool> {
        let receipts = Receipts {
            db: self.db.clone(),
        };
        self.receipts.submit(&receipts, ap_id.to_string()).await
    }

    /// Forgets an id whose handling failed, so the sender's retry is applied.
    pub async fn forget_receipt(&self, ap_id: &str) -> Result<()> {
        query::received::remove(&self.db, ap_id).await
    }
}

impl GroupHandler<String, bool> for Receipts {
    /// Two bound values a row: far below either database's limit.
    const GROUP_LIMIT: usize = 256;

    async fn handle(&self, ids: Vec<String>) -> Vec<Result<bool>> {
        let mut distinct: Vec<String> = ids.clone();
        distinct.sort_unstable();
        distinct.dedup();
        match query::received::insert_new(&self.db, &distinct).await {
            Ok(new) => {
                // The same id twice in one group: only its first caller applies it.
                let mut taken = HashSet::new();
                ids.into_iter()
                    .map(|id| Ok(new.contains(&id) && taken.insert(id)))
                    .collect()
            }
            Err(e) => ids
                .iter()
                .map(|_| Err(Error::new(e.kind(), e.message())))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use crate::testing::TestApp;

    #[tokio::test]
    async fn each_id_is_taken_once_even_at_the_same_moment() {
        for app in TestApp::all().await {
            app.first_receipt("http://remote.example/a/0")
                .await
                .unwrap();
            // 20 ids, each three times at once, and one taken before.
            let ids: Vec<String> = (0..20)
                .chain(0..20)
                .chain(0..20)
                .map(|n| format!("http://remote.example/a/{n}"))
                .collect();
            let taken =
                futures_util::future::join_all(ids.iter().map(|id| app.first_receipt(id))).await;
            let mut first = Vec::new();
            for (id, taken) in ids.iter().zip(taken) {
                if taken.unwrap() {
                    first.push(id.clone());
                }
            }
            first.sort_unstable();
            let mut expected: Vec<String> = (1..20)
                .map(|n| format!("http://remote.example/a/{n}"))
                .collect();
            expected.sort_unstable();
            assert_eq!(
                first, expected,
                "ids 1..20 are taken once each, 0 never again"
            );
            // A forgotten id (its handling failed) is taken again by the retry.
            app.forget_receipt("http://remote.example/a/3")
                .await
                .unwrap();
            assert!(
                app.first_receipt("http://remote.example/a/3")
                    .await
                    .unwrap()
            );
            assert!(
                !app.first_receipt("http://remote.example/a/3")
                    .await
                    .unwrap()
            );
            app.close().await;
        }
    }
}
