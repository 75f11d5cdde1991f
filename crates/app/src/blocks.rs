//! Blocks: an actor blocking another (follows both ways end, nothing more is delivered or
//! accepted), and the instance blocking a whole domain.

use crate::{App, Caller, Permission};
use puentes_core::{Error, Result, handle::normalize_domain};
use puentes_db::{OutboxEvent, actor, query};

impl App {
    pub async fn block(&self, caller: &Caller, as_name: &str, handle: &str) -> Result<()> {
        let acting = self.acting(caller, as_name, Permission::Decide).await?;
        let target = self.resolve(handle).await?;
        if target.id == acting.actor.id {
            return Err(Error::bad_request("an actor cannot block itself"));
        }
        let txn = self.write().await?;
        query::block::insert(&txn, acting.actor.id, target.id).await?;
        query::follow::delete_between_either_way(&txn, acting.actor.id, target.id).await?;
        if !target.local {
            query::outbox::enqueue(
                &txn,
                &OutboxEvent::ActorBlocked {
                    actor_id: acting.actor.id,
                    blocked_id: target.id,
                },
            )
            .await?;
        }
        self.commit(txn).await?;
        Ok(())
    }

    /// Lifts a block; false when there was none.
    pub async fn unblock(&self, caller: &Caller, as_name: &str, handle: &str) -> Result<bool> {
        let acting = self.acting(caller, as_name, Permission::Decide).await?;
        let target = self.resolve(handle).await?;
        query::block::delete(&self.db, acting.actor.id, target.id).await
    }

    /// Blocks a whole domain: its follows end, pending deliveries stop, its requests are
    /// refused. Returns how many follows ended.
    pub async fn domain_block(
        &self,
        caller: &Caller,
        domain: &str,
        reason: Option<String>,
    ) -> Result<usize> {
        self.require_admin(caller).await?;
        let domain = normalize_domain(domain)?;
        if domain == self.config.domain {
            return Err(Error::bad_request("an instance cannot block itself"));
        }
        let txn = self.write().await?;
        query::instance::set_blocked(&txn, &domain, true, reason).await?;
        let follows = query::follow::with_domain(&txn, &domain).await?;
        for row in &follows {
            query::follow::delete(&txn, row.id).await?;
        }
        query::delivery::cancel_for_host(&txn, &domain).await?;
        self.commit(txn).await?;
        Ok(follows.len())
    }

    pub async fn domain_unblock(&self, caller: &Caller, domain: &str) -> Result<()> {
        self.require_admin(caller).await?;
        let domain = normalize_domain(domain)?;
        query::instance::set_blocked(&self.db, &domain, false, None).await?;
        Ok(())
    }

    /// A remote actor blocks one of ours: the follows between them end.
    pub async fn receive_block(&self, from: &Caller, target: &actor::Model) -> Result<()> {
        let blocker = from.remote()?;
        if !target.local {
            return Err(Error::not_found("that actor"));
        }
        query::follow::delete_between_either_way(&self.db, blocker.id, target.id).await?;
        Ok(())
    }
}
