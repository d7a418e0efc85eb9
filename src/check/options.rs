//! Every validation rule of a customer config, in one table.
//!
//! [`RULES`] lists the keys a config may set, what each accepts and how it is checked; the
//! README's config reference, the docs and the validator all read it. [`RUNTIME_ONLY`] lists the
//! `window.__twt` fields that are per visitor or per page and so never belong in a config file.

use serde_json::Value as Json;

use crate::check::config_file::{Setting, Value};
use crate::check::locale;
use crate::check::suggest;
use crate::diagnostics::codes::{self, Code};
use crate::diagnostics::Diagnostic;

pub struct Rule {
    pub key: &'static str,
    /// What the key accepts, for people, in Markdown (the README's config reference).
    pub accepts: &'static str,
    pub default: &'static str,
    /// The default as a TOML value, when the widget has a fixed one (for the schema and `init`).
    pub default_toml: Option<&'static str>,
    /// What the key accepts, for machines: the JSON Schema of configs is generated from it.
    pub kind: Kind,
    pub description: &'static str,
    /// A TOML line that sets it, for docs.
    pub example: &'static str,
    /// Who reads the value on the page.
    pub read_by: Reader,
    /// Checks a value; returns what the snippet carries, or `None` after reporting why not.
    check: fn(&Setting, &mut Vec<Diagnostic>) -> Option<Json>,
}

/// Where an option takes effect on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// The host-sdk (core.js), from `window.__twt` or the external snippet's `data-` attributes.
    Widget,
    /// The install snippet alone, before core.js exists: it shapes the snippet's code and never
    /// reaches `window.__twt`, so core.js carries no bytes for it.
    Snippet,
}

/// The shape of the values a key accepts; [`Rule::check`] enforces it (and more, such as the
/// warnings), and `render::schema` turns it into JSON Schema.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A string of ASCII letters, digits, `-` and `_`, 1 to `max_len` characters.
    Identifier {
        max_len: usize,
    },
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// An integer in this inclusive range.
    Integer {
        min: i64,
        max: i64,
    },
    /// A language tag that [`locale::normalize`] maps to a runtime locale.
    Locale,
    Boolean,
}

/// The `default` of a key that every config must set.
pub const REQUIRED: &str = "(required)";

pub const Z_INDEX_MIN: i64 = i32::MIN as i64;
pub const Z_INDEX_MAX: i64 = i32::MAX as i64;

pub const THEMES: &[&str] = &["light", "dark", "system"];
pub const LAUNCHERS: &[&str] = &["default", "custom"];
pub const APPID_MAX_LEN: usize = 64;
/// When the lazy snippet fetches core.js: the page's first `init()` (or another call that needs
/// the widget), the visitor's first interaction, or the browser's first idle time.
pub const LOADS: &[&str] = &["init", "interaction", "idle"];

pub const RULES: &[Rule] = &[
    Rule {
        key: "appid",
        accepts: "string of letters, digits, `-`, `_`; 1–64 characters; lower-case in production (upper-case is a warning); unique across a batch, ignoring case",
        default: REQUIRED,
        default_toml: None,
        kind: Kind::Identifier { max_len: APPID_MAX_LEN },
        description: "Unique application ID of the customer.",
        example: "appid = \"acme\"",
        read_by: Reader::Widget,
        check: check_appid,
    },
    Rule {
        key: "theme",
        accepts: "`\"light\"` | `\"dark\"` | `\"system\"`",
        default: "light",
        default_toml: Some("\"light\""),
        kind: Kind::OneOf(THEMES),
        description: "Initial theme; `system` follows the visitor's colour-scheme setting.",
        example: "theme = \"dark\"",
        read_by: Reader::Widget,
        check: |s, d| check_one_of(s, d, THEMES, &codes::INVALID_THEME),
    },
    Rule {
        key: "launcher",
        accepts: "`\"default\"` | `\"custom\"`",
        default: "default",
        default_toml: Some("\"default\""),
        kind: Kind::OneOf(LAUNCHERS),
        description: "Launcher rendering mode; `custom` creates no launcher and the page provides its own entry button.",
        example: "launcher = \"custom\"",
        read_by: Reader::Widget,
        check: |s, d| check_one_of(s, d, LAUNCHERS, &codes::INVALID_LAUNCHER),
    },
    Rule {
        key: "zIndex",
        accepts: "integer from −2147483648 to 2147483647 (not a float or a string)",
        default: "2147483000 (host-sdk styles)",
        default_toml: Some("2147483000"),
        kind: Kind::Integer { min: Z_INDEX_MIN, max: Z_INDEX_MAX },
        description: "z-index of the widget container.",
        example: "zIndex = 9999",
        read_by: Reader::Widget,
        check: check_z_index,
    },
    Rule {
        key: "language",
        accepts: "`en`, `zh-cn`, `zh-tw`, `ja`, `ko`, `de`, `fr`, `pt`, `ru`; case, `_`/`-` and regional variants normalise with a warning (`en-US`→`en`, `zh-Hant`/`zh-HK`/`zh-MO`→`zh-tw`, `zh-Hans`/`zh-SG`→`zh-cn`, `pt-BR`→`pt`)",
        default: "the visitor's browser language, else en",
        default_toml: None,
        kind: Kind::Locale,
        description: "Initial language of the widget.",
        example: "language = \"en\"",
        read_by: Reader::Widget,
        check: check_language,
    },
    Rule {
        key: "asyncInit",
        accepts: "`true` | `false`",
        default: "false",
        default_toml: Some("false"),
        kind: Kind::Boolean,
        description: "When true, core.js does not call init(); the page calls TWTChatWidget.init() itself.",
        example: "asyncInit = true",
        read_by: Reader::Widget,
        check: check_async_init,
    },
    Rule {
        key: "load",
        accepts: "`\"init\"` | `\"interaction\"` | `\"idle\"`",
        default: "init",
        default_toml: Some("\"init\""),
        kind: Kind::OneOf(LOADS),
        description: "When the lazy snippet (`snippet-lazy.html`) fetches core.js: at the page's first `init()` (or `call`, `login`, `logout`, `setLanguage`), at the visitor's first pointer, key or touch, or when the browser is first idle. The other snippets ignore it.",
        example: "load = \"interaction\"",
        read_by: Reader::Snippet,
        check: |s, d| check_one_of(s, d, LOADS, &codes::INVALID_LOAD),
    },
];

/// The key that pulls in a preset; handled by `extends.rs`, listed here for suggestions and docs.
pub const EXTENDS: &str = "extends";

/// `extends` in the README's config reference: accepts, default, meaning.
pub const EXTENDS_DOC: [&str; 3] = [
    "a preset name, or a path ending in `.toml` relative to this file, in its folder or a subfolder",
    "none",
    "Settings to build on; this file's own settings win. Chains work; cycles are errors. A path that leaves the config's folder (absolute, `..` past it, or a symbolic link pointing out) is an error (`extends-outside`) that shows nothing of the file it names.",
];

/// The README's config reference, generated from [`RULES`] (a test compares the two).
pub fn markdown_table() -> String {
    let cell = |text: &str| text.replace('|', "\\|");
    let mut table = String::from("| key | accepts | default | meaning |\n|---|---|---|---|\n");
    let rows = RULES.iter().map(|r| [r.key, r.accepts, r.default, r.description]);
    let [accepts, default, description] = EXTENDS_DOC;
    for [key, accepts, default, description] in rows.chain([[EXTENDS, accepts, default, description]]) {
        table.push_str(&format!(
            "| `{key}` | {} | {} | {} |\n",
            cell(accepts),
            cell(default),
            cell(description)
        ));
    }
    table
}

/// Fields of `window.__twt` that must not be fixed per customer, and how to pass them instead.
pub const RUNTIME_ONLY: &[(&str, &str)] = &[
    ("sbs", LOGIN_HINT),
    ("sbs_mm", LOGIN_HINT),
    ("ranstr", LOGIN_HINT),
    ("name", VISITOR_HINT),
    ("nickname", VISITOR_HINT),
    ("email", VISITOR_HINT),
    ("phone", VISITOR_HINT),
    ("referer", PAGE_HINT),
    ("source_title", PAGE_HINT),
];

const LOGIN_HINT: &str = "business-user signatures are per user: call TWTChatWidget.login(sbs, sbs_mm, ranstr, ...) on the page after `initialized`, with values your server signs for that user";
const VISITOR_HINT: &str = "visitor details are per visitor: pass them in TWTChatWidget.login(sbs, sbs_mm, ranstr, name, nickname, email, phone), or render them server-side into window.__twt on the page";
const PAGE_HINT: &str = "it defaults to the current page's URL and title; set window.__twt.referer / source_title on the page itself only if you must override it";

/// Common wrong names that are too far from the right one for edit distance to find.
const KEY_ALIASES: &[(&str, &str)] = &[
    ("lang", "language"),
    ("locale", "language"),
    ("async", "asyncInit"),
    ("app", "appid"),
    ("preset", "extends"),
    ("z", "zIndex"),
];

pub fn rule(key: &str) -> Option<&'static Rule> {
    RULES.iter().find(|rule| rule.key == key)
}

impl Rule {
    pub fn check(&self, setting: &Setting, diagnostics: &mut Vec<Diagnostic>) -> Option<Json> {
        (self.check)(setting, diagnostics)
    }
}

/// Reports a key that no rule knows: runtime-only fields get their hint, others a suggestion.
pub fn unknown_key(setting: &Setting) -> Diagnostic {
    let key = setting.key.as_str();
    if let Some((_, hint)) = RUNTIME_ONLY.iter().find(|(name, _)| *name == key) {
        return Diagnostic::new(
            &codes::RUNTIME_ONLY_KEY,
            &setting.file,
            format!("`{key}` does not belong in a customer config"),
        )
        .at(setting.span())
        .label("set per visitor or per page, not per customer")
        .help(format!("remove this line; {hint}"));
    }
    let known = RULES.iter().map(|rule| rule.key).chain([EXTENDS]);
    let guess = KEY_ALIASES
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(key))
        .map(|(_, right)| *right)
        .or_else(|| suggest::closest(key, known));
    let help = match guess {
        Some(right) => format!("did you mean `{right}`?"),
        None => {
            format!("the keys are: {}, {EXTENDS}", RULES.iter().map(|r| r.key).collect::<Vec<_>>().join(", "))
        }
    };
    Diagnostic::new(&codes::UNKNOWN_KEY, &setting.file, format!("unknown key `{key}`"))
        .at(setting.key_span.clone())
        .label("not a config key")
        .help(help)
}

fn wrong_type(setting: &Setting, expected: &str, example: &str) -> Diagnostic {
    Diagnostic::new(
        &codes::INVALID_TYPE,
        &setting.file,
        format!("`{}` must be {expected}, found {}", setting.key, setting.value.type_name()),
    )
    .at(setting.value_span.clone())
    .label(format!("expected {expected}"))
    .help(format!("for example: {example}"))
}

fn example_of(key: &str) -> &'static str {
    rule(key).map_or("", |rule| rule.example)
}

fn check_appid(setting: &Setting, diagnostics: &mut Vec<Diagnostic>) -> Option<Json> {
    let Value::String(appid) = &setting.value else {
        diagnostics.push(wrong_type(setting, "a string", example_of("appid")));
        return None;
    };
    let invalid = |message: String, label: &str, help: String| {
        Diagnostic::new(&codes::INVALID_APPID, &setting.file, message)
            .at(setting.value_span.clone())
            .label(label)
            .help(help)
    };
    if appid.is_empty() {
        diagnostics.push(invalid(
            "`appid` is empty".into(),
            "empty",
            "set the customer's application ID, for example: appid = \"acme\"".into(),
        ));
        return None;
    }
    if appid.chars().count() > APPID_MAX_LEN {
        diagnostics.push(invalid(
            format!("`appid` is {} characters long", appid.chars().count()),
            "too long",
            format!("an appid has at most {APPID_MAX_LEN} characters"),
        ));
        return None;
    }
    if let Some(bad) = appid.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
        let cleaned: String = appid
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect::<String>()
            .to_ascii_lowercase();
        let help = if cleaned.is_empty() {
            "use only letters, digits, `-` and `_`".to_string()
        } else {
            format!("use only letters, digits, `-` and `_`, for example: appid = \"{cleaned}\"")
        };
        diagnostics.push(invalid(
            format!("`appid` contains {}", describe_char(bad)),
            "not a safe identifier",
            help,
        ));
        return None;
    }
    if appid.chars().any(|c| c.is_ascii_uppercase()) {
        diagnostics.push(
            Diagnostic::new(
                &codes::APPID_UPPERCASE,
                &setting.file,
                format!("`appid` \"{appid}\" has upper-case letters"),
            )
            .at(setting.value_span.clone())
            .label("production integrations should use a lower-case appid")
            .help(format!("write appid = \"{}\"", appid.to_ascii_lowercase())),
        );
    }
    Some(Json::from(appid.as_str()))
}

fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("the character U+{:04X}", c as u32)
    } else {
        format!("the character `{c}`")
    }
}

fn check_one_of(
    setting: &Setting,
    diagnostics: &mut Vec<Diagnostic>,
    allowed: &'static [&'static str],
    code: &'static Code,
) -> Option<Json> {
    let listed = allowed.join(", ");
    let Value::String(value) = &setting.value else {
        diagnostics.push(wrong_type(
            setting,
            &format!("one of the strings {listed}"),
            example_of(&setting.key),
        ));
        return None;
    };
    if allowed.contains(&value.as_str()) {
        return Some(Json::from(value.as_str()));
    }
    let help = match suggest::closest(value, allowed.iter().copied()) {
        Some(guess) => format!("did you mean \"{guess}\"? The values are: {listed}"),
        None => format!("use one of: {listed}"),
    };
    diagnostics.push(
        Diagnostic::new(code, &setting.file, format!("invalid {} \"{value}\"", setting.key))
            .at(setting.value_span.clone())
            .label(format!("not one of {listed}"))
            .help(help),
    );
    None
}

fn check_z_index(setting: &Setting, diagnostics: &mut Vec<Diagnostic>) -> Option<Json> {
    let range = Z_INDEX_MIN..=Z_INDEX_MAX;
    let out_of_range = || {
        Diagnostic::new(&codes::ZINDEX_OUT_OF_RANGE, &setting.file, "`zIndex` is outside CSS's integer range")
            .at(setting.value_span.clone())
            .label("must be from -2147483648 to 2147483647")
            .help("browsers clamp values outside it; use a value in that range, for example: zIndex = 9999")
    };
    match &setting.value {
        Value::Integer(Some(n)) if range.contains(n) => Some(Json::from(*n)),
        Value::Integer(_) => {
            diagnostics.push(out_of_range());
            None
        }
        Value::Float(f) => {
            let help = if f.fract() == 0.0 && f.is_finite() && range.contains(&(*f as i64)) {
                format!("write it without the fraction: zIndex = {}", *f as i64)
            } else {
                "a z-index is a whole number, for example: zIndex = 9999".to_string()
            };
            diagnostics.push(
                Diagnostic::new(
                    &codes::INVALID_TYPE,
                    &setting.file,
                    "`zIndex` must be an integer, found float",
                )
                .at(setting.value_span.clone())
                .label("expected an integer")
                .help(help),
            );
            None
        }
        Value::String(s) => {
            let mut diagnostic = wrong_type(setting, "an integer", "zIndex = 9999");
            if let Ok(n) = s.trim().parse::<i64>() {
                diagnostic = diagnostic.help(format!("remove the quotes: zIndex = {n}"));
            }
            diagnostics.push(diagnostic);
            None
        }
        _ => {
            diagnostics.push(wrong_type(setting, "an integer", "zIndex = 9999"));
            None
        }
    }
}

fn check_language(setting: &Setting, diagnostics: &mut Vec<Diagnostic>) -> Option<Json> {
    let Value::String(value) = &setting.value else {
        diagnostics.push(wrong_type(setting, "a string", example_of("language")));
        return None;
    };
    let supported: Vec<&str> = locale::supported_codes().collect();
    match locale::normalize(value) {
        Some(code) if code == value => Some(Json::from(code)),
        Some(code) => {
            diagnostics.push(
                Diagnostic::new(
                    &codes::LANGUAGE_NOT_CANONICAL,
                    &setting.file,
                    format!("language \"{value}\" is normalised to \"{code}\""),
                )
                .at(setting.value_span.clone())
                .label(format!("the runtime locale is \"{code}\""))
                .help(format!("write language = \"{code}\"")),
            );
            Some(Json::from(code))
        }
        None => {
            let help = match suggest::closest(value, supported.iter().copied()) {
                Some(guess) => format!("did you mean \"{guess}\"? Supported: {}", supported.join(", ")),
                None => format!("use one of: {}", supported.join(", ")),
            };
            diagnostics.push(
                Diagnostic::new(
                    &codes::UNSUPPORTED_LANGUAGE,
                    &setting.file,
                    format!("unsupported language \"{value}\""),
                )
                .at(setting.value_span.clone())
                .label("not a supported locale")
                .help(help),
            );
            None
        }
    }
}

fn check_async_init(setting: &Setting, diagnostics: &mut Vec<Diagnostic>) -> Option<Json> {
    match &setting.value {
        Value::Boolean(b) => Some(Json::from(*b)),
        Value::String(s) if s == "true" || s == "false" => {
            diagnostics.push(
                wrong_type(setting, "a boolean", "asyncInit = true")
                    .help(format!("remove the quotes: asyncInit = {s}")),
            );
            None
        }
        _ => {
            diagnostics.push(wrong_type(setting, "a boolean", "asyncInit = true"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::diagnostics::source::SourceFile;

    /// `default_toml` feeds the schema and `init`: each must pass its own rule, warning-free.
    #[test]
    fn every_default_passes_its_rule() {
        for rule in RULES {
            let Some(default) = rule.default_toml else { continue };
            let text = format!("{} = {default}\n", rule.key);
            let mut diagnostics = Vec::new();
            let file = crate::check::config_file::ConfigFile::parse(
                Arc::new(SourceFile::new("t.toml", text)),
                &mut diagnostics,
            );
            assert!(rule.check(&file.settings[0], &mut diagnostics).is_some(), "{}", rule.key);
            assert!(diagnostics.is_empty(), "{}: {diagnostics:?}", rule.key);
        }
    }
}

#[cfg(test)]
mod readme {
    /// The README's config reference is [`super::markdown_table`], between these markers: a key
    /// added to (or removed from) RULES without the README fails here.
    #[test]
    fn readme_documents_exactly_the_rules() {
        assert_eq!(
            crate::readme::generated_section("options", "src/check/options.rs"),
            super::markdown_table(),
            "README.md's config reference differs from RULES; paste the right side between the markers"
        );
    }

    /// The language row names the locales: exactly those of the locale table.
    #[test]
    fn the_language_row_lists_exactly_the_supported_locales() {
        let accepts = super::rule("language").unwrap().accepts;
        let listed: Vec<&str> =
            accepts.split(';').next().unwrap().split(", ").map(|c| c.trim_matches('`')).collect();
        let supported: Vec<&str> = crate::check::locale::supported_codes().collect();
        assert_eq!(listed, supported);
    }
}
