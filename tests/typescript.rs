//! The integrators' TypeScript declarations (`twt-chat-widget.d.ts`, written by `build`) checked
//! by the TypeScript compiler pinned in `tests/typescript/package.json` (installed with `npm ci`
//! on first use; needs Node.js and npm):
//!
//! - every JavaScript and TypeScript sample of the generated docs (extracted as the browser test
//!   of the docs extracts them, for configs that render every section) compiles with
//!   `tsc --strict` against the declarations the same build wrote, as TypeScript and, the
//!   JavaScript ones, also as JavaScript (`--checkJs`, what `// @ts-check` does in an editor);
//! - `tests/typescript/mistakes.ts` fails to compile on exactly the lines marked `// error: why`.

#[path = "common/doc_samples.rs"]
mod doc_samples;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use doc_samples::{code_blocks, Block, CONFIGS};

const DTS: &str = "twt-chat-widget.d.ts";

fn typescript_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/typescript")
}

fn has(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok_and(|out| out.status.success())
}

/// The pinned compiler, installed by `npm ci` when node_modules lacks it or holds another version.
fn tsc() -> PathBuf {
    static INSTALLED: OnceLock<PathBuf> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            for program in ["node", "npm"] {
                assert!(
                    has(program),
                    "`{program}` is not on PATH: the TypeScript check needs Node.js and npm. Install \
                     them with `sudo apt-get install nodejs npm` on Debian or Ubuntu (./scripts/test \
                     does), or from https://nodejs.org, then run the tests again"
                );
            }
            let dir = typescript_dir();
            let read =
                |path: PathBuf| -> Option<Value> { serde_json::from_slice(&std::fs::read(path).ok()?).ok() };
            let pinned = read(dir.join("package.json")).expect("tests/typescript/package.json")
                ["devDependencies"]["typescript"]
                .clone();
            let installed =
                read(dir.join("node_modules/typescript/package.json")).map(|p| p["version"].clone());
            if installed.as_ref() != Some(&pinned) {
                let status = Command::new("npm")
                    .args(["ci", "--no-audit", "--no-fund"])
                    .current_dir(&dir)
                    .status()
                    .expect("npm runs");
                assert!(
                    status.success(),
                    "`npm ci` in tests/typescript/ failed ({status}): it installs TypeScript {pinned} \
                     from the npm registry, which must be reachable"
                );
            }
            dir.join("node_modules/typescript/bin/tsc")
        })
        .clone()
}

/// One file tsc checks: its name, its text, and where it comes from (for messages).
struct Source {
    name: String,
    text: String,
    origin: String,
}

/// The code of a sample: a ```js or ```ts block as it is; the inline scripts of an ```html block,
/// except the install snippet's (the stub that defines `window.TWTChatWidget`, not the page's
/// own code). Each becomes a module of its own (`export {}`), as separate scripts would not
/// share their `const`s.
fn scripts_of(block: &Block) -> Vec<String> {
    match block.lang.as_str() {
        "js" | "ts" => vec![block.code.clone()],
        "html" if block.code.contains("Start of TWT Chat code") => Vec::new(),
        "html" => {
            let mut scripts = Vec::new();
            let mut rest = block.code.as_str();
            while let Some(start) = rest.find("<script") {
                let tag_end = start + rest[start..].find('>').expect("a closed <script> tag");
                let end = tag_end + rest[tag_end..].find("</script>").expect("a </script>");
                if !rest[start..tag_end].contains(" src=") {
                    scripts.push(rest[tag_end + 1..end].to_string());
                }
                rest = &rest[end..];
            }
            scripts
        }
        _ => Vec::new(),
    }
}

/// Builds the sample configs and returns the folder tsc runs in: the build's d.ts, every sample
/// of every customer's docs, and mistakes.ts.
fn prepare(root: &Path) -> Vec<Source> {
    let configs = root.join("configs");
    std::fs::create_dir_all(&configs).unwrap();
    for (appid, toml) in CONFIGS {
        std::fs::write(configs.join(format!("{appid}.toml")), toml).unwrap();
    }
    let out = root.join("dist");
    let status = Command::new(env!("CARGO_BIN_EXE_twt-gen"))
        .args(["build", "--config"])
        .arg(&configs)
        .arg("--out")
        .arg(&out)
        .env("NO_COLOR", "1")
        .status()
        .unwrap();
    assert!(status.success(), "twt-gen build: {status}");
    let manifest: Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let types = &manifest["types"];
    let dts_path = types["path"].as_str().unwrap();
    assert!(dts_path.ends_with(&format!("/{DTS}")), "{dts_path}");

    let checked = root.join("checked");
    std::fs::create_dir_all(&checked).unwrap();
    std::fs::copy(out.join(dts_path), checked.join(DTS)).unwrap();
    let mut sources = vec![Source {
        name: "mistakes.ts".into(),
        text: std::fs::read_to_string(typescript_dir().join("mistakes.ts")).unwrap(),
        origin: "tests/typescript/mistakes.ts".into(),
    }];
    for customer in manifest["customers"].as_array().unwrap() {
        let docs = customer["docs"].as_str().unwrap();
        let md = std::fs::read_to_string(out.join(docs)).unwrap();
        let url = types["url"].as_str().unwrap();
        assert!(md.contains(&format!("`{url}`")), "{docs} does not give the d.ts URL {url}");
        let appid = customer["appid"].as_str().unwrap();
        for (index, block) in code_blocks(&md).iter().enumerate() {
            for (part, script) in scripts_of(block).into_iter().enumerate() {
                // JavaScript samples also as JavaScript (`--checkJs`), as the docs say
                // `// @ts-check` gives the same checks.
                let extensions: &[&str] = if block.lang == "ts" { &["ts"] } else { &["ts", "js"] };
                for extension in extensions {
                    sources.push(Source {
                        name: format!("{appid}-sample-{index}-{part}.{extension}"),
                        text: format!("{script}\nexport {{}};\n"),
                        origin: format!("{docs}, the ```{} block after: {}", block.lang, block.prose),
                    });
                }
            }
        }
    }
    for source in &sources {
        std::fs::write(checked.join(&source.name), &source.text).unwrap();
    }
    sources
}

/// tsc's errors, by file name: (line, message).
struct Checked {
    sources: Vec<Source>,
    errors: Vec<(String, usize, String)>,
    output: String,
}

/// One tsc run over the samples and the mistakes (a run costs seconds; both tests read it).
fn checked() -> &'static Checked {
    static CHECKED: OnceLock<Checked> = OnceLock::new();
    CHECKED.get_or_init(|| {
        let tsc = tsc();
        let root = tempfile::tempdir().unwrap().keep();
        let sources = prepare(&root);
        let started = std::time::Instant::now();
        let out = Command::new("node")
            .arg(&tsc)
            .args(["--strict", "--noEmit", "--pretty", "false", "--target", "es2020", "--lib", "es2020,dom"])
            .args(["--allowJs", "--checkJs"])
            .arg(DTS)
            .args(sources.iter().map(|s| &s.name))
            .current_dir(root.join("checked"))
            .output()
            .unwrap();
        eprintln!("tsc checked {} files in {:.1?}", sources.len() + 1, started.elapsed());
        let output =
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        // `file(line,column): error TS1234: message`; continuation lines start with spaces.
        let errors = output
            .lines()
            .filter_map(|line| {
                let (place, message) = line.split_once(": error ")?;
                let (file, position) = place.split_once('(')?;
                let line_number = position.split(',').next()?.parse().ok()?;
                Some((file.to_string(), line_number, message.to_string()))
            })
            .collect();
        std::fs::remove_dir_all(&root).ok();
        Checked { sources, errors, output }
    })
}

#[test]
fn every_sample_of_the_generated_docs_compiles_strictly_against_the_declarations() {
    let checked = checked();
    let samples: Vec<&Source> = checked.sources.iter().filter(|s| s.name != "mistakes.ts").collect();
    let customers_with_samples: BTreeSet<&str> =
        samples.iter().map(|s| s.name.split("-sample-").next().unwrap()).collect();
    assert_eq!(customers_with_samples.len(), CONFIGS.len(), "every customer's docs have samples");
    let failing: Vec<String> = checked
        .errors
        .iter()
        .filter(|(file, _, _)| file != "mistakes.ts")
        .map(|(file, line, message)| {
            let origin = samples.iter().find(|s| &s.name == file).map_or("the declarations", |s| &s.origin);
            let text = samples.iter().find(|s| &s.name == file).map_or("", |s| &s.text);
            format!("{file}:{line}: {message}\n  from {origin}\n{text}")
        })
        .collect();
    assert!(failing.is_empty(), "docs samples that tsc --strict rejects:\n{}", failing.join("\n"));
    assert!(
        samples.iter().any(|s| s.text.contains("/// <reference path=\"./twt-chat-widget.d.ts\" />")),
        "the docs show how to reference the declarations"
    );
}

#[test]
fn each_deliberate_mistake_fails_to_compile_and_nothing_else_does() {
    let checked = checked();
    let mistakes = &checked.sources.iter().find(|s| s.name == "mistakes.ts").unwrap().text;
    let expected: BTreeSet<usize> =
        mistakes.lines().enumerate().filter(|(_, l)| l.contains("; // error:")).map(|(i, _)| i + 1).collect();
    let reported: BTreeSet<usize> = checked
        .errors
        .iter()
        .filter(|(file, _, _)| file == "mistakes.ts")
        .map(|(_, line, _)| *line)
        .collect();
    let line = |n: &usize| format!("  {n}: {}", mistakes.lines().nth(n - 1).unwrap_or(""));
    let accepted: Vec<String> = expected.difference(&reported).map(line).collect();
    let rejected: Vec<String> = reported.difference(&expected).map(line).collect();
    assert!(
        accepted.is_empty() && rejected.is_empty(),
        "tsc accepted these mistakes:\n{}\nand rejected these correct lines:\n{}\ntsc said:\n{}",
        accepted.join("\n"),
        rejected.join("\n"),
        checked.output
    );
    assert!(expected.len() >= 20, "{} mistakes", expected.len());
}
