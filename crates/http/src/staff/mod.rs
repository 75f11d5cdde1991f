//! The staff pages: what an organization's or alliance's staff do from a phone browser.
//! Every form calls a command of the app layer, for `Caller::Staff`; rights are checked
//! there, once. Pages act as the actor named in their address (`/staff/as/{name}/…`), so
//! two tabs never disagree about whom they speak for.

use crate::{HttpState, Reader};
use axum::{
    Router,
    extract::{FromRequestParts, OptionalFromRequestParts},
    http::{HeaderValue, header, request::Parts},
    middleware::from_fn_with_state,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use minijinja::{Value, context};
use puentes_app::{Acting, Caller, staff::StaffMember};
use puentes_core::{Error, Result, StaffRole};
use serde::Serialize;
use tower_sessions::Session;

pub mod account;
pub mod compose;
pub mod inbox;
pub mod session;

pub fn router(state: &HttpState) -> Router<HttpState> {
    Router::new()
        .route("/staff", get(account::home))
        .route(
            "/staff/login",
            get(account::login_page).post(account::login),
        )
        .route("/staff/logout", post(account::logout))
        .route(
            "/staff/account",
            get(account::account_page).post(account::change_password),
        )
        .route("/staff/sessions/{id}/end", post(account::end_session))
        .route("/staff/as/{name}", get(inbox::inbox))
        .route(
            "/staff/as/{name}/compose",
            get(compose::compose_page).post(compose::publish),
        )
        .route("/staff/as/{name}/posts", get(compose::posts_page))
        .route(
            "/staff/as/{name}/posts/{id}/edit",
            get(compose::edit_page).post(compose::edit),
        )
        .route("/staff/as/{name}/posts/{id}/delete", post(compose::delete))
        .route("/staff/as/{name}/decide", post(inbox::decide))
        .layer(from_fn_with_state(state.clone(), session::require_csrf))
        .layer(session::layer(state))
        .layer(axum::extract::DefaultBodyLimit::max(
            session::MAX_FORM_BYTES,
        ))
}

/// A logged-in staff member on a staff page.
pub struct Staff {
    pub caller: Caller,
    pub member: StaffMember,
    pub session: Session,
    pub csrf: String,
    pub reader: Reader,
}

/// Sends a visitor who is not logged in to the login page, then back.
fn to_login(path: &str) -> Response {
    let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
    Redirect::to(&format!("/staff/login?next={next}")).into_response()
}

fn session_error(e: impl std::fmt::Display) -> Error {
    Error::internal(format!("session: {e}"))
}

impl FromRequestParts<HttpState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &HttpState,
    ) -> std::result::Result<Self, Response> {
        let reader = Reader::from_request_parts(parts, state)
            .await
            .unwrap_or_else(|e| match e {});
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let staff_id = session
            .get::<i64>(session::STAFF_KEY)
            .await
            .map_err(|e| session_error(e).into_response())?;
        let Some(staff_id) = staff_id else {
            return Err(to_login(&reader.path));
        };
        let member = match state.app.staff_member(staff_id).await {
            Ok(member) => member,
            // The account was removed: the session is worth nothing any more.
            Err(e) if e.kind() == puentes_core::ErrorKind::NotFound => {
                let _ = session.flush().await;
                return Err(to_login(&reader.path));
            }
            Err(e) => return Err(e.into_response()),
        };
        let csrf = session::csrf_token(&session)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Staff {
            caller: Caller::Staff(staff_id),
            member,
            session,
            csrf,
            reader,
        })
    }
}

impl OptionalFromRequestParts<HttpState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &HttpState,
    ) -> std::result::Result<Option<Self>, Response> {
        match <Staff as FromRequestParts<HttpState>>::from_request_parts(parts, state).await {
            Ok(staff) => Ok(Some(staff)),
            Err(r) if r.status().is_redirection() => Ok(None),
            Err(r) => Err(r),
        }
    }
}

/// An actor in the switcher.
#[derive(Serialize)]
pub struct ActorChoice {
    pub name: String,
    pub display: String,
    pub role: String,
    pub alliance: bool,
    pub current: bool,
}

impl Staff {
    /// The actor named in the address, if the staff member holds any role on it. What the
    /// role allows is for each command to say.
    pub async fn acting(&self, state: &HttpState, name: &str) -> Result<Acting> {
        // Every role may publish: this is "holds a role on it", asked of the app layer.
        state
            .app
            .acting(&self.caller, name, puentes_app::Permission::Publish)
            .await
    }

    /// Renders a staff page: the layout gets who is logged in, whom they act as, the actor
    /// switcher and the CSRF token for every form.
    pub fn page(
        &self,
        state: &HttpState,
        acting: Option<&Acting>,
        template: &str,
        ctx: Value,
    ) -> Result<Response> {
        let current = acting.map(|a| a.actor.id);
        let actors: Vec<ActorChoice> = self
            .member
            .roles
            .iter()
            .map(|(role, a)| ActorChoice {
                name: a.username.clone(),
                display: a.display_name.clone().unwrap_or_else(|| a.username.clone()),
                role: role.as_str().to_string(),
                alliance: a.is_alliance(),
                current: Some(a.id) == current,
            })
            .collect();
        let acting_ctx = acting.map(|a| {
            let role = a.role.map(|r| r.as_str()).unwrap_or("owner");
            context! {
                name => a.actor.username,
                display => a.actor.display_name.clone().unwrap_or_else(|| a.actor.username.clone()),
                handle => a.actor.handle().acct(),
                role => role,
                alliance => a.actor.is_alliance(),
                decides => matches!(a.role, Some(StaffRole::Owner | StaffRole::Secretariat)),
                manages => matches!(a.role, Some(StaffRole::Owner)),
            }
        });
        let full = context! {
            ..ctx,
            ..context! {
                csrf => self.csrf,
                me => self.member.account.email,
                is_admin => self.member.account.is_admin,
                actors => actors,
                acting => acting_ctx,
                staff_page => true,
            }
        };
        let mut response = state.page(&self.reader, template, full)?;
        // Staff pages are personal and change with every decision.
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        Ok(response)
    }
}

/// After a form: back to a page of ours, with a short notice of what happened.
pub async fn done(session: &Session, to: &str, notice: &str) -> Result<Response> {
    session
        .insert("notice", notice)
        .await
        .map_err(session_error)?;
    Ok(Redirect::to(&crate::render::local_path(Some(to))).into_response())
}

/// The notice left by the last form, shown once.
pub async fn take_notice(session: &Session) -> Option<String> {
    session.remove::<String>("notice").await.ok().flatten()
}
