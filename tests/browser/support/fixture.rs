//! A real `twt-gen build` served over loopback HTTP.
//!
//! Servers (each its own origin):
//! - `site`: test pages + the whole build output folder (the default CDN: `--cdn-base`);
//! - `runtime`: `<out>/dev-runtime/` (`--runtime-origin`);
//! - `cdn`: the build output folder again, a third origin, used as `--cdn-base` with
//!   [`FixtureBuilder::cross_origin_cdn`].

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use super::page::Page;
use super::server::Server;
use super::session::{Session, SessionOptions};

/// One customer of the build, from `manifest.json`.
#[derive(Clone, Debug)]
pub struct Customer {
    pub appid: String,
    /// Path of the snippet file, relative to the output folder.
    pub snippet_path: String,
    /// The snippet HTML.
    pub snippet: String,
    /// Other snippet variants by name (`customers[i].snippets` in manifest.json, e.g.
    /// `external`), their HTML.
    pub variants: std::collections::BTreeMap<String, String>,
    /// This customer's entry in manifest.json.
    pub manifest: Value,
}

pub struct Fixture {
    pub site: Server,
    pub runtime: Server,
    pub cdn: Server,
    cdn_base: String,
    out: PathBuf,
    config_paths: Vec<PathBuf>,
    manifest: Value,
    customers: Vec<Customer>,
    build_stderr: String,
    pages: AtomicUsize,
    _tmp: tempfile::TempDir,
}

/// Options for [`Fixture`]; start with `Fixture::builder(toml)`.
pub struct FixtureBuilder {
    configs: Vec<String>,
    args: Vec<String>,
    cross_origin_cdn: bool,
    dev_runtime: bool,
    binary: PathBuf,
}

impl FixtureBuilder {
    /// Another customer config (each becomes `--config <file>`).
    pub fn config(mut self, toml: &str) -> Self {
        self.configs.push(toml.to_string());
        self
    }

    /// Extra command-line arguments for `twt-gen build`.
    pub fn arg(mut self, arg: &str) -> Self {
        self.args.push(arg.to_string());
        self
    }

    /// `--cdn-base` on a third origin (the `cdn` server) instead of the page's own origin.
    pub fn cross_origin_cdn(mut self) -> Self {
        self.cross_origin_cdn = true;
        self
    }

    /// Leave out `--dev-runtime` (the runtime server then has nothing to serve).
    pub fn without_dev_runtime(mut self) -> Self {
        self.dev_runtime = false;
        self
    }

    /// Run another twt-gen binary than this package's (e.g. a release build).
    pub fn binary(mut self, path: impl Into<PathBuf>) -> Self {
        self.binary = path.into();
        self
    }

    pub fn build(self) -> Fixture {
        // Servers first: their ports go into the build.
        let tmp = tempfile::Builder::new().prefix("twt-browser-fixture-").tempdir().expect("temp dir");
        let out = tmp.path().join("out");
        let site = Server::serve_dir("site", &out);
        let runtime = Server::serve_dir("runtime", out.join("dev-runtime"));
        let cdn = Server::serve_dir("cdn", &out);
        let cdn_base = if self.cross_origin_cdn { cdn.origin() } else { site.origin() };

        let mut config_paths = Vec::new();
        for (i, toml) in self.configs.iter().enumerate() {
            let path = tmp.path().join(format!("customer-{i}.toml"));
            std::fs::write(&path, toml).expect("write the config");
            config_paths.push(path);
        }

        let mut cmd = Command::new(&self.binary);
        cmd.arg("build");
        for path in &config_paths {
            cmd.arg("--config").arg(path);
        }
        cmd.arg("--out")
            .arg(&out)
            .arg("--cdn-base")
            .arg(&cdn_base)
            .arg("--runtime-origin")
            .arg(runtime.origin());
        if self.dev_runtime {
            cmd.arg("--dev-runtime");
        }
        cmd.args(&self.args);
        let shown = format!("{cmd:?}");
        let output = cmd.output().unwrap_or_else(|e| panic!("cannot run {shown}: {e}"));
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let configs_text: String = config_paths
            .iter()
            .zip(&self.configs)
            .map(|(p, t)| format!("--- {}\n{t}\n", p.display()))
            .collect();
        if !output.status.success() {
            panic!(
                "twt-gen build failed ({})\ncommand: {shown}\n{configs_text}stderr:\n{stderr}\nstdout:\n{}",
                output.status,
                String::from_utf8_lossy(&output.stdout)
            );
        }

        let manifest_path = out.join("manifest.json");
        let manifest_text = std::fs::read_to_string(&manifest_path).unwrap_or_else(|e| {
            panic!(
                "twt-gen build succeeded but {} is unreadable: {e}\nstderr:\n{stderr}",
                manifest_path.display()
            )
        });
        let manifest: Value = serde_json::from_str(&manifest_text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}\n{manifest_text}", manifest_path.display()));

        let customers: Vec<Customer> = manifest["customers"]
            .as_array()
            .unwrap_or_else(|| panic!("manifest.json has no customers list:\n{manifest_text}"))
            .iter()
            .map(|c| {
                let snippet_path = c["snippet"]
                    .as_str()
                    .unwrap_or_else(|| panic!("customer without a snippet path in manifest.json: {c}"))
                    .to_string();
                let snippet = std::fs::read_to_string(out.join(&snippet_path))
                    .unwrap_or_else(|e| panic!("snippet {snippet_path} listed in manifest.json: {e}"));
                let variants = c["snippets"]
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .filter_map(|(name, path)| Some((name.clone(), path.as_str()?)))
                            .map(|(name, path)| {
                                let html = std::fs::read_to_string(out.join(path))
                                    .unwrap_or_else(|e| panic!("snippet {path}: {e}"));
                                (name, html)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                Customer {
                    appid: c["appid"].as_str().unwrap_or_default().to_string(),
                    snippet_path,
                    snippet,
                    variants,
                    manifest: c.clone(),
                }
            })
            .collect();
        if customers.is_empty() {
            panic!("manifest.json lists no customer:\n{manifest_text}");
        }
        if self.dev_runtime && !out.join("dev-runtime").is_dir() {
            panic!("twt-gen build --dev-runtime wrote no {}", out.join("dev-runtime").display());
        }

        Fixture {
            site,
            runtime,
            cdn,
            cdn_base,
            out,
            config_paths,
            manifest,
            customers,
            build_stderr: stderr,
            pages: AtomicUsize::new(0),
            _tmp: tmp,
        }
    }
}

impl Fixture {
    /// Builds one customer config (TOML text) with the dev runtime. Panics with twt-gen's
    /// stderr if the build fails.
    pub fn build(config_toml: &str) -> Fixture {
        Fixture::builder(config_toml).build()
    }

    pub fn builder(config_toml: &str) -> FixtureBuilder {
        FixtureBuilder {
            configs: vec![config_toml.to_string()],
            args: Vec::new(),
            cross_origin_cdn: false,
            dev_runtime: true,
            binary: PathBuf::from(env!("CARGO_BIN_EXE_twt-gen")),
        }
    }

    /// A fresh browser (fresh profile and storage). One per test.
    pub async fn session(&self) -> Session {
        Session::start().await
    }

    /// A fresh browser with options (language, flags).
    pub async fn session_with(&self, options: SessionOptions) -> Session {
        Session::start_with(options).await
    }

    // ---- the build ----

    pub fn out_dir(&self) -> &Path {
        &self.out
    }

    pub fn config_paths(&self) -> &[PathBuf] {
        &self.config_paths
    }

    pub fn manifest(&self) -> &Value {
        &self.manifest
    }

    /// What twt-gen printed on stderr (warnings).
    pub fn build_stderr(&self) -> &str {
        &self.build_stderr
    }

    pub fn customers(&self) -> &[Customer] {
        &self.customers
    }

    /// A snippet variant of the first customer (`customers[0].snippets.<name>`).
    pub fn snippet_variant(&self, name: &str) -> &str {
        let c = &self.customers[0];
        c.variants.get(name).unwrap_or_else(|| {
            panic!("no snippet variant {name:?}: {:?}", c.variants.keys().collect::<Vec<_>>())
        })
    }

    /// The first customer's snippet.
    pub fn snippet(&self) -> &str {
        &self.customers[0].snippet
    }

    pub fn snippet_for(&self, appid: &str) -> &str {
        &self.customer(appid).snippet
    }

    pub fn customer(&self, appid: &str) -> &Customer {
        self.customers
            .iter()
            .find(|c| c.appid == appid)
            .unwrap_or_else(|| panic!("no customer {appid:?} in this build: {:?}", self.appids()))
    }

    fn appids(&self) -> Vec<&str> {
        self.customers.iter().map(|c| c.appid.as_str()).collect()
    }

    /// `bundle.path` from manifest.json (relative to the output folder).
    pub fn bundle_path(&self) -> String {
        self.manifest["bundle"]["path"].as_str().expect("manifest bundle.path").to_string()
    }

    /// `bundle.url` from manifest.json.
    pub fn bundle_url(&self) -> String {
        self.manifest["bundle"]["url"].as_str().expect("manifest bundle.url").to_string()
    }

    /// `bundle.integrity` from manifest.json (`sha384-...`).
    pub fn bundle_integrity(&self) -> String {
        self.manifest["bundle"]["integrity"].as_str().expect("manifest bundle.integrity").to_string()
    }

    /// The bytes of the built bundle.
    pub fn bundle_bytes(&self) -> Vec<u8> {
        let path = self.out.join(self.bundle_path());
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The server behind `--cdn-base` (`site`, or `cdn` with `cross_origin_cdn`).
    pub fn cdn_server(&self) -> &Server {
        if self.cdn_base == self.cdn.origin() {
            &self.cdn
        } else {
            &self.site
        }
    }

    pub fn cdn_base(&self) -> &str {
        &self.cdn_base
    }

    pub fn site_origin(&self) -> String {
        self.site.origin()
    }

    pub fn runtime_origin(&self) -> String {
        self.runtime.origin()
    }

    /// Serves other bytes at the bundle's URL path on the site and CDN servers (SRI tests).
    pub fn tamper_bundle(&self, change: impl FnOnce(Vec<u8>) -> Vec<u8>) {
        let bytes = change(self.bundle_bytes());
        let path = self.bundle_path();
        self.site.override_file(&path, bytes.clone());
        self.cdn.override_file(&path, bytes);
    }

    // ---- pages ----

    /// HTML of a page with the first customer's snippet: recorder, `extra_head`, snippet, `body`.
    pub fn page_with_snippet(&self, extra_head: &str, body: &str) -> String {
        Page::new().head(extra_head).body(body).render(self.snippet())
    }

    /// Serves [`Fixture::page_with_snippet`] on the site origin; returns its URL.
    pub fn page(&self, extra_head: &str, body: &str) -> String {
        self.page_with(Page::new().head(extra_head).body(body))
    }

    /// Serves a [`Page`] (headers, nonce, another customer, raw document) on the site origin.
    pub fn page_with(&self, page: Page) -> String {
        let customer = match &page.appid {
            Some(appid) => self.customer(appid),
            None => &self.customers[0],
        };
        let snippet = match &page.variant {
            Some(name) => customer.variants.get(name).unwrap_or_else(|| {
                panic!(
                    "customer {} has no snippet variant {name:?}; it has {:?}",
                    customer.appid,
                    customer.variants.keys().collect::<Vec<_>>()
                )
            }),
            None => &customer.snippet,
        };
        let html = page.render(snippet);
        let n = self.pages.fetch_add(1, Ordering::SeqCst);
        let path = format!("/__pages/{n}.html");
        let headers: Vec<(&str, &str)> = page.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.site.page_with_headers(&path, &html, &headers)
    }
}
