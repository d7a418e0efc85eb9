//! The install snippet: the spec's shape, pinned with SRI, safe under a strict CSP.

use minijinja::{AutoEscape, Environment};

use crate::error::Error;
use crate::escape;
use crate::templates;
use crate::validate::CustomerConfig;

/// The Trusted Types policy the snippet creates; a page with `trusted-types` in its CSP lists it.
pub const TRUSTED_TYPES_POLICY: &str = "twt-snippet";

/// Where the snippet loads `core.js` from and what it pins.
#[derive(Debug, Clone)]
pub struct ScriptRef {
    /// The full URL, `?version=` query included.
    pub url: String,
    pub integrity: String,
}

/// Every template gets its values pre-escaped for its context, so auto-escaping is off:
/// minijinja's HTML escaping is wrong inside `<script>` (and turns `/` into `&#x2f;`).
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .build()
            .expect("the default delimiters are valid"),
    );
    env
}

pub fn render(config: &CustomerConfig, script: &ScriptRef) -> Result<String, Error> {
    let mut env = environment();
    let (name, source) = templates::SNIPPET;
    env.add_template(name, source)
        .map_err(|e| Error::Internal(format!("{name}: {e}")))?;
    let context = minijinja::context! {
        twt_json => escape::pretty_json_for_script(&config.options),
        script_url_js => escape::js_string_for_script(&script.url),
        integrity_js => escape::js_string_for_script(&script.integrity),
        trusted_types_policy_js => escape::js_string_for_script(TRUSTED_TYPES_POLICY),
    };
    let template = env
        .get_template(name)
        .map_err(|e| Error::Internal(e.to_string()))?;
    template
        .render(context)
        .map_err(|e| Error::Internal(format!("{name}: {e}")))
}
