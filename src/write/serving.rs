//! What the CDN must send for each path of an output folder: one table, read by `verify`'s
//! checks, written into the operator's `PUBLISHING.md` and pasted into the README (a test keeps
//! the README's copy equal), so the prescription and the check cannot disagree.
//!
//! Everything under `install/` is immutable by construction (its path holds the SDK version, a
//! bundle's also a hash of its bytes, and no build rewrites it), so it is cached for a year;
//! everything else changes with a release and is revalidated.

use crate::write::manifest::MANIFEST_FILE;
use crate::write::previous::INSTALL_DIR;

/// The shortest `max-age` accepted for `install/`: one year, in seconds. A path there holds the
/// same bytes forever, so any shorter lifetime only makes returning visitors revalidate the
/// bundle; one year is the longest lifetime HTTP caches were ever told to honour (RFC 2616's
/// cap on `Expires`), and so the value CDNs prescribe.
pub const ONE_YEAR: u64 = 31_536_000;

/// `Cache-Control` for `install/`: [`ONE_YEAR`], and `immutable` so that browsers do not
/// revalidate on reload.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `Cache-Control` for what changes between releases: cached, but asked again each time.
pub const REVALIDATE: &str = "no-cache";

/// `Access-Control-Allow-Origin` for `install/`: the snippet loads the bundle with
/// `crossorigin="anonymous"` for SRI, from any customer's site.
pub const ANY_ORIGIN: &str = "*";

/// The `Content-Type` prescribed for the bundle (`verify` accepts every JavaScript type).
pub const JAVASCRIPT: &str = "text/javascript; charset=utf-8";

/// What `verify` checks of the files of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    /// Every bundle of the history: bytes, CORS, a JavaScript type, a year and `immutable`.
    Always,
    /// With `--customers`: bytes, and never `immutable`.
    WithCustomers,
    Never,
}

impl Verified {
    pub fn describe(self) -> &'static str {
        match self {
            Verified::Always => "bytes, all three headers",
            Verified::WithCustomers => "with `--customers`: bytes, not `immutable`",
            Verified::Never => "no",
        }
    }
}

/// The headers of the files under `folder` whose names match `glob`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The paths it covers, as a table shows them.
    pub paths: &'static str,
    /// The folder an upload syncs (`install/`, `customers/`), or `""` for one file at the root.
    pub folder: &'static str,
    /// `*.ext` for the files of `folder` whose path ends so, or the one file's name.
    pub glob: &'static str,
    pub content_type: &'static str,
    pub cache_control: &'static str,
    /// `None`: not needed (no page fetches it with CORS).
    pub allow_origin: Option<&'static str>,
    pub verified: Verified,
}

impl Rule {
    /// Whether `path` (relative to the output folder) is one of this rule's files.
    pub fn matches(&self, path: &str) -> bool {
        let Some(rest) = path.strip_prefix(self.folder) else { return false };
        match self.glob.strip_prefix('*') {
            Some(ending) => rest.ends_with(ending),
            None => rest == self.glob,
        }
    }
}

pub const BUNDLE: Rule = Rule {
    paths: "install/<version>/core.<hash>.js",
    folder: INSTALL_DIR,
    glob: "*.js",
    content_type: JAVASCRIPT,
    cache_control: IMMUTABLE,
    allow_origin: Some(ANY_ORIGIN),
    verified: Verified::Always,
};

pub const SOURCE_MAP: Rule = Rule {
    paths: "install/<version>/core.<hash>.js.map",
    folder: INSTALL_DIR,
    glob: "*.js.map",
    content_type: "application/json",
    cache_control: IMMUTABLE,
    allow_origin: Some(ANY_ORIGIN),
    verified: Verified::Never,
};

pub const TYPES: Rule = Rule {
    paths: "install/<version>/twt-chat-widget.d.ts",
    folder: INSTALL_DIR,
    glob: "*.d.ts",
    // Not a guess by extension: `.ts` is also MPEG transport stream (`video/mp2t`).
    content_type: "text/plain; charset=utf-8",
    cache_control: IMMUTABLE,
    allow_origin: Some(ANY_ORIGIN),
    verified: Verified::Never,
};

pub const CUSTOMER_PAGES: Rule = Rule {
    paths: "customers/<appid>/*.html",
    folder: "customers/",
    glob: "*.html",
    content_type: "text/html; charset=utf-8",
    cache_control: REVALIDATE,
    allow_origin: None,
    verified: Verified::WithCustomers,
};

pub const CUSTOMER_DOCS: Rule = Rule {
    paths: "customers/<appid>/INTEGRATION.md",
    folder: "customers/",
    glob: "*.md",
    content_type: "text/markdown; charset=utf-8",
    cache_control: REVALIDATE,
    allow_origin: None,
    verified: Verified::WithCustomers,
};

pub const SCHEMA: Rule = Rule {
    paths: "config.schema.json",
    folder: "",
    glob: crate::render::schema::FILE_NAME,
    content_type: "application/json",
    cache_control: REVALIDATE,
    allow_origin: None,
    verified: Verified::Never,
};

pub const MANIFEST: Rule = Rule {
    paths: MANIFEST_FILE,
    folder: "",
    glob: MANIFEST_FILE,
    content_type: "application/json",
    cache_control: REVALIDATE,
    allow_origin: None,
    verified: Verified::Never,
};

/// Every rule, in upload order: `install/` first (a snippet must never pin a bundle that is
/// not online yet), `manifest.json` last (it promises everything before it).
pub const RULES: &[Rule] = &[BUNDLE, SOURCE_MAP, TYPES, CUSTOMER_PAGES, CUSTOMER_DOCS, SCHEMA, MANIFEST];

/// The rule of a served file; `None` for a file that is not served from the CDN (the operator's
/// `PUBLISHING.md`, the dev runtime).
pub fn rule_for(path: &str) -> Option<&'static Rule> {
    RULES.iter().find(|rule| rule.matches(path))
}

/// The table of [`RULES`] as the README and `PUBLISHING.md` show it (GitHub Markdown).
pub fn markdown_table() -> String {
    let mut table = String::from(
        "| path | `Content-Type` | `Cache-Control` | `Access-Control-Allow-Origin` | checked by `verify` |\n\
         |---|---|---|---|---|\n",
    );
    for rule in RULES {
        let code = |text: &str| format!("`{text}`");
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            code(rule.paths),
            code(rule.content_type),
            code(rule.cache_control),
            rule.allow_origin.map_or("not needed".to_string(), code),
            rule.verified.describe(),
        ));
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_of_a_build_has_exactly_one_rule() {
        for path in [
            "install/1.2.0/core.0123abcd.js",
            "install/1.2.0/core.0123abcd.js.map",
            "install/1.2.0/twt-chat-widget.d.ts",
            "customers/acme/snippet.html",
            "customers/acme/snippet-lazy.html",
            "customers/acme/integration.html",
            "customers/acme/INTEGRATION.md",
            "config.schema.json",
            "manifest.json",
        ] {
            let rules: Vec<_> = RULES.iter().filter(|rule| rule.matches(path)).collect();
            assert_eq!(rules.len(), 1, "{path}: {rules:?}");
        }
        for not_served in ["PUBLISHING.md", "dev-runtime/panel.html", "customers.html", "install.js"] {
            assert_eq!(rule_for(not_served), None, "{not_served}");
        }
    }

    #[test]
    fn immutable_says_one_year() {
        assert!(IMMUTABLE.contains(&format!("max-age={ONE_YEAR}")) && IMMUTABLE.ends_with("immutable"));
    }

    /// The upload commands quote these values in double quotes.
    #[test]
    fn values_need_no_shell_escaping_in_double_quotes() {
        for rule in RULES {
            for value in [rule.folder, rule.glob, rule.content_type, rule.cache_control] {
                assert!(!value.contains(['"', '$', '`', '\\', '!', '\n']), "{value}");
            }
        }
    }
}

#[cfg(test)]
mod readme {
    /// The README's table of headers is [`super::markdown_table`], between these markers.
    #[test]
    fn readme_shows_exactly_the_rules() {
        assert_eq!(
            crate::readme::generated_section("headers", "src/write/serving.rs"),
            super::markdown_table(),
            "README.md's table of headers differs from RULES; paste the right side between the markers"
        );
    }
}
