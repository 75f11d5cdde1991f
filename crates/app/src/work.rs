//! The work waiting for an actor's decision, in one place: follow requests, member
//! requests, held posts, held endorsements and pending pledges. Only those who may decide
//! for the actor see it; the decisions themselves are the commands of each domain.

use crate::{App, Caller, Permission};
use chrono::{Duration, Utc};
use puentes_core::{EndorsementStatus, MembershipStatus, PledgeStatus, Result};
use puentes_db::{actor, call, endorsement, membership, pledge, post, query, statement};

/// How far back a call may have ended and still have pledges to decide.
const CALLS_SINCE_DAYS: i64 = 60;

#[derive(Debug, Default)]
pub struct WorkQueue {
    pub follow_requests: Vec<actor::Model>,
    pub member_requests: Vec<(membership::Model, actor::Model)>,
    /// Posts held before relaying, with their authors.
    pub held_posts: Vec<(post::Model, actor::Model)>,
    pub held_endorsements: Vec<(statement::Model, endorsement::Model, actor::Model)>,
    pub pending_pledges: Vec<(call::Model, pledge::Model, actor::Model)>,
}

impl WorkQueue {
    pub fn is_empty(&self) -> bool {
        self.follow_requests.is_empty()
            && self.member_requests.is_empty()
            && self.held_posts.is_empty()
            && self.held_endorsements.is_empty()
            && self.pending_pledges.is_empty()
    }
}

impl App {
    /// What waits for `as_name`'s decision (refused to those who may not decide for it).
    pub async fn work_queue(&self, caller: &Caller, as_name: &str) -> Result<WorkQueue> {
        let acting = self.acting(caller, as_name, Permission::Decide).await?;
        let actor = acting.actor;
        let mut queue = WorkQueue {
            follow_requests: self.pending_followers(caller, as_name).await?,
            ..WorkQueue::default()
        };
        if actor.is_alliance() {
            queue.member_requests =
                query::membership::members(&self.db, actor.id, MembershipStatus::Pending).await?;
            for held in self.held_posts(caller, as_name).await? {
                let author = query::actor::get(&self.db, held.author_id).await?;
                queue.held_posts.push((held, author));
            }
        }
        for row in query::statement::of_owner(&self.db, actor.id).await? {
            for (endorsement, endorser) in query::statement::endorsements_of_statement(
                &self.db,
                row.id,
                &[EndorsementStatus::Pending],
            )
            .await?
            {
                queue
                    .held_endorsements
                    .push((row.clone(), endorsement, endorser));
            }
        }
        let since = Utc::now() - Duration::days(CALLS_SINCE_DAYS);
        for row in query::call::by_organizers(&self.db, &[actor.id], since, 200).await? {
            for (pledge, pledger) in
                query::call::pledges(&self.db, row.id, &[PledgeStatus::Pending]).await?
            {
                queue.pending_pledges.push((row.clone(), pledge, pledger));
            }
        }
        Ok(queue)
    }
}
