//! What staff pages list for an actor or the instance: its statements, calls, follows and
//! timeline; for administrators, domain blocks and the delivery queue per host. Reading,
//! with the same rights checks as the commands.

use crate::{App, Caller, Permission};
use chrono::{Duration, Utc};
use puentes_core::{FollowState, Result};
use puentes_db::{
    actor, call, instance, pledge, post,
    query::{self, delivery::HostQueue},
    statement, statement_invitation, statement_version,
};

/// An invitation to a statement, as the invited actor's staff see it.
#[derive(Debug, Clone)]
pub struct Invited {
    pub invitation: statement_invitation::Model,
    pub statement: statement::Model,
    pub version: statement_version::Model,
    pub owner: actor::Model,
}

/// One of our statements, as its staff manage it.
#[derive(Debug, Clone)]
pub struct OwnStatement {
    pub statement: statement::Model,
    pub version: statement_version::Model,
    pub invitations: Vec<(statement_invitation::Model, actor::Model)>,
}

/// Calls that ended longer ago than this are no longer listed on the staff pages.
const CALLS_LISTED_DAYS: i64 = 365;

impl App {
    /// `as_name`'s own statements with their current versions, newest first.
    pub async fn own_statements(
        &self,
        caller: &Caller,
        as_name: &str,
    ) -> Result<Vec<(statement::Model, statement_version::Model)>> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let mut rows = Vec::new();
        for row in query::statement::of_owner(&self.db, acting.actor.id).await? {
            let version = query::statement::current_version(&self.db, row.id).await?;
            rows.push((row, version));
        }
        rows.reverse();
        Ok(rows)
    }

    /// The statements `as_name` is invited to (co-initiate or endorse), newest first, with
    /// their current version and owner.
    pub async fn statement_invitations(
        &self,
        caller: &Caller,
        as_name: &str,
    ) -> Result<Vec<Invited>> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let mut out = Vec::new();
        for (invitation, statement) in
            query::statement::invitations_of_actor(&self.db, acting.actor.id).await?
        {
            let version = query::statement::current_version(&self.db, statement.id).await?;
            let owner = query::actor::get(&self.db, statement.owner_id).await?;
            out.push(Invited {
                invitation,
                statement,
                version,
                owner,
            });
        }
        Ok(out)
    }

    /// One of `as_name`'s own statements, with its current version and the actors invited
    /// to it.
    pub async fn own_statement_detail(
        &self,
        caller: &Caller,
        as_name: &str,
        uuid: &str,
    ) -> Result<OwnStatement> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let statement = query::statement::by_uuid(&self.db, uuid)
            .await?
            .filter(|s| s.local && s.owner_id == acting.actor.id)
            .ok_or_else(|| puentes_core::Error::not_found("statement"))?;
        let version = query::statement::current_version(&self.db, statement.id).await?;
        let invitations = query::statement::invitations(&self.db, statement.id).await?;
        Ok(OwnStatement {
            statement,
            version,
            invitations,
        })
    }

    /// The calls `as_name` pledged to (pending or accepted).
    pub async fn own_pledges(
        &self,
        caller: &Caller,
        as_name: &str,
    ) -> Result<Vec<(pledge::Model, call::Model)>> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        query::call::pledges_of_actor(&self.db, acting.actor.id).await
    }

    /// One of `as_name`'s own calls.
    pub async fn call_of(&self, caller: &Caller, as_name: &str, id: &str) -> Result<call::Model> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        self.find_call(id)
            .await
            .ok()
            .filter(|c| c.local && c.organizer_id == acting.actor.id)
            .ok_or_else(|| puentes_core::Error::not_found("call to action"))
    }

    /// `as_name`'s calls to action (those not long over).
    pub async fn own_calls(&self, caller: &Caller, as_name: &str) -> Result<Vec<call::Model>> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let since = Utc::now() - Duration::days(CALLS_LISTED_DAYS);
        query::call::by_organizers(&self.db, &[acting.actor.id], since, 200).await
    }

    /// Whom `as_name` follows (accepted) and asked to follow (pending).
    pub async fn following_of(
        &self,
        caller: &Caller,
        as_name: &str,
    ) -> Result<(Vec<actor::Model>, Vec<actor::Model>)> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let accepted =
            query::follow::following(&self.db, acting.actor.id, FollowState::Accepted).await?;
        let pending =
            query::follow::following(&self.db, acting.actor.id, FollowState::Pending).await?;
        Ok((accepted, pending))
    }

    /// The latest posts of the actors `as_name` follows, with their authors.
    pub async fn timeline(
        &self,
        caller: &Caller,
        as_name: &str,
        limit: u64,
    ) -> Result<Vec<(post::Model, actor::Model)>> {
        let (followed, _) = self.following_of(caller, as_name).await?;
        let ids: Vec<i64> = followed.iter().map(|a| a.id).collect();
        let posts = query::post::latest_by_authors(&self.db, &ids, limit).await?;
        Ok(posts
            .into_iter()
            .filter_map(|p| {
                let author = followed.iter().find(|a| a.id == p.author_id)?.clone();
                Some((p, author))
            })
            .collect())
    }

    /// Blocked domains (administrators).
    pub async fn domain_blocks(&self, caller: &Caller) -> Result<Vec<instance::Model>> {
        self.require_admin(caller).await?;
        query::instance::blocked(&self.db).await
    }

    /// The delivery queue per host, with each host's health (administrators).
    pub async fn delivery_by_host(
        &self,
        caller: &Caller,
    ) -> Result<Vec<(HostQueue, Option<instance::Model>)>> {
        self.require_admin(caller).await?;
        let mut out = Vec::new();
        for host in query::delivery::by_host(&self.db).await? {
            let health = query::instance::get(&self.db, &host.host).await?;
            out.push((host, health));
        }
        Ok(out)
    }

    /// Makes a host's pending deliveries due now (administrators).
    pub async fn retry_host(&self, caller: &Caller, host: &str) -> Result<u64> {
        self.require_admin(caller).await?;
        query::instance::unpark(&self.db, Some(host)).await?;
        query::delivery::retry_now(&self.db, Some(host)).await
    }
}
