//! Test harness: several Puentes instances in one process on loopback ports, each with a
//! fresh database, plus a scriptable fake remote server for other software's documents.
//! `settle()` drives every queue until idle, so tests assert without sleeping.

#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod backend;
pub mod network;
pub mod remote;

pub use backend::Backend;
pub use network::{OP, TestInstance, TestNetwork};
pub use remote::FakeRemote;

/// Logs stay silent unless TEST_LOG is set.
pub fn init_tracing() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(
                    std::env::var("TEST_LOG").unwrap_or_else(|_| "debug".into()),
                ))
                .with_test_writer()
                .try_init();
        }
    });
}

/// `../shared/fixtures/ap`, beside the project.
pub fn shared_fixtures() -> Option<std::path::PathBuf> {
    let dir = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/fixtures/ap"
    ));
    dir.is_dir().then_some(dir)
}

pub fn fixture(relative: &str) -> serde_json::Value {
    let dir = shared_fixtures().expect("../shared/fixtures/ap is missing");
    let text =
        std::fs::read_to_string(dir.join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{relative}: {e}"))
}
