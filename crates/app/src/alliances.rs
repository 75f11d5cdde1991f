//! Alliance membership: joining, inviting, the secretariat's decisions, leaving and
//! removal, the alliance's policies and a member's relay choice — from our commands and
//! from the inbox alike, with the admission rule written once.

use crate::{App, Caller, Permission, follows::ensure_follow};
use puentes_core::{
    ActorKind, Error, MemberRole, MembershipStatus, RelayPolicy, Result, urls::Urls,
};
use puentes_db::{
    ConnectionTrait, OutboxEvent, actor, membership,
    query::{self, actor::AlliancePolicies, membership as m},
};

/// One membership change, saved with the event that tells the other side.
struct Change<'a> {
    alliance: &'a actor::Model,
    member: &'a actor::Model,
    role: MemberRole,
    status: MembershipStatus,
    request: Option<&'a str>,
}

/// Saves the change and, when the other side is remote, its event; an admission makes the
/// member follow the alliance and a member alliance be followed by its parent.
async fn save(
    db: &impl ConnectionTrait,
    urls: &Urls,
    change: Change<'_>,
    event: Option<fn(i64) -> OutboxEvent>,
) -> Result<membership::Model> {
    let before = m::get(db, change.alliance.id, change.member.id).await?;
    let row = m::upsert(
        db,
        change.alliance.id,
        change.member.id,
        change.role,
        change.status,
        change.request,
    )
    .await?;
    if let Some(event) = event {
        query::outbox::enqueue(db, &event(row.id)).await?;
    }
    let newly_active = change.status == MembershipStatus::Active
        && before.is_none_or(|b| b.status() != MembershipStatus::Active);
    if newly_active {
        admitted(db, urls, change.alliance, change.member).await?;
    }
    Ok(row)
}

/// After an admission: a local member follows its alliance (so the alliance's posts trickle
/// down to it), and a member alliance is followed by its parent (so its relays bubble up).
async fn admitted(
    db: &impl ConnectionTrait,
    urls: &Urls,
    alliance: &actor::Model,
    member: &actor::Model,
) -> Result<()> {
    if member.local {
        ensure_follow(db, urls, member, alliance, true).await?;
    }
    if alliance.local && member.kind() == ActorKind::Alliance {
        ensure_follow(db, urls, alliance, member, true).await?;
    }
    Ok(())
}

/// The admission rule: how an alliance here answers a request to join.
pub fn admission(
    alliance: &actor::Model,
    existing: Option<&membership::Model>,
    blocked: bool,
) -> (MemberRole, MembershipStatus) {
    let role = existing.map(|r| r.role()).unwrap_or(MemberRole::Member);
    if blocked {
        return (MemberRole::Member, MembershipStatus::Rejected);
    }
    match existing.map(|r| r.status()) {
        // Invited, or already in: welcome.
        Some(MembershipStatus::Invited | MembershipStatus::Active) => {
            (role, MembershipStatus::Active)
        }
        // Removed members ask again, and the secretariat decides.
        Some(MembershipStatus::Removed) => (role, MembershipStatus::Pending),
        _ if alliance.join_policy() == puentes_core::JoinPolicy::Auto => {
            (MemberRole::Member, MembershipStatus::Active)
        }
        _ => (MemberRole::Member, MembershipStatus::Pending),
    }
}

/// Who may read an alliance's member list: anyone when it is public; its active members
/// when it is for members; nobody outside when private. `viewer` is the reader, verified.
pub fn member_list_visible_to(
    alliance: &actor::Model,
    members: &[(membership::Model, actor::Model)],
    viewer: Option<&actor::Model>,
) -> bool {
    match alliance.member_list_visibility() {
        puentes_core::MemberListVisibility::Public => true,
        puentes_core::MemberListVisibility::Members => viewer.is_some_and(|v| {
            members
                .iter()
                .any(|(m, a)| a.id == v.id && m.status() == MembershipStatus::Active)
        }),
        puentes_core::MemberListVisibility::Private => false,
    }
}

fn require_alliance(actor: &actor::Model) -> Result<()> {
    if actor.kind() != ActorKind::Alliance {
        return Err(Error::bad_request(format!(
            "{} is an organization, not an alliance",
            actor.handle().acct()
        )));
    }
    Ok(())
}

impl App {
    /// `as_name` asks to join the alliance `handle` (or accepts its invitation).
    pub async fn join_alliance(
        &self,
        caller: &Caller,
        as_name: &str,
        handle: &str,
    ) -> Result<membership::Model> {
        let member = self
            .acting(caller, as_name, Permission::Decide)
            .await?
            .actor;
        let alliance = self.resolve(handle).await?;
        if alliance.kind() != ActorKind::Alliance {
            return Err(Error::bad_request(format!("{handle} is not an alliance")));
        }
        if alliance.id == member.id {
            return Err(Error::bad_request("an alliance cannot join itself"));
        }
        let existing = m::get(&self.db, alliance.id, member.id).await?;
        if existing
            .as_ref()
            .is_some_and(|r| r.status() == MembershipStatus::Active)
        {
            return Err(Error::conflict(format!(
                "{as_name} is already a member of {handle}"
            )));
        }
        let request = self.urls.new_activity();
        let txn = self.write().await?;
        // Same instance: the alliance's rule applies at once; otherwise ask it.
        let (role, status) = if alliance.local {
            let blocked = query::block::exists(&txn, alliance.id, member.id).await?;
            admission(&alliance, existing.as_ref(), blocked)
        } else {
            let role = existing
                .as_ref()
                .map(|r| r.role())
                .unwrap_or(MemberRole::Member);
            (role, MembershipStatus::Pending)
        };
        let change = Change {
            alliance: &alliance,
            member: &member,
            role,
            status,
            request: Some(request.as_str()),
        };
        let event: Option<fn(i64) -> OutboxEvent> = (!alliance.local)
            .then_some(|membership_id| OutboxEvent::JoinRequested { membership_id });
        let row = save(&txn, &self.urls, change, event).await?;
        if alliance.local && matches!(status, MembershipStatus::Pending | MembershipStatus::Active)
        {
            crate::notifications::tell(
                &txn,
                &alliance,
                puentes_core::NotificationKind::MemberRequest,
                &member,
                None,
                Some(request.as_str()),
            )
            .await?;
        }
        self.commit(txn).await?;
        Ok(row)
    }

    /// The alliance invites an organization or alliance.
    pub async fn invite_member(
        &self,
        caller: &Caller,
        as_alliance: &str,
        handle: &str,
        role: MemberRole,
    ) -> Result<membership::Model> {
        let alliance = self
            .acting(caller, as_alliance, Permission::Decide)
            .await?
            .actor;
        require_alliance(&alliance)?;
        let invitee = self.resolve(handle).await?;
        if invitee.id == alliance.id {
            return Err(Error::bad_request("an alliance cannot invite itself"));
        }
        if let Some(existing) = m::get(&self.db, alliance.id, invitee.id).await?
            && existing.status() == MembershipStatus::Active
        {
            return Err(Error::conflict(format!(
                "{handle} is already a member of {as_alliance}"
            )));
        }
        let request = self.urls.new_activity();
        let change = Change {
            alliance: &alliance,
            member: &invitee,
            role,
            status: MembershipStatus::Invited,
            request: Some(request.as_str()),
        };
        let event: Option<fn(i64) -> OutboxEvent> =
            (!invitee.local).then_some(|membership_id| OutboxEvent::InviteSent { membership_id });
        let txn = self.write().await?;
        let row = save(&txn, &self.urls, change, event).await?;
        self.commit(txn).await?;
        Ok(row)
    }

    async fn membership_in(
        &self,
        alliance: &actor::Model,
        handle: &str,
    ) -> Result<(membership::Model, actor::Model)> {
        let member = self.resolve(handle).await?;
        let row = m::get(&self.db, alliance.id, member.id)
            .await?
            .ok_or_else(|| {
                Error::not_found(format!("a membership of {handle} in {}", alliance.username))
            })?;
        Ok((row, member))
    }

    /// The secretariat accepts a pending member (or changes an active member's role).
    pub async fn accept_member(
        &self,
        caller: &Caller,
        as_alliance: &str,
        handle: &str,
        role: MemberRole,
    ) -> Result<membership::Model> {
        let alliance = self
            .acting(caller, as_alliance, Permission::Decide)
            .await?
            .actor;
        require_alliance(&alliance)?;
        let (row, member) = self.membership_in(&alliance, handle).await?;
        if !matches!(
            row.status(),
            MembershipStatus::Pending | MembershipStatus::Active
        ) {
            return Err(Error::conflict(format!(
                "{handle} has not asked to join ({})",
                row.status
            )));
        }
        let change = Change {
            alliance: &alliance,
            member: &member,
            role,
            status: MembershipStatus::Active,
            request: None,
        };
        let event: Option<fn(i64) -> OutboxEvent> =
            (!member.local).then_some(|membership_id| OutboxEvent::JoinAnswered {
                membership_id,
                accepted: true,
            });
        let txn = self.write().await?;
        let row = save(&txn, &self.urls, change, event).await?;
        self.commit(txn).await?;
        Ok(row)
    }

    pub async fn reject_member(
        &self,
        caller: &Caller,
        as_alliance: &str,
        handle: &str,
    ) -> Result<()> {
        let event: fn(i64) -> OutboxEvent = |membership_id| OutboxEvent::JoinAnswered {
            membership_id,
            accepted: false,
        };
        self.decide_membership(
            caller,
            as_alliance,
            handle,
            (MembershipStatus::Pending, MembershipStatus::Rejected),
            "has no pending request",
            event,
        )
        .await
    }

    pub async fn remove_member(
        &self,
        caller: &Caller,
        as_alliance: &str,
        handle: &str,
    ) -> Result<()> {
        let event: fn(i64) -> OutboxEvent =
            |membership_id| OutboxEvent::MemberRemoved { membership_id };
        self.decide_membership(
            caller,
            as_alliance,
            handle,
            (MembershipStatus::Active, MembershipStatus::Removed),
            "is not an active member",
            event,
        )
        .await
    }

    /// Moves a membership `from` one status `to` another, telling a remote member.
    async fn decide_membership(
        &self,
        caller: &Caller,
        as_alliance: &str,
        handle: &str,
        (from, to): (MembershipStatus, MembershipStatus),
        refusal: &str,
        event: fn(i64) -> OutboxEvent,
    ) -> Result<()> {
        let alliance = self
            .acting(caller, as_alliance, Permission::Decide)
            .await?
            .actor;
        require_alliance(&alliance)?;
        let (row, member) = self.membership_in(&alliance, handle).await?;
        if row.status() != from {
            return Err(Error::conflict(format!(
                "{handle} {refusal} ({})",
                row.status
            )));
        }
        let change = Change {
            alliance: &alliance,
            member: &member,
            role: row.role(),
            status: to,
            request: None,
        };
        let txn = self.write().await?;
        save(&txn, &self.urls, change, (!member.local).then_some(event)).await?;
        self.commit(txn).await?;
        Ok(())
    }

    pub async fn leave_alliance(&self, caller: &Caller, as_name: &str, handle: &str) -> Result<()> {
        let member = self
            .acting(caller, as_name, Permission::Decide)
            .await?
            .actor;
        let alliance = self.resolve(handle).await?;
        let row = m::get(&self.db, alliance.id, member.id)
            .await?
            .filter(|r| {
                matches!(
                    r.status(),
                    MembershipStatus::Active | MembershipStatus::Pending
                )
            })
            .ok_or_else(|| Error::not_found(format!("{as_name}'s membership in {handle}")))?;
        let change = Change {
            alliance: &alliance,
            member: &member,
            role: row.role(),
            status: MembershipStatus::Left,
            request: None,
        };
        let event: Option<fn(i64) -> OutboxEvent> = (!alliance.local)
            .then_some(|membership_id| OutboxEvent::LeftAlliance { membership_id });
        let txn = self.write().await?;
        save(&txn, &self.urls, change, event).await?;
        self.commit(txn).await?;
        Ok(())
    }

    /// A member's choice for an alliance's own posts: off, auto (relay to my followers) or
    /// held (approve each).
    pub async fn set_relay_policy(
        &self,
        caller: &Caller,
        as_name: &str,
        handle: &str,
        policy: RelayPolicy,
    ) -> Result<membership::Model> {
        let member = self
            .acting(caller, as_name, Permission::Decide)
            .await?
            .actor;
        let alliance = self.resolve(handle).await?;
        let row = m::get(&self.db, alliance.id, member.id)
            .await?
            .ok_or_else(|| Error::not_found(format!("{as_name}'s membership in {handle}")))?;
        m::set_relay_policy(&self.db, row, policy).await
    }

    pub async fn set_alliance_policies(
        &self,
        caller: &Caller,
        as_alliance: &str,
        policies: AlliancePolicies,
    ) -> Result<actor::Model> {
        let alliance = self
            .acting(caller, as_alliance, Permission::Decide)
            .await?
            .actor;
        require_alliance(&alliance)?;
        let txn = self.write().await?;
        let updated = query::actor::set_alliance_policies(&txn, alliance, policies).await?;
        // The profile says whether the member list is public.
        query::outbox::enqueue(
            &txn,
            &OutboxEvent::ActorUpdated {
                actor_id: updated.id,
            },
        )
        .await?;
        self.commit(txn).await?;
        Ok(updated)
    }

    /// Members, requests and invitations of one of our alliances (its staff see them all,
    /// whatever the list's public visibility).
    pub async fn alliance_members(
        &self,
        caller: &Caller,
        name: &str,
    ) -> Result<Vec<(membership::Model, actor::Model)>> {
        let alliance = self.acting(caller, name, Permission::Publish).await?.actor;
        require_alliance(&alliance)?;
        let mut all = Vec::new();
        for status in [
            MembershipStatus::Active,
            MembershipStatus::Pending,
            MembershipStatus::Invited,
        ] {
            all.extend(m::members(&self.db, alliance.id, status).await?);
        }
        Ok(all)
    }

    // The inbox.

    /// A remote actor asks to join one of our alliances.
    pub async fn receive_join(
        &self,
        from: &Caller,
        alliance: &actor::Model,
        request_id: &str,
    ) -> Result<MembershipStatus> {
        let member = from.remote()?;
        if !alliance.local || alliance.kind() != ActorKind::Alliance {
            return Err(Error::not_found("that alliance"));
        }
        let txn = self.write().await?;
        let blocked = query::block::exists(&txn, alliance.id, member.id).await?;
        let existing = m::get(&txn, alliance.id, member.id).await?;
        let (role, status) = admission(alliance, existing.as_ref(), blocked);
        let change = Change {
            alliance,
            member,
            role,
            status,
            request: Some(request_id),
        };
        let event: Option<fn(i64) -> OutboxEvent> = match status {
            MembershipStatus::Pending => None,
            MembershipStatus::Active => Some(|membership_id| OutboxEvent::JoinAnswered {
                membership_id,
                accepted: true,
            }),
            _ => Some(|membership_id| OutboxEvent::JoinAnswered {
                membership_id,
                accepted: false,
            }),
        };
        save(&txn, &self.urls, change, event).await?;
        if matches!(status, MembershipStatus::Pending | MembershipStatus::Active)
            && existing.as_ref().is_none_or(|m| m.status() != status)
        {
            crate::notifications::tell(
                &txn,
                alliance,
                puentes_core::NotificationKind::MemberRequest,
                member,
                None,
                Some(request_id),
            )
            .await?;
        }
        self.commit(txn).await?;
        Ok(status)
    }

    /// The remote alliance accepted or rejected our member's Join; or the remote invitee
    /// accepted our alliance's invitation.
    pub async fn receive_membership_answer(
        &self,
        from: &Caller,
        row: membership::Model,
        accepted: bool,
    ) -> Result<()> {
        let signer = from.remote()?;
        let alliance = query::actor::get(&self.db, row.alliance_id).await?;
        let member = query::actor::get(&self.db, row.member_id).await?;
        let answering_invite = row.status() == MembershipStatus::Invited && member.id == signer.id;
        if alliance.id != signer.id && !answering_invite {
            return Err(Error::forbidden(
                "only the alliance can answer a request to join it",
            ));
        }
        let status = if accepted {
            MembershipStatus::Active
        } else {
            MembershipStatus::Rejected
        };
        let change = Change {
            alliance: &alliance,
            member: &member,
            role: row.role(),
            status,
            request: None,
        };
        let txn = self.write().await?;
        save(&txn, &self.urls, change, None).await?;
        self.commit(txn).await?;
        Ok(())
    }

    /// A remote alliance invites one of our actors.
    pub async fn receive_membership_invite(
        &self,
        from: &Caller,
        invitee: &actor::Model,
        invite_id: &str,
    ) -> Result<bool> {
        let alliance = from.remote()?;
        if !invitee.local {
            return Err(Error::not_found("that actor"));
        }
        if alliance.kind() != ActorKind::Alliance {
            return Err(Error::bad_request("only alliances (Groups) invite members"));
        }
        if query::block::exists(&self.db, invitee.id, alliance.id).await? {
            return Ok(false);
        }
        if m::get(&self.db, alliance.id, invitee.id)
            .await?
            .is_some_and(|r| r.status() == MembershipStatus::Active)
        {
            return Ok(false);
        }
        m::upsert(
            &self.db,
            alliance.id,
            invitee.id,
            MemberRole::Member,
            MembershipStatus::Invited,
            Some(invite_id),
        )
        .await?;
        Ok(true)
    }

    /// A remote member leaves one of our alliances.
    pub async fn receive_leave(&self, from: &Caller, alliance: &actor::Model) -> Result<bool> {
        let member = from.remote()?;
        match m::get(&self.db, alliance.id, member.id).await? {
            Some(row) => {
                m::set_status(&self.db, row, MembershipStatus::Left).await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// A remote alliance removes one of our actors.
    pub async fn receive_removal(&self, from: &Caller, member: &actor::Model) -> Result<bool> {
        let alliance = from.remote()?;
        match m::get(&self.db, alliance.id, member.id).await? {
            Some(row) => {
                m::set_status(&self.db, row, MembershipStatus::Removed).await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use crate::{Caller, testing::TestApp};
    use puentes_core::{ActorKind, JoinPolicy, MembershipStatus};
    use puentes_db::query::{self, actor::AlliancePolicies};

    /// One rule for every way in: a remote Join and a local command get the same answer.
    #[tokio::test]
    async fn the_admission_rule_answers_every_request_the_same_way() {
        for app in TestApp::all().await {
            let op = Caller::Operator;
            app.actor("abierta", ActorKind::Alliance).await;
            app.actor("cerrada", ActorKind::Alliance).await;
            let auto = AlliancePolicies {
                join: Some(JoinPolicy::Auto),
                ..Default::default()
            };
            app.set_alliance_policies(&op, "abierta", auto)
                .await
                .unwrap();
            let abierta = query::actor::local_by_name_required(&app.db, "abierta")
                .await
                .unwrap();
            let cerrada = query::actor::local_by_name_required(&app.db, "cerrada")
                .await
                .unwrap();

            // An auto-join alliance admits at once; a manual one waits for its secretariat.
            let lejana = app.remote("lejana", ActorKind::Organization).await;
            let from = Caller::remote_actor(&lejana);
            let status = app
                .receive_join(&from, &abierta, "http://remote.example/j/1")
                .await;
            assert_eq!(status.unwrap(), MembershipStatus::Active);
            let status = app
                .receive_join(&from, &cerrada, "http://remote.example/j/2")
                .await;
            assert_eq!(status.unwrap(), MembershipStatus::Pending);
            app.actor("local", ActorKind::Organization).await;
            let row = app
                .join_alliance(&op, "local", "abierta@localhost:8080")
                .await
                .unwrap();
            assert_eq!(row.status(), MembershipStatus::Active);
            let row = app
                .join_alliance(&op, "local", "cerrada@localhost:8080")
                .await
                .unwrap();
            assert_eq!(row.status(), MembershipStatus::Pending);

            // Invited: welcome, even to a manual alliance.
            let invitada = app.remote("invitada", ActorKind::Organization).await;
            app.invite_member(
                &op,
                "cerrada",
                "invitada@remote.example",
                puentes_core::MemberRole::Observer,
            )
            .await
            .unwrap();
            let status = app
                .receive_join(
                    &Caller::remote_actor(&invitada),
                    &cerrada,
                    "http://remote.example/j/3",
                )
                .await;
            assert_eq!(status.unwrap(), MembershipStatus::Active);
            let kept = query::membership::get(&app.db, cerrada.id, invitada.id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                kept.role(),
                puentes_core::MemberRole::Observer,
                "the invited role stays"
            );

            // Removed members ask again and the secretariat decides, even where joining is
            // automatic.
            app.remove_member(&op, "abierta", "lejana@remote.example")
                .await
                .unwrap();
            let status = app
                .receive_join(&from, &abierta, "http://remote.example/j/4")
                .await;
            assert_eq!(status.unwrap(), MembershipStatus::Pending);

            // Blocked actors are refused.
            let bloqueada = app.remote("bloqueada", ActorKind::Organization).await;
            app.block(&op, "abierta", "bloqueada@remote.example")
                .await
                .unwrap();
            let status = app
                .receive_join(
                    &Caller::remote_actor(&bloqueada),
                    &abierta,
                    "http://remote.example/j/5",
                )
                .await;
            assert_eq!(status.unwrap(), MembershipStatus::Rejected);

            // A local member follows the alliance it joined.
            let local = query::actor::local_by_name_required(&app.db, "local")
                .await
                .unwrap();
            assert!(
                query::follow::between(&app.db, local.id, abierta.id)
                    .await
                    .unwrap()
                    .is_some()
            );
            app.close().await;
        }
    }

    /// Network maps read the member lists of remote alliances next to ours: those among our
    /// alliances' members and those our actors belong to, once each, and no other actor.
    #[tokio::test]
    async fn member_lists_due_are_remote_alliances_next_to_ours() {
        use puentes_core::MemberRole;
        for app in TestApp::all().await {
            let red = app.actor("red", ActorKind::Alliance).await;
            let ong = app.actor("ong", ActorKind::Organization).await;
            let member_alliance = app.remote("fed_a", ActorKind::Alliance).await;
            let parent_alliance = app.remote("fed_b", ActorKind::Alliance).await;
            let organization = app.remote("asoc", ActorKind::Organization).await;
            let leaving = app.remote("fed_c", ActorKind::Alliance).await;
            let active = MembershipStatus::Active;
            for (alliance, member, status) in [
                (red.id, member_alliance.id, active),
                (parent_alliance.id, ong.id, active),
                (parent_alliance.id, red.id, active),
                (red.id, organization.id, active),
                (red.id, leaving.id, MembershipStatus::Left),
            ] {
                query::membership::upsert(
                    &app.db,
                    alliance,
                    member,
                    MemberRole::Member,
                    status,
                    None,
                )
                .await
                .unwrap();
            }
            let hours = chrono::Duration::hours(24);
            let mut due: Vec<String> = query::known_membership::due_for_reading(&app.db, hours, 10)
                .await
                .unwrap()
                .into_iter()
                .map(|a| a.username)
                .collect();
            due.sort();
            assert_eq!(due, ["fed_a", "fed_b"]);
            // Read now: not due again until the membership changes or the read grows old.
            for alliance in [&member_alliance, &parent_alliance] {
                query::known_membership::mark_read(&app.db, alliance.id, true)
                    .await
                    .unwrap();
            }
            assert!(
                query::known_membership::due_for_reading(&app.db, hours, 10)
                    .await
                    .unwrap()
                    .is_empty()
            );
            app.close().await;
        }
    }
}
