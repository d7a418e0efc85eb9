//! The preview page: the customer's standard snippet in a demo host page, and beside the live
//! widget its snippets, the options in effect, the events as they fire, the state, and a button
//! for each documented method. Every list comes from the API table (`render::api_surface`).
//!
//! The template is auto-escaped as HTML (minijinja), so config values land as text; the one
//! value inside a `<script>` (the page's data) is JSON escaped as the snippets escape it.

use std::sync::OnceLock;

use minijinja::value::Serde;
use minijinja::{Environment, Value};
use serde::Serialize;
use serde_json::json;

use crate::check::locale;
use crate::escape;
use crate::preview::build::Built;
use crate::render::api_surface::{self, Entry, Kind};

const TEMPLATE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/preview/page.html.j2"));
const RECORDER_JS: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/preview/recorder.js"));
const PAGE_JS: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/preview/page.js"));
const PAGE_CSS: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/preview/page.css"));

/// What a method's button passes as its payload, taken from its documented usage.
#[derive(Debug, PartialEq, Serialize)]
pub struct Payload {
    /// `text` (the input's value is the payload) or `json` (the input holds JSON).
    kind: &'static str,
    value: String,
    /// Values the input offers (a `<datalist>`), from the option the method sets.
    suggestions: Vec<String>,
}

#[derive(Serialize)]
struct MethodRow {
    name: &'static str,
    usage: &'static str,
    description: &'static str,
    payload: Option<Payload>,
}

/// The payload of `call("name", sample)`, from the usage column: none for `call("name")`, the
/// sample string for `call("name", "en")`, test values for every field of `call("name", { a, b? })`.
pub fn payload_of(method: &Entry) -> Option<Payload> {
    let after_name = method.usage.strip_prefix(&format!("call(\"{}\"", method.name))?.strip_suffix(')')?;
    let sample = after_name.strip_prefix(", ")?.trim();
    if let Some(fields) = sample.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
        let test_values: serde_json::Map<_, _> = fields
            .split(',')
            .map(|f| f.trim().trim_end_matches('?'))
            .map(|field| (field.to_string(), json!(format!("preview-{field}"))))
            .collect();
        let value = serde_json::to_string(&test_values).expect("strings serialise");
        return Some(Payload { kind: "json", value, suggestions: Vec::new() });
    }
    let value: String = serde_json::from_str(sample).ok()?;
    // `set_theme` sets what the `theme` option sets: offer the values that option takes.
    let option =
        method.name.strip_prefix("set_").and_then(|o| api_surface::OPTIONS.iter().find(|f| f.name == o));
    let suggestions = match option.map(|o| o.kind) {
        Some(Kind::OneOf(values)) => values.iter().map(|v| v.to_string()).collect(),
        Some(Kind::Locale) => locale::supported_codes().map(str::to_string).collect(),
        _ => Vec::new(),
    };
    Some(Payload { kind: "text", value, suggestions })
}

/// The functions a button can run without arguments and that are not also a method of `call()`
/// (`init()`, `scriptTagVersion()`).
fn plain_functions() -> impl Iterator<Item = &'static Entry> {
    api_surface::FUNCTIONS.iter().filter(|f| {
        f.usage == format!("{}()", f.name) && !api_surface::METHODS.iter().any(|m| m.name == f.name)
    })
}

fn environment() -> &'static Environment<'static> {
    static ENVIRONMENT: OnceLock<Environment<'static>> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        // The default callback auto-escapes templates named `*.html` as HTML.
        let mut env = Environment::new();
        env.add_template("preview/page.html", TEMPLATE).expect("the preview template parses");
        env
    })
}

/// What the page shows besides the good build: the diagnostics of a failed check (or the
/// warnings of the good one).
pub struct Problems<'a> {
    pub failed: bool,
    pub text: &'a str,
}

/// The page for `built`, with `nonce` on each script and style.
pub fn render(built: &Built, problems: &Problems<'_>, nonce: &str) -> Result<String, String> {
    let events: Vec<&str> = api_surface::EVENTS.iter().map(|e| e.name).collect();
    let data = json!({ "build": built.generation, "events": events });
    let methods: Vec<MethodRow> = api_surface::METHODS
        .iter()
        .map(|m| MethodRow {
            name: m.name,
            usage: m.usage,
            description: m.description,
            payload: payload_of(m),
        })
        .collect();
    let snippets: Vec<_> = built
        .snippets
        .iter()
        .map(|(variant, html)| json!({ "name": variant.name(), "html": html }))
        .collect();
    let options: Vec<_> = built
        .config
        .options
        .iter()
        .map(|(key, value)| json!({ "key": key, "value": value.to_string() }))
        .collect();
    let functions: Vec<&Entry> = plain_functions().collect();
    let standard = built.snippets.first().map(|(_, html)| html.as_str()).unwrap_or_default();
    let context = minijinja::context! {
        nonce => nonce,
        appid => &built.config.appid,
        config_path => &built.config.path,
        data_json => Value::from_safe_string(escape::json_for_script(&data)),
        // The build's own snippet, as the customer pastes it, with the page's nonce.
        snippet => Value::from_safe_string(standard.replace("<script>", &format!("<script nonce=\"{nonce}\">"))),
        recorder_js => Value::from_safe_string(RECORDER_JS.to_string()),
        page_js => Value::from_safe_string(PAGE_JS.to_string()),
        page_css => Value::from_safe_string(PAGE_CSS.to_string()),
        snippets => Value::from(Serde(snippets)),
        options => Value::from(Serde(options)),
        methods => Value::from(Serde(methods)),
        functions => Value::from(Serde(functions)),
        getters => Value::from(Serde(api_surface::GETTERS)),
        events => Value::from(Serde(api_surface::EVENTS)),
        problems_failed => problems.failed,
        problems_text => problems.text,
    };
    let template = environment().get_template("preview/page.html").map_err(|e| e.to_string())?;
    template.render(context).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn method(name: &str) -> &'static Entry {
        api_surface::METHODS.iter().find(|m| m.name == name).unwrap()
    }

    #[test]
    fn every_method_usage_gives_its_button_a_payload_or_none() {
        for m in api_surface::METHODS {
            let after_name = m.usage.strip_prefix(&format!("call(\"{}\"", m.name));
            assert!(after_name.is_some_and(|rest| rest.ends_with(')')), "{}: {}", m.name, m.usage);
            let has_sample = m.usage.contains(", ");
            assert_eq!(payload_of(m).is_some(), has_sample, "{}: {}", m.name, m.usage);
        }
        assert_eq!(payload_of(method("maximize")), None);
    }

    #[test]
    fn setters_offer_the_values_of_their_option_and_login_gets_test_values() {
        let theme = payload_of(method("set_theme")).unwrap();
        assert_eq!((theme.kind, theme.value.as_str()), ("text", "dark"));
        assert_eq!(theme.suggestions, ["light", "dark", "system"]);
        let language = payload_of(method("set_language")).unwrap();
        assert!(language.suggestions.iter().any(|l| l == "zh-cn"), "{:?}", language.suggestions);
        let login = payload_of(method("login")).unwrap();
        let value: serde_json::Value = serde_json::from_str(&login.value).unwrap();
        let fields: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(fields, api_surface::LOGIN_FIELDS.iter().map(|f| f.name).collect::<Vec<_>>());
    }

    #[test]
    fn init_is_the_function_button_besides_the_methods() {
        let names: Vec<&str> = plain_functions().map(|f| f.name).collect();
        assert!(names.contains(&"init") && !names.contains(&"logout"), "{names:?}");
    }
}
