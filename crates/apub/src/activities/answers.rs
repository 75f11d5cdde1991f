//! Accept, Reject and Ignore: what they answer is looked up once, then the answer goes to
//! the one handler of that kind (a follow, a membership, a pledge, an invitation to
//! co-organize or co-sign, an endorsement).

use crate::{
    outcome::Outcome,
    protocol::{
        activities::Envelope,
        helpers::{id_of, string_of, type_of},
    },
};
use puentes_app::{App, Caller, calls::CallAnswer, follows::Answered as FollowAnswered};
use puentes_core::Result;
use puentes_db::{actor, query::answers::Answered};

pub async fn receive_answer(
    app: &App,
    signer: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let caller = Caller::remote_actor(signer);
    let accepted = activity.kind == "Accept";
    let answered = match id_of(&activity.object) {
        Some(id) => app.what_answers(id.as_str()).await?,
        None => None,
    };
    let call_answer = || match activity.kind.as_str() {
        "Accept" => CallAnswer::Accepted,
        "Ignore" => CallAnswer::Ignored,
        _ => CallAnswer::Rejected(
            string_of(&activity.raw, "summary").or_else(|| string_of(&activity.raw, "content")),
        ),
    };
    if activity.kind == "Ignore" && !matches!(answered, Some(Answered::Pledge(_))) {
        return Ok(Outcome::Ignored("Ignore of something not ours".into()));
    }
    match answered {
        Some(Answered::Pledge(row)) => {
            app.receive_pledge_answer(&caller, row, call_answer())
                .await?
        }
        Some(Answered::CoOrganizer(row)) => {
            app.receive_co_organizer_answer(&caller, row, call_answer())
                .await?
        }
        Some(Answered::Membership(row)) => {
            app.receive_membership_answer(&caller, row, accepted)
                .await?
        }
        Some(Answered::StatementInvitation(row)) => {
            app.receive_statement_invitation_answer(&caller, row, accepted)
                .await?
        }
        Some(Answered::Endorsement(row)) => {
            if !app
                .receive_endorsement_answer(&caller, row, accepted)
                .await?
            {
                return Ok(Outcome::Ignored("endorsement already answered".into()));
            }
        }
        Some(Answered::Follow(row)) => return follow(app, &caller, activity, Some(row)).await,
        // Some software answers a Follow without its id: found by the follower it names.
        None => return follow(app, &caller, activity, None).await,
    }
    Ok(Outcome::Applied)
}

async fn follow(
    app: &App,
    caller: &Caller,
    activity: &Envelope,
    known: Option<puentes_db::follow::Model>,
) -> Result<Outcome> {
    let accepted = activity.kind == "Accept";
    if accepted
        && activity.object.is_object()
        && type_of(&activity.object).is_some_and(|t| t != "Follow")
    {
        return Ok(Outcome::Ignored(
            "Accept of something other than a Follow".into(),
        ));
    }
    let follower_id = activity.object.get("actor").and_then(id_of);
    let answered = app
        .receive_follow_answer(
            caller,
            known,
            follower_id.as_ref().map(url::Url::as_str),
            accepted,
        )
        .await?;
    Ok(match answered {
        FollowAnswered::Applied => Outcome::Applied,
        FollowAnswered::Unknown => Outcome::Ignored("answer to something unknown here".into()),
    })
}
