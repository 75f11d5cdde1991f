//! Independent verification of a statement and its endorsements, read from its origin or
//! from any copy: every proof against its signer's published key, every digest against the
//! version's text, and the revocations.

use crate::{
    FedContext,
    fetch::collection_documents,
    integrity,
    objects::statement::assertion_key,
    protocol::{
        helpers::{id_of, type_of},
        statement::{frozen_core, parse_endorse, parse_statement},
    },
};
use puentes_core::{Error, Result};
use serde_json::Value;
use std::collections::BTreeSet;
use url::Url;

/// What became of one signed entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Verified,
    /// Verified with the key this instance kept, because the signer's server did not answer.
    VerifiedWithKeptKey,
    Failed(String),
    Revoked,
    /// Taken off the list by the owner (its right), not withdrawn by the endorser.
    RemovedByOwner,
}

impl Check {
    pub fn is_ok(&self) -> bool {
        matches!(self, Check::Verified | Check::VerifiedWithKeptKey)
    }
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub actor: String,
    pub id: String,
    pub check: Check,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub url: String,
    pub version_id: String,
    pub title: String,
    pub version: i32,
    /// Read from a copy kept by another server (not the owner's).
    pub copy: bool,
    pub owner: String,
    pub owner_proof: Check,
    pub digest: String,
    pub endorsements: Vec<Entry>,
    pub revocations: Vec<Entry>,
    pub anonymous: u64,
    pub problems: Vec<String>,
}

impl Report {
    pub fn verified(&self) -> usize {
        self.endorsements.iter().filter(|e| e.check.is_ok()).count()
    }

    /// Did anything fail? Revoked entries that are no longer listed are fine.
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
            && self.owner_proof.is_ok()
            && self.endorsements.iter().all(|e| e.check.is_ok())
            && self
                .revocations
                .iter()
                .all(|e| matches!(e.check, Check::Revoked | Check::RemovedByOwner))
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let describe = |check: &Check| match check {
            Check::Verified => "verified".to_string(),
            Check::VerifiedWithKeptKey => {
                "verified (with the key kept here; the signer's server did not answer)".into()
            }
            Check::Failed(reason) => format!("FAILED: {reason}"),
            Check::Revoked => "revoked (signed withdrawal verified)".into(),
            Check::RemovedByOwner => "removed by the owner".into(),
        };
        writeln!(f, "Statement: {} (version {})", self.title, self.version)?;
        writeln!(f, "  id:          {}", self.version_id)?;
        writeln!(
            f,
            "  read from:   {}{}",
            self.url,
            if self.copy { " (a copy)" } else { "" }
        )?;
        writeln!(f, "  owner:       {}", self.owner)?;
        writeln!(f, "  owner proof: {}", describe(&self.owner_proof))?;
        writeln!(f, "  digest:      {}", self.digest)?;
        let failed = self.endorsements.len() - self.verified();
        writeln!(
            f,
            "Endorsements: {} verified, {} failed, {} anonymous (counted by the owner, not checkable)",
            self.verified(),
            failed,
            self.anonymous
        )?;
        let entries = |f: &mut std::fmt::Formatter<'_>, list: &[Entry]| {
            for entry in list {
                writeln!(
                    f,
                    "  {}  {}  [{}]",
                    entry.actor,
                    describe(&entry.check),
                    entry.id
                )?;
            }
            Ok(())
        };
        entries(f, &self.endorsements)?;
        writeln!(f, "Revocations: {}", self.revocations.len())?;
        entries(f, &self.revocations)?;
        for problem in &self.problems {
            writeln!(f, "Problem: {problem}")?;
        }
        write!(f, "Result: {}", if self.passed() { "OK" } else { "FAILED" })
    }
}

/// Checks a proof against the signer's key from its own server, or the key we kept when
/// that server cannot be reached.
async fn check_proof(ctx: &FedContext, document: &Value, actor: &Url) -> Check {
    let Some(key_id) = integrity::proof_key_id(document) else {
        return Check::Failed("no proof".into());
    };
    let (key, kept) = match assertion_key(ctx, key_id, actor, true).await {
        Ok(key) => (key, false),
        Err(fresh) if fresh.kind() == puentes_core::ErrorKind::RemoteFailure => {
            match assertion_key(ctx, key_id, actor, false).await {
                Ok(key) => (key, true),
                Err(_) => {
                    return Check::Failed(format!("the signer's key is unreachable: {fresh}"));
                }
            }
        }
        Err(e) => return Check::Failed(e.message().to_string()),
    };
    match integrity::verify(document, &key) {
        Ok(()) if kept => Check::VerifiedWithKeptKey,
        Ok(()) => Check::Verified,
        Err(e) => Check::Failed(e.to_string()),
    }
}

pub async fn verify(ctx: &FedContext, url: &str) -> Result<Report> {
    let url = Url::parse(url).map_err(|_| Error::bad_request(format!("{url:?} is not a URL")))?;
    let fetched = crate::fetch::signed_get_json(ctx, &url, None).await?;
    let copy = type_of(&fetched) == Some("StatementCopy");
    let document = if copy {
        fetched
            .get("object")
            .cloned()
            .ok_or_else(|| Error::bad_request("the copy holds no statement"))?
    } else {
        fetched.clone()
    };
    let statement = parse_statement(&document)
        .map_err(|e| Error::bad_request(format!("{url} is not a statement: {e}")))?;
    let collection = |key: &str| {
        fetched
            .get(key)
            .or(document.get(key))
            .and_then(id_of)
            .ok_or_else(|| Error::bad_request(format!("the statement has no {key} collection")))
    };
    let owner_proof = check_proof(ctx, &document, &statement.owner).await;
    let digest = integrity::digest_multibase(&frozen_core(&document))?;
    let mut problems = Vec::new();

    let (_, revocation_items) =
        collection_documents(ctx, &collection("revocations")?, None, 100).await?;
    let mut revoked = BTreeSet::new();
    let mut revocations = Vec::new();
    for item in revocation_items {
        let actor = item.get("actor").and_then(id_of);
        let undone = item.get("object").and_then(id_of);
        let check = match (&actor, &undone, type_of(&item)) {
            (Some(actor), Some(undone), Some("Undo")) => match check_proof(ctx, &item, actor).await
            {
                c if c.is_ok() => {
                    revoked.insert(undone.to_string());
                    Check::Revoked
                }
                c => c,
            },
            (_, Some(undone), Some("Remove")) => {
                revoked.insert(undone.to_string());
                Check::RemovedByOwner
            }
            _ => Check::Failed("not a withdrawal of an endorsement".into()),
        };
        revocations.push(Entry {
            actor: actor.map(String::from).unwrap_or_default(),
            id: undone.map(String::from).unwrap_or_default(),
            check,
        });
    }

    let (head, endorsement_items) =
        collection_documents(ctx, &collection("endorsements")?, None, 100).await?;
    let mut endorsements = Vec::new();
    for item in endorsement_items {
        let item = match &item {
            Value::String(_) => match item.as_str().and_then(|s| Url::parse(s).ok()) {
                Some(id) => crate::fetch::signed_get_json(ctx, &id, None)
                    .await
                    .unwrap_or(item),
                None => item,
            },
            _ => item,
        };
        let entry = match parse_endorse(&item) {
            Err(e) => Entry {
                actor: String::new(),
                id: item
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                check: Check::Failed(e),
            },
            Ok(endorse) => {
                let check = if endorse.object != statement.id {
                    Check::Failed("endorses another statement version".into())
                } else if endorse.digest != digest {
                    Check::Failed("digestMultibase does not match this version's text".into())
                } else if revoked.contains(endorse.id.as_str()) {
                    Check::Failed("listed although withdrawn".into())
                } else {
                    check_proof(ctx, &item, &endorse.actor).await
                };
                Entry {
                    actor: endorse.actor.to_string(),
                    id: endorse.id.to_string(),
                    check,
                }
            }
        };
        endorsements.push(entry);
    }
    let anonymous = head
        .get("anonymousItems")
        .and_then(Value::as_u64)
        .or_else(|| {
            document
                .get("anonymousEndorsementCount")
                .and_then(Value::as_u64)
        })
        .unwrap_or(0);
    if let Some(total) = head.get("totalItems").and_then(Value::as_u64)
        && total != endorsements.len() as u64 + anonymous
    {
        problems.push(format!(
            "the collection claims {total} endorsements but lists {} and {anonymous} anonymous",
            endorsements.len()
        ));
    }
    Ok(Report {
        url: url.to_string(),
        version_id: statement.id.to_string(),
        title: statement.name,
        version: statement.version,
        copy,
        owner: statement.owner.to_string(),
        owner_proof,
        digest,
        endorsements,
        revocations,
        anonymous,
        problems,
    })
}
