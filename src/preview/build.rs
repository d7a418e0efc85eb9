//! One build of the preview: check the config as `validate` does, then run the `build` pipeline
//! into the preview's temporary folder, with the dev runtime.

use std::path::{Path, PathBuf};

use crate::check::{self, CustomerConfig};
use crate::diagnostics::emit::{self, Format, Summary};
use crate::diagnostics::Diagnostic;
use crate::error::Error;
use crate::pipeline::{self, BuildRequest, Customers, Deployment};
use crate::render::snippet::Variant;
use crate::write::atomic::Foreign;

/// A good build, as the page shows it.
pub struct Built {
    /// Counts the good builds; the page reloads when it differs from the one it was served with.
    pub generation: u64,
    /// The options in effect, `extends` merged in.
    pub config: CustomerConfig,
    /// Each variant the customer gets, with its HTML, as the build wrote it.
    pub snippets: Vec<(Variant, String)>,
    /// The first `Content-Security-Policy` of the customer's INTEGRATION.md (with `RANDOM` where
    /// the nonce goes): the page is served under the policy the customer is told to use.
    pub csp: Option<String>,
    /// Warnings of the check, as the CLI prints them (no colour); empty when there were none.
    pub warnings: String,
}

/// Why there is no new build.
pub enum Failure {
    /// The config is invalid or unreadable; the diagnostics, as the CLI prints them (no colour).
    /// `error` gives the exit code when this happens at start.
    Config { text: String, error: Error },
    /// The pipeline failed (e.g. the temporary folder cannot be written).
    Build(Error),
}

impl Failure {
    /// What the page shows.
    pub fn text(&self) -> String {
        match self {
            Failure::Config { text, .. } => text.clone(),
            Failure::Build(error) => error.to_string(),
        }
    }

    pub fn into_error(self) -> Error {
        match self {
            Failure::Config { error, .. } | Failure::Build(error) => error,
        }
    }
}

/// The diagnostics as `validate` prints them in the human format, and the summary line.
fn human_report(report: &check::Report, color: bool) -> String {
    let diagnostics: Vec<_> = report.unreadable.iter().chain(report.diagnostics()).collect();
    let summary = Summary {
        files: report.checked.len() + report.unreadable.len(),
        errors: report.error_count() + report.unreadable.len(),
        warnings: report.warning_count(),
    };
    if diagnostics.is_empty() {
        return String::new();
    }
    let mut text = String::new();
    for diagnostic in diagnostics {
        text.push_str(&emit::human(diagnostic, color));
        text.push_str("\n\n");
    }
    text.push_str(&emit::human_summary(&summary));
    text.push('\n');
    text
}

/// Checks `config`, and with `report` prints its diagnostics on stderr as `validate` does; Ok
/// with the plain text of the warnings (if any).
pub fn check(config: &Path, report_on_stderr: bool) -> Result<(CustomerConfig, String), Failure> {
    check_unless_reported(config, report_on_stderr, None)
}

/// [`check`], quiet when the diagnostics are `reported` already (the same failure again).
fn check_unless_reported(
    config: &Path,
    report_on_stderr: bool,
    reported: Option<&str>,
) -> Result<(CustomerConfig, String), Failure> {
    let report = check::check_paths(&[config.to_path_buf()]);
    let plain = human_report(&report, false);
    if report_on_stderr && !plain.is_empty() && reported != Some(plain.as_str()) {
        let diagnostics: Vec<_> = report.unreadable.iter().chain(report.diagnostics()).collect();
        let summary = Summary {
            files: report.checked.len() + report.unreadable.len(),
            errors: report.error_count() + report.unreadable.len(),
            warnings: report.warning_count(),
        };
        let _ = emit::emit(&diagnostics, &summary, Format::Human);
    }
    if !report.unreadable.is_empty() {
        return Err(Failure::Config {
            text: plain,
            error: Error::Unreadable { files: report.unreadable.len() },
        });
    }
    if report.error_count() > 0 {
        return Err(Failure::Config { text: plain, error: Error::Invalid { errors: report.error_count() } });
    }
    let config = report.configs().next().cloned().expect("a config without errors is checked");
    Ok((config, plain))
}

/// Where a build goes and what it points at.
pub struct Target {
    /// The build's folder inside the preview's temporary folder (replaced as a whole).
    pub out: PathBuf,
    pub deployment: Deployment,
}

/// Checks and builds; the previous build stays on disk when this fails. `None` when the check
/// gives the options and warnings of `current` again (an edit of a comment, or of another config
/// of the folder): the running page needs no reload. `reported`: the diagnostics of the last
/// failed check, not printed again when they are the same.
pub fn build(
    config_path: &Path,
    target: &Target,
    generation: u64,
    report: bool,
    current: Option<&Built>,
    reported: Option<&str>,
) -> Result<Option<Built>, Failure> {
    let (config, warnings) = check_unless_reported(config_path, report, reported)?;
    if current.is_some_and(|c| c.config.options == config.options && c.warnings == warnings) {
        return Ok(None);
    }
    let no_report = |_: &[&Diagnostic], _: &Summary| Ok(());
    let request = BuildRequest {
        customers: Customers::Checked(std::slice::from_ref(&config)),
        deployment: &target.deployment,
        dev_runtime: true,
        foreign: Foreign::Refuse,
        report: &no_report,
        on_file: &|_| {},
        released: None,
    };
    pipeline::build(&request, &target.out).map_err(Failure::Build)?;
    let dir = target.out.join(pipeline::customer_dir(&config.appid));
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    let snippets = Variant::for_config(&config)
        .filter_map(|variant| Some((variant, read(variant.file_name())?)))
        .collect();
    let csp = read("INTEGRATION.md").and_then(|md| {
        md.lines().find_map(|line| line.strip_prefix("Content-Security-Policy: ")).map(str::to_string)
    });
    Ok(Some(Built { generation, config, snippets, csp, warnings }))
}
