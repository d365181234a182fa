//! Files Tradewind writes (cards in outbox folders, exported transcripts,
//! dead letters) are about customers, so they are the owner's only: 0600
//! files in 0700 folders, whatever the process umask. Writes go through a
//! temporary file and a rename, so readers never see half a file.

use std::io::Write;
use std::path::Path;

/// Mode of every file Tradewind writes.
pub const FILE_MODE: u32 = 0o600;
/// Mode of every folder Tradewind creates.
pub const DIR_MODE: u32 = 0o700;

/// Creates `dir` and any missing parents as 0700, and makes `dir` itself
/// 0700 when it already existed with a wider mode.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        b.mode(DIR_MODE);
        b.create(dir)?;
        let mode = std::fs::metadata(dir)?.permissions().mode() & 0o777;
        if mode != DIR_MODE {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(DIR_MODE))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    b.create(dir)
}

/// Opens `path` for writing as a 0600 file (`append` or truncate).
pub fn open_private(path: &Path, append: bool) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.create(true);
    if append {
        o.append(true);
    } else {
        o.write(true).truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(FILE_MODE);
    }
    o.open(path)
}

/// Writes `bytes` to `path` (0600) through a temporary file in the same
/// folder, creating the folder (0700) when missing.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    private_dir(dir)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = open_private(&tmp, false)
        .and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// `write_private` off the async runtime's threads.
pub async fn write_private_async(path: &Path, bytes: Vec<u8>) -> std::io::Result<()> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || write_private(&path, &bytes)).await.map_err(std::io::Error::other)?
}

/// Appends `bytes` to `path` (created 0600, folder 0700), off the runtime's threads.
pub async fn append_private_async(path: &Path, bytes: Vec<u8>) -> std::io::Result<()> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            private_dir(dir)?;
        }
        let mut f = open_private(&path, true)?;
        f.write_all(&bytes)?;
        f.flush()
    })
    .await
    .map_err(std::io::Error::other)?
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[tokio::test]
    async fn written_files_are_0600_in_0700_folders_even_when_the_folder_existed() {
        let root = tempfile::tempdir().unwrap();
        let wide = root.path().join("wide");
        std::fs::create_dir(&wide).unwrap();
        std::fs::set_permissions(&wide, std::fs::Permissions::from_mode(0o755)).unwrap();
        let file = wide.join("a").join("card.md");
        write_private_async(&file, b"hello".to_vec()).await.unwrap();
        append_private_async(&wide.join("dead.jsonl"), b"x\n".to_vec()).await.unwrap();
        private_dir(&wide).unwrap();
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&wide.join("dead.jsonl")), 0o600);
        assert_eq!(mode(&wide.join("a")), 0o700);
        assert_eq!(mode(&wide), 0o700);
        assert_eq!(std::fs::read(&file).unwrap(), b"hello");
    }
}
