//! Names the code and templates this binary renders with: `TWT_GEN_RENDER_ID`, a sha256 of every
//! file under `src/` and `templates/` (paths and bytes, in path order). Incremental builds take a
//! customer's previous files over only when it is the same (see `pipeline::customer_inputs`), so
//! a change to any of them renders everything again, while the same sources give the same id on
//! any machine.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            files(&path, found);
        } else {
            found.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let mut found = Vec::new();
    for folder in ["src", "templates"] {
        println!("cargo:rerun-if-changed={folder}");
        files(&root.join(folder), &mut found);
    }
    let mut relative: Vec<(String, PathBuf)> = found
        .into_iter()
        .map(|path| {
            (path.strip_prefix(&root).expect("under the root").to_string_lossy().replace('\\', "/"), path)
        })
        .collect();
    relative.sort();
    let mut hash = Sha256::new();
    for (name, path) in relative {
        hash.update(name.as_bytes());
        hash.update([0]);
        hash.update(std::fs::read(path).expect("a source file"));
        hash.update([0]);
    }
    let id: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    println!("cargo:rustc-env=TWT_GEN_RENDER_ID={id}");
}
