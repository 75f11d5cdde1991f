//! `puentes check-config`: the configuration in effect, checked, and what `serve` would do.
//! Reads only: it never creates the data directory or the database.

use puentes_core::{Config, Error, Result};
use puentes_migrations::MigratorTrait;
use puentes_server::database::{self, IfMissing, Location};

pub async fn run(config: &Config) -> Result<()> {
    let mut problems: Vec<String> = Vec::new();
    let source = std::env::var("PUENTES_CONFIG")
        .ok()
        .filter(|v| !v.is_empty())
        .map(|file| format!("{file} and PUENTES_* variables"))
        .unwrap_or_else(|| "defaults, --config and PUENTES_* variables".into());
    line("configuration", &source);
    line(
        "domain",
        &format!(
            "{} (actors are {}/actors/NAME)",
            config.domain,
            config.base_url()
        ),
    );
    if config.insecure_federation() && !config.is_localhost() {
        problems.push(
            "federation_debug is on for a public domain: plain http and private addresses are \
             allowed. Never on a public instance."
                .into(),
        );
    }
    line("listen", &config.bind);
    let location = Location::of(config);
    match (&config.media.storage, &config.media.s3) {
        (puentes_core::MediaStorage::S3, Some(s3)) => line(
            "media",
            &format!(
                "S3 bucket {} at {} ({} addressing, keys prefixed {:?}); `puentes backup` \
                 does not copy them: back the bucket up with your provider's tools",
                s3.bucket,
                s3.endpoint,
                if s3.path_style {
                    "path"
                } else {
                    "virtual-host"
                },
                s3.prefix
            ),
        ),
        _ => {
            let media = config.data_dir.join("media");
            line(
                "media",
                &std::path::absolute(&media)
                    .unwrap_or(media)
                    .display()
                    .to_string(),
            );
        }
    }
    let web = puentes_http::WebFiles::from_config(config);
    match web.check() {
        Ok(()) => line("web files", &format!("{} (ok)", web.describe())),
        Err(e) => {
            line("web files", &format!("{} (BROKEN)", web.describe()));
            problems.push(e.to_string());
        }
    }
    line(
        "federation",
        &format!(
            "{:?}{}; signed fetch {}",
            config.federation_mode,
            if config.allowed_domains.is_empty() {
                String::new()
            } else {
                format!(" with {}", config.allowed_domains.join(", "))
            },
            if config.requires_signed_fetch() {
                "required"
            } else {
                "not required"
            }
        )
        .to_lowercase(),
    );
    let mut would = Vec::new();
    if location.is_sqlite() && !location.exists() {
        line(
            "database",
            &format!("{} (does not exist yet)", location.description),
        );
        would.push(format!("create {}", location.description));
        would.push(format!("record the domain {}", config.domain));
    } else {
        match database::connect(config, IfMissing::Refuse).await {
            Err(e) => {
                line(
                    "database",
                    &format!("{} (UNREACHABLE)", location.description),
                );
                problems.push(e.to_string());
            }
            Ok(db) => {
                let pending = puentes_migrations::Migrator::get_pending_migrations(&db)
                    .await
                    .map(|p| p.len())
                    .map_err(|e| Error::internal(format!("cannot read migrations: {e}")))?;
                // Before its migrations, an old database may not have the settings yet.
                let recorded = database::recorded_domain(&db).await.ok().flatten();
                let recorded_text = match &recorded {
                    Some(d) => format!("recorded for {d}"),
                    None => "no domain recorded yet".into(),
                };
                line(
                    "database",
                    &format!(
                        "{} ({recorded_text}; {pending} migrations pending)",
                        location.description
                    ),
                );
                if let Some(d) = &recorded
                    && !d.eq_ignore_ascii_case(&config.domain)
                {
                    problems.push(format!(
                        "the database belongs to {d}, not {}: serve would refuse to start",
                        config.domain
                    ));
                }
                if pending > 0 {
                    would.push(format!("apply {pending} migrations"));
                }
                if recorded.is_none() {
                    would.push(format!("record the domain {}", config.domain));
                }
            }
        }
    }
    would.push(format!(
        "listen on {} and serve {}",
        config.bind,
        config.base_url()
    ));
    if config.workers {
        would.push("run the delivery workers".into());
    } else {
        would.push("not run the delivery workers (workers = false)".into());
    }
    line("serve would", &would.join("; "));
    if problems.is_empty() {
        println!("ok");
        Ok(())
    } else {
        for problem in &problems {
            println!("problem: {problem}");
        }
        Err(Error::bad_request(format!(
            "{} problem(s) in the configuration",
            problems.len()
        )))
    }
}

fn line(what: &str, value: &str) {
    println!("{:<16}{value}", format!("{what}:"));
}
