//! `twt-gen build`: validate every config, build the bundle once, render every customer's
//! snippet and docs, and write it all with a manifest.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;

use crate::check::CustomerConfig;
use crate::error::Error;
use crate::render::bundle::{self, Bundle, BundleInputs, SDK_VERSION, SNIPPET_VERSION};
use crate::render::docs::{self, DocsInput};
use crate::render::embedded;
use crate::render::snippet::{self, ScriptRef, Variant};
use crate::render::types_dts;
use crate::terminal::Progress;
use crate::write::atomic::{self, Foreign};
use crate::write::manifest::{BundleEntry, CustomerEntry, Manifest, TypesEntry, MANIFEST_FILE};
use crate::write::Files;

/// Where the built files will be served from and what they talk to.
#[derive(Debug, Clone)]
pub struct Deployment {
    /// The URL under which the output folder is served, without a trailing slash.
    pub cdn_base: String,
    /// The origin serving the runtime pages, without a trailing slash.
    pub runtime_origin: String,
}

impl Deployment {
    pub fn script_ref(&self, bundle: &Bundle) -> ScriptRef {
        ScriptRef {
            url: format!("{}/{}?version={SNIPPET_VERSION}", self.cdn_base, bundle.path()),
            integrity: bundle.integrity.clone(),
        }
    }

    /// Where the integrators' TypeScript declarations are served.
    pub fn types_url(&self) -> String {
        format!("{}/{}", self.cdn_base, types_dts::path())
    }

    pub fn build_bundle(&self) -> Result<Bundle, Error> {
        bundle::build(&BundleInputs { runtime_origin: self.runtime_origin.clone() })
    }
}

pub struct BuildRequest<'a> {
    pub configs: &'a [CustomerConfig],
    pub deployment: &'a Deployment,
    /// Also write the dev runtime pages into `dev-runtime/`.
    pub dev_runtime: bool,
}

/// What one customer's files are called inside the output folder.
pub fn customer_dir(appid: &str) -> String {
    format!("customers/{appid}")
}

/// Renders every file of the build in memory; nothing touches the disk.
pub fn render(request: &BuildRequest<'_>) -> Result<(Files, Bundle), Error> {
    let bundle = request.deployment.build_bundle()?;
    let script = request.deployment.script_ref(&bundle);
    let style_hash = crate::render::sri::csp_hash(&bundle.css);
    let types_url = request.deployment.types_url();
    let progress = Progress::new(request.configs.len());
    let rendered: Vec<(CustomerEntry, Vec<(String, Vec<u8>)>)> = request
        .configs
        .par_iter()
        .map(|config| {
            let result =
                render_customer(config, &script, &types_url, &request.deployment.runtime_origin, &style_hash);
            progress.tick();
            result
        })
        .collect::<Result<_, Error>>()?;
    progress.finish();

    let mut files = Files::new();
    files.insert(bundle.path(), bundle.code.clone().into_bytes());
    files.insert(bundle.source_map_path(), bundle.source_map.clone());
    let types = types_dts::render().into_bytes();
    let types_entry = TypesEntry {
        path: types_dts::path(),
        url: types_url,
        sha384: crate::render::sri::sha384_hex(&types),
    };
    files.insert(types_dts::path(), types);
    files.insert(crate::render::schema::FILE_NAME.to_string(), crate::render::schema::render().into_bytes());
    if request.dev_runtime {
        for (name, text) in embedded::DEV_RUNTIME {
            files.insert(format!("dev-runtime/{name}"), text.as_bytes().to_vec());
        }
    }
    let mut customers = Vec::with_capacity(rendered.len());
    for (entry, customer_files) in rendered {
        files.extend(customer_files);
        customers.push(entry);
    }
    let manifest = Manifest {
        generator: format!("twt-gen {}", env!("CARGO_PKG_VERSION")),
        sdk_version: SDK_VERSION,
        snippet_version: SNIPPET_VERSION,
        cdn_base: request.deployment.cdn_base.clone(),
        runtime_origin: request.deployment.runtime_origin.clone(),
        bundle: BundleEntry {
            path: bundle.path(),
            url: script.url.clone(),
            integrity: bundle.integrity.clone(),
            bytes: bundle.code.len(),
            gzip_bytes: bundle::gzip_len(bundle.code.as_bytes()),
        },
        types: types_entry,
        customers,
        files: Vec::new(),
    };
    let manifest_bytes = manifest.finish(&files);
    files.insert(MANIFEST_FILE.to_string(), manifest_bytes);
    Ok((files, bundle))
}

/// One customer's snippets and docs, with their manifest entry.
fn render_customer(
    config: &CustomerConfig,
    script: &ScriptRef,
    types_url: &str,
    runtime_origin: &str,
    style_hash: &str,
) -> Result<(CustomerEntry, Vec<(String, Vec<u8>)>), Error> {
    let dir = customer_dir(&config.appid);
    let mut snippets = BTreeMap::new();
    let mut snippet_paths = BTreeMap::new();
    for variant in Variant::for_config(config) {
        snippets.insert(variant.name(), snippet::render(config, script, variant)?);
        snippet_paths.insert(variant.name().to_string(), format!("{dir}/{}", variant.file_name()));
    }
    let markdown = docs::render_markdown(&DocsInput {
        config,
        snippets: &snippets,
        script,
        types_url,
        runtime_origin,
        style_hash,
    })?;
    let html = docs::render_html(config, &markdown)?;
    let entry = CustomerEntry {
        appid: config.appid.clone(),
        config: config.path.clone(),
        snippet: snippet_paths[Variant::Standard.name()].clone(),
        snippets: snippet_paths,
        docs: format!("{dir}/INTEGRATION.md"),
        docs_html: format!("{dir}/integration.html"),
    };
    let mut files =
        vec![(entry.docs.clone(), markdown.into_bytes()), (entry.docs_html.clone(), html.into_bytes())];
    for (name, text) in snippets {
        files.push((entry.snippets[name].clone(), text.into_bytes()));
    }
    Ok((entry, files))
}

pub fn build(request: &BuildRequest<'_>, out: &Path, foreign: Foreign) -> Result<(Files, Bundle), Error> {
    let (files, bundle) = render(request)?;
    atomic::write_atomically(out, &files, foreign)?;
    Ok((files, bundle))
}
