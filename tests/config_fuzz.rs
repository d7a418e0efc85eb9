//! Config fuzzing: `validate`'s checks, in process, on arbitrary bytes, on mutated valid and
//! invalid configs, on TOML assembled from hostile tokens, and on batches that `extends` files
//! on disk. For every input: no panic, every diagnostic's span inside its own file's text and on
//! character boundaries, and every diagnostic renders (human and github without a raw control
//! character, JSON that parses).
//!
//! The bounded run in `./scripts/test` tries a few thousand inputs. The long run:
//!
//! ```sh
//! TWT_FUZZ_CASES=1000000 cargo test --release --test config_fuzz -- --nocapture
//! ```
//!
//! `TWT_FUZZ_SEED=<n>` picks another deterministic sequence. A failure is shrunk by proptest to
//! a minimal input and printed.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use twt_gen::check::{self, Checked};
use twt_gen::diagnostics::emit;
use twt_gen::diagnostics::Diagnostic;

/// Inputs in the bounded run: enough to cover every strategy, small enough for a few seconds.
const BOUNDED_CASES: u64 = 10_000;

fn total_cases() -> u64 {
    std::env::var("TWT_FUZZ_CASES")
        .ok()
        .and_then(|s| s.replace('_', "").parse().ok())
        .unwrap_or(BOUNDED_CASES)
}

fn seed() -> u64 {
    std::env::var("TWT_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(2_024)
}

/// What a terminal or a CI log acts on instead of showing (tab and line feed are fine).
fn is_raw_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
        || matches!(c, '\u{061C}' | '\u{2028}' | '\u{2029}')
}

/// The properties every diagnostic must have; `Err` says which one failed.
fn check_diagnostic(diagnostic: &Diagnostic) -> Result<(), String> {
    let text = &diagnostic.file.text;
    if let Some(span) = &diagnostic.span {
        if span.start > span.end || span.end > text.len() {
            return Err(format!("span {span:?} outside {} ({} bytes)", diagnostic.file.path, text.len()));
        }
        if !text.is_char_boundary(span.start) || !text.is_char_boundary(span.end) {
            return Err(format!("span {span:?} not on character boundaries of {}", diagnostic.file.path));
        }
    }
    let (start, end) = diagnostic.range();
    if start.line == 0 || start.column == 0 || end < start {
        return Err(format!("range {start:?}..{end:?}"));
    }
    let human = emit::human(diagnostic, false);
    let github = emit::github_line(diagnostic);
    if let Some(c) = human.chars().chain(github.chars()).find(|c| is_raw_control(*c)) {
        return Err(format!("raw U+{:04X} in output:\n{human}\n{github}", c as u32));
    }
    if github.contains('\n') {
        return Err(format!("a github command spans lines: {github}"));
    }
    serde_json::from_str::<serde_json::Value>(&emit::json_line(diagnostic))
        .map_err(|e| format!("JSON line does not parse: {e}"))?;
    Ok(())
}

/// Counters for the figure (configs: a batch input holds several); a failing property stops
/// the run instead of counting.
static INPUTS: AtomicU64 = AtomicU64::new(0);
static DIAGNOSTICS: AtomicU64 = AtomicU64::new(0);

/// Checks one config's bytes; a failure quotes the input, so it can become a fixture.
fn check_input(path: &Path, bytes: Vec<u8>) -> Result<(), TestCaseError> {
    let shown = String::from_utf8_lossy(&bytes).into_owned();
    check_outcome(&check::check_bytes(path, bytes))
        .map_err(|e| TestCaseError::fail(format!("{e}\ninput: {shown:?}")))
}

fn check_outcome(checked: &Checked) -> Result<(), TestCaseError> {
    INPUTS.fetch_add(1, Ordering::Relaxed);
    DIAGNOSTICS.fetch_add(checked.diagnostics.len() as u64, Ordering::Relaxed);
    for diagnostic in &checked.diagnostics {
        check_diagnostic(diagnostic).map_err(TestCaseError::fail)?;
    }
    let has_error = checked.diagnostics.iter().any(Diagnostic::is_error);
    prop_assert_eq!(checked.config.is_some(), !has_error, "a config is produced exactly when no error");
    if let Some(config) = &checked.config {
        prop_assert!(!config.appid.is_empty(), "a valid config has an appid");
    }
    Ok(())
}

/// A folder for the fuzzed configs, with files they may `extends`: a base, a chain and a cycle in a
/// subfolder, a link that points out, a folder, and a file outside that must never be read.
struct Playground {
    _dir: tempfile::TempDir,
    config: PathBuf,
}

fn playground() -> Playground {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("outside.toml"), "appid = \"SECRET\"\n").unwrap();
    let root = dir.path().join("configs");
    std::fs::create_dir_all(root.join("sub/deeper")).unwrap();
    std::fs::write(root.join("base.toml"), "extends = \"dark\"\nzIndex = 5\n").unwrap();
    std::fs::write(root.join("sub/a.toml"), "extends = \"deeper/b.toml\"\nlanguage = \"en-US\"\n").unwrap();
    std::fs::write(root.join("sub/deeper/b.toml"), "theme = \"system\"\n").unwrap();
    std::fs::write(root.join("sub/cycle-1.toml"), "extends = \"cycle-2.toml\"\n").unwrap();
    std::fs::write(root.join("sub/cycle-2.toml"), "extends = \"cycle-1.toml\"\n").unwrap();
    std::fs::write(root.join("sub/bad.toml"), "theme = \"blue\"\nappid = \"x\"\nx = [\n").unwrap();
    std::os::unix::fs::symlink("../outside.toml", root.join("link.toml")).unwrap();
    let config = root.join("fuzzed.toml");
    Playground { _dir: dir, config }
}

/// TOML fragments and hostile values: what a careless or malicious editor might type.
const TOKENS: &[&str] = &[
    "appid",
    "theme",
    "launcher",
    "zIndex",
    "language",
    "asyncInit",
    "extends",
    "sbs",
    "name",
    "z_index",
    "\"quoted key\"",
    "'lit'",
    "a.b.c",
    "\"\\u001b[31m\"",
    "=",
    " = ",
    "\n",
    "\r\n",
    "\r",
    "\t",
    " ",
    "#",
    "# c\n",
    "\"",
    "'",
    "\"\"\"",
    "'''",
    "\\",
    "\\u",
    "\\U0010FFFF",
    "\\uD800",
    "\"x\"",
    "\"\"",
    "\"light\"",
    "\"dark\"",
    "\"custom\"",
    "\"en-US\"",
    "\"zh-Hant-HK\"",
    "\"pt_BR\"",
    "\"deferred-init\"",
    "\"base.toml\"",
    "\"sub/a.toml\"",
    "\"sub/cycle-1.toml\"",
    "\"sub/bad.toml\"",
    "\"link.toml\"",
    "\"../outside.toml\"",
    "\"/etc/passwd\"",
    "\"sub\"",
    "\"./sub/\"",
    "\"acme\"",
    "\"Acme\"",
    "\"a b\"",
    "0",
    "-0",
    "+1",
    "0x7fffffff",
    "0o777",
    "0b101",
    "2147483648",
    "-2147483649",
    "99999999999999999999999",
    "1e400",
    "-1.5",
    "inf",
    "nan",
    "1_000",
    "true",
    "false",
    "True",
    "1979-05-27T07:32:00Z",
    "07:32:00",
    "[",
    "]",
    "[1, [2]]",
    "{ a = 1 }",
    "{",
    "}",
    "[table]",
    "[[array]]",
    "[appid]",
    ",",
    ".",
    "é",
    "日本語",
    "\u{202E}",
    "\u{2028}",
    "\u{1b}[2J",
    "\u{0}",
    "\u{7f}",
    "\u{85}",
    "\u{9b}",
    "\u{feff}",
    "\u{fffd}",
    "😀",
    "</script>",
    "\"</script><!--\"",
    "\"\\u0000\"",
    "\"\\u202e\"",
    "\"\\u2028\"",
];

/// Every config the repo ships as a fixture or example: the seeds of the mutation strategy.
fn seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    for dir in ["tests/fixtures/valid", "tests/fixtures/invalid", "examples/customers", "presets"] {
        let mut paths: Vec<PathBuf> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
        paths.sort();
        seeds.extend(paths.iter().map(|p| std::fs::read(p).unwrap()));
    }
    seeds
}

#[derive(Debug, Clone)]
enum Mutation {
    SetByte(usize, u8),
    Insert(usize, usize),
    Delete(usize, usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::SetByte(at, b)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, t)| Mutation::Insert(at, t)),
        (any::<usize>(), 1..8usize).prop_map(|(at, n)| Mutation::Delete(at, n)),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(seed: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for m in mutations {
        let len = bytes.len();
        match *m {
            Mutation::SetByte(at, b) if len > 0 => bytes[at % len] = b,
            Mutation::Insert(at, t) => {
                let at = at % (len + 1);
                bytes.splice(at..at, TOKENS[t].bytes());
            }
            Mutation::Delete(at, n) if len > 0 => {
                let at = at % len;
                bytes.drain(at..(at + n).min(len));
            }
            Mutation::DuplicateLine(i) | Mutation::SwapLines(i, _) if len > 0 => {
                let mut lines: Vec<Vec<u8>> = bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
                let n = lines.len();
                match *m {
                    Mutation::DuplicateLine(_) => lines.insert(i % n, lines[i % n].clone()),
                    Mutation::SwapLines(_, j) => lines.swap(i % n, j % n),
                    _ => unreachable!(),
                }
                bytes = lines.join(&b'\n');
            }
            Mutation::Truncate(at) => bytes.truncate(at % (len + 1)),
            _ => {}
        }
    }
    bytes
}

/// Runs `cases` inputs of `strategy` through `property`; panics with the minimal failing input.
fn run<S: Strategy>(
    name: &str,
    cases: u64,
    rng_seed: u64,
    strategy: S,
    property: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    if cases == 0 {
        return;
    }
    let config = Config {
        cases: cases.min(u32::MAX as u64) as u32,
        failure_persistence: None,
        max_shrink_iters: 4_096,
        ..Config::default()
    };
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&rng_seed.to_le_bytes());
    bytes[8..8 + name.len().min(24)].copy_from_slice(&name.as_bytes()[..name.len().min(24)]);
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
    if let Err(failure) = runner.run(&strategy, property) {
        panic!("config fuzzing ({name}, TWT_FUZZ_SEED={rng_seed}) found: {failure}");
    }
}

#[test]
fn validate_survives_arbitrary_and_mutated_configs() {
    let total = total_cases();
    let seed = seed();
    let ground = playground();
    let config_path = ground.config.clone();
    // Shares of the run: most inputs are cheap and in memory; batches touch the disk.
    let (bytes_cases, mutated_cases, soup_cases) = (total * 3 / 10, total * 4 / 10, total * 27 / 100);
    let batch_cases = total - bytes_cases - mutated_cases - soup_cases;

    run("bytes", bytes_cases, seed, proptest::collection::vec(any::<u8>(), 0..512), |bytes| {
        check_input(&config_path, bytes)
    });

    let seeds = seeds();
    let seed_count = seeds.len();
    run(
        "mutated",
        mutated_cases,
        seed,
        (0..seed_count, proptest::collection::vec(mutation(), 1..6)),
        |(index, mutations)| check_input(&config_path, mutate(&seeds[index], &mutations)),
    );

    run("tokens", soup_cases, seed, proptest::collection::vec(0..TOKENS.len(), 0..40), |tokens| {
        let text: String = tokens.iter().map(|t| TOKENS[*t]).collect();
        check_input(&config_path, text.into_bytes())
    });

    // Batches on disk: unique-appid checks across files, and `extends` through real paths.
    let folder = config_path.parent().unwrap().to_path_buf();
    run(
        "batch",
        batch_cases,
        seed,
        proptest::collection::vec(proptest::collection::vec(0..TOKENS.len(), 0..24), 1..4),
        |files| {
            let paths = write_batch(&folder, &files);
            let report = check::check_paths(&paths);
            prop_assert!(report.unreadable.is_empty(), "{:?}", report.unreadable);
            for checked in &report.checked {
                check_outcome(checked)?;
                for diagnostic in &checked.diagnostics {
                    prop_assert!(!diagnostic.file.text.contains("SECRET"), "read a file outside the folder");
                }
            }
            Ok(())
        },
    );

    let configs = INPUTS.load(Ordering::Relaxed);
    assert!(configs >= total, "{configs} configs checked for {total} inputs");
    let figure = format!(
        "config-fuzz: {total} inputs tried ({bytes_cases} arbitrary bytes, {mutated_cases} mutated configs, {soup_cases} token soups, {batch_cases} batches with extends; TWT_FUZZ_SEED={seed}), {configs} configs and {} diagnostics checked, panics: 0, spans outside their file: 0",
        DIAGNOSTICS.load(Ordering::Relaxed)
    );
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("figures");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config-fuzz.txt"), format!("{figure}\n")).unwrap();
    println!("{figure}");
}

/// Writes each file's tokens as `batch-<n>.toml` beside the playground's shared files,
/// replacing the previous batch.
fn write_batch(folder: &Path, files: &[Vec<usize>]) -> Vec<PathBuf> {
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_string_lossy().starts_with("batch-") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let extends =
        ["base.toml", "sub/a.toml", "link.toml", "sub/cycle-1.toml", "../outside.toml", "sub/bad.toml"];
    let appids = ["acme", "Acme", "acme", "beta"];
    files
        .iter()
        .enumerate()
        .map(|(n, tokens)| {
            let path = folder.join(format!("batch-{n}.toml"));
            // Each file starts as a config would, so more of them get past the syntax.
            let chosen = extends[(n + tokens.len()) % extends.len()];
            let mut text = format!("extends = \"{chosen}\"\nappid = \"{}\"\n", appids[n % appids.len()]);
            text.extend(tokens.iter().map(|t| TOKENS[*t]));
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect()
}
