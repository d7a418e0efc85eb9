//! Config settings given as command-line flags (`snippet --appid acme --theme dark`), one flag
//! per key of the options table, checked by the same rules as a file. The flags are the
//! "file" the diagnostics point into, so the caret lands under the flag that is wrong.

use std::path::Path;
use std::sync::Arc;

use crate::check::batch::{check_config, Checked};
use crate::check::config_file::{ConfigFile, Setting, Value};
use crate::check::options::{Kind, Rule};
use crate::diagnostics::source::SourceFile;

/// What diagnostics about flags name as their file.
pub const COMMAND_LINE: &str = "<command line>";

/// The flag that sets `key`: `zIndex` → `--z-index`.
pub fn flag_name(key: &str) -> String {
    let mut flag = String::from("--");
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            flag.push('-');
        }
        flag.push(c.to_ascii_lowercase());
    }
    flag
}

/// One flag as given: its rule and its value (`None` for a switch, which sets `true`).
pub struct FlagValue<'a> {
    pub rule: &'static Rule,
    pub value: Option<&'a str>,
}

/// Checks `flags` as if they were the lines of a config file.
pub fn check_flags(flags: &[FlagValue<'_>]) -> Checked {
    let mut text = String::new();
    let mut spans = Vec::new();
    for flag in flags {
        if !text.is_empty() {
            text.push(' ');
        }
        let key_start = text.len();
        text.push_str(&flag_name(flag.rule.key));
        let key_span = key_start..text.len();
        let value_span = match flag.value {
            Some(value) => {
                text.push(' ');
                let start = text.len();
                text.push_str(value);
                start..text.len()
            }
            None => key_span.clone(),
        };
        spans.push((key_span, value_span));
    }
    let file = Arc::new(SourceFile::new(COMMAND_LINE, text));
    let settings = flags
        .iter()
        .zip(spans)
        .map(|(flag, (key_span, value_span))| Setting {
            key: flag.rule.key.to_string(),
            value: value_of(flag),
            key_span,
            value_span,
            file: Arc::clone(&file),
        })
        .collect();
    let config = ConfigFile { file, settings, parsed_cleanly: true };
    check_config(Path::new(COMMAND_LINE), config, Vec::new())
}

/// A flag's text as the TOML value a file would hold: numbers for integer keys (when they are
/// numbers), `true` for a switch, a string otherwise.
fn value_of(flag: &FlagValue<'_>) -> Value {
    match (flag.rule.kind, flag.value) {
        (_, None) => Value::Boolean(true),
        (Kind::Integer { .. }, Some(text)) => {
            let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
            if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
                Value::Integer(text.parse().ok())
            } else {
                Value::String(text.to_string())
            }
        }
        (_, Some(text)) => Value::String(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::options::rule;

    #[test]
    fn flags_are_the_keys_in_kebab_case() {
        assert_eq!(flag_name("zIndex"), "--z-index");
        assert_eq!(flag_name("asyncInit"), "--async-init");
        assert_eq!(flag_name("appid"), "--appid");
    }

    #[test]
    fn a_wrong_flag_is_reported_where_it_is_on_the_command_line() {
        let flags = [
            FlagValue { rule: rule("appid").unwrap(), value: Some("acme") },
            FlagValue { rule: rule("theme").unwrap(), value: Some("drak") },
            FlagValue { rule: rule("zIndex").unwrap(), value: Some("99999999999") },
        ];
        let checked = check_flags(&flags);
        assert!(checked.config.is_none());
        assert_eq!(checked.file.text, "--appid acme --theme drak --z-index 99999999999");
        let found: Vec<_> = checked
            .diagnostics
            .iter()
            .map(|d| (d.code.name, &checked.file.text[d.span.clone().unwrap()]))
            .collect();
        assert_eq!(found, [("invalid-theme", "drak"), ("zindex-out-of-range", "99999999999")]);
    }

    #[test]
    fn valid_flags_give_the_config_a_file_would() {
        let flags = [
            FlagValue { rule: rule("appid").unwrap(), value: Some("acme") },
            FlagValue { rule: rule("zIndex").unwrap(), value: Some("-5") },
            FlagValue { rule: rule("asyncInit").unwrap(), value: None },
        ];
        let config = check_flags(&flags).config.unwrap();
        assert_eq!(
            serde_json::Value::Object(config.options).to_string(),
            r#"{"appid":"acme","zIndex":-5,"asyncInit":true}"#
        );
    }
}
