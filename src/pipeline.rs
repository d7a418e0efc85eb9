//! `twt-gen build`: build the bundle once, then check, render and write each customer as it
//! comes (streaming: memory does not grow with the batch), taking over the previous build's
//! files where nothing they are made from changed, and swap the result in with its manifest.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::check::{self, CustomerConfig};
use crate::diagnostics::emit::Summary;
use crate::diagnostics::Diagnostic;
use crate::error::{self, Error};
use crate::release::date::Date;
use crate::render::bundle::{self, Bundle, BundleInputs, SDK_VERSION, SNIPPET_VERSION};
use crate::render::docs::{self, DocsInput};
use crate::render::embedded;
use crate::render::snippet::{self, ScriptRef, Variant};
use crate::render::types_dts;
use crate::sri;
use crate::terminal::Progress;
use crate::write::atomic::{Foreign, Staging};
use crate::write::manifest::{
    BundleEntry, CustomerEntry, FileEntry, Manifest, ReleasedBundle, Spill, TypesEntry, MANIFEST_FILE,
};
use crate::write::previous::{self, Previous};
use crate::write::publishing::{self, Publishing};

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

/// The customers of a build: config files checked as they stream by, or configs checked already.
pub enum Customers<'a> {
    Files(&'a [PathBuf]),
    Checked(&'a [CustomerConfig]),
}

pub struct BuildRequest<'a> {
    pub customers: Customers<'a>,
    pub deployment: &'a Deployment,
    /// Also write the dev runtime pages into `dev-runtime/`.
    pub dev_runtime: bool,
    pub foreign: Foreign,
    /// Reports the problems of the config files (errors and warnings, in file order) when there
    /// are any; its error ends the build.
    pub report: &'a (dyn Fn(&[&Diagnostic], &Summary) -> Result<(), Error> + Sync),
    /// Told of every file the manifest lists, in order (`--verbose`).
    pub on_file: &'a (dyn Fn(&FileEntry) + Sync),
    /// The release date this build records (`--released`, `SOURCE_DATE_EPOCH`): for its bundle
    /// when it is new, and for every bundle of the history that has none yet.
    pub released: Option<Date>,
}

/// What a build wrote.
pub struct Built {
    pub bundle: Bundle,
    pub customers: usize,
    pub files: usize,
    /// Customers whose files were taken over from the previous build.
    pub taken_over: usize,
}

/// What one customer's files are called inside the output folder.
pub fn customer_dir(appid: &str) -> String {
    format!("customers/{appid}")
}

/// The problems found while streaming: every file's, kept by its place in the batch.
#[derive(Default)]
struct Problems {
    /// Inputs that could not be read (exit 66), by place.
    unreadable: Vec<(usize, Diagnostic)>,
    /// Errors and warnings of the files read, by place.
    diagnostics: Vec<(usize, Vec<Diagnostic>)>,
    files_read: usize,
    /// Folded appid → the first place that set it; then every later place that set it too.
    appids: HashMap<String, usize>,
    duplicates: Vec<(String, usize)>,
}

/// Builds into `out`: nothing there changes unless the whole build succeeds.
pub fn build(request: &BuildRequest<'_>, out: &Path) -> Result<Built, Error> {
    let mut unreadable_inputs = Vec::new();
    let paths = match request.customers {
        Customers::Files(paths) => check::batch::expand_paths(paths, &mut unreadable_inputs),
        Customers::Checked(_) => Vec::new(),
    };
    let bundle = request.deployment.build_bundle()?;
    let context = Context::new(request, bundle);
    let previous = Previous::read(out);
    // An `--out` that cannot take the build is reported after the configs' problems, which are
    // the first thing to fix; meanwhile nothing is rendered.
    // A released file that changed is found before any customer is rendered (and checked
    // again when it is carried over).
    // Files a killed prune left are the build's to drop, and released files are carried over,
    // once the manifest that names them can be trusted: before the foreign files.
    let staging = previous
        .check_trusted(out)
        .and_then(|()| Staging::begin(out, request.foreign, &previous))
        .and_then(|(staging, refusal)| refusal.map_or(Ok(staging), Err))
        .and_then(|staging| {
            let made: Vec<FileEntry> = release_files(&context.bundle)
                .iter()
                .map(|(path, bytes)| FileEntry::of(path, bytes))
                .collect();
            check_releases(out, &previous, &made).map(|_| staging)
        });
    let spill = Spill::new().map_err(|e| Error::output(out, e))?;
    let writer = staging.as_ref().ok().map(|staging| Writer { staging, previous: &previous, spill: &spill });
    let failed = AtomicBool::new(false);
    let first_error: Mutex<Option<Error>> = Mutex::new(None);
    // Renders (or takes over) and writes one customer; after any failure only checks go on.
    let write = |config: &CustomerConfig| {
        let Some(writer) = &writer else { return };
        if failed.load(Ordering::Relaxed) {
            return;
        }
        if let Err(error) = writer.customer(&context, config) {
            failed.store(true, Ordering::Relaxed);
            first_error.lock().expect("no panic while failing").get_or_insert(error);
        }
    };

    let problems = Mutex::new(Problems::default());
    match request.customers {
        Customers::Checked(configs) => {
            let progress = Progress::new(configs.len());
            configs.par_iter().for_each(|config| {
                write(config);
                progress.tick();
            });
            progress.finish();
        }
        Customers::Files(_) => {
            let progress = Progress::new(paths.len());
            paths.par_iter().enumerate().for_each(|(place, path)| {
                check_and_write(place, path, &problems, &failed, &write);
                progress.tick();
            });
            progress.finish();
        }
    }
    let problems = problems.into_inner().expect("no panic while checking");
    report_problems(request, &paths, unreadable_inputs, problems)?;
    if let Some(error) = first_error.into_inner().expect("no panic while failing") {
        return Err(error);
    }
    let staging = staging?;
    let (files, customers) = finish(&staging, &previous, &context, request, out, spill)?;
    let taken_over = context.taken_over.into_inner().expect("no panic while counting");
    staging.commit()?;
    Ok(Built { bundle: context.bundle, customers, files, taken_over })
}

/// Checks one config file; a good one is written, a bad one's problems are kept for the report.
fn check_and_write(
    place: usize,
    path: &Path,
    problems: &Mutex<Problems>,
    failed: &AtomicBool,
    write: &(dyn Fn(&CustomerConfig) + Sync),
) {
    let checked = match check::config_file::read(path) {
        Ok(bytes) => check::check_bytes(path, bytes),
        Err(error) => {
            failed.store(true, Ordering::Relaxed);
            let mut problems = problems.lock().expect("no panic while checking");
            problems.unreadable.push((place, error::unreadable_input(path, &error)));
            return;
        }
    };
    let has_errors = checked.diagnostics.iter().any(Diagnostic::is_error);
    {
        let mut problems = problems.lock().expect("no panic while checking");
        problems.files_read += 1;
        if let Some(config) = &checked.config {
            let folded = check::batch::folded_appid(&config.appid);
            match problems.appids.get(&folded) {
                Some(_) => problems.duplicates.push((folded, place)),
                None => {
                    problems.appids.insert(folded, place);
                }
            }
        }
        if !checked.diagnostics.is_empty() {
            problems.diagnostics.push((place, checked.diagnostics.clone()));
        }
    }
    if has_errors {
        failed.store(true, Ordering::Relaxed);
    } else if let Some(config) = &checked.config {
        write(config);
    }
}

/// Reports the problems in the order of the batch, as `validate` would: unreadable inputs, then
/// every file's diagnostics. Two files with one appid: the later one is in error, wherever the
/// streaming met them first.
fn report_problems(
    request: &BuildRequest<'_>,
    paths: &[PathBuf],
    unreadable_inputs: Vec<Diagnostic>,
    mut problems: Problems,
) -> Result<(), Error> {
    let mut duplicates: Vec<(String, usize)> = std::mem::take(&mut problems.duplicates);
    duplicates.sort();
    for (folded, place) in duplicates {
        let first = problems.appids[&folded];
        let (owner, later) = (first.min(place), first.max(place));
        problems.appids.insert(folded, owner);
        let recheck = |place: usize| {
            check::config_file::read(&paths[place]).map(|bytes| check::check_bytes(&paths[place], bytes)).ok()
        };
        let (Some(owner_file), Some(later_file)) = (recheck(owner), recheck(later)) else { continue };
        let Some(owner_config) = &owner_file.config else { continue };
        let diagnostic =
            check::batch::duplicate_appid(&later_file, &owner_config.appid, &owner_file.file.path);
        match problems.diagnostics.iter_mut().find(|(p, _)| *p == later) {
            Some((_, diagnostics)) => diagnostics.push(diagnostic),
            None => problems.diagnostics.push((later, vec![diagnostic])),
        }
    }
    problems.unreadable.sort_by_key(|(place, _)| *place);
    problems.diagnostics.sort_by_key(|(place, _)| *place);
    let unreadable: Vec<&Diagnostic> =
        unreadable_inputs.iter().chain(problems.unreadable.iter().map(|(_, d)| d)).collect();
    let diagnostics: Vec<&Diagnostic> = problems.diagnostics.iter().flat_map(|(_, d)| d.iter()).collect();
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let summary = Summary {
        files: problems.files_read + unreadable.len(),
        errors: errors + unreadable.len(),
        warnings: diagnostics.len() - errors,
    };
    if summary.errors + summary.warnings > 0 {
        let all: Vec<&Diagnostic> = unreadable.iter().copied().chain(diagnostics.iter().copied()).collect();
        (request.report)(&all, &summary)?;
    }
    if !unreadable.is_empty() {
        return Err(Error::Unreadable { files: unreadable.len() });
    }
    if errors > 0 {
        return Err(Error::Invalid { errors });
    }
    Ok(())
}

/// What every customer's files are rendered from.
struct Context {
    bundle: Bundle,
    script: ScriptRef,
    types_url: String,
    runtime_origin: String,
    style_hash: String,
    /// Everything but the config that a customer's files depend on (see [`customer_inputs`]).
    build_inputs: String,
    taken_over: Mutex<usize>,
}

impl Context {
    fn new(request: &BuildRequest<'_>, bundle: Bundle) -> Context {
        let script = request.deployment.script_ref(&bundle);
        let types_url = request.deployment.types_url();
        let style_hash = sri::csp_hash(&bundle.css);
        let build_inputs = serde_json::json!([
            env!("TWT_GEN_RENDER_ID"),
            request.deployment.cdn_base,
            request.deployment.runtime_origin,
            script.url,
            script.integrity,
            types_url,
            style_hash,
        ])
        .to_string();
        Context {
            script,
            types_url,
            runtime_origin: request.deployment.runtime_origin.clone(),
            style_hash,
            bundle,
            build_inputs,
            taken_over: Mutex::new(0),
        }
    }

    /// A digest of everything one customer's files are made from: twt-gen's sources (the build
    /// script's `TWT_GEN_RENDER_ID`), the deployment and bundle, and the checked config.
    fn customer_inputs(&self, config: &CustomerConfig) -> String {
        let config = serde_json::json!([config.path, config.appid, config.options]).to_string();
        sri::sha384_hex(format!("{}\n{config}", self.build_inputs).as_bytes())
    }
}

/// Where customers go while the build streams.
struct Writer<'a> {
    staging: &'a Staging,
    previous: &'a Previous,
    spill: &'a Spill,
}

impl Writer<'_> {
    /// Writes one customer's files (or takes the previous build's over) and spills its entry.
    fn customer(&self, context: &Context, config: &CustomerConfig) -> Result<(), Error> {
        let entry = customer_entry(config, context.customer_inputs(config));
        let files = match self.take_over(&entry) {
            Some(files) => {
                *context.taken_over.lock().expect("no panic while counting") += 1;
                files
            }
            None => {
                let rendered = render_customer(config, &entry, context)?;
                let mut files = Vec::with_capacity(rendered.len());
                for (path, bytes) in rendered {
                    self.staging.write(&path, &bytes)?;
                    files.push(FileEntry::of(&path, &bytes));
                }
                files
            }
        };
        self.spill.add(&entry, files).map_err(|e| Error::output(self.staging.path(), e))
    }

    /// The previous build's files of this customer, linked into the staging folder, when they
    /// were made from the same inputs and their bytes are still those its manifest lists:
    /// a deleted or edited file is rendered again, never trusted.
    fn take_over(&self, entry: &CustomerEntry) -> Option<Vec<FileEntry>> {
        let expected = self.previous.files_made_from(&entry.appid, &entry.inputs)?;
        let mut paths = entry_paths(entry);
        paths.sort();
        let out = self.staging.out();
        let mut files = Vec::with_capacity(paths.len());
        for path in &paths {
            let bytes = std::fs::read(out.join(path)).ok()?;
            files.push(FileEntry::of(path, &bytes));
        }
        if previous::files_digest(&files) != expected {
            return None;
        }
        paths.iter().try_for_each(|path| self.staging.take_over(path)).ok()?;
        Some(files)
    }
}

/// Writes the files that belong to no customer, the operator's `PUBLISHING.md`, then the
/// manifest; returns how many files and customers the build has.
fn finish(
    staging: &Staging,
    previous: &Previous,
    context: &Context,
    request: &BuildRequest<'_>,
    out: &Path,
    spill: Spill,
) -> Result<(usize, usize), Error> {
    let bundle = &context.bundle;
    let mut others = release_files(bundle);
    others.push((crate::render::schema::FILE_NAME.to_string(), crate::render::schema::render().into_bytes()));
    if request.dev_runtime {
        for (name, text) in embedded::DEV_RUNTIME {
            others.push((format!("{}{name}", publishing::DEV_RUNTIME_DIR), text.as_bytes().to_vec()));
        }
    }
    let mut entries = Vec::with_capacity(others.len());
    for (path, bytes) in &others {
        entries.push(FileEntry::of(path, bytes));
    }
    let types_sha384 = entries[2].sha384.clone();
    let carried = check_releases(out, previous, &entries)?;
    for file in &carried {
        staging.take_over(&file.path)?;
    }
    for (path, bytes) in &others {
        staging.write(path, bytes)?;
    }
    entries.extend(carried);
    let history = bundle_history(previous, bundle, request.released);
    let (appids, customer_count) = spill.appids(publishing::APPIDS_SHOWN);
    let checklist = Publishing {
        cdn_base: &request.deployment.cdn_base,
        runtime_origin: &request.deployment.runtime_origin,
        bundle_path: &bundle.path(),
        types_path: &types_dts::path(),
        history: &history,
        appids: &appids,
        customer_count,
        files: &entries,
        dev_runtime: request.dev_runtime,
    }
    .render()?;
    staging.write(publishing::FILE_NAME, checklist.as_bytes())?;
    entries.push(FileEntry::of(publishing::FILE_NAME, checklist.as_bytes()));
    let head = Manifest {
        generator: format!("twt-gen {}", env!("CARGO_PKG_VERSION")),
        sdk_version: SDK_VERSION,
        snippet_version: SNIPPET_VERSION,
        cdn_base: request.deployment.cdn_base.clone(),
        runtime_origin: request.deployment.runtime_origin.clone(),
        bundle: BundleEntry {
            path: bundle.path(),
            url: context.script.url.clone(),
            integrity: bundle.integrity.clone(),
            bytes: bundle.code.len(),
            gzip_bytes: bundle::gzip_len(bundle.code.as_bytes()),
        },
        types: TypesEntry { path: types_dts::path(), url: context.types_url.clone(), sha384: types_sha384 },
        operator_files: publishing::OPERATOR_FILES,
        bundles: history,
        customers: (),
        files: (),
    };
    let manifest_path = staging.path().join(MANIFEST_FILE);
    let file =
        std::fs::File::create(&manifest_path).map_err(|e| Error::output(&out.join(MANIFEST_FILE), e))?;
    let count = std::sync::atomic::AtomicUsize::new(0);
    let on_file = |file: &FileEntry| {
        count.fetch_add(1, Ordering::Relaxed);
        (request.on_file)(file);
    };
    let customers = spill
        .write_manifest(head, entries, file, &on_file)
        .map_err(|e| Error::output(&out.join(MANIFEST_FILE), e))?;
    Ok((count.into_inner(), customers))
}

/// What this build releases under `install/`: the bundle, its source map, the declarations.
fn release_files(bundle: &Bundle) -> Vec<(String, Vec<u8>)> {
    vec![
        (bundle.path(), bundle.code.clone().into_bytes()),
        (bundle.source_map_path(), bundle.source_map.clone()),
        (types_dts::path(), types_dts::render().into_bytes()),
    ]
}

/// The files of earlier releases (listed under `install/` by the previous manifest) that this
/// build carries over, once their bytes in `out` check out. A released path is never rewritten
/// with other bytes: a file that changed on disk, or that this build (`made`) would make
/// differently, ends the build.
fn check_releases(out: &Path, previous: &Previous, made: &[FileEntry]) -> Result<Vec<FileEntry>, Error> {
    let mut carried = Vec::new();
    for released in previous.released_files() {
        if let Some(new) = made.iter().find(|file| file.path == released.path) {
            if new.sha384 != released.sha384 {
                return Err(Error::released_file_changed(
                    out,
                    &released.path,
                    &released.sha384,
                    &new.sha384,
                    true,
                ));
            }
            continue;
        }
        let found = match std::fs::read(out.join(&released.path)) {
            Ok(bytes) => sri::sha384_hex(&bytes),
            Err(error) => format!("no readable file ({error})"),
        };
        if found != released.sha384 {
            return Err(Error::released_file_changed(out, &released.path, &released.sha384, &found, false));
        }
        carried.push(released.clone());
    }
    Ok(carried)
}

/// The bundle history: the previous build's, oldest first, with this build's bundle last
/// (unless an earlier build released it already). Who pins each is filled in as it is written.
///
/// A bundle keeps the release date it has. One without (released before dates were recorded)
/// takes `released`: a day no earlier than its real one, so `prune --keep-since` may keep it
/// longer than needed, never delete it too soon.
fn bundle_history(previous: &Previous, bundle: &Bundle, released: Option<Date>) -> Vec<ReleasedBundle> {
    let mut history = previous.bundles().to_vec();
    if !history.iter().any(|released| released.path == bundle.path()) {
        history.push(ReleasedBundle {
            version: SDK_VERSION.to_string(),
            path: bundle.path(),
            integrity: bundle.integrity.clone(),
            released: None,
            customers: Vec::new(),
        });
    }
    if let Some(date) = released {
        for entry in history.iter_mut().filter(|entry| entry.released.is_none()) {
            entry.released = Some(date.to_string());
        }
    }
    history
}

/// One customer's manifest entry: where its files go.
fn customer_entry(config: &CustomerConfig, inputs: String) -> CustomerEntry {
    let dir = customer_dir(&config.appid);
    let snippets: BTreeMap<String, String> = Variant::for_config(config)
        .map(|variant| (variant.name().to_string(), format!("{dir}/{}", variant.file_name())))
        .collect();
    CustomerEntry {
        appid: config.appid.clone(),
        config: config.path.clone(),
        inputs,
        snippet: snippets[Variant::Standard.name()].clone(),
        snippets,
        docs: format!("{dir}/INTEGRATION.md"),
        docs_html: format!("{dir}/integration.html"),
    }
}

/// Every file of a customer's entry.
fn entry_paths(entry: &CustomerEntry) -> Vec<String> {
    let mut paths = vec![entry.docs.clone(), entry.docs_html.clone()];
    paths.extend(entry.snippets.values().cloned());
    paths
}

/// One customer's snippets and docs, at the paths of its entry.
fn render_customer(
    config: &CustomerConfig,
    entry: &CustomerEntry,
    context: &Context,
) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let mut snippets = BTreeMap::new();
    for variant in Variant::for_config(config) {
        snippets.insert(variant.name(), snippet::render(config, &context.script, variant)?);
    }
    let markdown = docs::render_markdown(&DocsInput {
        config,
        snippets: &snippets,
        script: &context.script,
        types_url: &context.types_url,
        runtime_origin: &context.runtime_origin,
        style_hash: &context.style_hash,
    })?;
    let html = docs::render_html(config, &markdown)?;
    let mut files =
        vec![(entry.docs.clone(), markdown.into_bytes()), (entry.docs_html.clone(), html.into_bytes())];
    for (name, text) in snippets {
        files.push((entry.snippets[name].clone(), text.into_bytes()));
    }
    Ok(files)
}
