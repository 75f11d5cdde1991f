//! The `puentes` binary.

use clap::Parser;

mod cli;

fn main() {
    let cli = cli::Cli::parse();
    init_logging();
    let runtime = match puentes_server::runtime() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(cli::run(cli)) {
        tracing::debug!(error = ?e, "command failed");
        eprintln!("error: {e}");
        std::process::exit(match e.kind() {
            puentes_core::ErrorKind::BadRequest
            | puentes_core::ErrorKind::NotFound
            | puentes_core::ErrorKind::Conflict => 2,
            _ => 1,
        });
    }
}

/// Logs go to stderr: readable lines with colours on a terminal; JSON lines, without colour
/// codes, anywhere else (journald, files, containers). `PUENTES_LOG_FORMAT=json|text`
/// overrides the choice, `PUENTES_LOG` the levels.
fn init_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("PUENTES_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(
            "info,sqlx=warn,sea_orm=warn,activitypub_federation=warn",
        )
    });
    let terminal = std::io::stderr().is_terminal();
    let json = match std::env::var("PUENTES_LOG_FORMAT").as_deref() {
        Ok("json") => true,
        Ok("text") => false,
        _ => !terminal,
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().with_ansi(false).init();
    } else {
        builder.with_ansi(terminal).init();
    }
}
