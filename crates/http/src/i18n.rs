//! The interface in four languages: Fluent messages from `web/locales/{lang}/*.ftl`, the
//! reader's language from a cookie or `Accept-Language`, and what pages need to show
//! content in other languages (their names, their writing direction).

use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};
use puentes_core::{Error, Result};
use serde::Serialize;
use std::{collections::BTreeSet, path::Path};
use unic_langid::LanguageIdentifier;

/// The languages of the interface. English is the fallback for any message missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Lang {
    En,
    Es,
    Fr,
    Ar,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Es, Lang::Fr, Lang::Ar];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
            Lang::Fr => "fr",
            Lang::Ar => "ar",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code.trim()))
    }

    /// Its own name, as a reader looking for it expects to see it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
            Lang::Fr => "Français",
            Lang::Ar => "العربية",
        }
    }

    pub fn dir(self) -> &'static str {
        text_dir(self.code())
    }

    /// OpenGraph's `og:locale`.
    pub fn og_locale(self) -> &'static str {
        match self {
            Lang::En => "en_GB",
            Lang::Es => "es_ES",
            Lang::Fr => "fr_FR",
            Lang::Ar => "ar_AR",
        }
    }

    fn langid(self) -> LanguageIdentifier {
        // The four codes are valid language identifiers.
        self.code().parse().unwrap_or_default()
    }
}

/// Writing direction of content in a language (BCP 47 tag): right-to-left scripts get
/// `rtl`, unknown or missing languages `auto` (the browser looks at the text).
pub fn text_dir(tag: &str) -> &'static str {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match primary.as_str() {
        "" => "auto",
        "ar" | "fa" | "he" | "ur" | "ps" | "ckb" | "yi" | "dv" | "sd" | "ug" | "syr" | "arc" => {
            "rtl"
        }
        _ => "ltr",
    }
}

/// The name of a content language in that language, for labels such as "also in: Français".
pub fn language_name(tag: &str) -> String {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let name = match primary.as_str() {
        "en" => "English",
        "es" => "Español",
        "fr" => "Français",
        "ar" => "العربية",
        "pt" => "Português",
        "it" => "Italiano",
        "de" => "Deutsch",
        "nl" => "Nederlands",
        "ca" => "Català",
        "eu" => "Euskara",
        "gl" => "Galego",
        "pl" => "Polski",
        "ro" => "Română",
        "el" => "Ελληνικά",
        "tr" => "Türkçe",
        "ru" => "Русский",
        "uk" => "Українська",
        "fa" => "فارسی",
        "ur" => "اردو",
        "ps" => "پښتو",
        "he" => "עברית",
        "ku" => "Kurdî",
        "ckb" => "کوردی",
        "ti" => "ትግርኛ",
        "am" => "አማርኛ",
        "so" => "Soomaali",
        "sw" => "Kiswahili",
        "ha" => "Hausa",
        "wo" => "Wolof",
        "bm" => "Bamanankan",
        "ff" => "Fulfulde",
        "qu" => "Runasimi",
        "gn" => "Avañe'ẽ",
        "zh" => "中文",
        "hi" => "हिन्दी",
        "bn" => "বাংলা",
        _ => return tag.to_string(),
    };
    name.to_string()
}

pub struct I18n {
    bundles: Vec<(Lang, FluentBundle<FluentResource>)>,
    ids: Vec<(Lang, BTreeSet<String>)>,
}

/// First strong isolate and pop directional isolate: a name in one script inside a
/// sentence in another keeps its own direction.
const FSI: char = '\u{2068}';
const PDI: char = '\u{2069}';

impl I18n {
    /// No messages at all: every message shows its key.
    pub fn empty() -> I18n {
        I18n {
            bundles: Vec::new(),
            ids: Vec::new(),
        }
    }

    /// Loads every `.ftl` file of `{dir}/{code}/` for the four languages.
    pub fn load(dir: &Path) -> Result<I18n> {
        I18n::load_with(|code| crate::web_files::read_folder(&dir.join(code)))
    }

    /// The translations of the web files in use (built in, or `web_dir`).
    pub fn load_from(web: &crate::web_files::WebFiles) -> Result<I18n> {
        I18n::load_with(|code| web.files_in(&format!("locales/{code}")))
    }

    fn load_with(mut files_of: impl FnMut(&str) -> Result<Vec<(String, Vec<u8>)>>) -> Result<I18n> {
        let mut bundles = Vec::new();
        let mut ids = Vec::new();
        for lang in Lang::ALL {
            let mut bundle = FluentBundle::new_concurrent(vec![lang.langid()]);
            // Isolation is applied to text arguments only (see `format`), not to numbers.
            bundle.set_use_isolating(false);
            let mut files: Vec<_> = files_of(lang.code())?
                .into_iter()
                .filter(|(name, _)| name.ends_with(".ftl"))
                .collect();
            files.sort();
            let mut names = BTreeSet::new();
            for (file, bytes) in files {
                let file = format!("{}/{file}", lang.code());
                let text = String::from_utf8(bytes)
                    .map_err(|_| Error::internal(format!("{file} is not UTF-8")))?;
                let resource = FluentResource::try_new(text).map_err(|(_, errors)| {
                    Error::internal(format!("{file} does not parse: {:?}", errors.first()))
                })?;
                for entry in resource.entries() {
                    if let fluent_syntax::ast::Entry::Message(m) = entry {
                        names.insert(m.id.name.to_string());
                    }
                }
                bundle.add_resource(resource).map_err(|errors| {
                    Error::internal(format!("{file} repeats a message: {:?}", errors.first()))
                })?;
            }
            bundles.push((lang, bundle));
            ids.push((lang, names));
        }
        Ok(I18n { bundles, ids })
    }

    fn bundle(&self, lang: Lang) -> Option<&FluentBundle<FluentResource>> {
        self.bundles
            .iter()
            .find(|(l, _)| *l == lang)
            .map(|(_, b)| b)
    }

    /// The message `key` in `lang` (English when missing there), with its arguments.
    pub fn format(&self, lang: Lang, key: &str, args: &[(&str, Arg)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Number(n) => fluent_args.set(*name, FluentValue::from(*n)),
                Arg::Text(t) => fluent_args.set(*name, FluentValue::from(format!("{FSI}{t}{PDI}"))),
            }
        }
        for candidate in [lang, Lang::En] {
            let Some(bundle) = self.bundle(candidate) else {
                continue;
            };
            let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
            if !errors.is_empty() {
                tracing::warn!(key, lang = candidate.code(), ?errors, "translation error");
            }
            return text.into_owned();
        }
        tracing::warn!(key, "missing message");
        key.to_string()
    }

    /// Message ids of one language (for the completeness test and tools).
    pub fn message_ids(&self, lang: Lang) -> BTreeSet<String> {
        self.ids
            .iter()
            .find(|(l, _)| *l == lang)
            .map(|(_, ids)| ids.clone())
            .unwrap_or_default()
    }
}

/// An argument of a message: numbers choose plural forms, text is isolated.
#[derive(Debug, Clone)]
pub enum Arg {
    Number(f64),
    Text(String),
}

/// The best of our languages for an `Accept-Language` header; English when none fits.
pub fn negotiate(accept_language: Option<&str>) -> Lang {
    let Some(header) = accept_language else {
        return Lang::En;
    };
    let requested = fluent_langneg::accepted_languages::parse(header);
    let available: Vec<LanguageIdentifier> = Lang::ALL.iter().map(|l| l.langid()).collect();
    let default = Lang::En.langid();
    let chosen = fluent_langneg::negotiate_languages(
        &requested,
        &available,
        Some(&default),
        fluent_langneg::NegotiationStrategy::Lookup,
    );
    chosen
        .first()
        .and_then(|id| Lang::from_code(id.language.as_str()))
        .unwrap_or(Lang::En)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_of_four() {
        assert_eq!(negotiate(None), Lang::En);
        assert_eq!(negotiate(Some("ar-MA,ar;q=0.9,fr;q=0.8")), Lang::Ar);
        assert_eq!(negotiate(Some("de-DE,de;q=0.9,fr;q=0.5")), Lang::Fr);
        assert_eq!(negotiate(Some("es-419")), Lang::Es);
        assert_eq!(negotiate(Some("de, it")), Lang::En);
        assert_eq!(negotiate(Some("*")), Lang::En);
    }

    #[test]
    fn directions_and_names() {
        assert_eq!(text_dir("ar"), "rtl");
        assert_eq!(text_dir("fa-IR"), "rtl");
        assert_eq!(text_dir("es"), "ltr");
        assert_eq!(text_dir(""), "auto");
        assert_eq!(language_name("fr-CA"), "Français");
        assert_eq!(language_name("xx"), "xx");
    }
}
