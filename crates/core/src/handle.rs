//! `name@domain` handles as typed on the command line or found in WebFinger.

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handle {
    pub name: String,
    /// `host[:port]`, lower-cased.
    pub domain: String,
}

impl Handle {
    /// Accepts `name@domain`, `@name@domain` and `acct:name@domain`.
    pub fn parse(input: &str) -> Result<Handle> {
        let trimmed = input.trim();
        let trimmed = trimmed.strip_prefix("acct:").unwrap_or(trimmed);
        let trimmed = trimmed.strip_prefix('@').unwrap_or(trimmed);
        let (name, domain) = trimmed.split_once('@').ok_or_else(|| {
            Error::bad_request(format!(
                "expected a handle like name@example.org, got {input:?}"
            ))
        })?;
        if name.is_empty() || domain.is_empty() || domain.contains('@') || domain.contains('/') {
            return Err(Error::bad_request(format!(
                "expected a handle like name@example.org, got {input:?}"
            )));
        }
        Ok(Handle {
            name: name.to_string(),
            domain: domain.to_lowercase(),
        })
    }

    pub fn acct(&self) -> String {
        format!("{}@{}", self.name, self.domain)
    }
}

/// Local usernames: what Mastodon accepts, so handles work everywhere.
pub fn validate_username(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 30
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(
            name,
            // `localhost` is the instance actor's name on a local test instance.
            "actor" | "inbox" | "admin" | "api" | "posts" | "activities" | "localhost"
        );
    if ok {
        Ok(())
    } else {
        Err(Error::bad_request(format!(
            "invalid name {name:?}: use 1 to 30 letters, digits or underscores (not a reserved word)"
        )))
    }
}

/// Bare domains (for domain blocks): lower-cased, no scheme, path or user.
pub fn normalize_domain(input: &str) -> Result<String> {
    let d = input.trim().trim_end_matches('.').to_lowercase();
    let d = d
        .strip_prefix("https://")
        .or_else(|| d.strip_prefix("http://"))
        .unwrap_or(&d);
    let d = d.trim_end_matches('/');
    if d.is_empty() || d.contains('/') || d.contains('@') || d.contains(' ') {
        return Err(Error::bad_request(format!("invalid domain {input:?}")));
    }
    Ok(d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_handle_forms() {
        for input in [
            "alpha@localhost:8080",
            "@alpha@localhost:8080",
            "acct:alpha@LOCALHOST:8080",
        ] {
            let h = Handle::parse(input).unwrap();
            assert_eq!(h.name, "alpha");
            assert_eq!(h.domain, "localhost:8080");
        }
        assert!(Handle::parse("alpha").is_err());
        assert!(Handle::parse("a@b@c").is_err());
    }

    #[test]
    fn usernames_are_restricted() {
        assert!(validate_username("red_migrantes").is_ok());
        assert!(validate_username("bad name").is_err());
        assert!(validate_username("inbox").is_err());
    }

    #[test]
    fn domains_normalize() {
        assert_eq!(
            normalize_domain("https://Bad.Example/").unwrap(),
            "bad.example"
        );
        assert!(normalize_domain("a/b").is_err());
    }
}
