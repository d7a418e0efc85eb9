//! WebKitGTK takes the browser's language from the process locale (`LC_ALL`), one language, not a
//! list, and only from a locale the C library can load. Debian's images ship C.UTF-8 alone, so the
//! harness compiles the locales it needs with `localedef` (sources from the `locales` package) into
//! a folder of its own, used through `LOCPATH`: no root, nothing changed on the machine.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where Debian's `locales` package keeps the locale sources.
const SOURCES: &str = "/usr/share/i18n/locales";

pub struct Locale {
    /// For `LOCPATH`.
    pub dir: PathBuf,
    /// For `LC_ALL`, e.g. `de_DE.UTF-8`: WebKit reports it as `de-DE`.
    pub name: String,
}

/// The compiled locale of a browser language tag (`de-DE`, `ko`), built on first use and kept in
/// the test target's temp folder for later runs.
pub fn compiled(language: &str) -> Result<Locale, String> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("locales");
    let base = language.replace('-', "_");
    if base.is_empty() || !base.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("{language:?} is not a language tag the harness can turn into a locale"));
    }
    let name = format!("{base}.UTF-8");
    let target = dir.join(&name);
    if target.join("LC_CTYPE").is_file() {
        return Ok(Locale { dir, name });
    }
    let source = source_for(&base).ok_or_else(|| {
        format!(
            "no locale source for {language:?} in {SOURCES}: \
             install Debian's locales package (apt-get install locales)"
        )
    })?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    // Compiled beside, then renamed: tests started at once may compile the same locale.
    let partial = tempfile::Builder::new()
        .prefix(".partial-")
        .tempdir_in(&dir)
        .map_err(|e| format!("create a folder in {}: {e}", dir.display()))?;
    let out = partial.path().join(&name);
    // localedef exits 1 for mere warnings about the sources: the compiled LC_CTYPE decides.
    let run = Command::new("localedef")
        .arg("-i")
        .arg(&source)
        .arg("-f")
        .arg("UTF-8")
        .arg(&out)
        .output()
        .map_err(|e| format!("cannot run localedef (Debian's libc-bin): {e}"))?;
    if !out.join("LC_CTYPE").is_file() {
        return Err(format!(
            "localedef -i {source} -f UTF-8 compiled nothing: {}",
            String::from_utf8_lossy(&run.stderr)
        ));
    }
    // Another test may have won the race: its copy is as good as ours.
    if std::fs::rename(&out, &target).is_err() && !target.join("LC_CTYPE").is_file() {
        return Err(format!("could not move the compiled locale to {}", target.display()));
    }
    Ok(Locale { dir, name })
}

/// `de_DE` itself, or for a bare language (`ko`) its first territory (`ko_KR`).
fn source_for(base: &str) -> Option<String> {
    if Path::new(SOURCES).join(base).is_file() {
        return Some(base.to_string());
    }
    let prefix = format!("{base}_");
    let mut candidates: Vec<String> = std::fs::read_dir(SOURCES)
        .ok()?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(&prefix) && !n.contains('@'))
        .collect();
    candidates.sort();
    candidates.into_iter().next()
}
