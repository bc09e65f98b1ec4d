//! Replacing a file so that a crash, a full disk or a killed process never leaves it half
//! written: write a temporary file beside it, fsync, then rename over the original.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

pub fn write_atomic(path: &Path, contents: &str) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| Error::Io {
        path: path.display().to_string(),
        message: "not a file path".into(),
    })?;
    // Same folder as the target, so the rename stays on one file system and is atomic.
    let temp = dir.join(format!(".{}.ankitoml-tmp", name.to_string_lossy()));
    let result = (|| {
        let mut file = File::create(&temp)?;
        file.write_all(contents.as_bytes())?;
        file.sync_all()?;
        if let Ok(meta) = fs::metadata(path) {
            // Keep the user's permissions on the replaced file.
            fs::set_permissions(&temp, meta.permissions())?;
        }
        fs::rename(&temp, path)?;
        // The rename itself must reach the disk too; not every platform can fsync a folder.
        if let Ok(folder) = File::open(dir) {
            let _ = folder.sync_all();
        }
        Ok(())
    })();
    result.map_err(|err: std::io::Error| {
        let _ = fs::remove_file(&temp);
        Error::io(path, &err)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_contents_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deck.toml");
        fs::write(&path, "old").unwrap();
        write_atomic(&path, "new").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("deck.toml")]);
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_the_file() {
        let err = write_atomic(Path::new("/nonexistent-folder/deck.toml"), "x").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("/nonexistent-folder/deck.toml: "),
            "{err}"
        );
    }
}
