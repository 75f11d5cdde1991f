//! Handlers of incoming activities, one module per family.

mod announce;
mod answers;
mod block;
pub mod calls;
pub(crate) mod create_or_update;
mod delete;
mod follow;
mod membership;
mod moves;
mod reactions;
pub mod statements;

use crate::{
    context::Data,
    outcome::Outcome,
    protocol::{activities::Envelope, statement::is_statement},
};
use puentes_app::App;
use puentes_core::Result;
use puentes_db::actor;

pub async fn apply(
    data: &Data,
    app: &App,
    signer: &actor::Model,
    activity: Envelope,
) -> Result<Outcome> {
    match activity.kind.as_str() {
        "Follow" => follow::receive_follow(app, signer, &activity).await,
        "Accept" | "Reject" | "Ignore" => answers::receive_answer(app, signer, &activity).await,
        "Join" => match calls::receive_join(app, signer, &activity).await? {
            Some(outcome) => Ok(outcome),
            None => membership::receive_join(app, signer, &activity).await,
        },
        "Invite" if is_statement(&activity.object) => {
            statements::receive_invite(data, app, signer, &activity).await
        }
        "Invite" => match calls::receive_invite(app, signer, &activity).await? {
            Some(outcome) => Ok(outcome),
            None => membership::receive_invite(app, signer, &activity).await,
        },
        "Endorse" => statements::receive_endorse(data, app, signer, &activity).await,
        "Like" => reactions::receive_like(app, signer, &activity).await,
        "Add" => Ok(statements::receive_add(data, app, signer, &activity)
            .await?
            .unwrap_or_else(|| {
                Outcome::Ignored("Add of something other than an endorsement".into())
            })),
        "Leave" => match calls::receive_leave(app, signer, &activity).await? {
            Some(outcome) => Ok(outcome),
            None => membership::receive_leave(app, signer, &activity).await,
        },
        "Remove" => match statements::receive_remove(data, app, signer, &activity).await? {
            Some(outcome) => Ok(outcome),
            None => membership::receive_remove(app, signer, &activity).await,
        },
        "Announce" => announce::receive_announce(data, app, signer, &activity).await,
        "Undo" => match statements::receive_undo(data, app, signer, &activity).await? {
            Some(outcome) => Ok(outcome),
            None => match reactions::receive_undo(app, signer, &activity).await? {
                Some(outcome) => Ok(outcome),
                None => follow::receive_undo(app, signer, &activity).await,
            },
        },
        "Create" => create_or_update::receive_create(data, app, signer, &activity).await,
        "Update" => create_or_update::receive_update(data, app, signer, &activity).await,
        "Delete" => delete::receive_delete(app, signer, &activity).await,
        "Block" => block::receive_block(app, signer, &activity).await,
        "Move" => moves::receive_move(data, app, signer, &activity).await,
        other => Ok(Outcome::Ignored(format!(
            "{other} activities are not handled yet"
        ))),
    }
}
