//! The folders of `src/` are the stages of a build, and data flows one way through them:
//! check → render → write, with diagnostics beside check (and leaves such as `escape` and `sri`
//! that any stage may use). A module may use only the groups
//! listed for it here; an import against the flow fails this test.

use std::path::Path;

/// Each group of `src/` and the other top-level modules it may use.
const ALLOWED: &[(&str, &[&str])] = &[
    ("diagnostics", &["error", "escape", "terminal"]),
    ("check", &["diagnostics", "error", "escape"]),
    ("render", &["check", "diagnostics", "error", "escape", "sri"]),
    ("write", &["render", "error", "escape", "sri"]),
    // `preview` is a front end beside the CLI: it runs the whole pipeline (check, then build)
    // and renders its own page from the API table, so it may use every stage, never the CLI.
    // `release` reads what `write` wrote (manifests), after a build: it never renders.
    ("release", &["diagnostics", "error", "escape", "sri", "write"]),
    ("preview", &["check", "diagnostics", "error", "escape", "pipeline", "render", "terminal", "write"]),
];

/// Top-level modules every group may know of, and those nobody below the CLI may use.
const ALL: &[&str] = &[
    "check",
    "cli",
    "diagnostics",
    "error",
    "escape",
    "init",
    "pipeline",
    "preview",
    "release",
    "render",
    "sri",
    "terminal",
    "write",
];

fn sources(dir: &Path, found: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
        }
    }
}

#[test]
fn imports_follow_the_stages() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (group, allowed) in ALLOWED {
        let mut files = Vec::new();
        sources(&src.join(group), &mut files);
        assert!(!files.is_empty(), "src/{group}/ holds no source");
        for (path, text) in files {
            for module in ALL.iter().filter(|m| *m != group && !allowed.contains(m)) {
                if text.contains(&format!("crate::{module}::")) || text.contains(&format!("crate::{module};"))
                {
                    wrong.push(format!("{path} uses crate::{module}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the flow check → render → write:\n{}", wrong.join("\n"));
}
