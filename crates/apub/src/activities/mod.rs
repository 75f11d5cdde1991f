//! Handlers of incoming activities, one module per family.

mod block;
pub mod calls;
pub(crate) mod create_or_update;
mod delete;
mod follow;
mod membership;
pub use membership::{after_admission, follow_alliance};
mod announce;
pub mod statements;

use crate::{
    context::Data,
    inbox::Outcome,
    protocol::{activities::Envelope, statement::is_statement},
};
use puentes_core::Result;
use puentes_db::actor;

pub async fn apply(data: &Data, signer: &actor::Model, activity: Envelope) -> Result<Outcome> {
    match activity.kind.as_str() {
        "Follow" => follow::receive_follow(data, signer, &activity).await,
        "Accept" | "Reject" => {
            let accepted = activity.kind == "Accept";
            if let Some(outcome) =
                statements::receive_answer(data, signer, &activity, accepted).await?
            {
                return Ok(outcome);
            }
            if let Some(outcome) = calls::receive_answer(data, signer, &activity).await? {
                return Ok(outcome);
            }
            if let Some(row) = membership::answered_membership(data, &activity).await? {
                return membership::receive_answer(data, signer, row, activity.kind == "Accept")
                    .await;
            }
            if activity.kind == "Accept" {
                follow::receive_accept(data, signer, &activity).await
            } else {
                follow::receive_reject(data, signer, &activity).await
            }
        }
        "Join" => match calls::receive_join(data, signer, &activity).await? {
            Some(outcome) => Ok(outcome),
            None => membership::receive_join(data, signer, &activity).await,
        },
        "Invite" if is_statement(&activity.object) => {
            statements::receive_invite(data, signer, &activity).await
        }
        "Invite" => match calls::receive_invite(data, signer, &activity).await? {
            Some(outcome) => Ok(outcome),
            None => membership::receive_invite(data, signer, &activity).await,
        },
        "Endorse" => statements::receive_endorse(data, signer, &activity).await,
        "Like" => statements::receive_like(data, signer, &activity).await,
        "Add" => Ok(statements::receive_add(data, signer, &activity)
            .await?
            .unwrap_or_else(|| {
                Outcome::Ignored("Add of something other than an endorsement".into())
            })),
        "Leave" => match calls::receive_leave(data, signer, &activity).await? {
            Some(outcome) => Ok(outcome),
            None => membership::receive_leave(data, signer, &activity).await,
        },
        "Remove" => match statements::receive_remove(data, signer, &activity).await? {
            Some(outcome) => Ok(outcome),
            None => membership::receive_remove(data, signer, &activity).await,
        },
        "Ignore" => match calls::receive_answer(data, signer, &activity).await? {
            Some(outcome) => Ok(outcome),
            None => Ok(Outcome::Ignored("Ignore of something not ours".into())),
        },
        "Announce" => announce::receive_announce(data, signer, &activity).await,
        "Undo" => match statements::receive_undo(data, signer, &activity).await? {
            Some(outcome) => Ok(outcome),
            None => follow::receive_undo(data, signer, &activity).await,
        },
        "Create" => create_or_update::receive_create(data, signer, &activity).await,
        "Update" => create_or_update::receive_update(data, signer, &activity).await,
        "Delete" => delete::receive_delete(data, signer, &activity).await,
        "Block" => block::receive_block(data, signer, &activity).await,
        other => Ok(Outcome::Ignored(format!(
            "{other} activities are not handled yet"
        ))),
    }
}
