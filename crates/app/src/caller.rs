//! Who runs a command, and what they may do as which actor. Every command checks its caller
//! here, once; no front door checks rights of its own.

use crate::App;
use puentes_core::{ActorKind, Error, Result, StaffRole};
use puentes_db::{actor, query};

/// Who runs a command.
#[derive(Debug, Clone)]
pub enum Caller {
    /// The instance's operator at the command line: acts for any local actor and runs the
    /// instance.
    Operator,
    /// A staff member who logged in (web session or API token), by account id. Acts only
    /// for the actors on which it holds a role, within that role.
    Staff(i64),
    /// An app's access token: a staff member's, speaking as one actor only (the one chosen
    /// when the token was granted), within the member's role on it.
    Token { staff_id: i64, actor_id: i64 },
    /// A remote actor whose signature was verified (the inbox).
    Remote(Box<actor::Model>),
}

/// What a command needs from the caller's role on the actor it acts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Speak as the actor: post, edit and delete posts, follow, pledge, endorse as an
    /// organization, draft and publish statements and calls.
    Publish,
    /// The actor's decisions: join or leave alliances; for an alliance, admit, invite and
    /// remove members, set its policies, approve held posts, endorsements and pledges,
    /// endorse on behalf of its members; follower requests, blocks and the profile.
    Decide,
    /// Owner only: staff accounts and deleting the actor.
    Manage,
}

impl Permission {
    pub fn granted_to(self, role: StaffRole) -> bool {
        matches!(
            (self, role),
            (_, StaffRole::Owner)
                | (
                    Permission::Publish | Permission::Decide,
                    StaffRole::Secretariat
                )
                | (Permission::Publish, StaffRole::Editor)
        )
    }

    fn refusal(self) -> &'static str {
        match self {
            Permission::Publish => "publish as",
            Permission::Decide => "take decisions for",
            Permission::Manage => "manage",
        }
    }
}

/// A local actor a caller was allowed to act as, for a permission.
#[derive(Debug, Clone)]
pub struct Acting {
    pub actor: actor::Model,
    /// The staff member's role; `None` for the operator.
    pub role: Option<StaffRole>,
}

impl Caller {
    /// A verified remote actor (the inbox).
    pub fn remote_actor(actor: &actor::Model) -> Caller {
        Caller::Remote(Box::new(actor.clone()))
    }

    /// The verified remote actor of an inbox call.
    pub fn remote(&self) -> Result<&actor::Model> {
        match self {
            Caller::Remote(actor) => Ok(actor),
            _ => Err(Error::forbidden("only a remote actor sends this")),
        }
    }

    pub fn is_operator(&self) -> bool {
        matches!(self, Caller::Operator)
    }

    /// The staff member behind a web session or a token.
    pub fn staff_id(&self) -> Option<i64> {
        match self {
            Caller::Staff(id) | Caller::Token { staff_id: id, .. } => Some(*id),
            _ => None,
        }
    }
}

impl App {
    /// The local actor named `name`, if the caller may act as it with `need`.
    pub async fn acting(&self, caller: &Caller, name: &str, need: Permission) -> Result<Acting> {
        let actor = query::actor::local_by_name_required(&self.db, name).await?;
        self.acting_for(caller, actor, need).await
    }

    /// `actor` (already found), if the caller may act as it with `need`.
    pub async fn acting_for(
        &self,
        caller: &Caller,
        actor: actor::Model,
        need: Permission,
    ) -> Result<Acting> {
        if !actor.local || actor.kind() == ActorKind::Application {
            return Err(Error::forbidden(format!(
                "{} is not an organization or alliance of this instance",
                actor.handle().acct()
            )));
        }
        if actor.deleted_at.is_some() {
            return Err(Error::gone(format!("{} was deleted", actor.username)));
        }
        if need == Permission::Publish {
            App::refuse_moved(&actor)?;
        }
        match caller {
            Caller::Operator => Ok(Acting { actor, role: None }),
            Caller::Token { actor_id, .. } if *actor_id != actor.id => {
                Err(Error::forbidden(format!(
                    "this token speaks for another actor, not {}",
                    actor.username
                )))
            }
            Caller::Staff(staff_id) | Caller::Token { staff_id, .. } => {
                let role = query::staff::role_on(&self.db, *staff_id, actor.id).await?;
                match role {
                    Some(role) if need.granted_to(role) => Ok(Acting {
                        actor,
                        role: Some(role),
                    }),
                    Some(role) => Err(Error::forbidden(format!(
                        "as {role} of {} you may not {} it",
                        actor.username,
                        need.refusal()
                    ))),
                    None => Err(Error::forbidden(format!(
                        "you hold no role on {}",
                        actor.username
                    ))),
                }
            }
            Caller::Remote(_) => Err(Error::forbidden(
                "a remote actor cannot act for a local one",
            )),
        }
    }

    /// Instance-wide operations (creating actors, domain blocks, the delivery queue): the
    /// operator, or a staff member who administers the instance.
    pub async fn require_admin(&self, caller: &Caller) -> Result<()> {
        match caller {
            Caller::Operator => Ok(()),
            Caller::Staff(id) => {
                if query::staff::get(&self.db, *id).await?.is_admin {
                    Ok(())
                } else {
                    Err(Error::forbidden("only the instance's administrators may"))
                }
            }
            // A token speaks for an actor, never for the instance.
            Caller::Token { .. } | Caller::Remote(_) => {
                Err(Error::forbidden("only the instance's administrators may"))
            }
        }
    }

    /// The actors a caller may act for, with the role held on each (the operator: all).
    pub async fn actors_of(&self, caller: &Caller) -> Result<Vec<Acting>> {
        match caller {
            Caller::Operator => Ok(query::actor::list_local(&self.db)
                .await?
                .into_iter()
                .map(|actor| Acting { actor, role: None })
                .collect()),
            Caller::Staff(id) => Ok(query::staff::roles_of(&self.db, *id)
                .await?
                .into_iter()
                .filter(|(_, actor)| actor.deleted_at.is_none())
                .map(|(role, actor)| Acting {
                    role: Some(role.role()),
                    actor,
                })
                .collect()),
            Caller::Token { staff_id, actor_id } => Ok(query::staff::roles_of(&self.db, *staff_id)
                .await?
                .into_iter()
                .filter(|(_, actor)| actor.deleted_at.is_none() && actor.id == *actor_id)
                .map(|(role, actor)| Acting {
                    role: Some(role.role()),
                    actor,
                })
                .collect()),
            Caller::Remote(_) => Ok(Vec::new()),
        }
    }
}

/// Endorsing speaks for the endorser; an alliance endorsing speaks for all its members, so
/// it is a decision of its secretariat.
pub fn endorsing_needs(endorser: &actor::Model) -> Permission {
    if endorser.is_alliance() {
        Permission::Decide
    } else {
        Permission::Publish
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_grant_in_order() {
        use Permission::*;
        let table = [
            (StaffRole::Owner, [true, true, true]),
            (StaffRole::Secretariat, [true, true, false]),
            (StaffRole::Editor, [true, false, false]),
        ];
        for (role, expected) in table {
            for (need, allowed) in [Publish, Decide, Manage].into_iter().zip(expected) {
                assert_eq!(need.granted_to(role), allowed, "{role} {need:?}");
            }
        }
    }
}

/// The permission matrix, on a real database: for each command, the role that may not run
/// it is refused (and nothing happens), the role that may runs it.
#[cfg(test)]
mod matrix {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use crate::{
        Caller, actors::ProfileEdit, calls::CallInput, posts::NewPost, statements::Draft,
        testing::TestApp,
    };
    use puentes_core::{ActorKind, EndorsementPolicy, ErrorKind, MemberRole, Result, StaffRole};
    use puentes_db::query::actor::AlliancePolicies;

    fn refused<T: std::fmt::Debug>(result: Result<T>, what: &str) {
        match result {
            Err(e) => assert_eq!(e.kind(), ErrorKind::Forbidden, "{what}: {}", e.message()),
            Ok(v) => panic!("{what} was allowed: {v:?}"),
        }
    }

    fn allowed<T>(result: Result<T>, what: &str) {
        if let Err(e) = result {
            panic!("{what} was refused: {}", e.message());
        }
    }

    fn call_input() -> CallInput {
        CallInput {
            title: Some("Marcha".into()),
            start: Some("2031-05-01T10:00:00Z".into()),
            ..CallInput::default()
        }
    }

    #[tokio::test]
    async fn roles_allow_what_they_should_and_nothing_more() {
        for app in TestApp::all().await {
            check(&app).await;
            app.close().await;
        }
    }

    async fn check(app: &TestApp) {
        let op = Caller::Operator;
        app.actor("ong", ActorKind::Organization).await;
        app.actor("red", ActorKind::Alliance).await;
        app.actor("otra", ActorKind::Organization).await;
        let owner = app
            .staff("duena@ong.example", "ong", StaffRole::Owner)
            .await;
        let editor = app
            .staff("editor@ong.example", "ong", StaffRole::Editor)
            .await;
        let secretariat = app
            .staff("secretaria@red.example", "red", StaffRole::Secretariat)
            .await;
        let red_editor = app
            .staff("editor@red.example", "red", StaffRole::Editor)
            .await;
        let stranger = app
            .staff("otra@otra.example", "otra", StaffRole::Owner)
            .await;

        // Publishing: editors and owners; nobody without a role.
        refused(
            app.publish(&stranger, "ong", NewPost::text("hola")).await,
            "a stranger posts",
        );
        allowed(
            app.publish(&editor, "ong", NewPost::text("hola")).await,
            "an editor posts",
        );
        allowed(
            app.publish(&owner, "ong", NewPost::text("hola")).await,
            "an owner posts",
        );
        refused(
            app.follow(&stranger, "ong", "red@localhost:8080").await,
            "a stranger follows",
        );
        allowed(
            app.follow(&editor, "ong", "red@localhost:8080").await,
            "an editor follows",
        );
        allowed(
            app.create_call(&editor, "ong", call_input()).await,
            "an editor creates a call",
        );
        let draft = Draft {
            title: "Vías seguras".into(),
            text: "Pedimos vías seguras.".into(),
            policy: Some(EndorsementPolicy::Anyone),
            ..Draft::default()
        };
        allowed(
            app.create_statement(&editor, "ong", draft.clone()).await,
            "an editor drafts a statement",
        );

        // Pledging and endorsing as an organization: editors too.
        let call = app.create_call(&op, "red", call_input()).await.unwrap();
        refused(
            app.pledge(&stranger, "ong", &call.ap_id).await,
            "a stranger pledges",
        );
        allowed(
            app.pledge(&editor, "ong", &call.ap_id).await,
            "an editor pledges",
        );
        let statement = app.create_statement(&op, "red", draft).await.unwrap();
        app.open_statement(&op, &statement.uuid).await.unwrap();
        refused(
            app.endorse(&stranger, "ong", &statement.uuid, false, None)
                .await,
            "a stranger endorses",
        );
        allowed(
            app.endorse(&editor, "ong", &statement.uuid, true, None)
                .await,
            "an editor endorses for an organization",
        );
        // An alliance endorsing speaks for all its members: its secretariat decides.
        refused(
            app.endorse(&red_editor, "red", &statement.uuid, false, None)
                .await,
            "an alliance's editor endorses for it",
        );
        allowed(
            app.endorse(&secretariat, "red", &statement.uuid, false, None)
                .await,
            "the secretariat endorses for the alliance",
        );

        // Decisions: owners (and an alliance's secretariat), not editors.
        refused(
            app.join_alliance(&editor, "ong", "red@localhost:8080")
                .await,
            "an editor changes membership",
        );
        allowed(
            app.join_alliance(&owner, "ong", "red@localhost:8080").await,
            "an owner changes membership",
        );
        refused(
            app.accept_member(&red_editor, "red", "ong@localhost:8080", MemberRole::Member)
                .await,
            "an alliance's editor admits a member",
        );
        allowed(
            app.accept_member(
                &secretariat,
                "red",
                "ong@localhost:8080",
                MemberRole::Member,
            )
            .await,
            "the secretariat admits a member",
        );
        let policies = AlliancePolicies::default();
        refused(
            app.set_alliance_policies(&red_editor, "red", policies)
                .await,
            "an alliance's editor sets policies",
        );
        allowed(
            app.set_alliance_policies(&secretariat, "red", policies)
                .await,
            "the secretariat sets policies",
        );
        refused(
            app.held_posts(&red_editor, "red").await,
            "an alliance's editor reads held posts",
        );
        allowed(
            app.held_posts(&secretariat, "red").await,
            "the secretariat reads held posts",
        );
        refused(
            app.set_manual_approval(&editor, "ong", true).await,
            "an editor changes follower approval",
        );
        allowed(
            app.set_manual_approval(&owner, "ong", true).await,
            "an owner changes follower approval",
        );
        refused(
            app.block(&editor, "ong", "otra@localhost:8080").await,
            "an editor blocks",
        );
        allowed(
            app.block(&owner, "ong", "otra@localhost:8080").await,
            "an owner blocks",
        );
        let edit = ProfileEdit {
            display_name: Some("ONG Frontera".into()),
            ..ProfileEdit::default()
        };
        refused(
            app.edit_actor(&editor, "ong", edit.clone()).await,
            "an editor edits the profile",
        );
        allowed(
            app.edit_actor(&owner, "ong", edit).await,
            "an owner edits the profile",
        );

        // Staff and deletion: owners only; the secretariat is not an owner.
        refused(
            app.grant_staff(
                &editor,
                "nueva@ong.example",
                "ong",
                StaffRole::Editor,
                Some("a long enough password"),
            )
            .await,
            "an editor adds staff",
        );
        refused(
            app.grant_staff(
                &secretariat,
                "nueva@red.example",
                "red",
                StaffRole::Editor,
                Some("a long enough password"),
            )
            .await,
            "the secretariat adds staff",
        );
        allowed(
            app.grant_staff(
                &owner,
                "nueva@ong.example",
                "ong",
                StaffRole::Editor,
                Some("a long enough password"),
            )
            .await,
            "an owner adds staff",
        );
        refused(
            app.list_staff(&editor, Some("ong")).await,
            "an editor lists staff",
        );
        refused(
            app.remove_staff(&editor, "nueva@ong.example", Some("ong"))
                .await,
            "an editor removes staff",
        );
        refused(
            app.delete_actor(&editor, "ong").await,
            "an editor deletes the organization",
        );
        refused(
            app.delete_actor(&secretariat, "red").await,
            "the secretariat deletes the alliance",
        );
        // Instance-wide operations: administrators only.
        refused(
            app.domain_block(&owner, "abusive.example", None).await,
            "an owner blocks a domain",
        );
        allowed(
            app.delete_actor(&owner, "ong").await,
            "an owner deletes the organization",
        );
        // A deleted actor acts no more, for anyone.
        let gone = app.publish(&owner, "ong", NewPost::text("¿hola?")).await;
        assert_eq!(gone.unwrap_err().kind(), ErrorKind::Gone);
    }
}
