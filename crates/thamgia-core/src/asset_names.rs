//! Names of the apps' built files: which are named by their content's hash
//! (Trunk's `name-<16 hex>.js`, `name-<16 hex>_bg.wasm`, `name-<16 hex>.css`)
//! and so never change under their name. The build compresses only those
//! once (a compressed copy of a file that changes under its name, such as
//! `index.html` or `sw.js`, could outlive it), and the server lets browsers
//! keep only those.

/// Whether `path` (a URL path or a file name) names a hashed file.
pub fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        hash.len() == 16 && hash.bytes().all(|byte| byte.is_ascii_hexdigit())
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
    }
}
