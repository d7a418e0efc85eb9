//! Reading one TOML config file into settings that remember where they came from.
//!
//! Parsing is recoverable: every syntax error of a file is reported in one run, and the keys
//! that did parse are still checked.

use std::io::{self, Read};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use toml::de::{DeTable, DeValue};

use crate::diagnostics::codes;
use crate::diagnostics::source::SourceFile;
use crate::diagnostics::Diagnostic;

/// No config comes near this size; a larger file is a mistaken path (a log, an image, a device),
/// and reading it whole could exhaust memory.
pub const MAX_BYTES: u64 = 1 << 20;

/// Reads a config file, refusing one larger than [`MAX_BYTES`].
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(MAX_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("it is larger than {} KiB, too large for a config", MAX_BYTES / 1024),
        ));
    }
    Ok(bytes)
}

/// A config value, reduced to what the rules need to know about it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    String(String),
    /// `None` when the literal does not fit in 64 bits.
    Integer(Option<i64>),
    Float(f64),
    Boolean(bool),
    /// Datetimes, arrays and tables: never valid for a widget option; holds the TOML type name.
    Other(&'static str),
}

impl Value {
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
            Value::Integer(_) => "integer",
            Value::Float(_) => "float",
            Value::Boolean(_) => "boolean",
            Value::Other(name) => name,
        }
    }
}

/// One `key = value` line of a config file.
#[derive(Debug, Clone)]
pub struct Setting {
    pub key: String,
    pub value: Value,
    pub key_span: Range<usize>,
    pub value_span: Range<usize>,
    pub file: Arc<SourceFile>,
}

impl Setting {
    /// The span of the whole `key = value`.
    pub fn span(&self) -> Range<usize> {
        self.key_span.start..self.value_span.end
    }
}

#[derive(Debug)]
pub struct ConfigFile {
    pub file: Arc<SourceFile>,
    /// The settings in file order, `extends` included.
    pub settings: Vec<Setting>,
    /// False when the TOML did not parse cleanly: required-key checks would only add noise.
    pub parsed_cleanly: bool,
}

impl ConfigFile {
    pub fn parse(file: Arc<SourceFile>, diagnostics: &mut Vec<Diagnostic>) -> ConfigFile {
        let (table, errors) = DeTable::parse_recoverable(&file.text);
        let parsed_cleanly = errors.is_empty();
        for error in errors {
            diagnostics.push(syntax_diagnostic(&file, &error));
        }
        let settings = table
            .get_ref()
            .iter()
            .map(|(key, value)| {
                let key_span = key.span();
                // After a syntax error (`name == "x"`) the parser recovers with a value that has
                // no place (0..0): point at the end of the key instead, never before it.
                let value_span = match value.span() {
                    span if span.start >= key_span.end => span,
                    _ => key_span.end..key_span.end,
                };
                Setting {
                    key: key.get_ref().to_string(),
                    value: reduce(value.get_ref()),
                    key_span,
                    value_span,
                    file: Arc::clone(&file),
                }
            })
            .collect();
        ConfigFile { file, settings, parsed_cleanly }
    }
}

fn reduce(value: &DeValue<'_>) -> Value {
    match value {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            Value::Integer(i64::from_str_radix(&digits, i.radix()).ok())
        }
        DeValue::Float(f) => Value::Float(f.as_str().replace('_', "").parse().unwrap_or(f64::NAN)),
        DeValue::Boolean(b) => Value::Boolean(*b),
        DeValue::Datetime(_) => Value::Other("datetime"),
        DeValue::Array(_) => Value::Other("array"),
        DeValue::Table(_) => Value::Other("table"),
    }
}

fn syntax_diagnostic(file: &Arc<SourceFile>, error: &toml::de::Error) -> Diagnostic {
    let message = error.message().trim().to_string();
    let spanned_text = error.span().and_then(|span| file.text.get(span)).unwrap_or_default();
    let mut diagnostic = if message.contains("duplicate key") {
        Diagnostic::new(&codes::DUPLICATE_KEY, file, format!("duplicate key `{}`", spanned_text.trim()))
            .label("set a second time here")
            .help("each key may appear once; remove one of the two lines")
    } else {
        Diagnostic::new(&codes::TOML_SYNTAX, file, format!("invalid TOML: {message}"))
            .help("fix the TOML syntax here; see https://toml.io for the format")
    };
    if let Some(span) = error.span() {
        diagnostic = diagnostic.at(span);
    }
    diagnostic
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (ConfigFile, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let file = ConfigFile::parse(Arc::new(SourceFile::new("t.toml", text)), &mut diagnostics);
        (file, diagnostics)
    }

    #[test]
    fn keeps_file_order_types_and_spans() {
        let (file, diagnostics) = parse("zIndex = 0x10\nappid = \"a\"\nasyncInit = true\nx = 1.5\ny = [1]\n");
        assert!(diagnostics.is_empty());
        let keys: Vec<_> = file.settings.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(keys, ["zIndex", "appid", "asyncInit", "x", "y"]);
        assert_eq!(file.settings[0].value, Value::Integer(Some(16)));
        assert_eq!(file.settings[3].value, Value::Float(1.5));
        assert_eq!(file.settings[4].value, Value::Other("array"));
        let appid = &file.settings[1];
        assert_eq!(&file.file.text[appid.value_span.clone()], "\"a\"");
    }

    /// Found by tests/config_fuzz.rs: the recovered value of `name ==` had the span 0..0, so
    /// the setting's span ran backwards (39..0) and the caret pointed at line 1.
    #[test]
    fn a_recovered_value_never_points_before_its_key() {
        let (file, diagnostics) = parse("appid = \"acme\"\nname ==\"John\"\ntheme = = 1\n");
        assert!(!diagnostics.is_empty());
        for setting in &file.settings {
            let span = setting.span();
            assert!(
                span.start <= span.end && setting.key_span.end <= setting.value_span.start,
                "{setting:?}"
            );
        }
    }

    #[test]
    fn reports_every_syntax_error_and_duplicates() {
        let (file, diagnostics) = parse("appid = \"a\"\ntheme = \nappid = \"b\"\n");
        assert!(!file.parsed_cleanly);
        let codes: Vec<_> = diagnostics.iter().map(|d| d.code.name).collect();
        assert!(codes.contains(&"toml-syntax"), "{diagnostics:?}");
        assert!(codes.contains(&"duplicate-key"), "{diagnostics:?}");
    }
}
