//! `puentes backup` and `puentes restore`: one `.tar.gz` file with a consistent snapshot of
//! the SQLite database (`VACUUM INTO`, taken while the server runs), the uploaded media and a
//! manifest naming the instance's domain. PostgreSQL instances use `pg_dump`/`pg_restore`
//! for the database; the commands say so.

use crate::database::{self, Location};
use flate2::{Compression, read::GzDecoder, write::GzEncoder};
use puentes_core::{Config, Error, Result};
use puentes_db::ConnectionTrait;
use serde::{Deserialize, Serialize};
use std::{
    fs::File,
    io::{BufReader, BufWriter, Read},
    path::{Component, Path, PathBuf},
};

const MANIFEST: &str = "puentes-backup.json";
const DATABASE: &str = "puentes.db";
const MEDIA: &str = "media";

#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// The domain the instance was created for; restore refuses another.
    pub domain: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Version of the `puentes` that wrote the backup.
    pub version: String,
    pub media_files: usize,
}

fn pg_guidance(config: &Config, what: &str) -> Error {
    let dir = config.data_dir.join(MEDIA);
    Error::bad_request(match what {
        "backup" => format!(
            "this instance runs on PostgreSQL: back up the database with \
             `pg_dump --format=custom --file=puentes.dump \"$PUENTES_DATABASE_URL\"` \
             and copy the media folder {} beside it (both while the server runs)",
            dir.display()
        ),
        _ => format!(
            "this instance runs on PostgreSQL: restore the database with \
             `pg_restore --no-owner --dbname=\"$PUENTES_DATABASE_URL\" puentes.dump` into an \
             empty database, and copy the media back into {}",
            dir.display()
        ),
    })
}

fn io(what: String) -> impl FnOnce(std::io::Error) -> Error {
    move |e| Error::internal(format!("{what}: {e}")).with_source(e)
}

/// Writes the backup of the instance of `config` into `output`; returns its manifest.
pub async fn backup(config: &Config, output: &Path) -> Result<Manifest> {
    let location = Location::of(config);
    if !location.is_sqlite() {
        return Err(pg_guidance(config, "backup"));
    }
    if output.exists() {
        return Err(Error::bad_request(format!(
            "{} exists already; choose a new file",
            output.display()
        )));
    }
    let db = database::connect(config, database::IfMissing::Refuse).await?;
    database::check_domain(&db, config).await?;
    // The snapshot goes beside the output (same file system, no space in /tmp needed).
    let snapshot = output.with_extension("snapshot.db");
    let _ = std::fs::remove_file(&snapshot);
    let quoted = snapshot.to_string_lossy().replace('\'', "''");
    db.execute_unprepared(&format!("VACUUM INTO '{quoted}'"))
        .await
        .map_err(|e| Error::internal(format!("snapshot failed: {e}")).with_source(e))?;
    db.close().await.ok();
    let result = write_archive(config, output, &snapshot);
    let _ = std::fs::remove_file(&snapshot);
    if result.is_err() {
        let _ = std::fs::remove_file(output);
    }
    result
}

fn write_archive(config: &Config, output: &Path, snapshot: &Path) -> Result<Manifest> {
    let file = File::create(output).map_err(io(format!("cannot create {}", output.display())))?;
    let mut tar = tar::Builder::new(GzEncoder::new(BufWriter::new(file), Compression::default()));
    let media_dir = config.data_dir.join(MEDIA);
    let mut media = Vec::new();
    if media_dir.is_dir() {
        for entry in std::fs::read_dir(&media_dir)
            .map_err(io(format!("cannot read {}", media_dir.display())))?
            .filter_map(|e| e.ok())
        {
            if entry.file_type().is_ok_and(|t| t.is_file()) {
                media.push(entry.path());
            }
        }
    }
    media.sort();
    let manifest = Manifest {
        domain: config.domain.clone(),
        created_at: chrono::Utc::now(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        media_files: media.len(),
    };
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::internal(format!("manifest: {e}")))?;
    let mut header = tar::Header::new_gnu();
    header.set_size(json.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(manifest.created_at.timestamp().max(0) as u64);
    header.set_cksum();
    let add = |e: std::io::Error| Error::internal(format!("cannot write the backup: {e}"));
    tar.append_data(&mut header, MANIFEST, json.as_slice())
        .map_err(add)?;
    tar.append_path_with_name(snapshot, DATABASE).map_err(add)?;
    for path in &media {
        let Some(name) = path.file_name() else {
            continue;
        };
        match tar.append_path_with_name(path, Path::new(MEDIA).join(name)) {
            Ok(()) => {}
            // Removed since the snapshot: its row is gone too, or will be.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(add(e)),
        }
    }
    let encoder = tar.into_inner().map_err(add)?;
    let writer = encoder.finish().map_err(add)?;
    writer
        .into_inner()
        .map_err(|e| add(e.into_error()))?
        .sync_all()
        .map_err(add)?;
    Ok(manifest)
}

/// Reads the manifest of a backup file.
pub fn read_manifest(input: &Path) -> Result<Manifest> {
    let mut archive = open(input)?;
    for entry in archive
        .entries()
        .map_err(io(format!("{} is not a Puentes backup", input.display())))?
    {
        let mut entry = entry.map_err(io(format!("{} is damaged", input.display())))?;
        if entry.path().ok().as_deref() == Some(Path::new(MANIFEST)) {
            let mut text = String::new();
            entry
                .read_to_string(&mut text)
                .map_err(io(format!("{} is damaged", input.display())))?;
            return serde_json::from_str(&text)
                .map_err(|e| Error::bad_request(format!("unreadable backup manifest: {e}")));
        }
    }
    Err(Error::bad_request(format!(
        "{} is not a Puentes backup (no {MANIFEST})",
        input.display()
    )))
}

fn open(input: &Path) -> Result<tar::Archive<GzDecoder<BufReader<File>>>> {
    let file = File::open(input).map_err(io(format!("cannot read {}", input.display())))?;
    Ok(tar::Archive::new(GzDecoder::new(BufReader::new(file))))
}

/// Restores a backup into the empty data directory of `config` (which must name the same
/// domain), then migrates it to this version's schema.
pub async fn restore(config: &Config, input: &Path) -> Result<Manifest> {
    let location = Location::of(config);
    if !location.is_sqlite() {
        return Err(pg_guidance(config, "restore"));
    }
    let manifest = read_manifest(input)?;
    if !manifest.domain.eq_ignore_ascii_case(&config.domain) {
        return Err(Error::bad_request(format!(
            "the backup is of {}, but the configuration says domain = {:?}; restore it with \
             PUENTES_DOMAIN={}",
            manifest.domain, config.domain, manifest.domain
        )));
    }
    let db_file = location
        .sqlite_file
        .clone()
        .ok_or_else(|| Error::bad_request("restore needs a SQLite file, not a memory database"))?;
    let media_dir = config.data_dir.join(MEDIA);
    let media_not_empty = std::fs::read_dir(&media_dir).is_ok_and(|mut d| d.next().is_some());
    if db_file.exists() || media_not_empty {
        return Err(Error::conflict(format!(
            "{} already holds an instance; restore only into an empty data directory",
            config.data_dir.display()
        )));
    }
    std::fs::create_dir_all(&media_dir)
        .map_err(io(format!("cannot create {}", media_dir.display())))?;
    let partial = db_file.with_extension("restoring");
    let mut archive = open(input)?;
    let damaged = |e: std::io::Error| Error::bad_request(format!("the backup is damaged: {e}"));
    for entry in archive.entries().map_err(damaged)? {
        let mut entry = entry.map_err(damaged)?;
        let path: PathBuf = entry.path().map_err(damaged)?.into_owned();
        let target = if path == Path::new(DATABASE) {
            partial.clone()
        } else if let Ok(name) = path.strip_prefix(MEDIA)
            && name.components().count() == 1
            && matches!(name.components().next(), Some(Component::Normal(_)))
        {
            media_dir.join(name)
        } else {
            // The manifest, or anything we did not write: never unpacked.
            continue;
        };
        entry.unpack(&target).map_err(damaged)?;
    }
    if !partial.is_file() {
        return Err(Error::bad_request("the backup holds no database"));
    }
    std::fs::rename(&partial, &db_file).map_err(io(format!(
        "cannot move the database to {}",
        db_file.display()
    )))?;
    let db = database::connect(config, database::IfMissing::Refuse).await?;
    crate::migrate(&db).await?;
    database::check_domain(&db, config).await?;
    db.close().await.ok();
    Ok(manifest)
}
