//! The command line: flags, dispatch, and mapping outcomes to the exit codes of docs/contracts.md.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{ArgGroup, CommandFactory, Parser, Subcommand};

use crate::check::flags::{self, FlagValue};
use crate::check::options::{Kind, Rule, RULES};
use crate::check::{self, Report};
use crate::diagnostics::codes;
use crate::diagnostics::emit::{self, Format, Summary};
use crate::diagnostics::Diagnostic;
use crate::error::{exit, Error};
use crate::escape::terminal_text;
use crate::pipeline::{self, BuildRequest, Customers, Deployment};
use crate::release::date::Date;
use crate::render::snippet::Variant;
use crate::write::atomic::Foreign;
use crate::write::manifest::FileEntry;

pub const DEFAULT_CDN_BASE: &str = "https://cdn.twt.chat";
pub const DEFAULT_RUNTIME_ORIGIN: &str = "https://runtime.twt.chat";
/// Where `build --cdn-base` with its default serves the config schema: `init` points editors there.
pub const DEFAULT_SCHEMA_URL: &str = "https://cdn.twt.chat/config.schema.json";

#[derive(Parser)]
#[command(
    name = "twt-gen",
    version,
    about = "Builds and ships the TWT chat widget: validated configs, the host-sdk bundle, SRI-pinned snippets and integration docs."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct DeploymentArgs {
    /// URL under which the built files are served (the bundle's URL is this + its path)
    #[arg(long, value_name = "URL", default_value = DEFAULT_CDN_BASE, value_parser = crate::check::urls::parse_base_url)]
    cdn_base: String,
    /// Origin that serves the chat runtime pages the host-sdk frames
    #[arg(long, value_name = "URL", default_value = DEFAULT_RUNTIME_ORIGIN, value_parser = crate::check::urls::parse_origin)]
    runtime_origin: String,
}

impl DeploymentArgs {
    fn deployment(&self) -> Deployment {
        Deployment { cdn_base: self.cdn_base.clone(), runtime_origin: self.runtime_origin.clone() }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Check configs and report every problem with file:line:col, a caret and a fix
    #[command(after_help = "Examples:
  twt-gen validate customers/
  twt-gen validate --format github customers/*.toml
  twt-gen validate --format sarif customers/ > twt-gen.sarif")]
    Validate {
        /// Output format
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Print errors only: no warnings, and no summary line in the human and github formats
        #[arg(long, short)]
        quiet: bool,
        /// Config files, or folders of *.toml configs
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Build core.js once, and each customer's snippet and docs, with manifest.json
    #[command(after_help = "Examples:
  twt-gen build --config customers/ --out dist/
  twt-gen build --config acme.toml --out dist/ --cdn-base https://cdn.example.com/twt
  twt-gen build --config acme.toml --out site/ --keep-foreign --verbose")]
    Build {
        /// A config file or a folder of *.toml configs; repeat for more
        #[arg(long = "config", required = true, value_name = "PATH")]
        configs: Vec<PathBuf>,
        /// Output folder; replaced as a whole when the build succeeds
        #[arg(long, value_name = "DIR", default_value = "dist")]
        out: PathBuf,
        #[command(flatten)]
        deployment: DeploymentArgs,
        /// Also write the dev runtime pages into <out>/dev-runtime/ (serve that folder at --runtime-origin)
        #[arg(long)]
        dev_runtime: bool,
        /// Build into an --out that holds files twt-gen did not write, keeping them untouched
        #[arg(long)]
        keep_foreign: bool,
        /// No progress line and no summary: only problems are printed
        #[arg(long, short, conflicts_with = "verbose")]
        quiet: bool,
        /// Also print each file written, with its size
        #[arg(long, short)]
        verbose: bool,
        /// Release date to record for a new bundle, YYYY-MM-DD (UTC); default: the day of $SOURCE_DATE_EPOCH, else none
        #[arg(long, value_name = "DATE", value_parser = Date::parse)]
        released: Option<Date>,
    },
    /// Print one customer's install snippet on stdout, from a config file or from flags
    #[command(
        group(ArgGroup::new("input").required(true).args(["config", "appid"])),
        after_help = "Examples:
  twt-gen snippet --config customers/acme.toml
  twt-gen snippet --config customers/acme.toml --variant manual-init
  twt-gen snippet --appid acme --theme dark --language de"
    )]
    Snippet {
        /// The customer's config file (or give its options as flags: --appid ...)
        #[arg(long = "config", value_name = "FILE")]
        config: Option<PathBuf>,
        /// Which snippet to print
        #[arg(long, value_enum, default_value = "standard")]
        variant: Variant,
        #[command(flatten)]
        options: OptionFlags,
        #[command(flatten)]
        deployment: DeploymentArgs,
    },
    /// Print the JSON Schema of a customer config, for editors (`build` writes it too)
    #[command(after_help = "Examples:
  twt-gen schema > config.schema.json
  # then start each config with:  #:schema ./config.schema.json")]
    Schema,
    /// Write a new config with every option commented, its default and its meaning
    #[command(after_help = "Examples:
  twt-gen init customers/acme.toml          (the appid is the file name: acme)
  twt-gen init --appid acme --preset dark customers/acme.toml
  twt-gen init --appid acme -               (print it instead)")]
    Init {
        /// The customer's appid; by default the file name without .toml
        #[arg(long, value_name = "ID")]
        appid: Option<String>,
        /// Extend this shipped preset
        #[arg(long, value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(check::extends::preset_names()))]
        preset: Option<String>,
        /// The schema editors should use, for the `#:schema` line
        #[arg(long, value_name = "URL|PATH", default_value = DEFAULT_SCHEMA_URL)]
        schema: String,
        /// Replace FILE if it exists
        #[arg(long)]
        force: bool,
        /// The file to write; `-` prints the config on stdout
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Compare two manifests: who must re-paste the snippet, whose docs changed, who came and went
    #[command(
        after_help = "Exit status: 0 when nothing changed for any customer, 1 when something did, 2 for usage, 66 for a manifest that cannot be read.

Examples:
  twt-gen diff previous-manifest.json dist/manifest.json
  twt-gen diff --format json previous-manifest.json dist/manifest.json > changes.json
  (keep the old one before building: cp dist/manifest.json previous-manifest.json)"
    )]
    Diff {
        /// Output format
        #[arg(long, value_enum, default_value = "human")]
        format: ReportFormat,
        /// The manifest.json of the earlier build
        #[arg(value_name = "OLD_MANIFEST")]
        old: PathBuf,
        /// The manifest.json of the later build
        #[arg(value_name = "NEW_MANIFEST")]
        new: PathBuf,
    },
    /// Remove old releases from install/: lists what goes, deletes only with --yes, never a pinned bundle
    #[command(
        group(ArgGroup::new("rule").required(true).multiple(true).args(["keep", "keep_since"])),
        after_help = "Keeps the N newest bundles of the manifest's history (--keep), those released on or after DATE (--keep-since; both: what either keeps), the current bundle and every bundle a current customer pins.

Examples:
  twt-gen prune --out dist/ --keep 3          (lists what would be deleted)
  twt-gen prune --out dist/ --keep 3 --yes    (deletes it, and drops it from manifest.json)
  twt-gen prune --out dist/ --keep-since 2026-01-01 --yes"
    )]
    Prune {
        /// The output folder of a build (it holds manifest.json)
        #[arg(long, value_name = "DIR", default_value = "dist")]
        out: PathBuf,
        /// How many of the newest bundles to keep, besides every bundle a customer pins
        #[arg(long, value_name = "N")]
        keep: Option<usize>,
        /// Keep the bundles released on or after this day, YYYY-MM-DD (the history's `released`)
        #[arg(long, value_name = "DATE", value_parser = Date::parse)]
        keep_since: Option<Date>,
        /// Delete: without it, prune only lists what it would delete
        #[arg(long)]
        yes: bool,
    },
    /// After a deploy: fetch every bundle of the manifest from the CDN and check its bytes and headers
    #[command(
        after_help = "Checks every bundle of the manifest's history (the current one and the older ones snippets may still pin): the bytes against the manifest's integrity, `Access-Control-Allow-Origin: *`, a JavaScript `Content-Type`, and `Cache-Control: public, max-age=31536000, immutable`. With --customers, also each customer's files (bytes, and never `immutable`).

Exit status: 0 when every check passed, 1 when one failed, 2 for usage, 66 for a manifest that cannot be read.

Examples:
  twt-gen verify --manifest dist/manifest.json
  twt-gen verify --manifest dist/manifest.json --cdn-base https://staging.cdn.example.com --customers
  twt-gen verify --manifest dist/manifest.json --format json > verify.json"
    )]
    Verify {
        /// The manifest.json of the build that was deployed
        #[arg(long, value_name = "PATH", default_value = "dist/manifest.json")]
        manifest: PathBuf,
        /// Fetch from this URL instead of the manifest's `cdn_base` (a staging origin, say)
        #[arg(long, value_name = "URL", value_parser = crate::check::urls::parse_base_url)]
        cdn_base: Option<String>,
        /// Also fetch every customer's files (snippets and docs) under customers/
        #[arg(long)]
        customers: bool,
        /// The `Origin` the requests carry, as a customer's page sends it
        #[arg(long, value_name = "URL", default_value = "https://example.com", value_parser = crate::check::urls::parse_origin)]
        origin: String,
        /// Seconds each request may take, from connecting to its last byte
        #[arg(long, value_name = "SECONDS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=600))]
        timeout: u64,
        /// Output format: problems on stderr (human), or JSON lines on stdout
        #[arg(long, value_enum, default_value = "human")]
        format: ReportFormat,
    },
    /// Print a completion script for a shell
    #[command(after_help = "Examples:
  twt-gen completions bash > ~/.local/share/bash-completion/completions/twt-gen
  twt-gen completions zsh > ~/.zfunc/_twt-gen
  twt-gen completions fish > ~/.config/fish/completions/twt-gen.fish")]
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) of twt-gen and its commands
    #[command(after_help = "Examples:
  twt-gen man > twt-gen.1 && man ./twt-gen.1")]
    Man,
    /// Serve a live preview of one customer's widget on 127.0.0.1; rebuilds when the config changes
    #[command(after_help = "Examples:
  twt-gen preview --config customers/acme.toml --open
  twt-gen preview --config customers/acme.toml --port 8080   (then open http://127.0.0.1:8080/)")]
    Preview {
        /// The customer's config file
        #[arg(long = "config", value_name = "FILE")]
        config: PathBuf,
        /// Port of the preview page (0 picks a free one, as does leaving it out)
        #[arg(long, value_name = "PORT", default_value_t = 0)]
        port: u16,
        /// Open the page in the default browser
        #[arg(long)]
        open: bool,
    },
}

/// How `diff` and `verify` print what they found.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ReportFormat {
    Human,
    Json,
}

/// One flag per key of the options table (`--appid`, `--theme`, `--z-index`, ...), for
/// `snippet` without a file; the values are checked by the rules a file's are.
#[derive(Default)]
struct OptionFlags {
    /// Each flag given, in the table's order; `None` for a switch.
    given: Vec<(&'static Rule, Option<String>)>,
}

impl OptionFlags {
    fn arg(rule: &'static Rule) -> clap::Arg {
        let mut help = rule.description.replace('`', "");
        if let Kind::OneOf(values) = rule.kind {
            help = format!("{help} [{}]", values.join(", "));
        }
        let arg = clap::Arg::new(rule.key)
            .long(flags::flag_name(rule.key)[2..].to_string())
            .help(help)
            .help_heading("Config options (instead of --config)");
        let arg = if rule.key == "appid" { arg } else { arg.conflicts_with("config") };
        match rule.kind {
            Kind::Boolean => arg.action(clap::ArgAction::SetTrue),
            Kind::Integer { .. } => arg.value_name("N").allow_negative_numbers(true),
            Kind::Identifier { .. } => arg.value_name("ID"),
            Kind::Locale => arg.value_name("LANGUAGE"),
            Kind::OneOf(_) => arg.value_name("VALUE"),
        }
    }

    fn as_flags(&self) -> Vec<FlagValue<'_>> {
        self.given.iter().map(|(rule, value)| FlagValue { rule, value: value.as_deref() }).collect()
    }
}

impl clap::FromArgMatches for OptionFlags {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let mut flags = OptionFlags::default();
        flags.update_from_arg_matches(matches)?;
        Ok(flags)
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.given.clear();
        for rule in RULES {
            match rule.kind {
                Kind::Boolean if matches.get_flag(rule.key) => self.given.push((rule, None)),
                Kind::Boolean => {}
                _ => {
                    if let Some(value) = matches.get_one::<String>(rule.key) {
                        self.given.push((rule, Some(value.clone())));
                    }
                }
            }
        }
        Ok(())
    }
}

impl clap::Args for OptionFlags {
    fn augment_args(command: clap::Command) -> clap::Command {
        RULES.iter().fold(command, |command, rule| command.arg(OptionFlags::arg(rule)))
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        OptionFlags::augment_args(command)
    }
}

/// The command line as clap sees it, for completions, the man page and their tests.
pub fn command() -> clap::Command {
    Cli::command()
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    let outcome = match cli.command {
        Command::Validate { format, quiet, paths } => run_validate(&paths, format, quiet),
        Command::Build { configs, out, deployment, dev_runtime, keep_foreign, quiet, verbose, released } => {
            let released = match released.map(Ok).or_else(source_date_epoch).transpose() {
                Ok(released) => released,
                Err(message) => {
                    let mut command = command();
                    command.build();
                    let build = command.find_subcommand_mut("build").expect("build is a command");
                    return usage_error(&build.error(clap::error::ErrorKind::ValueValidation, message));
                }
            };
            let foreign = if keep_foreign { Foreign::Keep } else { Foreign::Refuse };
            let talk = if quiet {
                Talk::Quiet
            } else if verbose {
                Talk::Verbose
            } else {
                Talk::Normal
            };
            run_build(&configs, &out, &deployment.deployment(), dev_runtime, foreign, talk, released)
        }
        Command::Snippet { config, variant, options, deployment } => {
            let input = match &config {
                Some(config) => SnippetInput::File(config),
                None => SnippetInput::Flags(options.as_flags()),
            };
            run_snippet(input, variant, &deployment.deployment())
        }
        Command::Schema => print_stdout(&crate::render::schema::render()),
        Command::Init { appid, preset, schema, force, file } => {
            let Some(appid) = appid.or_else(|| appid_from_file_name(&file)) else {
                let message = "`init -` needs --appid: there is no file name to take it from";
                return usage_error(
                    &command().error(clap::error::ErrorKind::MissingRequiredArgument, message),
                );
            };
            run_init(&appid, preset.as_deref(), &schema, &file, force)
        }
        Command::Completions { shell } => {
            let mut completions = Vec::new();
            clap_complete::generate(shell, &mut command(), "twt-gen", &mut completions);
            ignore_closed_pipe(io::stdout().lock().write_all(&completions))
        }
        Command::Man => print_stdout(&man_page()),
        Command::Prune { out, keep, keep_since, yes } => {
            run_prune(&out, &crate::release::prune::Keep { newest: keep, since: keep_since }, yes)
        }
        Command::Diff { format, old, new } => match run_diff(&old, &new, format) {
            Ok(true) => return ExitCode::from(exit::CHANGED),
            Ok(false) => Ok(()),
            Err(error) => Err(error),
        },
        Command::Verify { manifest, cdn_base, customers, origin, timeout, format } => {
            let options = crate::release::verify::Options {
                cdn_base,
                customers,
                origin,
                timeout: std::time::Duration::from_secs(timeout),
            };
            match run_verify(&manifest, &options, format) {
                Ok(true) => return ExitCode::from(exit::CHECK_FAILED),
                Ok(false) => Ok(()),
                Err(error) => Err(error),
            }
        }
        Command::Preview { config, port, open } => {
            return crate::preview::main(crate::preview::Options { config, port, open });
        }
    };
    match outcome {
        Ok(()) => ExitCode::from(exit::OK),
        Err(error) => {
            // Invalid and Unreadable were already reported, file by file.
            if let Some(diagnostic) = error.diagnostic() {
                let color = crate::terminal::stderr_wants_color();
                let _ = writeln!(io::stderr(), "{}", emit::human(&diagnostic, color));
            }
            ExitCode::from(error.exit_code())
        }
    }
}

/// Prints clap's message (help, version, or a usage error: exit 2). Clap quotes arguments as
/// given and only strips escape sequences off a terminal, so when an argument holds a character
/// [`terminal_text`] replaces, the message is printed plain, through it; otherwise clap prints
/// it, in colour on a terminal.
fn usage_error(error: &clap::Error) -> ExitCode {
    let hostile = std::env::args_os().any(|arg| {
        let arg = arg.to_string_lossy();
        terminal_text(&arg) != arg
    });
    if hostile && error.use_stderr() {
        let plain = error.render().to_string();
        let safe: Vec<_> = plain.split('\n').map(terminal_text).collect();
        let _ = write!(io::stderr(), "{}", safe.join("\n"));
    } else {
        let _ = error.print();
    }
    ExitCode::from(error.exit_code() as u8)
}

/// Checks `paths` and reports in `format`; fails when any file is unreadable or invalid.
/// A clean check prints nothing unless `always_summarise` (so `snippet` keeps stderr empty).
fn check_and_report(paths: &[PathBuf], format: Format, always_summarise: bool) -> Result<Report, Error> {
    report(check::check_paths(paths), format, always_summarise, false)
}

/// Reports the diagnostics of `report` in `format` (errors only when `quiet`); fails when any
/// input is unreadable or invalid.
fn report(report: Report, format: Format, always_summarise: bool, quiet: bool) -> Result<Report, Error> {
    let diagnostics: Vec<_> =
        report.unreadable.iter().chain(report.diagnostics()).filter(|d| !quiet || d.is_error()).collect();
    let summary = Summary {
        files: report.checked.len() + report.unreadable.len(),
        errors: report.error_count() + report.unreadable.len(),
        warnings: report.warning_count(),
    };
    if quiet {
        ignore_closed_pipe(emit::emit_quietly(&diagnostics, &summary, format))?;
    } else if always_summarise || summary.errors + summary.warnings > 0 {
        ignore_closed_pipe(emit::emit(&diagnostics, &summary, format))?;
    }
    if !report.unreadable.is_empty() {
        return Err(Error::Unreadable { files: report.unreadable.len() });
    }
    if report.error_count() > 0 {
        return Err(Error::Invalid { errors: report.error_count() });
    }
    Ok(report)
}

fn run_validate(paths: &[PathBuf], format: Format, quiet: bool) -> Result<(), Error> {
    report(check::check_paths(paths), format, true, quiet).map(drop)
}

/// How much `build` says on stderr besides problems.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Talk {
    Quiet,
    Normal,
    Verbose,
}

/// The day of `SOURCE_DATE_EPOCH` when it is set: what a reproducible build records as its date.
fn source_date_epoch() -> Option<Result<Date, String>> {
    let seconds = std::env::var_os(crate::release::date::SOURCE_DATE_EPOCH)?;
    Some(Date::from_epoch(&seconds.to_string_lossy()))
}

fn run_build(
    configs: &[PathBuf],
    out: &Path,
    deployment: &Deployment,
    dev_runtime: bool,
    foreign: Foreign,
    talk: Talk,
    released: Option<Date>,
) -> Result<(), Error> {
    crate::terminal::set_quiet(talk == Talk::Quiet);
    let report = |diagnostics: &[&Diagnostic], summary: &Summary| {
        ignore_closed_pipe(emit::emit(diagnostics, summary, Format::Human))
    };
    let on_file = |file: &FileEntry| {
        if talk == Talk::Verbose {
            let _ = writeln!(io::stderr(), "wrote {} ({} bytes)", terminal_text(&file.path), file.bytes);
        }
    };
    let request = BuildRequest {
        customers: Customers::Files(configs),
        deployment,
        dev_runtime,
        foreign,
        report: &report,
        on_file: &on_file,
        released,
    };
    let built = pipeline::build(&request, out)?;
    if talk == Talk::Quiet {
        return Ok(());
    }
    let bundle = &built.bundle;
    let taken_over = match built.taken_over {
        0 => String::new(),
        n => format!(" ({n} taken over unchanged)"),
    };
    let _ = writeln!(
        io::stderr(),
        "built {} customer{}{taken_over} into {}: {} ({} bytes, {} gzip), {} files",
        built.customers,
        if built.customers == 1 { "" } else { "s" },
        terminal_text(&out.to_string_lossy()),
        bundle.path(),
        bundle.code.len(),
        crate::render::bundle::gzip_len(bundle.code.as_bytes()),
        built.files,
    );
    Ok(())
}

/// Prints what changed from `old` to `new`; whether anything changed for a customer.
fn run_diff(old: &Path, new: &Path, format: ReportFormat) -> Result<bool, Error> {
    use crate::release::diff::{self, Manifest};
    let changes = diff::diff(&Manifest::read(old)?, &Manifest::read(new)?);
    print_stdout(&match format {
        ReportFormat::Human => changes.human(),
        ReportFormat::Json => changes.json(),
    })?;
    Ok(changes.any_customer())
}

/// Fetches and checks what the manifest promises from the CDN; whether a check failed.
fn run_verify(
    manifest: &Path,
    options: &crate::release::verify::Options,
    format: ReportFormat,
) -> Result<bool, Error> {
    use crate::release::verify::{self, Manifest};
    let path = manifest;
    let manifest = Manifest::read(path)?;
    // A manifest edited by hand must not send requests anywhere but to an http(s) CDN.
    if options.cdn_base.is_none() {
        if let Err(problem) = crate::check::urls::parse_base_url(manifest.recorded_cdn_base()) {
            return Err(Error::fault(
                &codes::UNREADABLE_MANIFEST,
                Some(path),
                format!("the manifest's `cdn_base` is not a base URL twt-gen writes: {problem}"),
                "name the manifest.json as the build wrote it, or give the CDN's URL with --cdn-base",
            ));
        }
    }
    let targets = manifest.targets(options);
    let problems = verify::verify(&targets, options);
    let summary = Summary { files: targets.len(), errors: problems.len(), warnings: 0 };
    let format = match format {
        ReportFormat::Human => Format::Human,
        ReportFormat::Json => Format::Json,
    };
    ignore_closed_pipe(emit::emit(&problems.iter().collect::<Vec<_>>(), &summary, format))?;
    Ok(!problems.is_empty())
}

/// Lists what the `keep` rules remove from `out`, and removes it when `yes`.
fn run_prune(out: &Path, keep: &crate::release::prune::Keep, yes: bool) -> Result<(), Error> {
    let pruning = crate::release::prune::Pruning::read(out)?;
    let plan = pruning.plan(keep)?;
    let verb = if yes { "deleting" } else { "would delete" };
    let mut said = String::new();
    for file in &plan.files {
        said.push_str(&format!("{verb} {}\n", terminal_text(file)));
    }
    said.push_str(&match (plan.bundles.len(), yes) {
        (0, _) => {
            "nothing to prune: every bundle is kept (by --keep or --keep-since), current, or pinned by a customer\n".to_string()
        }
        (1, false) => "1 bundle would go; run again with --yes to delete it\n".to_string(),
        (n, false) => format!("{n} bundles would go; run again with --yes to delete them\n"),
        (1, true) => "1 bundle removed from manifest.json and from disk\n".to_string(),
        (n, true) => format!("{n} bundles removed from manifest.json and from disk\n"),
    });
    print_stdout(&said)?;
    if yes && !plan.files.is_empty() {
        pruning.apply(out, &plan)?;
    }
    Ok(())
}

/// Where `snippet` takes the customer's config from.
enum SnippetInput<'a> {
    File(&'a Path),
    Flags(Vec<FlagValue<'a>>),
}

fn run_snippet(input: SnippetInput<'_>, variant: Variant, deployment: &Deployment) -> Result<(), Error> {
    let report = match input {
        SnippetInput::File(config) => {
            if config.is_dir() {
                return Err(Error::fault(
                    &codes::FOLDER_NOT_FILE,
                    Some(config),
                    "`snippet` takes one config file, and this is a folder",
                    "name one config file of the folder, or use `build --config` for a folder",
                ));
            }
            check_and_report(&[config.to_path_buf()], Format::Human, false)?
        }
        SnippetInput::Flags(flags) => {
            let checked = Report { checked: vec![check::flags::check_flags(&flags)], unreadable: Vec::new() };
            report(checked, Format::Human, false, false)?
        }
    };
    let customer = report.configs().next().expect("a valid report holds its config");
    if !variant.applies_to(customer) {
        return Err(Error::fault(
            &codes::VARIANT_NOT_APPLICABLE,
            Some(Path::new(&customer.path)),
            "the manual-init snippet is for configs with asyncInit = true, and this config does not set it",
            "add `asyncInit = true` to it (or `extends = \"deferred-init\"`, or pass --async-init), or print --variant standard",
        ));
    }
    let bundle = deployment.build_bundle()?;
    let snippet = crate::render::snippet::render(customer, &deployment.script_ref(&bundle), variant)?;
    print_stdout(&snippet)
}

/// Writes the starter config to `file` (stdout for `-`), for `appid`, which is checked first by
/// the rule of configs, as `--appid` on the command line.
fn run_init(appid: &str, preset: Option<&str>, schema: &str, file: &Path, force: bool) -> Result<(), Error> {
    let appid_rule = check::options::rule("appid").expect("appid is a rule");
    let checked = check::flags::check_flags(&[FlagValue { rule: appid_rule, value: Some(appid) }]);
    report(Report { checked: vec![checked], unreadable: Vec::new() }, Format::Human, false, false)?;
    let starter = crate::render::starter_config::Starter { appid, preset, schema };
    let text = crate::render::starter_config::render(&starter);
    if file == Path::new("-") {
        return print_stdout(&text);
    }
    crate::init::write_new(file, text.as_bytes(), force)?;
    let _ = writeln!(io::stderr(), "wrote {}", terminal_text(&file.to_string_lossy()));
    Ok(())
}

/// `customers/acme.toml` → `acme`; nothing for `-`.
fn appid_from_file_name(file: &Path) -> Option<String> {
    if file == Path::new("-") {
        return None;
    }
    file.file_stem().map(|stem| stem.to_string_lossy().into_owned())
}

/// The man page: twt-gen's, then each command's synopsis and options as subsections, so one
/// page documents every flag.
fn man_page() -> String {
    let mut command = command();
    command.build();
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut page).expect("writing to memory");
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        let name = format!("twt-gen {}", sub.get_name());
        let sub = sub.clone().name(name.clone()).bin_name(name.clone());
        let man = clap_mangen::Man::new(sub.clone());
        let mut section = Vec::new();
        man.render_synopsis_section(&mut section).expect("writing to memory");
        man.render_options_section(&mut section).expect("writing to memory");
        let section = String::from_utf8(section).expect("roff is text");
        let about = sub.get_about().map(|about| about.to_string()).unwrap_or_default();
        page.extend_from_slice(
            format!(".SH \"{}\"\n{}\n", name.to_uppercase(), roff_text(&about)).as_bytes(),
        );
        page.extend_from_slice(
            section.replace(".SH SYNOPSIS", ".SS Synopsis").replace(".SH OPTIONS", ".SS Options").as_bytes(),
        );
    }
    String::from_utf8(page).expect("roff is text")
}

/// Plain text for a roff paragraph: backslashes and leading dots would be read as requests.
fn roff_text(text: &str) -> String {
    text.replace('\\', "\\e")
        .replace('-', "\\-")
        .lines()
        .map(|line| if line.starts_with(['.', '\'']) { format!("\\&{line}") } else { line.to_string() })
        .collect::<Vec<_>>()
        .join("\n")
}

fn print_stdout(text: &str) -> Result<(), Error> {
    ignore_closed_pipe(io::stdout().lock().write_all(text.as_bytes()))
}

/// `twt-gen snippet | head` closes stdout early; that is the reader's choice, not an error.
fn ignore_closed_pipe(result: io::Result<()>) -> Result<(), Error> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::stdout(e)),
        Ok(()) => Ok(()),
    }
}
