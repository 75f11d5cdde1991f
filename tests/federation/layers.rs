//! The layering the code relies on, checked on the sources: commands and their transactions
//! live in `crates/app` (and queries in `crates/db`); the transports never write an outbox
//! event or open a transaction; `apub` and `http` never depend on each other; `db` does
//! not migrate.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn transports_leave_writes_and_transactions_to_the_app() {
    let forbidden = [
        "outbox::enqueue",
        "TransactionTrait",
        ".begin().await",
        "begin_write",
    ];
    let mut offenders = Vec::new();
    for krate in ["server", "http", "apub"] {
        let mut files = Vec::new();
        rust_files(&root().join("crates").join(krate).join("src"), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for needle in forbidden {
                if text.contains(needle) {
                    offenders.push(format!("{}: {needle}", file.display()));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

fn dependencies(krate: &str) -> String {
    let manifest = std::fs::read_to_string(root().join(krate).join("Cargo.toml")).unwrap();
    manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap_or_default()
        .split("\n[")
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn crates_depend_downwards_only() {
    let apub = dependencies("crates/apub");
    let http = dependencies("crates/http");
    assert!(!apub.contains("puentes-http"), "apub depends on http");
    assert!(!http.contains("puentes-apub"), "http depends on apub");
    assert!(
        !http.contains("activitypub_federation"),
        "http uses the federation library"
    );
    let db = dependencies("crates/db");
    assert!(!db.contains("puentes-migrations"), "db migrates");
    let app = dependencies("crates/app");
    for transport in [
        "puentes-apub",
        "puentes-http",
        "puentes-server",
        "axum",
        "clap",
    ] {
        assert!(!app.contains(transport), "app depends on {transport}");
    }
    let core = dependencies("crates/core");
    assert!(!core.contains("sea-orm"), "core does I/O");
}
