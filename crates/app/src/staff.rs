//! Staff accounts: the people who act for organizations and alliances. They never appear in
//! anything public; their passwords are hashed with argon2.

use crate::{App, Caller, Permission};
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier, password_hash::SaltString};
use puentes_core::{Error, Result, StaffRole};
use puentes_db::{actor, query, staff, staff_role};

pub const MIN_PASSWORD_CHARS: usize = 10;
const MAX_PASSWORD_CHARS: usize = 1000;

/// Emails are compared as typed by people: without surrounding space, case-blind.
pub fn normalize_email(email: &str) -> Result<String> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@')
        })
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if !valid {
        return Err(Error::bad_request(format!(
            "{email:?} is not an email address"
        )));
    }
    Ok(email)
}

pub(crate) fn check_password(password: &str) -> Result<()> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(Error::bad_request(format!(
            "the password must have at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(Error::bad_request("the password is too long"));
    }
    Ok(())
}

/// Hashing takes a deliberate while: keep it off the async workers.
async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::internal(format!("cannot hash the password: {e}")))
    })
    .await
    .map_err(|e| Error::internal("password hashing failed").with_source(e))?
}

async fn verify_password(password: &str, hash: &str) -> Result<bool> {
    let (password, hash) = (password.to_string(), hash.to_string());
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&hash) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .map_err(|e| Error::internal("password check failed").with_source(e))
}

/// A staff member and the roles they hold.
#[derive(Debug, Clone)]
pub struct StaffMember {
    pub account: staff::Model,
    pub roles: Vec<(StaffRole, actor::Model)>,
}

impl App {
    /// Creates a staff account (or adds a role to an existing one). The operator may grant
    /// anything; an owner may grant roles on the actor it owns.
    pub async fn grant_staff(
        &self,
        caller: &Caller,
        email: &str,
        actor_name: &str,
        role: StaffRole,
        password: Option<&str>,
    ) -> Result<(staff::Model, bool)> {
        let acting = self.acting(caller, actor_name, Permission::Manage).await?;
        if role == StaffRole::Secretariat && !acting.actor.is_alliance() {
            return Err(Error::bad_request(
                "secretariat is a role on alliances: use owner or editor",
            ));
        }
        let email = normalize_email(email)?;
        let existing = query::staff::by_email(&self.db, &email).await?;
        let hash = match (password, &existing) {
            (Some(password), _) => {
                check_password(password)?;
                hash_password(password).await?
            }
            (None, Some(account)) => account.password_hash.clone(),
            (None, None) => {
                return Err(Error::bad_request("a new staff account needs a password"));
            }
        };
        let txn = self.write().await?;
        let (account, created) =
            query::staff::grant(&txn, &email, &hash, acting.actor.id, role).await?;
        let account = match (password, created) {
            // A password given for an existing account replaces it.
            (Some(_), false) => query::staff::set_password(&txn, account, &hash).await?,
            _ => account,
        };
        self.commit(txn).await?;
        Ok((account, created))
    }

    /// Staff of one actor (its owners see them), or of every actor (the operator).
    pub async fn list_staff(
        &self,
        caller: &Caller,
        actor_name: Option<&str>,
    ) -> Result<Vec<(staff::Model, staff_role::Model, actor::Model)>> {
        let actor_id = match actor_name {
            Some(name) => Some(
                self.acting(caller, name, Permission::Manage)
                    .await?
                    .actor
                    .id,
            ),
            None => {
                self.require_admin(caller).await?;
                None
            }
        };
        let mut out = Vec::new();
        for (account, role) in query::staff::list(&self.db, actor_id).await? {
            let actor = query::actor::get(&self.db, role.actor_id).await?;
            out.push((account, role, actor));
        }
        Ok(out)
    }

    /// Removes a staff member's role on one actor (or on every actor, for the operator);
    /// the account goes with its last role. The last owner of an actor stays.
    pub async fn remove_staff(
        &self,
        caller: &Caller,
        email: &str,
        actor_name: Option<&str>,
    ) -> Result<usize> {
        let email = normalize_email(email)?;
        let account = query::staff::by_email(&self.db, &email)
            .await?
            .ok_or_else(|| Error::not_found(format!("staff account {email}")))?;
        let roles = query::staff::roles_of(&self.db, account.id).await?;
        let targets: Vec<(staff_role::Model, actor::Model)> = match actor_name {
            Some(name) => {
                let acting = self.acting(caller, name, Permission::Manage).await?;
                roles
                    .into_iter()
                    .filter(|(_, a)| a.id == acting.actor.id)
                    .collect()
            }
            None => {
                self.require_admin(caller).await?;
                roles
            }
        };
        if targets.is_empty() {
            return Err(Error::not_found(format!(
                "a role of {email}{}",
                actor_name.map(|n| format!(" on {n}")).unwrap_or_default()
            )));
        }
        let txn = self.write().await?;
        for (role, actor) in &targets {
            if role.role() == StaffRole::Owner
                && actor.deleted_at.is_none()
                && query::staff::count_with_role(&txn, actor.id, StaffRole::Owner).await? <= 1
                && !caller.is_operator()
            {
                return Err(Error::conflict(format!(
                    "{email} is the last owner of {}: name another owner first",
                    actor.username
                )));
            }
            query::staff::revoke(&txn, account.id, actor.id).await?;
        }
        self.commit(txn).await?;
        Ok(targets.len())
    }

    /// Sets a new password: the operator for anyone (a reset), a staff member for itself.
    pub async fn set_staff_password(
        &self,
        caller: &Caller,
        email: &str,
        password: &str,
    ) -> Result<()> {
        let email = normalize_email(email)?;
        let account = query::staff::by_email(&self.db, &email)
            .await?
            .ok_or_else(|| Error::not_found(format!("staff account {email}")))?;
        match caller {
            Caller::Staff(id) if *id == account.id => {}
            _ => self.require_admin(caller).await?,
        }
        check_password(password)?;
        let hash = hash_password(password).await?;
        query::staff::set_password(&self.db, account, &hash).await?;
        Ok(())
    }

    /// Lets a staff member administer the instance, or stops it (operator only).
    pub async fn set_staff_admin(&self, caller: &Caller, email: &str, admin: bool) -> Result<()> {
        if !caller.is_operator() {
            return Err(Error::forbidden(
                "only the operator names instance administrators",
            ));
        }
        let email = normalize_email(email)?;
        let account = query::staff::by_email(&self.db, &email)
            .await?
            .ok_or_else(|| Error::not_found(format!("staff account {email}")))?;
        query::staff::set_admin(&self.db, account, admin).await?;
        Ok(())
    }

    /// Checks an email and password; the same refusal whether the account exists or not.
    /// Front doors call [`App::login`], which adds the rate limit and lockout.
    pub(crate) async fn authenticate(&self, email: &str, password: &str) -> Result<StaffMember> {
        let refused = || Error::unauthorized("wrong email or password");
        let email = normalize_email(email).map_err(|_| refused())?;
        let account = query::staff::by_email(&self.db, &email).await?;
        // A dummy verification keeps the timing alike for unknown accounts.
        let hash = account
            .as_ref()
            .map(|a| a.password_hash.clone())
            .unwrap_or_else(|| DUMMY_HASH.to_string());
        let ok = verify_password(password, &hash).await?;
        match account {
            Some(account) if ok => self.staff_member(account.id).await,
            _ => Err(refused()),
        }
    }

    /// A staff member with their roles.
    pub async fn staff_member(&self, staff_id: i64) -> Result<StaffMember> {
        let account = query::staff::get(&self.db, staff_id).await?;
        let roles = query::staff::roles_of(&self.db, staff_id)
            .await?
            .into_iter()
            .filter(|(_, a)| a.deleted_at.is_none())
            .map(|(r, a)| (r.role(), a))
            .collect();
        Ok(StaffMember { account, roles })
    }
}

/// An argon2 hash of a random string, verified against when an email is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Vb3Eu5Yx0wC2Ldc3mK0Zr8y6Jw0gq3m8a7M4kVx3bA";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized() {
        assert_eq!(
            normalize_email("  MARIA.Defensora@Example.ORG ").unwrap(),
            "maria.defensora@example.org"
        );
        assert!(normalize_email("not-an-email").is_err());
        assert!(normalize_email("a b@example.org").is_err());
    }
}
