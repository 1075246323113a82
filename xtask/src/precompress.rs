//! The built apps' files compressed once, at build time: a `.br` (brotli,
//! quality 11) and a `.gz` (gzip, made by zopfli) beside each file named by its
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
    // As many threads as cores, each taking every n-th file from the
    // largest down: the two apps' wasm files, which take nearly all the
    // time, are compressed at once.
    files.sort_by_cached_key(|file| {
        std::cmp::Reverse(fs::metadata(file).map_or(0, |meta| meta.len()))
    });
    let threads = std::thread::available_parallelism()
        .map_or(2, std::num::NonZeroUsize::get)
        .min(files.len());
    let sizes: Vec<std::result::Result<(u64, u64, u64), String>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|first| {
                let files = &files;
                scope.spawn(move || {
                    files
                        .iter()
                        .skip(first)
                        .step_by(threads)
                        .map(|file| compress_beside(file).map_err(|error| error.to_string()))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|_| vec![Err("compressing a file panicked".to_owned())])
            })
            .collect()
    });
    let mut totals = (0, 0, 0, 0);
    for size in sizes {
        let (raw, brotli, gzip) = size?;
        totals.0 += 1;
        totals.1 += raw;
        totals.2 += brotli;
        totals.3 += gzip;
    }
    Ok(totals)
}

/// Writes `file.br` and `file.gz` beside `file`; gives the sizes of the
/// three.
fn compress_beside(file: &Path) -> Result<(u64, u64, u64)> {
    let raw = fs::read(file).map_err(|error| format!("{}: {error}", file.display()))?;
    let brotli = brotli_bytes(&raw)?;
    let gzip = gzip_bytes(&raw)?;
    fs::write(with_suffix(file, "br"), &brotli)?;
    fs::write(with_suffix(file, "gz"), &gzip)?;
    Ok((raw.len() as u64, brotli.len() as u64, gzip.len() as u64))
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

/// How many times zopfli refines each block: on the tablet app's wasm, 1
/// gave 780,572 bytes in 1.9 s, 5 gave 779,373 in 2.5 s and 15 gave
/// 779,139 in 4.2 s.
const ZOPFLI_ITERATIONS: u64 = 5;

/// `raw` as gzip, by zopfli: standard gzip any browser reads, about 4 %
/// smaller than level 9 on the apps' wasm (measured on the tablet app's:
/// 812,582 bytes at flate2's level 9, 779,373 here, in 2.5 s), made once
/// per build.
fn gzip_bytes(raw: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len() / 3);
    let iterations = std::num::NonZeroU64::new(ZOPFLI_ITERATIONS).ok_or("no iterations")?;
    let options = zopfli::Options {
        iteration_count: iterations,
        ..zopfli::Options::default()
    };
    zopfli::compress(options, zopfli::Format::Gzip, raw, &mut out)?;
    Ok(out)
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
