//! Logging in and out, the password, and one's sessions.

use super::{Staff, done, session, take_notice};
use crate::{HttpState, Reader, peer::LoginClient, render::local_path};
use axum::{
    Form,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use minijinja::context;
use puentes_core::{Error, ErrorKind, Result};
use serde::Deserialize;
use tower_sessions::{Expiry, Session};

fn session_error(e: impl std::fmt::Display) -> Error {
    Error::internal(format!("session: {e}"))
}

/// `/staff`: the first actor's inbox, or the account page for someone without a role.
pub async fn home(State(state): State<HttpState>, staff: Staff) -> Result<Response> {
    match staff.member.roles.first() {
        Some((_, actor)) => {
            Ok(Redirect::to(&format!("/staff/as/{}", actor.username)).into_response())
        }
        None => account_page(State(state), staff).await,
    }
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

fn login_form(
    state: &HttpState,
    reader: &Reader,
    csrf: &str,
    next: &str,
    email: &str,
    problem: Option<&str>,
    status: StatusCode,
) -> Result<Response> {
    let mut response = state.page(
        reader,
        "staff/login.html",
        context! { csrf => csrf, next => next, email => email, problem => problem },
    )?;
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// The login form. Its token lives in a short session made for it.
pub async fn login_page(
    State(state): State<HttpState>,
    reader: Reader,
    session: Session,
    staff: Option<Staff>,
    Query(q): Query<NextQuery>,
) -> Result<Response> {
    let next = local_path(q.next.as_deref());
    if staff.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    session.set_expiry(Some(Expiry::OnInactivity(
        tower_sessions::cookie::time::Duration::hours(2),
    )));
    let csrf = session::csrf_token(&session).await?;
    login_form(&state, &reader, &csrf, &next, "", None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

pub async fn login(
    State(state): State<HttpState>,
    reader: Reader,
    session: Session,
    LoginClient(client): LoginClient,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response> {
    let next = local_path(form.next.as_deref());
    match state.app.login(&form.email, &form.password, &client).await {
        Ok(member) => {
            // A new id and a new token: nothing from before the login carries over.
            session.cycle_id().await.map_err(session_error)?;
            session.clear().await;
            session.set_expiry(Some(Expiry::OnInactivity(
                tower_sessions::cookie::time::Duration::days(7),
            )));
            session
                .insert(session::STAFF_KEY, member.account.id)
                .await
                .map_err(session_error)?;
            session
                .insert(session::CSRF_KEY, session::new_token())
                .await
                .map_err(session_error)?;
            let agent = headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            session
                .insert(session::AGENT_KEY, agent)
                .await
                .map_err(session_error)?;
            let to = if next == "/" {
                "/staff".to_string()
            } else {
                next
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let (problem, status) = match e.kind() {
                ErrorKind::Unauthorized => ("wrong", StatusCode::UNAUTHORIZED),
                ErrorKind::RateLimited => ("locked", StatusCode::TOO_MANY_REQUESTS),
                _ => return Err(e),
            };
            let csrf = session::csrf_token(&session).await?;
            login_form(
                &state,
                &reader,
                &csrf,
                &next,
                form.email.trim(),
                Some(problem),
                status,
            )
        }
    }
}

pub async fn logout(session: Session) -> Result<Response> {
    session.flush().await.map_err(session_error)?;
    Ok(Redirect::to("/staff/login").into_response())
}

/// A client app's token, as its owner sees it on the account page.
#[derive(serde::Serialize)]
struct TokenView {
    id: i64,
    app: String,
    actor: Option<String>,
    scopes: String,
    created: String,
}

#[derive(serde::Serialize)]
struct SessionView {
    id: i64,
    agent: Option<String>,
    created: String,
    seen: String,
    current: bool,
}

pub async fn account_page(State(state): State<HttpState>, staff: Staff) -> Result<Response> {
    let current = staff
        .session
        .id()
        .map(|i| i.to_string())
        .unwrap_or_default();
    let sessions: Vec<SessionView> = state
        .app
        .my_sessions(&staff.caller, &current)
        .await?
        .into_iter()
        .map(|s| SessionView {
            id: s.id,
            agent: s.user_agent,
            created: s.created_at.to_rfc3339(),
            seen: s.seen_at.to_rfc3339(),
            current: s.current,
        })
        .collect();
    let tokens: Vec<TokenView> = state
        .app
        .list_tokens(&staff.caller)
        .await?
        .into_iter()
        .map(|(grant, app, actor)| TokenView {
            id: grant.id,
            app: app.name,
            actor: actor.map(|a| a.username),
            scopes: grant.scopes,
            created: grant.created_at.to_rfc3339(),
        })
        .collect();
    let notice = take_notice(&staff.session).await;
    staff.page(
        &state,
        None,
        "staff/account.html",
        context! { sessions => sessions, tokens => tokens, notice => notice },
    )
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    again: String,
}

pub async fn change_password(
    State(state): State<HttpState>,
    staff: Staff,
    Form(form): Form<PasswordForm>,
) -> Result<Response> {
    if form.new != form.again {
        return done(&staff.session, "/staff/account", "password-mismatch").await;
    }
    let current = staff
        .session
        .id()
        .map(|i| i.to_string())
        .unwrap_or_default();
    match state
        .app
        .change_password(&staff.caller, &current, &form.current, &form.new)
        .await
    {
        Ok(()) => done(&staff.session, "/staff/account", "password-changed").await,
        Err(e) if e.kind() == ErrorKind::Forbidden => {
            done(&staff.session, "/staff/account", "password-wrong").await
        }
        Err(e) if e.kind() == ErrorKind::BadRequest => {
            done(&staff.session, "/staff/account", "password-weak").await
        }
        Err(e) => Err(e),
    }
}

pub async fn end_session(
    State(state): State<HttpState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response> {
    state.app.end_session(&staff.caller, id).await?;
    done(&staff.session, "/staff/account", "session-ended").await
}

/// Revokes one of the staff member's own client tokens; the app is signed out at once.
pub async fn revoke_token(
    State(state): State<HttpState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response> {
    state.app.revoke_token_by_id(&staff.caller, id).await?;
    done(&staff.session, "/staff/account", "token-revoked").await
}
