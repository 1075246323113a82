//! Names of the apps' built files: which are named by their content's hash
//! (Trunk's `name-<hash>.js`, `name-<hash>_bg.wasm`, `name-<hash>.css`,
//! the hash a 64-bit number in lower-case hex without leading zeros, so
//! usually 16 digits and sometimes fewer) and so never change under their
//! name. The build compresses only those once (a compressed copy of a file
//! that changes under its name, such as `index.html` or `sw.js`, could
//! outlive it), and the server lets browsers keep only those.

/// The kinds of file Trunk names by their hash.
const HASHED_EXTENSIONS: [&str; 3] = ["js", "wasm", "css"];

/// Fewest hex digits taken for a hash: a 64-bit hash is shorter only once
/// in four billion builds, and a name such as `icon-192.png` or a path
/// ending in a year is never taken for one.
const FEWEST_HASH_DIGITS: usize = 8;

/// Whether `path` (a URL path or a file name) names a hashed file.
pub fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let Some((stem, extension)) = name.split_once('.') else {
        return false;
    };
    if !HASHED_EXTENSIONS.contains(&extension) {
        return false;
    }
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (FEWEST_HASH_DIGITS..=16).contains(&hash.len())
            && hash
                .bytes()
                .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
    })
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn trunks_hashed_names_are_known_and_nothing_else() {
        assert!(is_hashed_asset("/thamgia-85f67731663b367c.js"));
        assert!(is_hashed_asset("/thamgia-85f67731663b367c_bg.wasm"));
        assert!(is_hashed_asset("/townhall/main-8bdd7d4487bc4f65.css"));
        assert!(is_hashed_asset("thamgia-85f67731663b367c_bg.wasm"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/sw.js"));
        assert!(!is_hashed_asset("/manifest.webmanifest"));
        assert!(!is_hashed_asset("/report-2026"));
        assert!(!is_hashed_asset("/thamgia-85f67731663b367z.js"));
        // A hash with a leading zero is written without it (Trunk's `{:x}`).
        assert!(is_hashed_asset("/thamgia-ad8e8db99e3a049_bg.wasm"));
        assert!(is_hashed_asset("/main-4910e5c71729c0.css"));
        assert!(!is_hashed_asset("/icon-192.png"));
        assert!(!is_hashed_asset("/icon-1920a.js"));
        assert!(!is_hashed_asset(
            "/api/v1/forums/3fa85f64-5717-4562-b3fc-2c963f66afa6"
        ));
        assert!(!is_hashed_asset("/thamgia-85f67731663b367c1.js"));
        assert!(!is_hashed_asset("/thamgia-85F67731663B367C.js"));
        assert!(!is_hashed_asset("/thamgia-85f67731663b367c.js.gz"));
    }
}
