//! The install snippet: the spec's shape, pinned with SRI, safe under a strict CSP. Four
//! variants, one template each, for the four ways a site can load the widget.

use std::sync::OnceLock;

use serde::Serialize;

use crate::check::options::{self, Reader};
use crate::check::CustomerConfig;
use crate::error::Error;
use crate::escape;
use crate::render::api_surface::{self, Detail, Signature};
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
    /// The standard stub, but core.js is fetched only at the page's first init() (or another
    /// call that needs the widget), or at the first interaction or idle time (`load`): for
    /// consent managers and page speed
    Lazy,
}

impl Variant {
    pub const ALL: [Variant; 4] = [Variant::Standard, Variant::External, Variant::ManualInit, Variant::Lazy];

    pub fn name(self) -> &'static str {
        match self {
            Variant::Standard => "standard",
            Variant::External => "external",
            Variant::ManualInit => "manual-init",
            Variant::Lazy => "lazy",
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
            Variant::Lazy => "snippet-lazy.html",
        }
    }

    /// Whether the variant fits the config: manual init is only for `asyncInit = true`; the lazy
    /// one fits every config (with `asyncInit`, core.js loads at the trigger and waits for init()).
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
/// of customers minifies a handful of times (once per variant and lazy trigger), not thousands.
const URL_SLOT: &str = "\"twt-slot:script-url\"";
const INTEGRITY_SLOT: &str = "\"twt-slot:integrity\"";
const CONFIG_SLOT: &str = "\"twt-slot:config\"";

pub fn render(config: &CustomerConfig, script: &ScriptRef, variant: Variant) -> Result<String, Error> {
    if variant == Variant::External {
        return render_template(config, script, variant);
    }
    // The lazy stub carries the code of its own trigger only, so it has one template per trigger.
    let load = match variant {
        Variant::Lazy => config.option_str("load").unwrap_or(options::LOADS[0]),
        _ => options::LOADS[0],
    };
    let load_index = options::LOADS.iter().position(|l| *l == load).unwrap_or(0);
    const CACHED: usize = Variant::ALL.len() + options::LOADS.len();
    static MINIFIED: [OnceLock<Result<String, String>>; CACHED] = [const { OnceLock::new() }; CACHED];
    let slot = match variant {
        Variant::Lazy => Variant::ALL.len() + load_index,
        _ => variant as usize,
    };
    let minified = MINIFIED[slot]
        .get_or_init(|| minified_template(variant, options::LOADS[load_index]))
        .as_ref()
        .map_err(|e| Error::Internal(format!("minifying the {} snippet: {e}", variant.name())))?;
    Ok(minified
        .replace(URL_SLOT, &escape::js_string_for_script(&script.url))
        .replace(INTEGRITY_SLOT, &escape::js_string_for_script(&script.integrity))
        .replace(CONFIG_SLOT, &escape::json_for_script(&widget_options(config))))
}

/// The options core.js reads: `window.__twt` leaves out those that only shape the snippet.
fn widget_options(config: &CustomerConfig) -> serde_json::Map<String, serde_json::Value> {
    let read_by_widget = |key: &str| options::rule(key).is_some_and(|rule| rule.read_by == Reader::Widget);
    config
        .options
        .iter()
        .filter(|(key, _)| read_by_widget(key))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The functions the stub queues, those that only subscribe to events (`on`, `once`, `off`)
/// first, and how many those are: a call to any later one means the page wants the widget now,
/// which is when the lazy stub loads it.
fn stub_functions() -> (Vec<&'static str>, usize) {
    let queued = api_surface::FUNCTIONS
        .iter()
        .filter_map(|f| match f.detail {
            Detail::Function { queued_by_stub: true, signature } => Some((f.name, signature)),
            _ => None,
        })
        .collect::<Vec<_>>();
    let (queue_only, needing_the_widget): (Vec<_>, Vec<_>) =
        queued.into_iter().partition(|(_, signature)| matches!(signature, Signature::PerEvent { .. }));
    let count = queue_only.len();
    (queue_only.into_iter().chain(needing_the_widget).map(|(name, _)| name).collect(), count)
}

/// The variant's template with slots for the per-customer values, its inline script minified.
fn minified_template(variant: Variant, load: &str) -> Result<String, String> {
    let slots = ScriptRef { url: String::new(), integrity: String::new() };
    let html =
        render_template_with(&slots, variant, load, Some((URL_SLOT, INTEGRITY_SLOT, CONFIG_SLOT)), &[])
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
    let data_attrs: Vec<DataAttribute> = widget_options(config)
        .iter()
        .map(|(key, value)| DataAttribute {
            name: data_attribute_name(key),
            value: escape::html_attribute(&value.as_str().map_or_else(|| value.to_string(), str::to_string)),
        })
        .collect();
    render_template_with(script, variant, options::LOADS[0], None, &data_attrs)
}

fn render_template_with(
    script: &ScriptRef,
    variant: Variant,
    load: &str,
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
    let (stub_functions, queue_only_count) = self::stub_functions();
    let context = minijinja::context! {
        twt_json => twt_json,
        script_url_js => script_url_js,
        integrity_js => integrity_js,
        trusted_types_policy_js => escape::js_string_for_script(TRUSTED_TYPES_POLICY),
        stub_functions_js => escape::js_string_for_script(&stub_functions.join(" ")),
        queue_only_count => queue_only_count,
        load_on_call => variant == Variant::Lazy,
        load => load,
        script_url_attr => escape::html_attribute(&script.url),
        integrity_attr => escape::html_attribute(&script.integrity),
        data_attrs => minijinja::Value::from(minijinja::value::Serde(data_attrs)),
    };
    templating::render(&variant.template(), context)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_with(options: serde_json::Value) -> CustomerConfig {
        let options = options.as_object().unwrap().clone();
        CustomerConfig { path: "t.toml".into(), appid: "acme".into(), options }
    }

    /// The stub's index test (`i >= queue_only_count`) needs the event functions first.
    #[test]
    fn the_stub_lists_the_event_functions_first_and_only_the_others_load_core_js() {
        let (names, queue_only) = stub_functions();
        assert_eq!(names[..queue_only], ["on", "once", "off"]);
        assert_eq!(names[queue_only..], ["call", "init", "login", "logout", "setLanguage"]);
        let mut all: Vec<&str> = api_surface::stub_queued_functions().collect();
        let mut listed = names.clone();
        all.sort();
        listed.sort();
        assert_eq!(listed, all);
    }

    /// `load` shapes the lazy snippet's code and reaches neither `window.__twt` nor a `data-`
    /// attribute; each trigger's snippet carries only its own code.
    #[test]
    fn load_shapes_only_the_lazy_snippet() {
        let script = ScriptRef { url: "https://cdn.example/core.js".into(), integrity: "sha384-x".into() };
        for load in options::LOADS {
            let config = config_with(serde_json::json!({ "appid": "acme", "load": load }));
            for variant in Variant::ALL {
                let html = render(&config, &script, variant).unwrap();
                assert!(
                    !html.contains("\"load\"") && !html.contains("data-load"),
                    "{load} {variant:?}: {html}"
                );
                assert!(html.contains("acme"), "{html}");
            }
            let lazy = render(&config, &script, Variant::Lazy).unwrap();
            assert_eq!(lazy.contains("pointerdown"), *load == "interaction", "{lazy}");
            assert_eq!(lazy.contains("requestIdleCallback"), *load == "idle", "{lazy}");
        }
        let default =
            render(&config_with(serde_json::json!({ "appid": "acme" })), &script, Variant::Lazy).unwrap();
        let init = render(
            &config_with(serde_json::json!({ "appid": "acme", "load": "init" })),
            &script,
            Variant::Lazy,
        );
        assert_eq!(default, init.unwrap());
    }

    #[test]
    fn data_attribute_names_match_dataset() {
        assert_eq!(data_attribute_name("zIndex"), "data-z-index");
        assert_eq!(data_attribute_name("asyncInit"), "data-async-init");
        assert_eq!(data_attribute_name("appid"), "data-appid");
    }
}
