//! Per-customer integration docs (Markdown), rendered from `templates/docs/`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::check::locale;
use crate::check::options::RULES;
use crate::check::CustomerConfig;
use crate::error::Error;
use crate::escape::{html_text, markdown_code_span, markdown_table_code, markdown_text};
use crate::render::api_surface::{self, Entry};
use crate::render::bundle::{SDK_VERSION, SNIPPET_VERSION};
use crate::render::embedded;
use crate::render::snippet::{ScriptRef, TRUSTED_TYPES_POLICY};
use crate::render::templating;

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

/// What a customer's docs are made of.
pub struct DocsInput<'a> {
    pub config: &'a CustomerConfig,
    /// Each variant's snippet, by variant name (`standard`, `external`, `manual-init`, `lazy`).
    pub snippets: &'a BTreeMap<&'static str, String>,
    pub script: &'a ScriptRef,
    /// Where `twt-chat-widget.d.ts` is served.
    pub types_url: &'a str,
    pub runtime_origin: &'a str,
    /// The CSP hash of the widget's injected style.
    pub style_hash: &'a str,
}

pub fn render_markdown(input: &DocsInput<'_>) -> Result<String, Error> {
    let config = input.config;
    let options: Vec<OptionRow> = RULES
        .iter()
        .map(|rule| OptionRow {
            key: markdown_table_code(rule.key),
            value_md: match config.options.get(rule.key) {
                Some(value) => markdown_table_code(&value.to_string()),
                None => format!("*(default)* {}", markdown_text(rule.default)),
            },
            // Our own Markdown, not config data: only `|` would break the table.
            description_md: rule.description.replace('|', "\\|"),
        })
        .collect();
    let context = minijinja::context! {
        appid_md => markdown_text(&config.appid),
        tool_version => env!("CARGO_PKG_VERSION"),
        sdk_version => SDK_VERSION,
        snippet_version => SNIPPET_VERSION,
        snippets => minijinja::Value::from(minijinja::value::Serde(input.snippets)),
        bundle_url_md => markdown_code_span(&input.script.url),
        integrity_md => markdown_code_span(&input.script.integrity),
        types_url_md => markdown_code_span(input.types_url),
        runtime_origin_md => markdown_code_span(input.runtime_origin),
        types_file => crate::render::types_dts::FILE_NAME,
        options => minijinja::Value::from(minijinja::value::Serde(&options)),
        custom_launcher => config.custom_launcher(),
        async_init => config.async_init(),
        load => config.option_str("load").unwrap_or(crate::check::options::LOADS[0]),
        locales => locale::supported_codes().collect::<Vec<_>>().join(", "),
        functions => minijinja::Value::from(minijinja::value::Serde(&rows(api_surface::FUNCTIONS))),
        methods => minijinja::Value::from(minijinja::value::Serde(&rows(api_surface::METHODS))),
        getters => minijinja::Value::from(minijinja::value::Serde(&rows(api_surface::GETTERS))),
        events => minijinja::Value::from(minijinja::value::Serde(&rows(api_surface::EVENTS))),
        // Inside fenced blocks: literal text; the URLs were checked to be one line.
        cdn_origin_code => crate::check::urls::origin_of(&input.script.url),
        runtime_origin_code => input.runtime_origin,
        trusted_types_policy => TRUSTED_TYPES_POLICY,
        style_hash => input.style_hash,
    };
    templating::render(embedded::INTEGRATION_MD.0, context)
}

/// The same docs as one self-contained, readable HTML page (no external resources).
pub fn render_html(config: &CustomerConfig, markdown: &str) -> Result<String, Error> {
    let parser = pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_TABLES);
    let mut body = String::new();
    pulldown_cmark::html::push_html(&mut body, parser);
    let context = minijinja::context! {
        title_html => html_text(&format!("TWT Chat widget: integration guide for {}", config.appid)),
        body_html => body,
    };
    templating::render(embedded::INTEGRATION_HTML.0, context)
}
