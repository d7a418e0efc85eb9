//! The install snippet: the spec's shape, pinned with SRI, safe under a strict CSP. Three
//! variants, one template each, for the three ways a site can load the widget.

use std::sync::OnceLock;

use serde::Serialize;

use crate::check::CustomerConfig;
use crate::error::Error;
use crate::escape;
use crate::render::api_surface;
use crate::render::templating;

/// The Trusted Types policy the snippet creates; a page with `trusted-types` in its CSP lists it.
pub const TRUSTED_TYPES_POLICY: &str = "twt-snippet";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Variant {
    /// Inline script: a stub queueing every function that can wait for core.js (api.rs),
    /// window.__twt, then core.js with SRI, the page's nonce and a Trusted Types policy
    Standard,
    /// One <script src> tag carrying the config in data- attributes: no inline code at all,
    /// for a CSP such as `script-src <cdn>` without nonces
    External,
    /// The spec's asyncInit shape: core.js loads, the page calls init() (asyncInit = true)
    ManualInit,
}

impl Variant {
    pub const ALL: [Variant; 3] = [Variant::Standard, Variant::External, Variant::ManualInit];

    pub fn name(self) -> &'static str {
        match self {
            Variant::Standard => "standard",
            Variant::External => "external",
            Variant::ManualInit => "manual-init",
        }
    }

    fn template(self) -> String {
        format!("snippet/{}.html", self.name())
    }

    /// The file the build writes it to, inside the customer's folder.
    pub fn file_name(self) -> &'static str {
        match self {
            Variant::Standard => "snippet.html",
            Variant::External => "snippet-external.html",
            Variant::ManualInit => "snippet-manual-init.html",
        }
    }

    /// Whether the variant fits the config: manual init is only for `asyncInit = true`.
    pub fn applies_to(self, config: &CustomerConfig) -> bool {
        self != Variant::ManualInit || config.async_init()
    }

    /// The variants a customer gets.
    pub fn for_config(config: &CustomerConfig) -> impl Iterator<Item = Variant> + '_ {
        Variant::ALL.into_iter().filter(|v| v.applies_to(config))
    }
}

/// Where the snippet loads `core.js` from and what it pins.
#[derive(Debug, Clone)]
pub struct ScriptRef {
    /// The full URL, `?version=` query included.
    pub url: String,
    pub integrity: String,
}

#[derive(Serialize)]
struct DataAttribute {
    name: String,
    value: String,
}

/// `zIndex` → `data-z-index`, as `dataset.zIndex` reads it back.
fn data_attribute_name(key: &str) -> String {
    let mut name = String::from("data-");
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            name.push('-');
        }
        name.push(c.to_ascii_lowercase());
    }
    name
}

/// Stand-ins for the per-customer values in the inline script: the script is minified once per
/// variant with these, then each customer's escaped values replace them, so a batch of thousands
/// of customers minifies three times, not thousands.
const URL_SLOT: &str = "\"twt-slot:script-url\"";
const INTEGRITY_SLOT: &str = "\"twt-slot:integrity\"";
const CONFIG_SLOT: &str = "\"twt-slot:config\"";

pub fn render(config: &CustomerConfig, script: &ScriptRef, variant: Variant) -> Result<String, Error> {
    if variant == Variant::External {
        return render_template(config, script, variant);
    }
    static MINIFIED: [OnceLock<Result<String, String>>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let minified = MINIFIED[variant as usize]
        .get_or_init(|| minified_template(variant))
        .as_ref()
        .map_err(|e| Error::Internal(format!("minifying the {} snippet: {e}", variant.name())))?;
    Ok(minified
        .replace(URL_SLOT, &escape::js_string_for_script(&script.url))
        .replace(INTEGRITY_SLOT, &escape::js_string_for_script(&script.integrity))
        .replace(CONFIG_SLOT, &escape::json_for_script(&config.options)))
}

/// The variant's template with slots for the per-customer values, its inline script minified.
fn minified_template(variant: Variant) -> Result<String, String> {
    let slots = ScriptRef { url: String::new(), integrity: String::new() };
    let html = render_template_with(&slots, variant, Some((URL_SLOT, INTEGRITY_SLOT, CONFIG_SLOT)), &[])
        .map_err(|e| format!("{e:?}"))?;
    let start = html.find("<script>").ok_or("no <script> in the template")? + "<script>".len();
    let end = html.rfind("</script>").ok_or("no </script> in the template")?;
    let code = super::bundle::js::minify_inline(variant.name(), &html[start..end])?;
    for slot in [URL_SLOT, INTEGRITY_SLOT, CONFIG_SLOT] {
        if !code.contains(slot) {
            return Err(format!("the minifier dropped {slot}"));
        }
    }
    Ok(format!("{}{}{}", &html[..start], code, &html[end..]))
}

fn render_template(config: &CustomerConfig, script: &ScriptRef, variant: Variant) -> Result<String, Error> {
    let data_attrs: Vec<DataAttribute> = config
        .options
        .iter()
        .map(|(key, value)| DataAttribute {
            name: data_attribute_name(key),
            value: escape::html_attribute(&value.as_str().map_or_else(|| value.to_string(), str::to_string)),
        })
        .collect();
    render_template_with(script, variant, None, &data_attrs)
}

fn render_template_with(
    script: &ScriptRef,
    variant: Variant,
    slots: Option<(&str, &str, &str)>,
    data_attrs: &[DataAttribute],
) -> Result<String, Error> {
    let (script_url_js, integrity_js, twt_json) = match slots {
        Some((url, integrity, config)) => (url.to_string(), integrity.to_string(), config.to_string()),
        None => (
            escape::js_string_for_script(&script.url),
            escape::js_string_for_script(&script.integrity),
            String::new(),
        ),
    };
    let context = minijinja::context! {
        twt_json => twt_json,
        script_url_js => script_url_js,
        integrity_js => integrity_js,
        trusted_types_policy_js => escape::js_string_for_script(TRUSTED_TYPES_POLICY),
        stub_functions_js => escape::js_string_for_script(&api_surface::stub_queued_functions().collect::<Vec<_>>().join(" ")),
        script_url_attr => escape::html_attribute(&script.url),
        integrity_attr => escape::html_attribute(&script.integrity),
        data_attrs => minijinja::Value::from(minijinja::value::Serde(data_attrs)),
    };
    templating::render(&variant.template(), context)
}

#[cfg(test)]
mod tests {
    use super::data_attribute_name;

    #[test]
    fn data_attribute_names_match_dataset() {
        assert_eq!(data_attribute_name("zIndex"), "data-z-index");
        assert_eq!(data_attribute_name("asyncInit"), "data-async-init");
        assert_eq!(data_attribute_name("appid"), "data-appid");
    }
}
