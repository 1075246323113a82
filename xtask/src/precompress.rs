//! The built apps' files compressed once, at build time: a `.br` (brotli,
//! quality 11) and a `.gz` (gzip, level 9) beside each file named by its
//! content's hash (`thamgia_core::asset_names`), which the server sends as
//! they are to a browser that accepts them (instead of compressing every
//! response again at a lower level). A file that changes under its name
//! (`index.html`, `sw.js`) gets no copy that could outlive it: the server
//! compresses it as it sends it.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::Result;

/// File endings worth compressing (the others, such as pictures, are
/// compressed already or tiny).
const COMPRESSED: &[&str] = &["wasm", "js", "css"];

/// Writes `FILE.br` and `FILE.gz` beside every hashed file of `dist` (at
/// any depth) with an ending of [`COMPRESSED`]; returns (files, raw bytes,
/// brotli bytes, gzip bytes).
pub fn precompress(dist: &Path) -> Result<(usize, u64, u64, u64)> {
    let mut files = Vec::new();
    collect(dist, &mut files)?;
    let mut totals = (0, 0, 0, 0);
    for file in files {
        let raw = fs::read(&file).map_err(|error| format!("{}: {error}", file.display()))?;
        let brotli = brotli_bytes(&raw)?;
        let gzip = gzip_bytes(&raw)?;
        fs::write(with_suffix(&file, "br"), &brotli)?;
        fs::write(with_suffix(&file, "gz"), &gzip)?;
        totals.0 += 1;
        totals.1 += raw.len() as u64;
        totals.2 += brotli.len() as u64;
        totals.3 += gzip.len() as u64;
    }
    Ok(totals)
}

fn collect(dir: &Path, into: &mut Vec<PathBuf>) -> Result {
    for entry in fs::read_dir(dir).map_err(|error| format!("{}: {error}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, into)?;
        } else if path
            .extension()
            .and_then(|ending| ending.to_str())
            .is_some_and(|ending| COMPRESSED.contains(&ending))
            && thamgia_core::asset_names::is_hashed_asset(&path.to_string_lossy())
        {
            into.push(path);
        }
    }
    Ok(())
}

fn with_suffix(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn brotli_bytes(raw: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len() / 3);
    {
        // Quality 11 (the best), a 4 MiB window (lgwin 22).
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        writer.write_all(raw)?;
        writer.flush()?;
    }
    Ok(out)
}

fn gzip_bytes(raw: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(raw.len() / 3),
        flate2::Compression::best(),
    );
    encoder.write_all(raw)?;
    Ok(encoder.finish()?)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn each_file_gets_a_brotli_and_a_gzip_copy_that_read_back_the_same() {
        let dist = std::env::temp_dir().join(format!("thamgia-precompress-{}", std::process::id()));
        fs::create_dir_all(dist.join("townhall")).expect("a folder");
        let text = "Tham Gia — lắng nghe trẻ em. ".repeat(200);
        fs::write(dist.join("app-0123456789abcdef.js"), &text).expect("a file");
        fs::write(
            dist.join("townhall").join("app-fedcba9876543210_bg.wasm"),
            &text,
        )
        .expect("a file");
        fs::write(dist.join("townhall").join("index.html"), &text).expect("a page");
        fs::write(dist.join("sw.js"), &text).expect("a worker");
        fs::write(dist.join("icon.png"), [1_u8, 2, 3]).expect("a picture");
        let (files, raw, brotli_size, gzip_size) = precompress(&dist).expect("compressed");
        assert_eq!(
            files, 2,
            "the page, the worker and the picture are left alone"
        );
        assert!(
            brotli_size < raw / 10 && gzip_size < raw / 5,
            "{raw} {brotli_size} {gzip_size}"
        );
        for file in [
            dist.join("app-0123456789abcdef.js"),
            dist.join("townhall").join("app-fedcba9876543210_bg.wasm"),
        ] {
            let mut unbrotli = String::new();
            brotli::Decompressor::new(fs::File::open(with_suffix(&file, "br")).expect("br"), 4096)
                .read_to_string(&mut unbrotli)
                .expect("brotli reads back");
            assert_eq!(unbrotli, text);
            let mut ungzip = String::new();
            flate2::read::GzDecoder::new(fs::File::open(with_suffix(&file, "gz")).expect("gz"))
                .read_to_string(&mut ungzip)
                .expect("gzip reads back");
            assert_eq!(ungzip, text);
        }
        for untouched in ["icon.png", "sw.js", "townhall/index.html"] {
            assert!(
                !dist.join(format!("{untouched}.br")).exists(),
                "{untouched}"
            );
        }
        fs::remove_dir_all(&dist).expect("cleaned up");
    }
}
