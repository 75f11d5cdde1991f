//! Where templates, static files and translations come from: built into the binary (so
//! `puentes` serves pages from any working directory), or a folder named by
//! `PUENTES_WEB_DIR` / `web_dir` for instances that customize them.

use puentes_core::{Config, Error, Result};
use std::path::{Path, PathBuf};

/// `web/` of the source tree, as it was when the binary was built (`build.rs` rebuilds
/// the crate when anything under it changes).
static EMBEDDED: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/../../web");

/// The files a server shows: `templates/`, `static/` and `locales/{lang}/`.
#[derive(Debug, Clone)]
pub enum WebFiles {
    Embedded,
    Dir(PathBuf),
}

impl WebFiles {
    pub fn from_config(config: &Config) -> WebFiles {
        match &config.web_dir {
            Some(dir) => WebFiles::Dir(dir.clone()),
            None => WebFiles::Embedded,
        }
    }

    /// What an operator should read in `check-config`.
    pub fn describe(&self) -> String {
        match self {
            WebFiles::Embedded => "built into the binary".into(),
            WebFiles::Dir(dir) => dir.display().to_string(),
        }
    }

    /// The plain files directly inside `folder` (like `static` or `locales/en`), sorted by
    /// name, with their contents.
    pub fn files_in(&self, folder: &str) -> Result<Vec<(String, Vec<u8>)>> {
        let mut files = match self {
            WebFiles::Embedded => EMBEDDED
                .get_dir(folder)
                .ok_or_else(|| Error::internal(format!("no {folder}/ in the built-in web files")))?
                .files()
                .filter_map(|f| {
                    let name = f.path().file_name()?.to_str()?.to_string();
                    Some((name, f.contents().to_vec()))
                })
                .collect::<Vec<_>>(),
            WebFiles::Dir(dir) => read_folder(&dir.join(folder))?,
        };
        files.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(files)
    }

    /// One template's source, or `None` when there is no such template.
    pub fn template(&self, name: &str) -> Result<Option<String>> {
        // Template names are ours (`actor.html`, `partials/x.html`); nothing climbs out.
        if name
            .split(['/', '\\'])
            .any(|part| part == ".." || part.is_empty())
        {
            return Ok(None);
        }
        match self {
            WebFiles::Embedded => Ok(EMBEDDED
                .get_file(format!("templates/{name}"))
                .and_then(|f| f.contents_utf8())
                .map(str::to_string)),
            WebFiles::Dir(dir) => read_optional(&dir.join("templates").join(name)),
        }
    }

    /// Refuses a folder that lacks what every page needs, so a wrong `PUENTES_WEB_DIR` stops
    /// the server at start instead of answering every page with an error.
    pub fn check(&self) -> Result<()> {
        if let WebFiles::Dir(dir) = self
            && !dir.is_dir()
        {
            return Err(Error::bad_request(format!(
                "web_dir {} is not a folder (unset PUENTES_WEB_DIR to use the built-in pages)",
                dir.display()
            )));
        }
        for template in ["base.html", "error.html", "home.html"] {
            if self.template(template)?.is_none() {
                return Err(Error::bad_request(format!(
                    "web files ({}) have no templates/{template}",
                    self.describe()
                )));
            }
        }
        if !self
            .files_in("static")?
            .iter()
            .any(|(name, _)| name == "style.css")
        {
            return Err(Error::bad_request(format!(
                "web files ({}) have no static/style.css",
                self.describe()
            )));
        }
        crate::i18n::I18n::load_from(self)?;
        Ok(())
    }
}

fn read_optional(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::internal(format!("cannot read {}", path.display())).with_source(e)),
    }
}

/// The plain files directly inside `path`, with their contents.
pub(crate) fn read_folder(path: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    let entries = std::fs::read_dir(path)
        .map_err(|e| Error::internal(format!("cannot read {}", path.display())).with_source(e))?;
    for entry in entries.filter_map(|e| e.ok()) {
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let name = entry.file_name().to_string_lossy().to_string();
        let bytes = std::fs::read(entry.path()).map_err(|e| {
            Error::internal(format!("cannot read {}", entry.path().display())).with_source(e)
        })?;
        files.push((name, bytes));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}
