//! Per-customer integration docs (Markdown), rendered from `templates/docs/`.

use serde::Serialize;

use crate::api::{self, Entry};
use crate::bundle::{SDK_VERSION, SNIPPET_VERSION};
use crate::error::Error;
use crate::escape::{markdown_table_code, markdown_text};
use crate::locale;
use crate::rules::RULES;
use crate::snippet::{self, ScriptRef, TRUSTED_TYPES_POLICY};
use crate::templates;
use crate::validate::CustomerConfig;

/// A row of a reference table, each cell already escaped for a GFM table.
#[derive(Serialize)]
struct Row {
    name: String,
    usage: String,
    description: String,
}

fn rows(entries: &[Entry]) -> Vec<Row> {
    entries
        .iter()
        .map(|e| Row {
            name: markdown_table_code(e.name),
            usage: markdown_table_code(e.usage),
            description: e.description.replace('|', "\\|"),
        })
        .collect()
}

#[derive(Serialize)]
struct OptionRow {
    key: String,
    value_md: String,
    description_md: String,
}

/// The page's origin part of a URL (`https://cdn.example/install/x.js` → `https://cdn.example`).
pub fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(slash) => &url[..after_scheme + slash],
        None => url,
    }
}

pub fn render_markdown(
    config: &CustomerConfig,
    snippet_html: &str,
    script: &ScriptRef,
    runtime_origin: &str,
) -> Result<String, Error> {
    let options: Vec<OptionRow> = RULES
        .iter()
        .map(|rule| OptionRow {
            key: markdown_table_code(rule.key),
            value_md: match config.options.get(rule.key) {
                Some(value) => markdown_table_code(&value.to_string()),
                None => format!("*(default)* {}", markdown_text(rule.default)),
            },
            description_md: markdown_text(rule.description),
        })
        .collect();
    let mut env = snippet::environment();
    let (name, source) = templates::INTEGRATION_MD;
    env.add_template(name, source)
        .map_err(|e| Error::Internal(format!("{name}: {e}")))?;
    let context = minijinja::context! {
        appid_md => markdown_text(&config.appid),
        tool_version => env!("CARGO_PKG_VERSION"),
        sdk_version => SDK_VERSION,
        snippet_version => SNIPPET_VERSION,
        snippet => snippet_html,
        bundle_url_code => script.url.replace('`', "%60"),
        integrity_code => &script.integrity,
        options => minijinja::Value::from(minijinja::value::Serde(&options)),
        custom_launcher => config.custom_launcher(),
        async_init => config.async_init(),
        locales => locale::supported_codes().collect::<Vec<_>>().join(", "),
        functions => minijinja::Value::from(minijinja::value::Serde(&rows(api::FUNCTIONS))),
        methods => minijinja::Value::from(minijinja::value::Serde(&rows(api::METHODS))),
        getters => minijinja::Value::from(minijinja::value::Serde(&rows(api::GETTERS))),
        events => minijinja::Value::from(minijinja::value::Serde(&rows(api::EVENTS))),
        cdn_origin_code => origin_of(&script.url),
        runtime_origin_code => runtime_origin,
        trusted_types_policy => TRUSTED_TYPES_POLICY,
    };
    let template = env
        .get_template(name)
        .map_err(|e| Error::Internal(e.to_string()))?;
    template
        .render(context)
        .map_err(|e| Error::Internal(format!("{name}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn origin_of_strips_the_path() {
        assert_eq!(
            origin_of("https://cdn.example/install/core.js?v=1"),
            "https://cdn.example"
        );
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }
}
