//! Handlers of incoming activities, one module per family.

mod block;
mod create_or_update;
mod delete;
mod follow;

use crate::{context::Data, inbox::Outcome, protocol::activities::Envelope};
use puentes_core::Result;
use puentes_db::actor;

pub async fn apply(data: &Data, signer: &actor::Model, activity: Envelope) -> Result<Outcome> {
    match activity.kind.as_str() {
        "Follow" => follow::receive_follow(data, signer, &activity).await,
        "Accept" => follow::receive_accept(data, signer, &activity).await,
        "Reject" => follow::receive_reject(data, signer, &activity).await,
        "Undo" => follow::receive_undo(data, signer, &activity).await,
        "Create" => create_or_update::receive_create(data, signer, &activity).await,
        "Update" => create_or_update::receive_update(data, signer, &activity).await,
        "Delete" => delete::receive_delete(data, signer, &activity).await,
        "Block" => block::receive_block(data, signer, &activity).await,
        other => Ok(Outcome::Ignored(format!(
            "{other} activities are not handled yet"
        ))),
    }
}
