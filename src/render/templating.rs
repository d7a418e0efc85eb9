//! Rendering the embedded minijinja templates.
//!
//! Every value reaches a template already escaped for the context it lands in (`escape`), so
//! auto-escaping is off: minijinja's HTML escaping is wrong inside `<script>`, Markdown or
//! attribute values in quotes of another kind (and turns `/` into `&#x2f;`).

use std::sync::OnceLock;

use minijinja::{AutoEscape, Environment};

use crate::error::Error;
use crate::render::embedded;

/// All templates, parsed once and shared by the threads that render customers.
fn environment() -> Result<&'static Environment<'static>, Error> {
    static ENVIRONMENT: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    ENVIRONMENT
        .get_or_init(|| {
            let mut env = Environment::new();
            env.set_auto_escape_callback(|_| AutoEscape::None);
            let syntax = minijinja::syntax::SyntaxConfig::builder().keep_trailing_newline(true).build();
            env.set_syntax(syntax.map_err(|e| e.to_string())?);
            let all = embedded::SNIPPETS.iter().chain([
                &embedded::INTEGRATION_MD,
                &embedded::INTEGRATION_HTML,
                &embedded::PUBLISHING_MD,
            ]);
            for (name, source) in all {
                env.add_template(name, source).map_err(|e| format!("{name}: {e}"))?;
            }
            Ok(env)
        })
        .as_ref()
        .map_err(|e| Error::Internal(e.clone()))
}

pub fn render(name: &str, context: minijinja::Value) -> Result<String, Error> {
    let template = environment()?.get_template(name).map_err(|e| Error::Internal(e.to_string()))?;
    template.render(context).map_err(|e| Error::Internal(format!("{name}: {e}")))
}
