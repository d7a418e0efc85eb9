//! The JSON Schema (draft 2020-12) of a customer config, generated from the options table, for
//! editors: taplo and VS Code's Even Better TOML complete keys and values and flag mistakes as
//! one types, given a `#:schema <url or path>` first line (a TOML comment, so twt-gen ignores it).
//!
//! The schema says what one file may hold. What it cannot see stays with `validate`: the files
//! `extends` pulls in, `appid` uniqueness across a batch, the warnings, and TOML's integer versus
//! float (`zIndex = 10.0` is an integer to JSON).

use serde_json::{json, Map, Value as Json};

use crate::check::extends::preset_names;
use crate::check::locale;
use crate::check::options::{Kind, Rule, EXTENDS, EXTENDS_DOC, REQUIRED, RULES};

/// Where `build` writes the schema, at the root of `--out`.
pub const FILE_NAME: &str = "config.schema.json";

pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The schema, pretty-printed, with a final line feed.
pub fn render() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).expect("a JSON value serialises");
    text.push('\n');
    text
}

pub fn schema() -> Json {
    let mut properties = Map::new();
    for rule in RULES {
        properties.insert(rule.key.to_string(), property(rule));
    }
    properties.insert(EXTENDS.to_string(), extends_property());
    let required: Vec<&str> = RULES.iter().filter(|r| r.default == REQUIRED).map(|r| r.key).collect();
    json!({
        "$schema": DIALECT,
        "title": "twt-gen customer config",
        "description": "One customer's TWT chat widget config. Keys are the window.__twt fields they become. Check with `twt-gen validate`, which also follows `extends` and reports warnings.",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

fn property(rule: &Rule) -> Json {
    let mut property = match rule.kind {
        Kind::Identifier { max_len } => json!({
            "type": "string",
            "minLength": 1,
            "maxLength": max_len,
            "pattern": "^[A-Za-z0-9_-]+$",
        }),
        Kind::OneOf(values) => json!({ "type": "string", "enum": values }),
        Kind::Integer { min, max } => json!({ "type": "integer", "minimum": min, "maximum": max }),
        Kind::Locale => json!({
            "type": "string",
            "anyOf": [
                { "enum": locale::supported_codes().collect::<Vec<_>>() },
                {
                    "pattern": locale_pattern(),
                    "description": "a spelling that normalises to a supported locale (a warning)",
                },
            ],
        }),
        Kind::Boolean => json!({ "type": "boolean" }),
    };
    let object = property.as_object_mut().expect("a property is an object");
    let description = format!("{} Accepts: {}.", rule.description, rule.accepts);
    object.insert("description".into(), Json::from(plain(&description)));
    object.insert("markdownDescription".into(), Json::from(description));
    if let Some(default) = rule.default_toml {
        object.insert("default".into(), toml_to_json(default));
    }
    property
}

fn extends_property() -> Json {
    let [accepts, _, meaning] = EXTENDS_DOC;
    let description = format!("{meaning} Accepts: {accepts}.");
    json!({
        "type": "string",
        "anyOf": [
            { "enum": preset_names().collect::<Vec<_>>() },
            // What `extends` treats as a path rather than a preset name.
            { "pattern": "(\\.toml$|[/\\\\])" },
        ],
        "description": plain(&description),
        "markdownDescription": description,
    })
}

/// What [`locale::normalize`] accepts, as an ECMA-262 pattern: optional white space, a supported
/// code or an alias in any case with `_` for `-`, then nothing or further subtags.
fn locale_pattern() -> String {
    let tags = locale::supported_codes().chain(locale::ALIASES.iter().map(|(alias, _)| *alias));
    let spelled: Vec<String> = tags
        .map(|tag| {
            tag.chars()
                .map(|c| match c {
                    '-' => "[-_]".to_string(),
                    c if c.is_ascii_alphabetic() => format!("[{}{}]", c, c.to_ascii_uppercase()),
                    c => c.to_string(),
                })
                .collect()
        })
        .collect();
    format!("^\\s*(?:{})(?:[-_][\\s\\S]*|\\s*)$", spelled.join("|"))
}

/// Markdown without its backticks, for editors that show `description` as plain text.
fn plain(markdown: &str) -> String {
    markdown.replace('`', "")
}

fn toml_to_json(value: &str) -> Json {
    let table: toml::Table = toml::from_str(&format!("v = {value}")).expect("a default is a TOML value");
    serde_json::to_value(&table["v"]).expect("a TOML value converts to JSON")
}
