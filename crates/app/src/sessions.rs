//! Web sessions of staff members: kept in the database, found by a hash of the id the
//! browser holds, listed and ended by their owner. The session middleware (in the web
//! crate) stores through here; what a session holds is its business.

use crate::{App, Caller, staff::check_password};
use chrono::{DateTime, Utc};
use puentes_core::{Error, Result};
use puentes_db::query::{self, staff_session::SessionData};
use sha2::{Digest, Sha256};

/// The stored form of a session id: a leaked table opens no session.
pub fn session_key(id: &str) -> String {
    Sha256::digest(id.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A live session as stored.
#[derive(Debug, Clone)]
pub struct StoredSession {
    pub data: String,
    pub expires_at: DateTime<Utc>,
}

/// One of a staff member's sessions, as they see it in their list.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub id: i64,
    pub user_agent: Option<String>,
    pub created_at: DateTime<Utc>,
    pub seen_at: DateTime<Utc>,
    /// The session this list is shown in.
    pub current: bool,
}

impl App {
    pub async fn load_session(&self, id: &str) -> Result<Option<StoredSession>> {
        Ok(query::staff_session::load(&self.db, &session_key(id))
            .await?
            .map(|row| StoredSession {
                data: row.data,
                expires_at: row.expires_at,
            }))
    }

    pub async fn session_exists(&self, id: &str) -> Result<bool> {
        query::staff_session::exists(&self.db, &session_key(id)).await
    }

    /// Keeps a session's values; `staff_id` says whose it is once they logged in.
    pub async fn save_session(
        &self,
        id: &str,
        staff_id: Option<i64>,
        data: String,
        user_agent: Option<String>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let key = session_key(id);
        query::staff_session::save(
            &self.db,
            SessionData {
                key: &key,
                staff_id,
                data,
                user_agent: user_agent.map(|ua| ua.chars().take(300).collect()),
                expires_at,
            },
        )
        .await
    }

    pub async fn delete_session(&self, id: &str) -> Result<()> {
        query::staff_session::delete(&self.db, &session_key(id)).await
    }

    pub async fn delete_expired_sessions(&self) -> Result<u64> {
        query::staff_session::delete_expired(&self.db).await
    }

    fn staff_id(caller: &Caller) -> Result<i64> {
        match caller {
            Caller::Staff(id) => Ok(*id),
            _ => Err(Error::forbidden("only a staff member has sessions")),
        }
    }

    /// The caller's own sessions; `current` (the id of the one they use) is marked.
    pub async fn my_sessions(&self, caller: &Caller, current: &str) -> Result<Vec<SessionInfo>> {
        let staff_id = Self::staff_id(caller)?;
        let current = session_key(current);
        Ok(query::staff_session::of_staff(&self.db, staff_id)
            .await?
            .into_iter()
            .map(|row| SessionInfo {
                id: row.id,
                user_agent: row.user_agent,
                created_at: row.created_at,
                seen_at: row.seen_at,
                current: row.key == current,
            })
            .collect())
    }

    /// Ends one of the caller's own sessions (logs that browser out).
    pub async fn end_session(&self, caller: &Caller, session: i64) -> Result<()> {
        let staff_id = Self::staff_id(caller)?;
        if query::staff_session::end(&self.db, staff_id, session).await? {
            Ok(())
        } else {
            Err(Error::not_found("session"))
        }
    }

    /// Changes the caller's own password, which they must give again; their other sessions
    /// end (whoever else knew the old password is logged out).
    pub async fn change_password(
        &self,
        caller: &Caller,
        current_session: &str,
        old: &str,
        new: &str,
    ) -> Result<()> {
        let staff_id = Self::staff_id(caller)?;
        let account = query::staff::get(&self.db, staff_id).await?;
        if self.authenticate(&account.email, old).await.is_err() {
            return Err(Error::forbidden("the current password is not right"));
        }
        check_password(new)?;
        self.set_staff_password(caller, &account.email, new).await?;
        query::staff_session::end_others(&self.db, staff_id, &session_key(current_session)).await?;
        Ok(())
    }
}
