//! Every message of the interface exists in all four languages, every key the templates use
//! exists, and every message formats without a missing argument.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use puentes_http::i18n::{Arg, I18n, Lang};
use std::{collections::BTreeSet, path::PathBuf};

fn web() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../web"))
}

/// Keys built in templates from a prefix (`t("role-" ~ role)`), with every suffix used.
const DYNAMIC: &[(&str, &[&str])] = &[
    (
        "error-title-",
        &["400", "403", "404", "410", "429", "500", "503"],
    ),
    (
        "error-text-",
        &["400", "403", "404", "410", "429", "500", "503"],
    ),
    (
        "follow-error-",
        &["invalid", "not-found", "no-template", "unreachable"],
    ),
    ("role-", &["member", "observer", "secretariat"]),
    ("staff-role-", &["owner", "editor", "secretariat"]),
    (
        "notice-",
        &[
            "posted",
            "edited",
            "deleted",
            "approved",
            "rejected",
            "password-changed",
            "password-mismatch",
            "password-wrong",
            "password-weak",
            "session-ended",
            "drafted",
            "opened",
            "closed",
            "endorsed",
            "withdrawn",
            "call-created",
            "call-cancelled",
            "pledged",
            "followed",
            "unfollowed",
            "saved",
            "staff-added",
            "staff-removed",
            "actor-deleted",
            "blocked",
            "unblocked",
            "retrying",
            "dismissed",
            "cleared",
            "invited",
            "revised",
            "translated",
            "confirmed",
            "declined",
            "call-updated",
        ],
    ),
    (
        "membership-",
        &[
            "invited", "pending", "active", "rejected", "left", "removed",
        ],
    ),
    ("relay-", &["auto", "held", "off"]),
    ("policy-join-", &["auto", "manual"]),
    ("policy-members-", &["public", "members", "private"]),
    ("policy-moderation-", &["auto", "held"]),
    ("login-error-", &["wrong", "locked"]),
    (
        "inbox-kind-",
        &["follow", "member", "post", "endorsement", "pledge"],
    ),
    (
        "visibility-",
        &["public", "unlisted", "followers", "members"],
    ),
    ("statement-status-", &["open", "closed", "draft"]),
    ("invitation-role-", &["initiator", "endorser"]),
    ("invitation-status-", &["invited", "confirmed", "declined"]),
    (
        "pledge-status-",
        &["pending", "accepted", "rejected", "withdrawn"],
    ),
    (
        "month-",
        &[
            "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
        ],
    ),
];

/// Keys the Rust code formats directly.
const IN_CODE: &[&str] = &[
    "date-long",
    // `staff::inbox::message_key`, one per notification kind.
    "notification-follow",
    "notification-follow-request",
    "notification-mention",
    "notification-reply",
    "notification-reblog",
    "notification-favourite",
    "notification-member-request",
    "notification-endorsement",
    "notification-pledge",
];

fn used_keys() -> BTreeSet<String> {
    let mut keys: BTreeSet<String> = IN_CODE.iter().map(|k| k.to_string()).collect();
    for (prefix, suffixes) in DYNAMIC {
        keys.extend(suffixes.iter().map(|s| format!("{prefix}{s}")));
    }
    // Templates, and those in subfolders (`staff/`).
    let mut files = Vec::new();
    let mut folders = vec![web().join("templates")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        for quote in ['"', '\''] {
            let needle = format!("t({quote}");
            for (i, _) in text.match_indices(&needle) {
                // `t(` itself, not the end of another name (`reject("in", …)`).
                if text[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
                {
                    continue;
                }
                let rest = &text[i + needle.len()..];
                let key: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                let after = rest[key.len()..].chars().next();
                if after == Some(quote) && !key.ends_with('-') {
                    keys.insert(key);
                } else {
                    // A prefix joined with `~`: it must be listed in DYNAMIC.
                    assert!(
                        DYNAMIC.iter().any(|(p, _)| *p == key),
                        "dynamic key prefix {key:?} is not listed in DYNAMIC"
                    );
                }
            }
        }
    }
    keys
}

#[test]
fn every_language_has_every_message() {
    let i18n = I18n::load(&web().join("locales")).expect("translations load");
    let english = i18n.message_ids(Lang::En);
    assert!(
        english.len() > 100,
        "English has {} messages",
        english.len()
    );
    let mut problems = Vec::new();
    for key in used_keys() {
        if !english.contains(&key) {
            problems.push(format!("en: {key} is used but not defined"));
        }
    }
    for lang in Lang::ALL {
        let ids = i18n.message_ids(lang);
        for key in english.difference(&ids) {
            problems.push(format!("{}: missing {key}", lang.code()));
        }
        for key in ids.difference(&english) {
            problems.push(format!("{}: {key} is not in English", lang.code()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_message_formats_with_its_arguments() {
    let i18n = I18n::load(&web().join("locales")).unwrap();
    let mut problems = Vec::new();
    for lang in Lang::ALL {
        for key in i18n.message_ids(lang) {
            for n in [0.0, 1.0, 2.0, 3.0, 11.0, 100.0] {
                let args: Vec<(&str, Arg)> = ["count", "number", "capacity", "day", "year"]
                    .into_iter()
                    .map(|a| (a, Arg::Number(n)))
                    .chain(
                        [
                            "name",
                            "handle",
                            "alliance",
                            "organizer",
                            "date",
                            "was",
                            "domain",
                            "month",
                            "who",
                        ]
                        .into_iter()
                        .map(|a| (a, Arg::Text("X".into()))),
                    )
                    .collect();
                let text = i18n.format(lang, &key, &args);
                if text.contains('{') || text.trim().is_empty() {
                    problems.push(format!("{}: {key} → {text:?}", lang.code()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn plurals_follow_each_language() {
    let i18n = I18n::load(&web().join("locales")).unwrap();
    let n = |lang, count: f64| {
        i18n.format(lang, "endorsements-count", &[("count", Arg::Number(count))])
    };
    assert_eq!(n(Lang::En, 1.0), "1 endorsement");
    assert_eq!(n(Lang::En, 2.0), "2 endorsements");
    assert_eq!(n(Lang::Fr, 0.0), "Pas encore de signatures");
    assert_eq!(n(Lang::Ar, 2.0), "توقيعان");
    assert_eq!(n(Lang::Ar, 5.0), "5 توقيعات");
    assert_eq!(n(Lang::Ar, 11.0), "11 توقيعًا");
}

/// The missing-key check itself fails when a language lacks a message.
#[test]
fn a_missing_message_is_caught() {
    let dir = std::env::temp_dir().join(format!("puentes-locales-{}", std::process::id()));
    for lang in Lang::ALL {
        let folder = dir.join(lang.code());
        std::fs::create_dir_all(&folder).unwrap();
        let text = if lang == Lang::Fr {
            "a = A\n"
        } else {
            "a = A\nb = B\n"
        };
        std::fs::write(folder.join("x.ftl"), text).unwrap();
    }
    let i18n = I18n::load(&dir).unwrap();
    let missing: Vec<_> = i18n
        .message_ids(Lang::En)
        .difference(&i18n.message_ids(Lang::Fr))
        .cloned()
        .collect();
    assert_eq!(missing, ["b"]);
    assert_eq!(
        i18n.format(Lang::Fr, "b", &[]),
        "B",
        "falls back to English"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
