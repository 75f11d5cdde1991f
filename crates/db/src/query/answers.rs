//! What an incoming Accept, Reject or Ignore answers: one lookup of the answered id across
//! everything we ask others for (follows, memberships, pledges, co-organizer and statement
//! invitations, endorsements), so the answer goes straight to its one handler.

use crate::{call_organizer, endorsement, follow, membership, pledge, statement_invitation};
use puentes_core::Result;
use sea_orm::{
    ConnectionTrait, EntityTrait, FromQueryResult, StatementBuilder,
    sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement, UnionType},
};

/// What an answered id names, with its row.
#[derive(Debug, Clone, PartialEq)]
pub enum Answered {
    Follow(follow::Model),
    Membership(membership::Model),
    Pledge(pledge::Model),
    CoOrganizer(call_organizer::Model),
    StatementInvitation(statement_invitation::Model),
    Endorsement(endorsement::Model),
}

#[derive(Debug, FromQueryResult)]
struct Hit {
    kind: String,
    id: i64,
}

/// `SELECT 'table' AS kind, id FROM table WHERE column = answered`; kinds are table names.
fn one(table: &str, column: &str, answered: &str) -> SelectStatement {
    Query::select()
        .expr_as(Expr::val(table.to_string()), Alias::new("kind"))
        .column(Alias::new("id"))
        .from(Alias::new(table))
        .and_where(Expr::col(Alias::new(column)).eq(answered.to_string()))
        .to_owned()
}

/// The one row `answered` names, if any (the first found, in the order listed).
pub async fn answered_by(db: &impl ConnectionTrait, answered: &str) -> Result<Option<Answered>> {
    let mut query = one("follow", "ap_id", answered);
    for (table, column) in [
        ("membership", "request_ap_id"),
        ("pledge", "join_ap_id"),
        ("call_organizer", "invite_ap_id"),
        ("statement_invitation", "ap_id"),
        ("endorsement", "ap_id"),
    ] {
        query.union(UnionType::All, one(table, column, answered));
    }
    let statement = StatementBuilder::build(&query, &db.get_database_backend());
    let Some(hit) = Hit::find_by_statement(statement).one(db).await? else {
        return Ok(None);
    };
    Ok(match hit.kind.as_str() {
        "follow" => follow::Entity::find_by_id(hit.id)
            .one(db)
            .await?
            .map(Answered::Follow),
        "membership" => membership::Entity::find_by_id(hit.id)
            .one(db)
            .await?
            .map(Answered::Membership),
        "pledge" => pledge::Entity::find_by_id(hit.id)
            .one(db)
            .await?
            .map(Answered::Pledge),
        "call_organizer" => call_organizer::Entity::find_by_id(hit.id)
            .one(db)
            .await?
            .map(Answered::CoOrganizer),
        "statement_invitation" => statement_invitation::Entity::find_by_id(hit.id)
            .one(db)
            .await?
            .map(Answered::StatementInvitation),
        _ => endorsement::Entity::find_by_id(hit.id)
            .one(db)
            .await?
            .map(Answered::Endorsement),
    })
}
