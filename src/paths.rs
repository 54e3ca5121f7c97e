//! Where ckasim keeps its files.

use std::path::PathBuf;

/// `CKASIM_HOME`, else the platform data directory (e.g. `~/.local/share/ckasim`).
pub fn home() -> PathBuf {
    if let Some(h) = std::env::var_os("CKASIM_HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(h);
    }
    directories::ProjectDirs::from("", "", "ckasim")
        .map_or_else(|| PathBuf::from(".ckasim"), |d| d.data_dir().to_path_buf())
}

/// The user's own scenarios: `<home>/library/{scenarios,grading,assets}`.
pub fn user_library() -> PathBuf {
    home().join("library")
}

/// Writes a file atomically: a temporary file in the same directory, synced,
/// then renamed over the target, so readers see the old or the new file whole.
pub fn write_atomic(path: &std::path::Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
