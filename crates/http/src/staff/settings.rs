//! Settings: the actor's profile and follower approval; for owners, its staff and its
//! deletion; for the instance's administrators, domain blocks and the delivery queue.

use super::{Staff, done, outcome, take_notice};
use crate::HttpState;
use axum::{
    Form,
    extract::{Multipart, Path, State},
    response::Response,
};
use minijinja::context;
use puentes_app::actors::ProfileEdit;
use puentes_core::{Error, ErrorKind, Result, StaffRole};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct StaffRow {
    email: String,
    role: String,
    me: bool,
}

pub async fn settings_page(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
) -> Result<Response> {
    // The profile and follower approval are decisions: editors are refused the page.
    let acting = state
        .app
        .acting(&staff.caller, &name, puentes_app::Permission::Decide)
        .await?;
    // Only owners see who else works here; the app refuses the others.
    let members: Option<Vec<StaffRow>> =
        match state.app.list_staff(&staff.caller, Some(&name)).await {
            Ok(rows) => Some(
                rows.into_iter()
                    .map(|(account, role, _)| StaffRow {
                        me: account.id == staff.member.account.id,
                        email: account.email,
                        role: role.role,
                    })
                    .collect(),
            ),
            Err(e) if e.kind() == ErrorKind::Forbidden => None,
            Err(e) => return Err(e),
        };
    let actor = &acting.actor;
    staff.page(
        &state,
        Some(&acting),
        "staff/settings.html",
        context! {
            display_name => actor.display_name,
            summary => actor.summary.as_deref().map(puentes_core::sanitize::strip_html),
            manual => actor.manually_approves_followers,
            staff_members => members,
            notice => take_notice(&staff.session).await,
            problem => staff.take_problem().await,
        },
    )
}

/// The profile form (multipart: it may carry an avatar and a header image).
pub async fn profile(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    mut multipart: Multipart,
) -> Result<Response> {
    let to = format!("/staff/as/{name}/settings");
    let mut edit = ProfileEdit::default();
    let bad = |e: axum::extract::multipart::MultipartError| {
        Error::bad_request(format!("the form could not be read: {e}"))
    };
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let field_name = field.name().unwrap_or_default().to_string();
        match field_name.as_str() {
            "avatar" | "header" => {
                let bytes = field.bytes().await.map_err(bad)?;
                if !bytes.is_empty() {
                    puentes_app::media::check_upload_size(bytes.len())?;
                    if field_name == "avatar" {
                        edit.avatar = Some(bytes.to_vec());
                    } else {
                        edit.header = Some(bytes.to_vec());
                    }
                }
            }
            "display_name" => edit.display_name = Some(field.text().await.map_err(bad)?),
            "summary" => edit.summary = Some(field.text().await.map_err(bad)?),
            _ => {}
        }
    }
    let result = state.app.edit_actor(&staff.caller, &name, edit).await;
    outcome(&staff, &to, result, "saved").await
}

#[derive(Deserialize)]
pub struct ApprovalForm {
    #[serde(default)]
    manual: Option<String>,
}

pub async fn approval(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<ApprovalForm>,
) -> Result<Response> {
    let to = format!("/staff/as/{name}/settings");
    let result = state
        .app
        .set_manual_approval(&staff.caller, &name, f.manual.is_some())
        .await;
    outcome(&staff, &to, result, "saved").await
}

#[derive(Deserialize)]
pub struct StaffForm {
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    remove: Option<String>,
}

/// Owners add staff (or change a role) and remove them.
pub async fn staff_members(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<StaffForm>,
) -> Result<Response> {
    let to = format!("/staff/as/{name}/settings");
    if f.remove.is_some() {
        let result = state
            .app
            .remove_staff(&staff.caller, &f.email, Some(&name))
            .await;
        return outcome(&staff, &to, result, "staff-removed").await;
    }
    let role = match StaffRole::parse(&f.role) {
        Ok(role) => role,
        Err(e) => return outcome::<()>(&staff, &to, Err(e), "").await,
    };
    let password = (!f.password.is_empty()).then_some(f.password.as_str());
    let result = state
        .app
        .grant_staff(&staff.caller, &f.email, &name, role, password)
        .await;
    outcome(&staff, &to, result, "staff-added").await
}

#[derive(Deserialize)]
pub struct DeleteForm {
    confirm: String,
}

/// Deleting the actor: owners only, after typing its name.
pub async fn delete_actor(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<DeleteForm>,
) -> Result<Response> {
    let to = format!("/staff/as/{name}/settings");
    if f.confirm.trim() != name {
        let mismatch = Err::<(), _>(Error::bad_request(format!(
            "type {name} to confirm the deletion"
        )));
        // The app decides rights first, so an editor is refused, not asked to confirm.
        state
            .app
            .acting(&staff.caller, &name, puentes_app::Permission::Manage)
            .await?;
        return outcome(&staff, &to, mismatch, "").await;
    }
    state.app.delete_actor(&staff.caller, &name).await?;
    done(&staff.session, "/staff", "actor-deleted").await
}

#[derive(Serialize)]
struct HostRow {
    host: String,
    pending: i64,
    delivered: i64,
    failed: i64,
    failures: i32,
    parked: bool,
    blocked: bool,
}

/// `/staff/admin`: the instance's administrators only.
pub async fn admin_page(State(state): State<HttpState>, staff: Staff) -> Result<Response> {
    let blocks: Vec<(String, Option<String>)> = state
        .app
        .domain_blocks(&staff.caller)
        .await?
        .into_iter()
        .map(|i| (i.domain, i.block_reason))
        .collect();
    let now = chrono::Utc::now();
    let hosts: Vec<HostRow> = state
        .app
        .delivery_by_host(&staff.caller)
        .await?
        .into_iter()
        .map(|(q, health)| HostRow {
            failures: health.as_ref().map(|h| h.failure_count).unwrap_or(0),
            parked: health
                .as_ref()
                .and_then(|h| h.parked_until)
                .is_some_and(|p| p > now),
            blocked: health.as_ref().is_some_and(|h| h.blocked),
            host: q.host,
            pending: q.pending,
            delivered: q.delivered,
            failed: q.failed,
        })
        .collect();
    staff.page(
        &state,
        None,
        "staff/admin.html",
        context! {
            blocks => blocks,
            hosts => hosts,
            notice => take_notice(&staff.session).await,
            problem => staff.take_problem().await,
        },
    )
}

#[derive(Deserialize)]
pub struct DomainForm {
    domain: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    unblock: Option<String>,
}

pub async fn domain_block(
    State(state): State<HttpState>,
    staff: Staff,
    Form(f): Form<DomainForm>,
) -> Result<Response> {
    if f.unblock.is_some() {
        let result = state.app.domain_unblock(&staff.caller, &f.domain).await;
        return outcome(&staff, "/staff/admin", result, "unblocked").await;
    }
    let reason = (!f.reason.trim().is_empty()).then(|| f.reason.trim().to_string());
    let result = state
        .app
        .domain_block(&staff.caller, &f.domain, reason)
        .await;
    outcome(&staff, "/staff/admin", result, "blocked").await
}

#[derive(Deserialize)]
pub struct RetryForm {
    host: String,
}

pub async fn retry_host(
    State(state): State<HttpState>,
    staff: Staff,
    Form(f): Form<RetryForm>,
) -> Result<Response> {
    let result = state.app.retry_host(&staff.caller, &f.host).await;
    outcome(&staff, "/staff/admin", result, "retrying").await
}
