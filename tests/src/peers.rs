//! Peers we did not write (Fedify, bovine-herd, fediverse-pasture), run as child processes
//! on loopback. Each prints `READY <base URL>` once it listens; reading that line is how
//! tests wait for it, with no sleeping.

use serde_json::Value;
use std::{path::PathBuf, process::Stdio};
use tokio::io::{AsyncBufReadExt, BufReader};

pub struct PeerProcess {
    child: tokio::process::Child,
    pub base: String,
    pub port: u16,
}

impl Drop for PeerProcess {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// `tests/peers/…`
pub fn peers_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/peers"))
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Whether `program args…` runs and exits 0 (to see if a peer's runtime is installed).
pub fn runs(program: &str, args: &[&str], dir: Option<&std::path::Path>) -> bool {
    let mut command = std::process::Command::new(program);
    command
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    command.status().is_ok_and(|s| s.success())
}

/// Skips a peer test where its runtime is missing, except in CI, which must install it.
pub fn available_or_skip(available: bool, what: &str) -> bool {
    if !available {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install {what} (see .ci/run)"
        );
        eprintln!("skipping: {what} is not installed (see .ci/run)");
    }
    available
}

impl PeerProcess {
    /// Starts `program args…` in `dir` (port given by the caller) and waits for READY.
    pub async fn start(
        program: &str,
        args: &[String],
        dir: &std::path::Path,
        port: u16,
        what: &str,
    ) -> PeerProcess {
        let verbose = std::env::var_os("PEER_LOG").is_some();
        let mut child = tokio::process::Command::new(program)
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(if verbose {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("start {what}: {e}"));
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(std::time::Duration::from_secs(120), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(base) = line.strip_prefix("READY ") {
                    return Some(base.trim().to_string());
                }
            }
            None
        })
        .await
        .ok()
        .flatten();
        let base = ready.unwrap_or_else(|| panic!("{what} did not start"));
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        PeerProcess { child, base, port }
    }

    /// A call to the peer's control API: GET without a body, POST with one.
    pub async fn control(&self, path: &str, body: Option<Value>) -> Value {
        let client = reqwest::Client::new();
        let request = match body {
            Some(body) => client.post(format!("{}{path}", self.base)).json(&body),
            None => client.get(format!("{}{path}", self.base)),
        };
        let response = request.send().await.expect("control call");
        let status = response.status();
        let value: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path} failed ({status}): {value}");
        value
    }

    /// `host:port`, as handles spell it.
    pub fn authority(&self) -> String {
        self.base.trim_start_matches("http://").to_string()
    }
}
