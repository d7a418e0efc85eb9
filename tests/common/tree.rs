//! The files of an output folder, for tests that compare builds.

use std::path::Path;

/// Every file below `root`, as sorted relative paths.
pub fn files_under(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    files.sort();
    files
}

/// Every file below `root` with its bytes, sorted by path.
pub fn tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    files_under(root)
        .into_iter()
        .map(|path| (path.clone(), std::fs::read(root.join(&path)).unwrap()))
        .collect()
}
