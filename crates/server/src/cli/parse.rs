//! Parsing command-line values into domain values: one parser for every domain enum (its
//! allowed values shown in `--help` and in errors), and `LANG=TEXT` pairs.

use clap::{
    Arg, Command, Error as ClapError,
    builder::{PossibleValue, TypedValueParser},
    error::ErrorKind,
};
use puentes_core::domain::DomainValue;
use std::{ffi::OsStr, marker::PhantomData};

/// Parses a domain value, listing the allowed ones.
#[derive(Clone)]
pub struct Choice<T: 'static> {
    allowed: &'static [T],
    kind: PhantomData<T>,
}

/// Any value of `T`.
pub fn choice<T: DomainValue>() -> Choice<T> {
    some_of(T::all())
}

/// One of `allowed`.
pub fn some_of<T: DomainValue>(allowed: &'static [T]) -> Choice<T> {
    Choice {
        allowed,
        kind: PhantomData,
    }
}

impl<T: DomainValue> TypedValueParser for Choice<T> {
    type Value = T;

    fn parse_ref(&self, cmd: &Command, _arg: Option<&Arg>, value: &OsStr) -> Result<T, ClapError> {
        let text = value.to_string_lossy();
        let refuse = |message: String| {
            ClapError::raw(ErrorKind::InvalidValue, format!("{message}\n")).with_cmd(cmd)
        };
        let parsed = text
            .parse::<T>()
            .map_err(|e| refuse(e.message().to_string()))?;
        if !self.allowed.iter().any(|a| a.text() == parsed.text()) {
            let names: Vec<&str> = self.allowed.iter().map(|a| a.text()).collect();
            return Err(refuse(format!(
                "{} {text:?} is not allowed here: use {}",
                T::what(),
                puentes_core::domain::join_or(&names)
            )));
        }
        Ok(parsed)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            self.allowed.iter().map(|v| PossibleValue::new(v.text())),
        ))
    }
}

/// `LANG=TEXT`, as `--translation` takes it.
pub fn translation(value: &str) -> Result<(String, String), String> {
    match value.split_once('=') {
        Some((lang, text)) if !lang.trim().is_empty() && !text.trim().is_empty() => {
            Ok((lang.trim().to_string(), text.to_string()))
        }
        _ => Err(format!(
            "{value:?} is not LANG=TEXT (for example: fr=Bonjour à toutes et à tous)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use puentes_core::Visibility;

    #[test]
    fn domain_values_parse_and_list_their_choices() {
        let parser = choice::<Visibility>();
        let cmd = Command::new("t");
        assert_eq!(
            parser
                .parse_ref(&cmd, None, OsStr::new("unlisted"))
                .unwrap(),
            Visibility::Unlisted
        );
        let err = parser
            .parse_ref(&cmd, None, OsStr::new("secret"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("use public, unlisted"), "{err}");
        let listed: Vec<String> = parser
            .possible_values()
            .unwrap()
            .map(|v| v.get_name().to_string())
            .collect();
        assert_eq!(listed.first().map(String::as_str), Some("public"));
        assert!(translation("fr=Bonjour").is_ok());
        assert!(translation("Bonjour").is_err());
    }
}
