//! The command line: flags, dispatch, and mapping outcomes to the exit codes of docs/contracts.md.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::check::{self, Report};
use crate::diagnostics::codes;
use crate::diagnostics::emit::{self, Format, Summary};
use crate::error::{exit, Error};
use crate::escape::terminal_text;
use crate::pipeline::{self, BuildRequest, Deployment};
use crate::render::snippet::Variant;
use crate::write::atomic::Foreign;

pub const DEFAULT_CDN_BASE: &str = "https://cdn.twt.chat";
pub const DEFAULT_RUNTIME_ORIGIN: &str = "https://runtime.twt.chat";

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
    Validate {
        /// Output format
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Config files, or folders of *.toml configs
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Build core.js once, and each customer's snippet and docs, with manifest.json
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
    },
    /// Print one customer's install snippet on stdout
    Snippet {
        /// The customer's config file
        #[arg(long = "config", value_name = "FILE")]
        config: PathBuf,
        /// Which snippet to print
        #[arg(long, value_enum, default_value = "standard")]
        variant: Variant,
        #[command(flatten)]
        deployment: DeploymentArgs,
    },
    /// Serve a live preview of one customer's widget on 127.0.0.1; rebuilds when the config changes
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

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    let outcome = match cli.command {
        Command::Validate { format, paths } => run_validate(&paths, format),
        Command::Build { configs, out, deployment, dev_runtime, keep_foreign } => {
            let foreign = if keep_foreign { Foreign::Keep } else { Foreign::Refuse };
            run_build(&configs, &out, &deployment.deployment(), dev_runtime, foreign)
        }
        Command::Snippet { config, variant, deployment } => {
            run_snippet(&config, variant, &deployment.deployment())
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
    let report = check::check_paths(paths);
    let diagnostics: Vec<_> = report.unreadable.iter().chain(report.diagnostics()).collect();
    let summary = Summary {
        files: report.checked.len() + report.unreadable.len(),
        errors: report.error_count() + report.unreadable.len(),
        warnings: report.warning_count(),
    };
    if always_summarise || summary.errors + summary.warnings > 0 {
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

fn run_validate(paths: &[PathBuf], format: Format) -> Result<(), Error> {
    check_and_report(paths, format, true).map(drop)
}

fn run_build(
    configs: &[PathBuf],
    out: &Path,
    deployment: &Deployment,
    dev_runtime: bool,
    foreign: Foreign,
) -> Result<(), Error> {
    let report = check_and_report(configs, Format::Human, false)?;
    let customers: Vec<_> = report.configs().cloned().collect();
    let request = BuildRequest { configs: &customers, deployment, dev_runtime };
    let (files, bundle) = pipeline::build(&request, out, foreign)?;
    let _ = writeln!(
        io::stderr(),
        "built {} customer{} into {}: {} ({} bytes, {} gzip), {} files",
        customers.len(),
        if customers.len() == 1 { "" } else { "s" },
        terminal_text(&out.to_string_lossy()),
        bundle.path(),
        bundle.code.len(),
        crate::render::bundle::gzip_len(bundle.code.as_bytes()),
        files.len(),
    );
    Ok(())
}

fn run_snippet(config: &Path, variant: Variant, deployment: &Deployment) -> Result<(), Error> {
    if config.is_dir() {
        return Err(Error::fault(
            &codes::FOLDER_NOT_FILE,
            Some(config),
            "`snippet` takes one config file, and this is a folder",
            "name one config file of the folder, or use `build --config` for a folder",
        ));
    }
    let report = check_and_report(&[config.to_path_buf()], Format::Human, false)?;
    let customer = report.configs().next().expect("a valid report holds its config");
    if !variant.applies_to(customer) {
        return Err(Error::fault(
            &codes::VARIANT_NOT_APPLICABLE,
            Some(Path::new(&customer.path)),
            "the manual-init snippet is for configs with asyncInit = true, and this config does not set it",
            "add `asyncInit = true` to it (or `extends = \"deferred-init\"`), or print --variant standard",
        ));
    }
    let bundle = deployment.build_bundle()?;
    let snippet = crate::render::snippet::render(customer, &deployment.script_ref(&bundle), variant)?;
    ignore_closed_pipe(io::stdout().lock().write_all(snippet.as_bytes()))
}

/// `twt-gen snippet | head` closes stdout early; that is the reader's choice, not an error.
fn ignore_closed_pipe(result: io::Result<()>) -> Result<(), Error> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::stdout(e)),
        Ok(()) => Ok(()),
    }
}
