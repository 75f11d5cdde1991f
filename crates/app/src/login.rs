//! Logging in: the one entry for every front door that takes a password (the staff pages,
//! the OAuth consent page and password grant of the client API). Failed attempts are
//! counted per account (even an unknown one, so a lockout says nothing about which emails
//! exist) and per client address: too many lock further attempts out for a while, whatever
//! the password.

use crate::{App, staff::StaffMember};
use puentes_core::{Error, ErrorKind, Result};
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Failed logins per account before it is locked for [`LOCKOUT`].
pub const MAX_FAILURES_PER_ACCOUNT: u32 = 5;
/// Failed logins per client address within [`WINDOW`] before it must wait.
pub const MAX_FAILURES_PER_CLIENT: u32 = 20;
/// How long failures are remembered, and how long a lockout lasts.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);
/// Above this many remembered keys, forgotten ones are swept (memory stays bounded under
/// a flood of made-up emails).
const SWEEP_ABOVE: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    first: Instant,
    locked_until: Option<Instant>,
}

/// Failed attempts, in memory: a restart forgets them, which only shortens a lockout.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Failures>>,
}

impl LoginThrottle {
    fn key_account(email: &str) -> String {
        format!("account:{}", email.trim().to_lowercase())
    }

    fn key_client(client: &str) -> String {
        format!("client:{client}")
    }

    /// Refuses when the account or the client is locked out.
    fn check(&self, email: &str, client: &str, now: Instant) -> Result<()> {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for key in [Self::key_account(email), Self::key_client(client)] {
            if let Some(until) = map.get(&key).and_then(|f| f.locked_until)
                && until > now
            {
                let minutes = (until - now).as_secs().div_ceil(60).max(1);
                return Err(Error::new(
                    ErrorKind::RateLimited,
                    format!("too many failed logins: try again in {minutes} minutes"),
                ));
            }
        }
        Ok(())
    }

    fn failed(&self, email: &str, client: &str, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, f| {
                now.duration_since(f.first) < WINDOW || f.locked_until.is_some_and(|u| u > now)
            });
        }
        for (key, max) in [
            (Self::key_account(email), MAX_FAILURES_PER_ACCOUNT),
            (Self::key_client(client), MAX_FAILURES_PER_CLIENT),
        ] {
            let entry = map.entry(key).or_insert(Failures {
                count: 0,
                first: now,
                locked_until: None,
            });
            let expired_lock = entry.locked_until.is_some_and(|u| u <= now);
            if now.duration_since(entry.first) >= WINDOW || expired_lock {
                *entry = Failures {
                    count: 0,
                    first: now,
                    locked_until: None,
                };
            }
            entry.count += 1;
            if entry.count >= max {
                entry.locked_until = Some(now + LOCKOUT);
            }
        }
    }

    /// A right password clears the account's failures (not the client's: one good account
    /// must not reset the count of an address guessing at others).
    fn succeeded(&self, email: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&Self::key_account(email));
    }
}

impl App {
    /// Logs a staff member in with email and password, from a client address (the
    /// requester's IP, or any stable key for it). Refused alike for an unknown email and a
    /// wrong password; refused with `RateLimited` while the account or the address is locked
    /// out, even with the right password.
    pub async fn login(&self, email: &str, password: &str, client: &str) -> Result<StaffMember> {
        self.logins.check(email, client, Instant::now())?;
        match self.authenticate(email, password).await {
            Ok(member) => {
                self.logins.succeeded(email);
                Ok(member)
            }
            Err(e) if e.kind() == ErrorKind::Unauthorized => {
                self.logins.failed(email, client, Instant::now());
                tracing::info!(client, "failed staff login");
                Err(e)
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testing::TestApp;
    use puentes_core::{ActorKind, StaffRole};

    #[test]
    fn lockout_ends_and_windows_expire() {
        let t = LoginThrottle::default();
        let start = Instant::now();
        for _ in 0..MAX_FAILURES_PER_ACCOUNT {
            t.check("a@x.org", "ip1", start).unwrap();
            t.failed("A@X.org", "ip1", start);
        }
        // Locked, whichever case the email is typed in, from another address too.
        assert!(t.check("a@x.org", "ip2", start).is_err());
        assert!(t.check("A@x.ORG", "ip3", start).is_err());
        assert!(t.check("b@x.org", "ip1", start).is_ok());
        assert!(t.check("a@x.org", "ip2", start + LOCKOUT).is_ok());
        // Failures spread beyond the window do not add up.
        let t = LoginThrottle::default();
        for i in 0..(MAX_FAILURES_PER_ACCOUNT * 2) {
            let at = start + WINDOW * i;
            t.failed("c@x.org", "ip", at);
            assert!(t.check("c@x.org", "ip", at).is_ok());
        }
    }

    #[test]
    fn one_address_guessing_many_accounts_is_stopped() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..MAX_FAILURES_PER_CLIENT {
            t.check(&format!("u{i}@x.org"), "ip", now).unwrap();
            t.failed(&format!("u{i}@x.org"), "ip", now);
        }
        let refused = t.check("new@x.org", "ip", now).unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::RateLimited);
        assert!(t.check("new@x.org", "other-ip", now).is_ok());
    }

    #[tokio::test]
    async fn login_locks_out_even_the_right_password() {
        for app in TestApp::all().await {
            lockout(&app).await;
            app.close().await;
        }
    }

    async fn lockout(app: &TestApp) {
        app.actor("ong", ActorKind::Organization).await;
        app.app
            .grant_staff(
                &crate::Caller::Operator,
                "Maria@Ong.example",
                "ong",
                StaffRole::Owner,
                Some("correct horse battery"),
            )
            .await
            .unwrap();
        // Emails compare case-blind.
        let member = app
            .login("  maria@ONG.example ", "correct horse battery", "ip")
            .await
            .unwrap();
        assert_eq!(member.account.email, "maria@ong.example");
        for _ in 0..MAX_FAILURES_PER_ACCOUNT {
            let e = app.login("maria@ong.example", "wrong", "ip").await;
            assert_eq!(e.unwrap_err().kind(), ErrorKind::Unauthorized);
        }
        let locked = app
            .login("maria@ong.example", "correct horse battery", "ip2")
            .await;
        assert_eq!(locked.unwrap_err().kind(), ErrorKind::RateLimited);
        // An unknown email gets the same treatment as a known one.
        for _ in 0..MAX_FAILURES_PER_ACCOUNT {
            let e = app.login("nobody@ong.example", "wrong", "ip3").await;
            assert_eq!(e.unwrap_err().kind(), ErrorKind::Unauthorized);
        }
        let e = app.login("nobody@ong.example", "wrong", "ip3").await;
        assert_eq!(e.unwrap_err().kind(), ErrorKind::RateLimited);
    }
}
