//! Joint statements and calls to action: drafting, opening and closing our statements,
//! creating and cancelling our calls; endorsing a statement (named or counted only) and
//! pledging to a call by pasting its address, and withdrawing; signatories as CSV.

use super::{Staff, outcome, take_notice};
use crate::HttpState;
use axum::{
    Form,
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use minijinja::context;
use puentes_app::{calls::CallInput, statements::Draft};
use puentes_core::{EndorsementPolicy, Error, InvitationRole, Result, sanitize};
use puentes_db::read::ActorRef;
use serde::{Deserialize, Serialize};

fn some(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

#[derive(Serialize)]
struct StatementRow {
    uuid: String,
    title: String,
    status: String,
    link: String,
}

/// A statement our actor is invited to.
#[derive(Serialize)]
struct InvitationRow {
    /// The statement's address, sent back with the answer.
    id: String,
    title: String,
    owner: ActorRef,
    role: String,
    status: String,
    link: String,
}

#[derive(Deserialize, Default)]
pub struct Prefill {
    url: Option<String>,
}

pub async fn statements_page(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    Query(q): Query<Prefill>,
) -> Result<Response> {
    let acting = staff.acting(&state, &name).await?;
    let rows: Vec<StatementRow> = state
        .app
        .own_statements(&staff.caller, &name)
        .await?
        .into_iter()
        .map(|(s, v)| StatementRow {
            link: format!("/@{name}/statements/{}", s.uuid),
            uuid: s.uuid,
            title: v.name,
            status: s.status,
        })
        .collect();
    let invitations: Vec<InvitationRow> = state
        .app
        .statement_invitations(&staff.caller, &name)
        .await?
        .into_iter()
        .map(|i| InvitationRow {
            id: i.statement.ap_url.clone(),
            title: i.version.name,
            owner: ActorRef::of(&i.owner),
            role: i.invitation.role,
            status: i.invitation.status,
            link: i.statement.ap_url,
        })
        .collect();
    staff.page(
        &state,
        Some(&acting),
        "staff/statements.html",
        context! {
            statements => rows,
            invitations => invitations,
            prefill => q.url,
            languages => super::compose::LANGUAGES,
            notice => take_notice(&staff.session).await,
            problem => staff.take_problem().await,
        },
    )
}

#[derive(Deserialize)]
pub struct DraftForm {
    title: String,
    text: String,
    #[serde(default)]
    ask: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    policy: String,
}

pub async fn create_statement(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<DraftForm>,
) -> Result<Response> {
    let to = format!("/staff/as/{name}/statements");
    let policy = match some(&f.policy) {
        Some(p) => match EndorsementPolicy::parse(&p) {
            Ok(p) => Some(p),
            Err(e) => return outcome::<()>(&staff, &to, Err(e), "").await,
        },
        None => None,
    };
    let draft = Draft {
        title: f.title,
        text: f.text,
        ask: some(&f.ask),
        language: some(&f.language),
        policy,
        ..Draft::default()
    };
    let result = state
        .app
        .create_statement(&staff.caller, &name, draft)
        .await;
    outcome(&staff, &to, result, "drafted").await
}

/// What can be done to one of our statements in one tap.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum StatementStep {
    Open,
    Close,
}

#[derive(Deserialize)]
pub struct StatementAction {
    uuid: String,
    action: StatementStep,
}

pub async fn statement_action(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<StatementAction>,
) -> Result<Response> {
    let to = format!("/staff/as/{name}/statements");
    // The statement must be this actor's: the app checks the caller's right on its owner.
    match f.action {
        StatementStep::Open => {
            let result = state.app.open_statement(&staff.caller, &f.uuid).await;
            outcome(&staff, &to, result, "opened").await
        }
        StatementStep::Close => {
            let result = state.app.close_statement(&staff.caller, &f.uuid).await;
            outcome(&staff, &to, result, "closed").await
        }
    }
}

#[derive(Serialize)]
struct InvitedRow {
    who: ActorRef,
    role: String,
    status: String,
}

/// `/staff/as/{name}/statements/{uuid}`: one of our statements: who is invited, who signed,
/// and the forms to invite, revise and translate.
pub async fn statement_page(
    State(state): State<HttpState>,
    staff: Staff,
    Path((name, uuid)): Path<(String, String)>,
) -> Result<Response> {
    let acting = staff.acting(&state, &name).await?;
    let detail = state
        .app
        .own_statement_detail(&staff.caller, &name, &uuid)
        .await?;
    let invited: Vec<InvitedRow> = detail
        .invitations
        .iter()
        .map(|(i, a)| InvitedRow {
            who: ActorRef::of(a),
            role: i.role.clone(),
            status: i.status.clone(),
        })
        .collect();
    let (signatories, anonymous) = state.app.signatories(&uuid).await?;
    let version = &detail.version;
    staff.page(
        &state,
        Some(&acting),
        "staff/statement.html",
        context! {
            uuid => uuid,
            title => version.name,
            number => version.number,
            status => detail.statement.status,
            link => format!("/@{name}/statements/{uuid}"),
            // The stored text is HTML: the form offers it back as plain text to rewrite.
            text => sanitize::strip_html(&version.content),
            language => version.language,
            invited => invited,
            signatories => signatories,
            anonymous => anonymous,
            languages => super::compose::LANGUAGES,
            notice => take_notice(&staff.session).await,
            problem => staff.take_problem().await,
        },
    )
}

#[derive(Deserialize)]
pub struct InviteForm {
    handle: String,
    role: InvitationRole,
}

/// Invites a co-initiator (while a draft) or an endorser.
pub async fn invite(
    State(state): State<HttpState>,
    staff: Staff,
    Path((name, uuid)): Path<(String, String)>,
    Form(f): Form<InviteForm>,
) -> Result<Response> {
    let to = format!("/staff/as/{name}/statements/{uuid}");
    // The statement must be this actor's: the page's address says whom the form acts for.
    let result: Result<_> = async {
        state
            .app
            .own_statement_detail(&staff.caller, &name, &uuid)
            .await?;
        state
            .app
            .invite_to_statement(&staff.caller, &uuid, f.handle.trim(), f.role)
            .await
    }
    .await;
    outcome(&staff, &to, result, "invited").await
}

#[derive(Deserialize)]
pub struct ReviseForm {
    #[serde(default)]
    title: String,
    text: String,
}

/// A new text: in place while a draft, a new version once open.
pub async fn revise(
    State(state): State<HttpState>,
    staff: Staff,
    Path((name, uuid)): Path<(String, String)>,
    Form(f): Form<ReviseForm>,
) -> Result<Response> {
    let to = format!("/staff/as/{name}/statements/{uuid}");
    let result: Result<_> = async {
        state
            .app
            .own_statement_detail(&staff.caller, &name, &uuid)
            .await?;
        state
            .app
            .revise_statement(&staff.caller, &uuid, &f.text, some(&f.title).as_deref())
            .await
    }
    .await;
    outcome(&staff, &to, result, "revised").await
}

#[derive(Deserialize)]
pub struct TranslateForm {
    /// Our statement's uuid, or the address of one we co-initiate elsewhere.
    id: String,
    language: String,
    text: String,
}

/// Adds a translation: to our statement, or offered to the owner of one we co-initiate.
pub async fn translate(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<TranslateForm>,
) -> Result<Response> {
    let own = state
        .app
        .own_statement_detail(&staff.caller, &name, &f.id)
        .await
        .is_ok();
    let to = if own {
        format!("/staff/as/{name}/statements/{}", f.id)
    } else {
        format!("/staff/as/{name}/statements")
    };
    let result = state
        .app
        .translate_statement(&staff.caller, Some(&name), &f.id, &f.language, &f.text)
        .await;
    outcome(&staff, &to, result, "translated").await
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    Confirm,
    Decline,
}

#[derive(Deserialize)]
pub struct AnswerForm {
    id: String,
    answer: Answer,
}

/// Our answer to an invitation to co-initiate or endorse.
pub async fn answer_invitation(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<AnswerForm>,
) -> Result<Response> {
    let to = format!("/staff/as/{name}/statements");
    let confirm = f.answer == Answer::Confirm;
    let result = state
        .app
        .answer_statement_invitation(&staff.caller, &name, &f.id, confirm)
        .await;
    let notice = if confirm { "confirmed" } else { "declined" };
    outcome(&staff, &to, result, notice).await
}

#[derive(Deserialize)]
pub struct EndorseForm {
    url: String,
    #[serde(default)]
    anonymous: Option<String>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    withdraw: Option<String>,
}

/// Endorse (or withdraw from) a statement anywhere, by its address.
pub async fn endorse(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<EndorseForm>,
) -> Result<Response> {
    let to = format!("/staff/as/{name}/statements");
    if f.withdraw.is_some() {
        let result = state
            .app
            .withdraw_endorsement(&staff.caller, &name, &f.url)
            .await;
        return outcome(&staff, &to, result, "withdrawn").await;
    }
    let note = some(&f.note);
    let result = state
        .app
        .endorse(
            &staff.caller,
            &name,
            &f.url,
            f.anonymous.is_some(),
            note.as_deref(),
        )
        .await;
    outcome(&staff, &to, result, "endorsed").await
}

/// The verified signatories of one of our statements, as CSV.
pub async fn signatories_csv(
    State(state): State<HttpState>,
    staff: Staff,
    Path((name, uuid)): Path<(String, String)>,
) -> Result<Response> {
    let own = state.app.own_statements(&staff.caller, &name).await?;
    if !own.iter().any(|(s, _)| s.uuid == uuid) {
        return Err(Error::not_found("statement"));
    }
    let (rows, anonymous) = state.app.signatories(&uuid).await?;
    let mut csv = String::from("version,name,handle,actor,kind,endorsed_at,note,endorsement\n");
    for r in rows {
        let fields = [
            r.version.to_string(),
            r.name,
            r.handle,
            r.actor,
            r.kind,
            r.endorsed_at,
            r.note,
            r.endorsement,
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        csv.push_str(&line.join(","));
        csv.push('\n');
    }
    csv.push_str(&format!("# not named: {anonymous}\n"));
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"signatories-{uuid}.csv\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        csv,
    )
        .into_response())
}

/// One CSV field: quoted when needed; a leading formula sign is neutralized so a
/// spreadsheet never runs a signatory's name.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[derive(Serialize)]
struct CallRow {
    id: String,
    /// Its manage page, for ours.
    uuid: String,
    title: String,
    start: String,
    status: String,
    link: String,
}

pub async fn calls_page(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    Query(q): Query<Prefill>,
) -> Result<Response> {
    let acting = staff.acting(&state, &name).await?;
    let rows: Vec<CallRow> = state
        .app
        .own_calls(&staff.caller, &name)
        .await?
        .into_iter()
        .map(|c| CallRow {
            link: c.url.clone().unwrap_or_else(|| c.ap_id.clone()),
            uuid: c.ap_id.rsplit('/').next().unwrap_or_default().to_string(),
            id: c.ap_id,
            title: c.name,
            start: c.start_time.to_rfc3339(),
            status: c.status,
        })
        .collect();
    let pledges: Vec<CallRow> = state
        .app
        .own_pledges(&staff.caller, &name)
        .await?
        .into_iter()
        .map(|(p, c)| CallRow {
            link: c
                .url
                .as_deref()
                .and_then(sanitize::safe_link)
                .or_else(|| sanitize::safe_link(&c.ap_id))
                .unwrap_or_default(),
            uuid: String::new(),
            id: c.ap_id,
            title: c.name,
            start: c.start_time.to_rfc3339(),
            status: p.status,
        })
        .collect();
    staff.page(
        &state,
        Some(&acting),
        "staff/calls.html",
        context! {
            calls => rows,
            pledges => pledges,
            prefill => q.url,
            notice => take_notice(&staff.session).await,
            problem => staff.take_problem().await,
        },
    )
}

#[derive(Deserialize)]
pub struct CallForm {
    title: String,
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    online: String,
    #[serde(default)]
    summary: String,
}

fn call_input(f: &CallForm) -> Result<CallInput> {
    let zone = match some(&f.timezone) {
        Some(z) => puentes_core::calls::parse_timezone(&z)?,
        None => chrono_tz::Tz::UTC,
    };
    let time = |what: &str, v: &str| -> Result<Option<String>> {
        some(v)
            .map(|v| {
                puentes_core::calls::parse_local_time(what, &v, zone)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            })
            .transpose()
    };
    Ok(CallInput {
        title: some(&f.title),
        start: time("the start time", &f.start)?,
        end: time("the end time", &f.end)?,
        timezone: Some(zone.name().to_string()),
        place: some(&f.place),
        online: some(&f.online),
        summary: some(&f.summary),
        ..CallInput::default()
    })
}

pub async fn create_call(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<CallForm>,
) -> Result<Response> {
    let to = format!("/staff/as/{name}/calls");
    let result = match call_input(&f) {
        Ok(input) => state.app.create_call(&staff.caller, &name, input).await,
        Err(e) => Err(e),
    };
    outcome(&staff, &to, result, "call-created").await
}

#[derive(Serialize)]
struct PledgeRow {
    who: ActorRef,
    status: String,
}

/// `/staff/as/{name}/calls/{uuid}`: one of our calls, its form filled in to change it, and
/// who pledged.
pub async fn call_page(
    State(state): State<HttpState>,
    staff: Staff,
    Path((name, uuid)): Path<(String, String)>,
) -> Result<Response> {
    let acting = staff.acting(&state, &name).await?;
    let call = state.app.call_of(&staff.caller, &name, &uuid).await?;
    let (_, pledges) = state.app.call_pledges(&call.ap_id).await?;
    let pledges: Vec<PledgeRow> = pledges
        .iter()
        .map(|(p, a)| PledgeRow {
            who: ActorRef::of(a),
            status: p.status.clone(),
        })
        .collect();
    let zone = puentes_core::calls::zone_or_utc(call.timezone.as_deref());
    let local = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&zone).format("%Y-%m-%dT%H:%M").to_string()
    };
    staff.page(
        &state,
        Some(&acting),
        "staff/call.html",
        context! {
            uuid => uuid,
            title => call.name,
            link => call.url.clone().unwrap_or_else(|| call.ap_id.clone()),
            cancelled => call.is_cancelled(),
            start => local(call.start_time),
            end => call.end_time.map(local),
            timezone => zone.name(),
            place => call.location_name,
            online => call.online_url,
            summary => call.what,
            pledges => pledges,
            notice => take_notice(&staff.session).await,
            problem => staff.take_problem().await,
        },
    )
}

/// Changes one of our calls; followers and everyone pledged get the update.
pub async fn update_call(
    State(state): State<HttpState>,
    staff: Staff,
    Path((name, uuid)): Path<(String, String)>,
    Form(f): Form<CallForm>,
) -> Result<Response> {
    let to = format!("/staff/as/{name}/calls/{uuid}");
    // The call must be this actor's, as the page's address says.
    let result: Result<_> = async {
        let call = state.app.call_of(&staff.caller, &name, &uuid).await?;
        let input = call_input(&f)?;
        state
            .app
            .update_call(&staff.caller, &call.ap_id, input)
            .await
    }
    .await;
    outcome(&staff, &to, result, "call-updated").await
}

#[derive(Deserialize)]
pub struct CallAction {
    id: String,
}

pub async fn cancel_call(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<CallAction>,
) -> Result<Response> {
    let to = format!("/staff/as/{name}/calls");
    // The call must be this actor's, as the page's address says; the app checks the role.
    let result: Result<_> = async {
        let call = state.app.call_of(&staff.caller, &name, &f.id).await?;
        state.app.cancel_call(&staff.caller, &call.ap_id).await
    }
    .await;
    outcome(&staff, &to, result, "call-cancelled").await
}

#[derive(Deserialize)]
pub struct PledgeForm {
    url: String,
    #[serde(default)]
    withdraw: Option<String>,
}

/// Pledge to (or withdraw from) a call anywhere, by its address.
pub async fn pledge(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<PledgeForm>,
) -> Result<Response> {
    let to = format!("/staff/as/{name}/calls");
    if f.withdraw.is_some() {
        let result = state
            .app
            .withdraw_pledge(&staff.caller, &name, &f.url)
            .await;
        return outcome(&staff, &to, result, "withdrawn").await;
    }
    let result = state.app.pledge(&staff.caller, &name, &f.url).await;
    outcome(&staff, &to, result, "pledged").await
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(super::csv_field("Red, Sur"), "\"Red, Sur\"");
        assert_eq!(super::csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(super::csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(super::csv_field("plain"), "plain");
    }
}
