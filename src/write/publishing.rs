//! `PUBLISHING.md`: the operator's checklist for one build, at the root of `--out` beside
//! `manifest.json`. It says what to upload, in which order, with which headers (the table of
//! [`serving`]), how to check the result, which bundles the build carries and who pins them,
//! and what `prune` may remove. It is for the operator only: the manifest lists it under
//! `operator_files`, and it is never uploaded.
//!
//! Every value from a flag, a config or the previous manifest reaches the Markdown through the
//! escaper of its context (a code span, table text, a shell word in a fenced block).

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::escape::{markdown_code_span, markdown_table_code, shell_word};
use crate::render::{embedded, templating};
use crate::write::manifest::{FileEntry, ReleasedBundle, MANIFEST_FILE};
use crate::write::previous::INSTALL_DIR;
use crate::write::serving::{self, RULES};

/// Where `build` writes it, at the root of `--out`.
pub const FILE_NAME: &str = "PUBLISHING.md";

/// The files of an output that are for the operator, never to be uploaded: the manifest lists
/// them in `files`, like every file of the build, and again under `operator_files`.
pub const OPERATOR_FILES: &[&str] = &[FILE_NAME];

/// Where `--dev-runtime` puts the dev runtime pages.
pub const DEV_RUNTIME_DIR: &str = "dev-runtime/";

/// How many appids are named beside a bundle; the manifest's `customers` lists them all.
pub const APPIDS_SHOWN: usize = 20;

/// What one build's `PUBLISHING.md` is made of.
pub struct Publishing<'a> {
    pub cdn_base: &'a str,
    pub runtime_origin: &'a str,
    /// The bundle this build's snippets pin.
    pub bundle_path: &'a str,
    /// The type declarations the manifest points at (never pruned).
    pub types_path: &'a str,
    /// The bundle history, oldest first, as the manifest lists it.
    pub history: &'a [ReleasedBundle],
    /// The first appids of this build, sorted, and how many customers it has.
    pub appids: &'a [String],
    pub customer_count: usize,
    /// Every file of the build outside `customers/` (carried `install/` files included).
    pub files: &'a [FileEntry],
    pub dev_runtime: bool,
}

#[derive(Serialize)]
struct BundleRow {
    path_md: String,
    version_md: String,
    released_md: String,
    pinned_md: String,
    current: bool,
}

#[derive(Serialize)]
struct UploadRule {
    folder: &'static str,
    glob: &'static str,
    content_type: &'static str,
    cache_control: &'static str,
}

impl Publishing<'_> {
    pub fn render(&self) -> Result<String, Error> {
        let bundles: Vec<BundleRow> = self.history.iter().map(|bundle| self.row(bundle)).collect();
        let (prunable_bundles, prunable_files) = self.prunable();
        let rules: Vec<UploadRule> = RULES
            .iter()
            .map(|rule| UploadRule {
                folder: rule.folder,
                glob: rule.glob,
                content_type: rule.content_type,
                cache_control: rule.cache_control,
            })
            .collect();
        // rsync: install/ has a line of its own (--ignore-existing), then each other folder once.
        let mut rsync_steps: Vec<&str> = Vec::new();
        for rule in RULES.iter().filter(|rule| rule.folder != INSTALL_DIR) {
            let step = if rule.folder.is_empty() { rule.glob } else { rule.folder };
            if !rsync_steps.contains(&step) {
                rsync_steps.push(step);
            }
        }
        let context = minijinja::context! {
            tool_version => env!("CARGO_PKG_VERSION"),
            cdn_base_md => markdown_code_span(self.cdn_base),
            runtime_origin_md => markdown_code_span(self.runtime_origin),
            bundle_path_md => markdown_code_span(self.bundle_path),
            customer_count => self.customer_count,
            dev_runtime => self.dev_runtime,
            headers_table => serving::markdown_table(),
            previous_manifest_shell => shell_word(&format!("{}/{MANIFEST_FILE}", self.cdn_base)),
            rules => minijinja::Value::from(minijinja::value::Serde(&rules)),
            install_dir => INSTALL_DIR,
            rsync_steps => rsync_steps,
            bundle_count => self.history.len(),
            bundles => minijinja::Value::from(minijinja::value::Serde(&bundles)),
            prunable_bundles => match prunable_bundles {
                1 => "the bundle".to_string(),
                n => format!("the {n} bundles"),
            },
            prunable => prunable_files.iter().map(|path| markdown_code_span(path)).collect::<Vec<_>>(),
        };
        templating::render(embedded::PUBLISHING_MD.0, context)
    }

    fn row(&self, bundle: &ReleasedBundle) -> BundleRow {
        let current = bundle.path == self.bundle_path;
        let pinned_md = if current {
            self.pinned_by_this_build()
        } else if bundle.customers.is_empty() {
            "no customer of this build (snippets pasted earlier may load it)".to_string()
        } else {
            appid_list(&bundle.customers, bundle.customers.len())
        };
        BundleRow {
            path_md: markdown_table_code(&bundle.path),
            version_md: markdown_table_code(&bundle.version),
            released_md: bundle.released.as_deref().map_or("not recorded".to_string(), markdown_table_code),
            pinned_md,
            current,
        }
    }

    fn pinned_by_this_build(&self) -> String {
        match self.customer_count {
            0 => "no customer (this build has none)".to_string(),
            count => format!("every customer of this build, {}", appid_list(self.appids, count)),
        }
    }

    /// What `prune --keep 0` would delete, as `prune` decides it (`release::prune`; a test
    /// compares the two): the bundles that are neither current nor pinned, their source maps,
    /// and a version's other files once none of its bundles is left, never the declarations
    /// the manifest points at. Returns how many bundles, and the files in path order.
    fn prunable(&self) -> (usize, Vec<&str>) {
        let kept = |bundle: &ReleasedBundle| bundle.path == self.bundle_path || !bundle.customers.is_empty();
        let gone: Vec<&str> =
            self.history.iter().filter(|bundle| !kept(bundle)).map(|bundle| bundle.path.as_str()).collect();
        let kept_versions: Vec<&str> =
            self.history.iter().filter(|bundle| kept(bundle)).map(|bundle| bundle.version.as_str()).collect();
        let mut files: Vec<&str> = self
            .files
            .iter()
            .map(|file| file.path.as_str())
            .filter(|path| {
                let bundle_file = gone.iter().any(|b| path == b || path.strip_prefix(b) == Some(".map"));
                let version =
                    path.strip_prefix(INSTALL_DIR).and_then(|rest| rest.split_once('/')).map(|(v, _)| v);
                let orphan = version.is_some_and(|v| !kept_versions.contains(&v)) && *path != self.types_path;
                bundle_file || orphan
            })
            .collect();
        files.sort_unstable();
        (gone.len(), files)
    }
}

/// `PUBLISHING.md` again, from a manifest that `prune` rewrote: the text a build with that
/// history writes. `None` when the manifest lists no `PUBLISHING.md` among its operator files
/// (an older build's) or lacks what it is made from (an edited one): the file is left as it is.
pub fn from_manifest(manifest: &serde_json::Value) -> Option<Result<String, Error>> {
    #[derive(Deserialize)]
    struct Listed {
        cdn_base: String,
        runtime_origin: String,
        bundle: Located,
        types: Located,
        operator_files: Vec<String>,
        bundles: Vec<ReleasedBundle>,
        customers: Vec<Customer>,
        files: Vec<FileEntry>,
    }
    #[derive(Deserialize)]
    struct Located {
        path: String,
    }
    #[derive(Deserialize)]
    struct Customer {
        appid: String,
    }
    let listed = Listed::deserialize(manifest).ok()?;
    if !listed.operator_files.iter().any(|path| path == FILE_NAME) {
        return None;
    }
    // As a build passes them: sorted appids, and the files outside `customers/`.
    let mut appids: Vec<String> = listed.customers.into_iter().map(|customer| customer.appid).collect();
    appids.sort_unstable();
    let files: Vec<FileEntry> = listed
        .files
        .into_iter()
        .filter(|file| !file.path.starts_with("customers/") && file.path != FILE_NAME)
        .collect();
    let publishing = Publishing {
        cdn_base: &listed.cdn_base,
        runtime_origin: &listed.runtime_origin,
        bundle_path: &listed.bundle.path,
        types_path: &listed.types.path,
        history: &listed.bundles,
        appids: &appids[..appids.len().min(APPIDS_SHOWN)],
        customer_count: appids.len(),
        dev_runtime: files.iter().any(|file| file.path.starts_with(DEV_RUNTIME_DIR)),
        files: &files,
    };
    Some(publishing.render())
}

/// `count` customers, the first [`APPIDS_SHOWN`] of `appids` by name, for a table cell.
fn appid_list(appids: &[String], count: usize) -> String {
    let shown: Vec<String> =
        appids.iter().take(APPIDS_SHOWN).map(|appid| markdown_table_code(appid)).collect();
    let more = count.saturating_sub(shown.len());
    let more =
        if more > 0 { format!(" and {more} more (`customers` in manifest.json)") } else { String::new() };
    format!("{count}: {}{more}", shown.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Event, Parser, Tag};

    fn bundle(version: &str, path: &str, released: Option<&str>) -> ReleasedBundle {
        ReleasedBundle {
            version: version.into(),
            path: path.into(),
            integrity: "sha384-x".into(),
            released: released.map(str::to_string),
            customers: Vec::new(),
        }
    }

    fn files(paths: &[&str]) -> Vec<FileEntry> {
        paths.iter().map(|path| FileEntry::of(path, b"")).collect()
    }

    const HOSTILE: &str = "x|y*z_[a](javascript:alert(1))<img src=x onerror=alert(1)>`\n```\n# h";

    /// A build whose every value is hostile: it must stay the same Markdown document, with
    /// the values shown literally.
    #[test]
    fn hostile_values_stay_inert() {
        let history = [
            bundle(HOSTILE, &format!("install/1/{HOSTILE}.js"), Some(HOSTILE)),
            bundle("1.2.0", "install/1.2.0/core.b.js", None),
        ];
        let appids = [HOSTILE.to_string()];
        let cdn_base = format!("https://cdn.example/{HOSTILE}'");
        let publishing = Publishing {
            cdn_base: &cdn_base,
            runtime_origin: HOSTILE,
            bundle_path: "install/1.2.0/core.b.js",
            types_path: "install/1.2.0/twt-chat-widget.d.ts",
            history: &history,
            appids: &appids,
            customer_count: 1,
            files: &files(&[&format!("install/1/{HOSTILE}.js"), "install/1.2.0/core.b.js"]),
            dev_runtime: false,
        };
        let text = publishing.render().unwrap();
        let mut headings = Vec::new();
        let mut heading = None;
        for event in Parser::new_ext(&text, pulldown_cmark::Options::ENABLE_TABLES) {
            match event {
                Event::Html(html) | Event::InlineHtml(html) => panic!("raw HTML {html:?} in\n{text}"),
                Event::Start(Tag::Link { dest_url, .. }) => panic!("a link to {dest_url} in\n{text}"),
                Event::Start(Tag::Emphasis | Tag::Image { .. }) => panic!("emphasis or image in\n{text}"),
                Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
                Event::Text(t) | Event::Code(t) if heading.is_some() => {
                    heading.as_mut().unwrap().push_str(&t)
                }
                Event::End(pulldown_cmark::TagEnd::Heading(_)) => headings.push(heading.take().unwrap()),
                _ => {}
            }
        }
        assert_eq!(
            headings,
            [
                "Publishing this build",
                "1. Headers the CDN must send",
                "2. Upload, in this order",
                "3. Check what the CDN serves",
                "4. Bundles this build carries",
                "5. What prune may remove",
            ],
            "{text}"
        );
        // The fenced commands: the CDN base is one quoted shell word on the curl line.
        let curl = text.lines().find(|line| line.starts_with("curl ")).unwrap();
        assert!(curl.ends_with(&shell_word(&format!("{cdn_base}/manifest.json"))), "{curl}");
        assert_eq!(text.matches("```").count() % 2, 0, "{text}");
        // Every table row has its cells: no value adds or ends one.
        for line in text.lines().filter(|line| line.starts_with('|')) {
            let cells = line.replace("\\|", "").matches('|').count() - 1;
            assert!(cells == 4 || cells == 5, "{line}");
        }
    }

    #[test]
    fn the_history_names_who_pins_each_bundle_and_what_prune_may_remove() {
        let history = [
            bundle("1.1.0", "install/1.1.0/core.a.js", Some("2026-01-02")),
            bundle("1.2.0", "install/1.2.0/core.b.js", None),
            bundle("1.2.0", "install/1.2.0/core.c.js", Some("2026-03-04")),
        ];
        let appids: Vec<String> = (0..APPIDS_SHOWN).map(|n| format!("c{n:02}")).collect();
        let files = files(&[
            "config.schema.json",
            "install/1.1.0/core.a.js",
            "install/1.1.0/core.a.js.map",
            "install/1.1.0/twt-chat-widget.d.ts",
            "install/1.2.0/core.b.js",
            "install/1.2.0/core.b.js.map",
            "install/1.2.0/core.c.js",
            "install/1.2.0/core.c.js.map",
            "install/1.2.0/twt-chat-widget.d.ts",
        ]);
        let publishing = Publishing {
            cdn_base: "https://cdn.example",
            runtime_origin: "https://rt.example",
            bundle_path: "install/1.2.0/core.c.js",
            types_path: "install/1.2.0/twt-chat-widget.d.ts",
            history: &history,
            appids: &appids,
            customer_count: 25,
            files: &files,
            dev_runtime: false,
        };
        let text = publishing.render().unwrap();
        assert!(
            text.contains("| `install/1.1.0/core.a.js` | `1.1.0` | `2026-01-02` | no customer"),
            "{text}"
        );
        assert!(
            text.contains("| `install/1.2.0/core.b.js` | `1.2.0` | not recorded | no customer"),
            "{text}"
        );
        assert!(
            text.contains("| `install/1.2.0/core.c.js` (current) | `1.2.0` | `2026-03-04` | every customer of this build, 25: `c00`, `c01`,"),
            "{text}"
        );
        assert!(text.contains("`c19` and 5 more (`customers` in manifest.json) |"), "{text}");
        assert_eq!(
            publishing.prunable(),
            (
                2,
                vec![
                    "install/1.1.0/core.a.js",
                    "install/1.1.0/core.a.js.map",
                    "install/1.1.0/twt-chat-widget.d.ts",
                    "install/1.2.0/core.b.js",
                    "install/1.2.0/core.b.js.map",
                ]
            )
        );
        let single = Publishing { history: &history[2..], files: &files[6..], ..publishing };
        assert_eq!(single.prunable(), (0, vec![]));
        assert!(single.render().unwrap().contains("Nothing: the current bundle is the only one"));
    }
}
