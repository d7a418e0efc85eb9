//! Rebuilds into an `--out` that holds a previous build: unchanged customers' files are taken
//! over (hard links: the same inode, so sync tools see an unchanged file), and what changed, or
//! what someone changed in the old output, is rendered again. The result is always byte for
//! byte what a fresh build gives.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use assert_cmd::Command;

#[path = "common/tree.rs"]
mod common_tree;
use common_tree::tree;

fn twt_gen() -> Command {
    let mut cmd = Command::cargo_bin("twt-gen").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Builds `configs` into `out`; stderr (the summary line).
fn build(configs: &Path, out: &Path) -> String {
    let output = twt_gen().arg("build").arg("--config").arg(configs).arg("--out").arg(out).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stderr).unwrap()
}

fn inode(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().ino()
}

/// Three customers in a folder of their own.
fn configs(dir: &Path) -> std::path::PathBuf {
    let configs = dir.join("configs");
    std::fs::create_dir(&configs).unwrap();
    for (appid, theme) in [("alpha", "light"), ("beta", "dark"), ("gamma", "system")] {
        std::fs::write(
            configs.join(format!("{appid}.toml")),
            format!("appid = \"{appid}\"\ntheme = \"{theme}\"\n"),
        )
        .unwrap();
    }
    configs
}

#[test]
fn a_rebuild_takes_over_unchanged_customers_and_renders_changed_ones() {
    let dir = tempfile::tempdir().unwrap();
    let configs = configs(dir.path());
    let out = dir.path().join("out");
    build(&configs, &out);
    let alpha_docs = out.join("customers/alpha/INTEGRATION.md");
    let (alpha_before, beta_before) = (inode(&alpha_docs), inode(&out.join("customers/beta/INTEGRATION.md")));

    std::fs::write(configs.join("beta.toml"), "appid = \"beta\"\ntheme = \"light\"\n").unwrap();
    let said = build(&configs, &out);
    assert!(said.contains("built 3 customers (2 taken over unchanged)"), "{said}");
    assert_eq!(inode(&alpha_docs), alpha_before, "alpha's files are linked, not rewritten");
    assert_ne!(inode(&out.join("customers/beta/INTEGRATION.md")), beta_before, "beta is rendered again");

    let fresh = dir.path().join("fresh");
    build(&configs, &fresh);
    assert!(tree(&out) == tree(&fresh), "a rebuild gives what a fresh build gives");
}

#[test]
fn a_deleted_or_edited_file_of_the_old_output_is_never_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let configs = configs(dir.path());
    let out = dir.path().join("out");
    build(&configs, &out);
    // Someone edits one file of alpha and deletes one of beta.
    std::fs::write(out.join("customers/alpha/snippet.html"), "<script>alert(1)</script>").unwrap();
    std::fs::remove_file(out.join("customers/beta/integration.html")).unwrap();
    // The manifest still lists both: the build refuses nothing, and renders both customers again.
    let said = build(&configs, &out);
    assert!(said.contains("built 3 customers (1 taken over unchanged)"), "{said}");

    let fresh = dir.path().join("fresh");
    build(&configs, &fresh);
    assert!(tree(&out) == tree(&fresh), "the tampered and the deleted file are back as built");
}

#[test]
fn another_deployment_or_a_manifest_without_inputs_renders_everything() {
    let dir = tempfile::tempdir().unwrap();
    let configs = configs(dir.path());
    let out = dir.path().join("out");
    build(&configs, &out);
    let other = twt_gen()
        .arg("build")
        .arg("--config")
        .arg(&configs)
        .arg("--out")
        .arg(&out)
        .args(["--cdn-base", "https://cdn.example.org"])
        .output()
        .unwrap();
    let said = String::from_utf8(other.stderr).unwrap();
    assert!(other.status.success() && !said.contains("taken over"), "{said}");

    // A manifest from before `inputs` existed: nothing is taken over, nothing breaks.
    let manifest_path = out.join("manifest.json");
    let manifest = std::fs::read_to_string(&manifest_path).unwrap();
    let without: String =
        manifest.lines().filter(|line| !line.trim_start().starts_with("\"inputs\"")).collect();
    std::fs::write(&manifest_path, without).unwrap();
    let said = build(&configs, &out);
    assert!(!said.contains("taken over"), "{said}");
}
