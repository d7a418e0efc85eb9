//! `twt-gen validate`: every rule with a valid and an invalid fixture, exact places, the three
//! formats and the exit codes.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const FIXTURES: &str = "tests/fixtures";

// The misbehaving CDN of tests/verify.rs, for the codes of `verify`; this file uses a few faults.
#[allow(dead_code)]
#[path = "common/cdn.rs"]
mod cdn;

fn twt_gen() -> Command {
    let mut cmd = Command::cargo_bin("twt-gen").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// `severity code line:col-end_line:end_col` for each diagnostic, from `--format json`.
fn diagnostics(path: &str) -> (Vec<String>, Value, i32) {
    let output = twt_gen().args(["validate", "--format", "json", path]).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let mut lines: Vec<Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let summary = lines.pop().expect("a summary line");
    assert_eq!(summary["type"], "summary", "{stdout}");
    let found = lines
        .iter()
        .map(|d| {
            assert_eq!(d["type"], "diagnostic");
            for field in ["file", "message", "help", "severity", "code"] {
                assert!(d[field].is_string(), "{field} missing in {d}");
            }
            format!(
                "{} {} {}:{}-{}:{}",
                d["severity"].as_str().unwrap(),
                d["code"].as_str().unwrap(),
                d["line"],
                d["column"],
                d["end_line"],
                d["end_column"]
            )
        })
        .collect();
    (found, summary, output.status.code().unwrap())
}

/// Each valid fixture and the warnings it must produce (and nothing else).
const VALID: &[(&str, &[&str])] = &[
    ("all-options.toml", &[]),
    ("appid-uppercase.toml", &["warning appid-uppercase 1:9-1:14"]),
    ("extends-path.toml", &[]),
    ("language-variant.toml", &["warning language-not-canonical 2:12-2:18"]),
    ("language-zh-hant.toml", &["warning language-not-canonical 2:12-2:20"]),
    ("minimal.toml", &[]),
    ("preset-dark.toml", &[]),
    ("preset-deferred.toml", &[]),
    ("zindex-min.toml", &[]),
];

/// Each invalid fixture and exactly the diagnostics it must produce, in order.
const INVALID: &[(&str, &[&str])] = &[
    ("appid-chars.toml", &["error invalid-appid 1:9-1:22"]),
    ("appid-empty.toml", &["error invalid-appid 1:9-1:10"]),
    ("appid-missing.toml", &["error missing-appid 1:1-1:1"]),
    ("appid-too-long.toml", &["error invalid-appid 1:9-1:75"]),
    ("appid-type.toml", &["error invalid-type 1:9-1:10"]),
    ("asyncinit-number.toml", &["error invalid-type 2:13-2:13"]),
    ("asyncinit-string.toml", &["error invalid-type 2:13-2:18"]),
    ("duplicate-key.toml", &["error duplicate-key 3:1-3:5"]),
    ("extends-cycle.toml", &["error extends-cycle 1:11-1:24"]),
    ("extends-missing-file.toml", &["error unreadable-extends 1:11-1:30"]),
    ("extends-outside.toml", &["error extends-outside 2:11-2:40"]),
    ("extends-unknown.toml", &["error unknown-preset 1:11-1:16"]),
    ("language-type.toml", &["error invalid-type 2:12-2:23"]),
    ("language-unknown.toml", &["error unsupported-language 2:12-2:20"]),
    ("language-unsupported.toml", &["error unsupported-language 2:12-2:15"]),
    ("launcher-invalid.toml", &["error invalid-launcher 2:12-2:21"]),
    ("load-invalid.toml", &["error invalid-load 2:8-2:13"]),
    ("not-utf8.toml", &["error invalid-utf8 1:13-1:13"]),
    ("preset-bad-value.toml", &["error invalid-theme 1:9-1:14"]),
    ("preset-sets-appid.toml", &["error appid-in-preset 2:1-2:16"]),
    (
        "runtime-only.toml",
        &[
            "error runtime-only-key 2:1-2:13",
            "error runtime-only-key 3:1-3:14",
            "error runtime-only-key 4:1-4:12",
            "error runtime-only-key 5:1-5:13",
            "error runtime-only-key 6:1-6:14",
            "error runtime-only-key 7:1-7:23",
            "error runtime-only-key 8:1-8:13",
            "error runtime-only-key 9:1-9:31",
            "error runtime-only-key 10:1-10:21",
        ],
    ),
    ("syntax.toml", &["error toml-syntax 2:14-2:14"]),
    ("table.toml", &["error unknown-key 2:2-2:7"]),
    ("theme-invalid.toml", &["error invalid-theme 2:9-2:14"]),
    ("theme-type.toml", &["error invalid-type 2:9-2:12"]),
    (
        "three-mistakes.toml",
        &["error invalid-theme 3:9-3:14", "error invalid-type 4:10-4:12", "error unknown-key 5:1-5:4"],
    ),
    (
        "unknown-keys.toml",
        &[
            "error unknown-key 2:1-2:7",
            "error unknown-key 3:1-3:10",
            "error unknown-key 4:1-4:4",
            "error unknown-key 5:1-5:6",
        ],
    ),
    ("zindex-float.toml", &["error invalid-type 2:10-2:13"]),
    ("zindex-huge.toml", &["error zindex-out-of-range 2:10-2:32"]),
    ("zindex-string.toml", &["error invalid-type 2:10-2:15"]),
    ("zindex-too-large.toml", &["error zindex-out-of-range 2:10-2:19"]),
    ("zindex-too-small.toml", &["error zindex-out-of-range 2:10-2:20"]),
];

/// Folders of fixtures checked as one batch, and exactly the diagnostics each must produce.
const BATCHES: &[(&str, &[&str])] = &[
    ("duplicate-appid", &["error duplicate-appid 1:9-1:14"]),
    ("no-configs", &["error empty-folder 1:1-1:1"]),
];

/// Codes no config can produce: each with a command that does (run by
/// `every_code_is_produced_by_a_fixture_or_a_command`), and the exit code it must end with.
/// `internal` is missing on purpose: only a broken shipped template causes it (its rendering is
/// tested in src/error.rs).
fn command_faults(scratch: &Path) -> Vec<(&'static str, std::process::Command, i32)> {
    let a_file = scratch.join("a-file");
    std::fs::write(&a_file, "x").unwrap();
    let foreign = scratch.join("foreign");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("index.html"), "the customer's own").unwrap();
    let minimal = "tests/fixtures/valid/minimal.toml";
    let run = |args: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_twt-gen"));
        cmd.env("NO_COLOR", "1").env_remove("SOURCE_DATE_EPOCH").args(args);
        cmd
    };
    // A release whose bundle someone replaced: the next build refuses to carry it.
    let released = scratch.join("released");
    let built = run(&["build", "--config", minimal, "--out", released.to_str().unwrap()]).output().unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(released.join("manifest.json")).unwrap()).unwrap();
    std::fs::write(released.join(manifest["bundle"]["path"].as_str().unwrap()), "/* replaced */").unwrap();
    // A release on a CDN that gets one thing wrong per code of `verify`.
    let deployed = scratch.join("deployed");
    let built = run(&["build", "--config", minimal, "--out", deployed.to_str().unwrap()]).output().unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let deployed_manifest = deployed.join("manifest.json");
    let bundle = manifest["bundle"]["path"].as_str().unwrap().to_string();
    let verify = |fault: Option<cdn::Fault>| {
        let base = fault.map_or_else(cdn::nothing_listening, |fault| cdn::serve(&deployed, fault));
        let manifest = deployed_manifest.to_str().unwrap();
        run(&["verify", "--manifest", manifest, "--cdn-base", &base, "--timeout", "5"])
    };
    // Two undated releases: `prune --keep-since` cannot tell how old the first one is.
    let undated = scratch.join("undated");
    for origin in ["https://rt-a.example.org", "https://rt-b.example.org"] {
        let out = undated.to_str().unwrap();
        let built =
            run(&["build", "--config", minimal, "--out", out, "--runtime-origin", origin]).output().unwrap();
        assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    }
    let mut stdout_full = run(&["snippet", "--config", minimal]);
    stdout_full.stdout(std::fs::File::create("/dev/full").unwrap());
    vec![
        ("unreadable-input", run(&["validate", "tests/fixtures/nope.toml"]), 66),
        ("folder-not-file", run(&["snippet", "--config", "tests/fixtures/valid"]), 66),
        ("variant-not-applicable", run(&["snippet", "--config", minimal, "--variant", "manual-init"]), 65),
        ("output-not-a-folder", run(&["build", "--config", minimal, "--out", a_file.to_str().unwrap()]), 73),
        ("foreign-files", run(&["build", "--config", minimal, "--out", foreign.to_str().unwrap()]), 73),
        // Even root may not create folders in sysfs.
        ("unwritable-output", run(&["build", "--config", minimal, "--out", "/sys/twt-gen-test/dist"]), 73),
        ("stdout-failed", stdout_full, 73),
        ("file-exists", run(&["init", "--appid", "acme", a_file.to_str().unwrap()]), 73),
        (
            "released-file-changed",
            run(&[
                "build",
                "--config",
                minimal,
                "--out",
                released.to_str().unwrap(),
                "--runtime-origin",
                "https://rt-b.example.org",
            ]),
            73,
        ),
        ("unreadable-manifest", run(&["diff", "tests/fixtures/nope.json", a_file.to_str().unwrap()]), 66),
        (
            "undated-bundles",
            run(&["prune", "--out", undated.to_str().unwrap(), "--keep-since", "2026-01-01"]),
            66,
        ),
        ("cdn-request-failed", verify(None), 1),
        ("cdn-not-served", verify(Some(cdn::Fault::Missing(bundle.clone()))), 1),
        ("cdn-wrong-bytes", verify(Some(cdn::Fault::WrongBytes(bundle))), 1),
        ("cdn-cors", verify(Some(cdn::Fault::NoCors)), 1),
        ("cdn-content-type", verify(Some(cdn::Fault::TextPlain)), 1),
        ("cdn-cache-control", verify(Some(cdn::Fault::ShortCache)), 1),
    ]
}

/// Every fixture file in `dir` must be listed, so none goes untested.
fn assert_all_listed(dir: &str, table: &[(&str, &[&str])]) {
    let mut on_disk: Vec<String> = std::fs::read_dir(Path::new(FIXTURES).join(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let listed: Vec<String> = table.iter().map(|(name, _)| name.to_string()).collect();
    assert_eq!(on_disk, listed, "fixtures in {dir} and the table differ");
}

#[test]
fn valid_fixtures_pass_with_exactly_their_warnings() {
    assert_all_listed("valid", VALID);
    for (name, expected) in VALID {
        let (found, summary, code) = diagnostics(&format!("{FIXTURES}/valid/{name}"));
        assert_eq!(found, *expected, "{name}");
        assert_eq!(code, 0, "{name}");
        assert_eq!(summary["errors"], 0);
        assert_eq!(summary["warnings"], expected.len());
    }
}

#[test]
fn invalid_fixtures_report_exactly_their_problems_in_file_order() {
    assert_all_listed("invalid", INVALID);
    for (name, expected) in INVALID {
        let (found, summary, code) = diagnostics(&format!("{FIXTURES}/invalid/{name}"));
        assert_eq!(found, *expected, "{name}");
        assert_eq!(code, 65, "{name}");
        assert_eq!(summary["errors"], expected.len(), "{name}");
    }
}

#[test]
fn human_format_is_cargo_style_with_caret_and_help() {
    let output = twt_gen().args(["validate", "tests/fixtures/invalid/three-mistakes.toml"]).assert().code(65);
    let stderr = String::from_utf8(output.get_output().stderr.clone()).unwrap();
    assert!(output.get_output().stdout.is_empty(), "human output goes to stderr");
    let expected = "\
error[invalid-theme]: invalid theme \"drak\"
 --> tests/fixtures/invalid/three-mistakes.toml:3:9
  |
3 | theme = \"drak\"
  |         ^^^^^^ not one of light, dark, system
  |
  = help: did you mean \"dark\"? The values are: light, dark, system
";
    assert!(stderr.starts_with(expected), "{stderr}");
    assert!(stderr.contains(" --> tests/fixtures/invalid/three-mistakes.toml:4:10"), "{stderr}");
    assert!(stderr.contains("= help: did you mean `language`?"), "{stderr}");
    assert!(stderr.trim_end().ends_with("1 file: 3 errors, 0 warnings"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "no colour off a terminal");
}

#[test]
fn runtime_only_keys_say_how_to_pass_them() {
    let output = twt_gen().args(["validate", "tests/fixtures/invalid/runtime-only.toml"]).assert().code(65);
    let stderr = String::from_utf8(output.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("error[runtime-only-key]: `sbs` does not belong in a customer config"));
    assert!(stderr.contains("TWTChatWidget.login(sbs, sbs_mm, ranstr"));
    assert!(stderr.contains("server-side into window.__twt"));
}

#[test]
fn suggestions_name_the_right_key_or_value() {
    let cases = [
        ("unknown-keys.toml", "did you mean `zIndex`?"),
        ("unknown-keys.toml", "did you mean `asyncInit`?"),
        ("unknown-keys.toml", "did you mean `language`?"),
        ("language-unsupported.toml", "did you mean \\\"ja\\\"?"),
        ("extends-unknown.toml", "did you mean \\\"dark\\\"?"),
        ("zindex-string.toml", "remove the quotes: zIndex = 9999"),
        (
            "extends-cycle.toml",
            "invalid/includes/cycle-b.toml → tests/fixtures/invalid/includes/cycle-c.toml →",
        ),
    ];
    for (name, needle) in cases {
        let out = twt_gen()
            .args(["validate", "--format", "json", &format!("{FIXTURES}/invalid/{name}")])
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(stdout.contains(needle), "{name}: {needle} not in {stdout}");
    }
}

#[test]
fn several_files_report_all_their_problems_then_one_summary() {
    let output = twt_gen()
        .args([
            "validate",
            "tests/fixtures/invalid/theme-invalid.toml",
            "tests/fixtures/valid/appid-uppercase.toml",
            "tests/fixtures/invalid/unknown-keys.toml",
        ])
        .assert()
        .code(65);
    let stderr = String::from_utf8(output.get_output().stderr.clone()).unwrap();
    let theme = stderr.find("theme-invalid.toml:2:9").unwrap();
    let upper = stderr.find("appid-uppercase.toml:1:9").unwrap();
    let unknown = stderr.find("unknown-keys.toml:5:1").unwrap();
    assert!(theme < upper && upper < unknown, "files in the order given: {stderr}");
    assert!(stderr.trim_end().ends_with("3 files: 5 errors, 1 warning"), "{stderr}");
}

#[test]
fn a_folder_means_every_toml_in_it() {
    let (found, summary, code) = diagnostics("tests/fixtures/valid");
    assert_eq!(code, 0);
    assert_eq!(summary["files"], VALID.len());
    assert_eq!(found.len(), 3);
}

#[test]
fn json_format_has_every_field() {
    let out = twt_gen()
        .args(["validate", "--format", "json", "tests/fixtures/invalid/theme-invalid.toml"])
        .output()
        .unwrap();
    let first: Value =
        serde_json::from_str(String::from_utf8(out.stdout).unwrap().lines().next().unwrap()).unwrap();
    assert_eq!(
        first,
        serde_json::json!({
            "type": "diagnostic",
            "file": "tests/fixtures/invalid/theme-invalid.toml",
            "line": 2, "column": 9, "end_line": 2, "end_column": 14,
            "severity": "error",
            "code": "invalid-theme",
            "message": "invalid theme \"drak\"",
            "help": "did you mean \"dark\"? The values are: light, dark, system",
        })
    );
}

#[test]
fn github_format_is_workflow_commands_with_escaping() {
    let out = twt_gen()
        .args([
            "validate",
            "--format",
            "github",
            "tests/fixtures/invalid/theme-invalid.toml",
            "tests/fixtures/valid/language-variant.toml",
        ])
        .assert()
        .code(65);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "::error file=tests/fixtures/invalid/theme-invalid.toml,line=2,col=9,endLine=2,endColumn=14,title=twt-gen invalid-theme::invalid theme \"drak\"%0Ahelp: did you mean \"dark\"? The values are: light, dark, system",
            "::warning file=tests/fixtures/valid/language-variant.toml,line=2,col=12,endLine=2,endColumn=18,title=twt-gen language-not-canonical::language \"pt-BR\" is normalised to \"pt\"%0Ahelp: write language = \"pt\"",
        ]
    );
}

#[test]
fn a_file_name_with_commas_and_colons_is_escaped_for_github() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a,b:c.toml");
    std::fs::write(&path, "appid = 1\n").unwrap();
    let out = twt_gen().args(["validate", "--format", "github"]).arg(&path).assert().code(65);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains("a%2Cb%3Ac.toml,line=1,col=9"), "{stdout}");
}

#[test]
fn valid_files_exit_zero_quietly() {
    twt_gen()
        .args(["validate", "tests/fixtures/valid/minimal.toml"])
        .assert()
        .code(0)
        .stdout("")
        .stderr("1 file: 0 errors, 0 warnings\n");
}

#[test]
fn a_missing_file_exits_66_naming_it_once_and_still_checks_the_others() {
    let out = twt_gen()
        .args(["validate", "tests/fixtures/nope.toml", "tests/fixtures/invalid/theme-invalid.toml"])
        .assert()
        .code(66);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert_eq!(stderr.matches("--> tests/fixtures/nope.toml").count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(
            "error[unreadable-input]: cannot read the config: No such file or directory (os error 2)\n\
             --> tests/fixtures/nope.toml\n \
             = help: check the path: it is relative to the current folder\n"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("error[invalid-theme]"), "{stderr}");
    assert!(stderr.trim_end().ends_with("2 files: 2 errors, 0 warnings"), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    twt_gen().args(["validate"]).assert().code(2);
    twt_gen().args(["validate", "--format", "xml", "a.toml"]).assert().code(2);
    twt_gen().args(["frobnicate"]).assert().code(2);
}

#[test]
fn not_utf8_is_a_clear_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.toml");
    std::fs::write(&path, b"appid = \"caf\xe9\"\n").unwrap();
    twt_gen()
        .args(["validate"])
        .arg(&path)
        .assert()
        .code(65)
        .stderr(predicates::str::contains("error[invalid-utf8]: the file is not UTF-8 text"));
}

#[test]
fn every_shipped_preset_and_example_is_valid() {
    for entry in std::fs::read_dir("presets").unwrap() {
        let preset = entry.unwrap().path();
        let name = preset.file_stem().unwrap().to_string_lossy().into_owned();
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("c.toml");
        std::fs::write(&config, format!("extends = \"{name}\"\nappid = \"x\"\n")).unwrap();
        twt_gen().arg("validate").arg(&config).assert().code(0);
    }
    twt_gen().args(["validate", "examples/customers"]).assert().code(0);
}

/// Runs `validate` in all three formats; returns (exit code, stdout and stderr of all three).
fn validate_all_formats(path: &Path) -> (i32, String) {
    let mut text = String::new();
    let mut codes = Vec::new();
    for format in ["human", "json", "github"] {
        let out = twt_gen().args(["validate", "--format", format]).arg(path).output().unwrap();
        codes.push(out.status.code().unwrap());
        text.push_str(&String::from_utf8_lossy(&out.stdout));
        text.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    assert!(codes.iter().all(|c| *c == codes[0]), "formats disagree on the exit code: {codes:?}");
    (codes[0], text)
}

/// The codes of the diagnostics `validate --format json` reports for `path`.
fn codes_of(path: &Path) -> Vec<String> {
    let out = twt_gen().args(["validate", "--format", "json"]).arg(path).output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|v| v["type"] == "diagnostic")
        .map(|v| v["code"].as_str().unwrap().to_string())
        .collect()
}

/// `extends = "/etc/passwd"` used to print that file's lines as TOML errors. A config may only
/// extend files in its own folder or below, after `..` and symbolic links are resolved, and a
/// refused or unreadable target is never quoted.
#[test]
fn extends_is_confined_to_the_config_folder_and_never_quotes_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "root:x:0:0:SECRET-LINE:/root:/bin/bash\n[SECRET-TABLE]\n";
    std::fs::write(dir.path().join("secret.toml"), secret).unwrap();
    let configs = dir.path().join("configs");
    std::fs::create_dir_all(configs.join("sub/deeper")).unwrap();
    std::os::unix::fs::symlink("../secret.toml", configs.join("link.toml")).unwrap();
    std::os::unix::fs::symlink("..", configs.join("up")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("secret.toml"), configs.join("sub/abs-link.toml")).unwrap();
    let absolute = dir.path().join("secret.toml");
    let outside = [
        absolute.to_str().unwrap(),
        "/etc/passwd",
        "../secret.toml",
        "sub/../../secret.toml",
        "sub/deeper/../../../secret.toml",
        "./../secret.toml",
        "link.toml",
        "up/secret.toml",
        "sub/abs-link.toml",
    ];
    for (i, target) in outside.iter().enumerate() {
        let config = configs.join(format!("outside-{i}.toml"));
        std::fs::write(&config, format!("extends = \"{target}\"\nappid = \"acme\"\n")).unwrap();
        let (code, output) = validate_all_formats(&config);
        assert_eq!(code, 65, "{target}: {output}");
        assert_eq!(codes_of(&config), ["extends-outside"], "{target}");
        for leaked in ["SECRET", "root:", "/bin/"] {
            assert!(!output.contains(leaked), "{target} leaked {leaked}: {output}");
        }
    }

    // Inside the folder but not a config file: named, never quoted.
    std::fs::write(configs.join("sub/huge.toml"), "# SECRET\n".repeat(200_000)).unwrap();
    std::fs::write(configs.join("sub/binary.toml"), b"SECRET\xff\xfe\x00").unwrap();
    for (target, reason) in [
        ("./sub", "is a folder"),
        ("sub/huge.toml", "too large for a config"),
        ("sub/binary.toml", "not UTF-8"),
        ("sub/missing.toml", "No such file"),
    ] {
        let config = configs.join("inside.toml");
        std::fs::write(&config, format!("extends = \"{target}\"\nappid = \"acme\"\n")).unwrap();
        let (code, output) = validate_all_formats(&config);
        assert_eq!(code, 65, "{target}: {output}");
        assert_eq!(codes_of(&config), ["unreadable-extends"], "{target}");
        assert!(output.contains(reason), "{target}: {output}");
        assert!(!output.contains("SECRET"), "{target}: {output}");
    }

    // A file in a subfolder, and a symbolic link that stays inside, are fine.
    std::fs::write(configs.join("sub/base.toml"), "theme = \"dark\"\n").unwrap();
    std::os::unix::fs::symlink("sub/base.toml", configs.join("base-link.toml")).unwrap();
    for target in ["sub/base.toml", "./sub/deeper/../base.toml", "base-link.toml"] {
        let config = configs.join("fine.toml");
        std::fs::write(&config, format!("extends = \"{target}\"\nappid = \"acme\"\n")).unwrap();
        twt_gen().arg("validate").arg(&config).assert().code(0);
    }
}

#[test]
fn a_config_larger_than_any_config_is_unreadable_not_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.toml");
    std::fs::write(&path, format!("appid = \"acme\"\n{}", "# comment\n".repeat(200_000))).unwrap();
    twt_gen()
        .arg("validate")
        .arg(&path)
        .assert()
        .code(66)
        .stderr(predicates::str::contains("too large for a config"));
}

/// What a terminal or a CI log viewer acts on instead of showing: C0 controls but tab and line
/// feed, DEL, C1 controls, bidi controls, and the Unicode line and paragraph separators.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| {
            (c.is_control() && !matches!(c, '\t' | '\n'))
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
                || matches!(c, '\u{061C}' | '\u{2028}' | '\u{2029}')
        })
        .collect()
}

/// `--format github` wrote config values raw: an ESC in a value became a terminal escape in the
/// CI log, and a line feed in a key could forge a workflow command.
#[test]
fn control_characters_never_reach_a_terminal_or_ci_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evil\u{1b}[2J\u{202e}lmth.toml");
    let mut text = String::from("appid = \"acme\"\n");
    text.push_str("theme = \"x\\u001b[31mRED\\u0007\\u009b\\u202e\\u2028\"\n");
    text.push_str("\"key\\u001b]0;title\\u0007\\n::error::forged\" = 1\n");
    text.push_str("language = \"e\\u0085n\"\n");
    text.push_str("launcher = \"raw\u{1b}[2J\u{9b}6n\u{202e}\u{7f}\"\n");
    std::fs::write(&path, text).unwrap();

    let human = twt_gen().arg("validate").arg(&path).assert().code(65);
    let stderr = String::from_utf8(human.get_output().stderr.clone()).unwrap();
    assert_eq!(raw_controls(&stderr), Vec::<char>::new(), "{stderr}");
    assert!(stderr.contains("invalid theme \"x␛[31mRED␇"), "{stderr}");
    assert!(!stderr.lines().any(|line| line.trim_start().starts_with("::")), "forged command: {stderr}");

    let github = twt_gen().args(["validate", "--format", "github"]).arg(&path).assert().code(65);
    let stdout = String::from_utf8(github.get_output().stdout.clone()).unwrap();
    assert_eq!(raw_controls(&stdout), Vec::<char>::new(), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.len() >= 3, "{stdout}");
    assert!(
        lines.iter().all(|l| l.starts_with("::error file=") || l.starts_with("::warning file=")),
        "{stdout}"
    );

    // JSON keeps the exact values, as escapes.
    let json = twt_gen().args(["validate", "--format", "json"]).arg(&path).output().unwrap();
    let stdout = String::from_utf8(json.stdout).unwrap();
    assert_eq!(raw_controls(&stdout), Vec::<char>::new(), "{stdout}");
    let theme: Value =
        serde_json::from_str(stdout.lines().find(|l| l.contains("invalid-theme")).unwrap()).unwrap();
    assert_eq!(theme["message"], "invalid theme \"x\u{1b}[31mRED\u{7}\u{9b}\u{202e}\u{2028}\"");

    // Messages that are not diagnostics: a missing file, and clap's usage errors.
    let missing =
        twt_gen().arg("validate").arg(dir.path().join("no\u{1b}[2Jpe\u{9b}.toml")).assert().code(66);
    let stderr = String::from_utf8(missing.get_output().stderr.clone()).unwrap();
    assert_eq!(raw_controls(&stderr), Vec::<char>::new(), "{stderr}");
    for args in [
        vec!["validate", "--format", "x\u{1b}[31m\u{9b}\u{202e}", "a.toml"],
        vec!["snippet", "--config", "examples/customers/acme.toml", "--runtime-origin", "http://a\u{1b}[2J"],
        vec!["validate", "--no-such-flag\u{7}\u{85}\u{2028}"],
    ] {
        let usage = twt_gen().args(&args).assert().code(2);
        let stderr = String::from_utf8(usage.get_output().stderr.clone()).unwrap();
        assert_eq!(raw_controls(&stderr), Vec::<char>::new(), "{args:?}: {stderr}");
    }
}

/// The largest config twt-gen reads, with a mistake on every line: 100,000 diagnostics. Each
/// used to count lines from the top of the file and render the whole file (minutes for this
/// one); all of them are reported, with the right places.
#[test]
fn the_largest_config_with_a_mistake_on_every_line_is_reported_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.toml");
    let mut text = String::from("appid = \"acme\"\n");
    let mut keys = 0;
    while text.len() + 16 < 1 << 20 {
        text.push_str(&format!("k{keys} = 1\n"));
        keys += 1;
    }
    std::fs::write(&path, &text).unwrap();
    let out = twt_gen().arg("validate").arg(&path).assert().code(65);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.trim_end().ends_with(&format!("1 file: {keys} errors, 0 warnings")),
        "{}",
        &stderr[stderr.len() - 300..]
    );
    let tail = &stderr[stderr.len() - 600..];
    assert!(tail.contains(&format!("huge.toml:{}:1\n", keys + 1)), "{tail}");
    assert!(tail.contains(&format!("\n{} | k{} = 1\n", keys + 1, keys - 1)), "{tail}");
}

#[test]
fn batches_report_exactly_their_problems() {
    for (name, expected) in BATCHES {
        let (found, _, code) = diagnostics(&format!("{FIXTURES}/batches/{name}"));
        assert_eq!(found, *expected, "{name}");
        assert_ne!(code, 0, "{name}");
    }
}

/// A new code needs a fixture (or, for a code no config can produce, a command) that produces
/// it: otherwise this fails.
#[test]
fn every_code_is_produced_by_a_fixture_or_a_command() {
    let code_of = |line: &&str| line.split(' ').nth(1).unwrap().to_string();
    let mut produced: Vec<String> =
        VALID.iter().chain(INVALID).chain(BATCHES).flat_map(|(_, lines)| lines.iter().map(code_of)).collect();
    let scratch = tempfile::tempdir().unwrap();
    for (code, mut command, exit) in command_faults(scratch.path()) {
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(exit), "{code}: {stderr}");
        assert!(stderr.starts_with(&format!("error[{code}]: ")), "{code}: {stderr}");
        assert!(stderr.contains("\n = help: "), "{code} has no help: {stderr}");
        produced.push(code.to_string());
    }
    produced.push("internal".into());
    produced.sort();
    produced.dedup();
    let mut registry: Vec<String> =
        twt_gen::diagnostics::codes::CODES.iter().map(|c| c.name.to_string()).collect();
    registry.sort();
    let missing: Vec<&String> = registry.iter().filter(|c| !produced.contains(c)).collect();
    let unknown: Vec<&String> = produced.iter().filter(|c| !registry.contains(c)).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "codes no fixture or command produces: {missing:?}; produced codes not in CODES: {unknown:?}"
    );
}

/// Each cause of an unreadable input has its own help line, in every format of `validate`.
#[test]
fn unreadable_inputs_are_diagnostics_in_every_format_with_help_for_their_cause() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.toml");
    std::fs::write(&huge, "#".repeat(2 << 20)).unwrap();
    let cases = [
        ("tests/fixtures/nope.toml".to_string(), "unreadable-input", "check the path"),
        (huge.to_string_lossy().into_owned(), "unreadable-input", "a config is at most 1 MiB"),
        ("tests/fixtures/batches/no-configs".to_string(), "empty-folder", "configs are the *.toml files"),
    ];
    for (path, code, help) in cases {
        let json = twt_gen().args(["validate", "--format", "json", &path]).assert().code(66);
        let stdout = String::from_utf8(json.get_output().stdout.clone()).unwrap();
        let first: Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
        assert_eq!(first["type"], "diagnostic", "{stdout}");
        assert_eq!(first["code"], code, "{stdout}");
        assert_eq!(first["file"], path.as_str(), "{stdout}");
        assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(1), Some(1)));
        assert!(first["help"].as_str().unwrap().starts_with(help), "{stdout}");
        assert!(stdout.lines().last().unwrap().contains("\"errors\":1"), "{stdout}");

        let github = twt_gen().args(["validate", "--format", "github", &path]).assert().code(66);
        let stdout = String::from_utf8(github.get_output().stdout.clone()).unwrap();
        assert!(stdout.starts_with("::error file="), "{stdout}");
        assert!(stdout.contains(&format!("title=twt-gen {code}::")), "{stdout}");

        let human = twt_gen().args(["validate", &path]).assert().code(66);
        let stderr = String::from_utf8(human.get_output().stderr.clone()).unwrap();
        assert!(stderr.starts_with(&format!("error[{code}]: ")), "{stderr}");
        assert!(stderr.contains(&format!("--> {path}\n")), "{stderr}");
        assert!(stderr.contains(&format!("= help: {help}")), "{stderr}");
    }
}
