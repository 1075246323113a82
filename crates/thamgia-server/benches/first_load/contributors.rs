//! Which crates' code makes up an app's wasm: the function bodies of
//! cargo's own output (before wasm-bindgen and wasm-opt strip the names),
//! each attributed to a crate by its mangled name (its `name` section).

use std::collections::HashMap;

use anyhow::{anyhow, bail, Result};

/// What the bench needs of a wasm module.
pub struct Module {
    /// Each defined function's name (`name` section) and body bytes (with
    /// its size prefix), in the code section's order.
    pub functions: Vec<(Option<String>, u64)>,
    /// The data section's bytes.
    pub data_bytes: u64,
    /// The memory the active data segments lay out, trailing zeros left off
    /// (`None` if a segment is not at a constant place): two builds of the
    /// same code lay out the same memory whatever wasm-bindgen and wasm-opt
    /// did to the code (wasm-opt only drops runs of zeros).
    pub memory: Option<Vec<u8>>,
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize) -> Result<&'a [u8]> {
        let bytes: &'a [u8] = self.bytes;
        let end = self.at.saturating_add(count);
        let taken = bytes
            .get(self.at..end)
            .ok_or_else(|| anyhow!("truncated at byte {}", self.at))?;
        self.at = end;
        Ok(taken)
    }
    fn byte(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    /// An unsigned LEB128 number (also a non-negative signed one, which only
    /// differs by a final zero byte).
    fn number(&mut self) -> Result<u64> {
        let (mut value, mut shift) = (0u64, 0);
        loop {
            let byte = self.byte()?;
            if shift > 63 {
                bail!("LEB128 number too long at byte {}", self.at);
            }
            value |= u64::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
    }
    /// A length-prefixed byte string (a name, or a section's contents).
    fn vector(&mut self) -> Result<&'a [u8]> {
        let length = usize::try_from(self.number()?)?;
        self.take(length)
    }
}

/// Reads the sections of a wasm module (the binary format's own layout).
pub fn parse(bytes: &[u8]) -> Result<Module> {
    if bytes.get(..4) != Some(b"\0asm".as_slice()) {
        bail!("not a wasm module");
    }
    let mut module = Reader { bytes, at: 8 };
    let (mut imported, mut bodies, mut data_bytes) = (0u64, Vec::new(), 0u64);
    let (mut names, mut memory) = (HashMap::new(), Some(Vec::new()));
    while module.at < bytes.len() {
        let id = module.byte()?;
        let contents = module.vector()?;
        let mut section = Reader {
            bytes: contents,
            at: 0,
        };
        match id {
            2 => {
                for _ in 0..section.number()? {
                    section.vector()?; // module
                    section.vector()?; // field
                    let kind = section.byte()?;
                    match kind {
                        0 => imported += 1,
                        1 | 2 => {
                            // table (its element type) or memory: limits
                            section.take(usize::from(kind == 1))?;
                            if section.number()? & 1 != 0 {
                                section.number()?;
                            }
                        }
                        3 => {
                            section.byte()?; // global: its type
                        }
                        4 => {
                            section.byte()?; // tag: its attribute
                        }
                        other => bail!("import of unknown kind {other}"),
                    }
                    // a function's or tag's type, a limit's minimum, a global's mutability
                    section.number()?;
                }
            }
            10 => {
                for _ in 0..section.number()? {
                    let start = section.at;
                    section.vector()?;
                    bodies.push((section.at - start) as u64);
                }
            }
            11 => {
                data_bytes += contents.len() as u64;
                memory = memory.and_then(|_| lay_out(&mut section).ok().flatten());
            }
            0 => {
                if section.vector()? != b"name" {
                    continue;
                }
                while section.at < contents.len() {
                    let subsection = section.byte()?;
                    let mut map = Reader {
                        bytes: section.vector()?,
                        at: 0,
                    };
                    if subsection != 1 {
                        continue;
                    }
                    for _ in 0..map.number()? {
                        let index = map.number()?;
                        let name = String::from_utf8_lossy(map.vector()?).into_owned();
                        names.insert(index, name);
                    }
                }
            }
            _ => {}
        }
    }
    let functions = bodies
        .into_iter()
        .zip(imported..)
        .map(|(size, index)| (names.remove(&index), size))
        .collect();
    Ok(Module {
        functions,
        data_bytes,
        memory,
    })
}

/// The memory the data section's active segments lay out, or `None` when a
/// segment is passive or placed by anything but a non-negative constant.
fn lay_out(section: &mut Reader<'_>) -> Result<Option<Vec<u8>>> {
    let mut memory = Vec::new();
    for _ in 0..section.number()? {
        let flags = section.number()?;
        if flags == 2 {
            section.number()?; // memory index
        }
        // i32.const or i64.const (memory64), the offset, `end`.
        if flags == 1 || !matches!(section.byte()?, 0x41 | 0x42) {
            return Ok(None);
        }
        let start = section.number()?;
        if section.byte()? != 0x0b {
            return Ok(None);
        }
        let segment = section.vector()?;
        let Some(start) = usize::try_from(start).ok().filter(|at| *at < 1 << 28) else {
            return Ok(None);
        };
        let end = start + segment.len();
        if memory.len() < end {
            memory.resize(end, 0);
        }
        memory[start..end].copy_from_slice(segment);
    }
    while memory.last() == Some(&0) {
        memory.pop();
    }
    Ok(Some(memory))
}

/// The crates of the standard library, which implement no other crate's traits.
const STANDARD: [&str; 3] = ["core", "alloc", "std"];

/// The crate whose code a function is, from its symbol: a plain path's
/// first segment (`thamgia_core::survey::…`, also when a segment is
/// `<impl Trait for Type>`: the impl is written in that crate); for
/// `<Type as Trait>::…`, the crate of the Type if it is a path (derived and
/// hand-written impls for a crate's types live in it), else the Trait's;
/// except a standard library Type with another crate's Trait, whose impl
/// can only be in the Trait's crate. Names that are not Rust symbols go to
/// a bucket in parentheses.
pub fn crate_of(symbol: &str) -> String {
    if let Some(rest) = symbol.strip_prefix("_ZN") {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let length = rest[..digits].parse::<usize>().unwrap_or(0);
        let Some(raw) = rest
            .get(digits..digits + length)
            .filter(|raw| !raw.is_empty())
        else {
            return "(unreadable name)".to_owned();
        };
        // An identifier starting with `$` is escaped with a leading `_`.
        let raw = raw
            .strip_prefix('_')
            .filter(|r| r.starts_with('$'))
            .unwrap_or(raw);
        let segment = unescape(raw);
        if segment.len() < 2 || !segment.starts_with('<') || !segment.ends_with('>') {
            return segment;
        }
        let inner = &segment[1..segment.len() - 1];
        let (self_type, trait_path) = split_as(inner);
        let type_crate = path_crate(self_type);
        let trait_crate = trait_path.and_then(path_crate);
        let krate = match (type_crate, trait_crate) {
            (Some(t), Some(r)) if STANDARD.contains(&t) && !STANDARD.contains(&r) => r,
            (Some(t), _) | (None, Some(t)) => t,
            (None, None) => "(unreadable name)",
        };
        return krate.to_owned();
    }
    if symbol.starts_with("_R") {
        return v0_crate(symbol).unwrap_or("(unreadable name)").to_owned();
    }
    if symbol.starts_with("__wbindgen_describe") {
        return "(wasm-bindgen descriptions)".to_owned();
    }
    "(not a Rust symbol)".to_owned()
}

/// A legacy symbol's segment with its escapes (`$LT$`, `$u20$`, `..`) decoded.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("..") {
            out.push_str("::");
            rest = after;
            continue;
        }
        if let Some((code, after)) = rest.strip_prefix('$').and_then(|r| r.split_once('$')) {
            let decoded = match code {
                "LT" => Some('<'),
                "GT" => Some('>'),
                "RF" => Some('&'),
                "BP" => Some('*'),
                "LP" => Some('('),
                "RP" => Some(')'),
                "C" => Some(','),
                "SP" => Some('@'),
                _ => code
                    .strip_prefix('u')
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .and_then(char::from_u32),
            };
            if let Some(decoded) = decoded {
                out.push(decoded);
                rest = after;
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `Type as Trait` split at its outermost ` as ` (`Type` alone if none).
fn split_as(inner: &str) -> (&str, Option<&str>) {
    let (mut depth, mut previous) = (0i32, ' ');
    for (at, c) in inner.char_indices() {
        match c {
            '<' => depth += 1,
            '>' if previous != '-' => depth -= 1,
            ' ' if depth == 0 && inner[at..].starts_with(" as ") => {
                return (&inner[..at], Some(&inner[at + 4..]));
            }
            _ => {}
        }
        previous = c;
    }
    (inner, None)
}

/// The first segment of a type or trait that is a path (`&mut`, `*const`,
/// `dyn` and `impl` looked through); `None` for `T`, `[T]`, `(A, B)`, `u32`.
fn path_crate(text: &str) -> Option<&str> {
    let mut text = text.trim_start();
    'strip: loop {
        for prefix in ["&", "*", "mut ", "const ", "dyn ", "impl "] {
            if let Some(rest) = text.strip_prefix(prefix) {
                text = rest.trim_start();
                continue 'strip;
            }
        }
        break;
    }
    let head = &text[..text.find("::")?];
    let identifier = !head.is_empty()
        && !head.starts_with(|c: char| c.is_ascii_digit())
        && head.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    identifier.then_some(head)
}

/// A v0 symbol's first crate root: `_R` then nested paths (`N` and a
/// namespace), generic arguments (`I`), `<Type as Trait>` (`Y`) and impls
/// (`M`, `X`, their impl path first) down to `C`, an optional
/// disambiguator, the crate's name; `None` if the first thing that is not
/// one of these is not a crate root (a `<[T] as Trait>`, a back reference).
fn v0_crate(symbol: &str) -> Option<&str> {
    let bytes = symbol.as_bytes();
    let skip_disambiguator = |at: usize| match bytes.get(at).copied() {
        Some(b's') => symbol[at..].find('_').map_or(at, |end| at + end + 1),
        _ => at,
    };
    let mut at = 2;
    loop {
        match *bytes.get(at)? {
            b'N' => at += 2,
            // generic arguments, or `<Type as Trait>` (the Type's crate first)
            b'I' | b'Y' => at += 1,
            b'M' | b'X' => at = skip_disambiguator(at + 1),
            b'C' => {
                at = skip_disambiguator(at + 1);
                let digits = symbol
                    .get(at..)?
                    .bytes()
                    .take_while(u8::is_ascii_digit)
                    .count();
                let length: usize = symbol.get(at..at + digits)?.parse().ok()?;
                at += digits;
                if bytes.get(at) == Some(&b'_') {
                    at += 1;
                }
                return symbol.get(at..at + length);
            }
            _ => return None,
        }
    }
}

/// The kinds of code the bench totals across crates (decoding is a known lever).
pub const KINDS: [&str; 4] = [
    "serde deserialize (Deserialize, Visitor, visit_)",
    "serde serialize",
    "formatting (Debug, Display, fmt)",
    "everything else",
];

/// The index in [`KINDS`] of a function, from its symbol.
pub fn kind_of(symbol: &str) -> usize {
    let has = |words: &[&str]| words.iter().any(|word| symbol.contains(word));
    if has(&["Deserializ", "deserializ", "Visitor", "visit_"]) {
        0
    } else if has(&["Serializ", "serializ"]) {
        1
    } else if has(&["fmt", "Debug", "Display"]) {
        2
    } else {
        3
    }
}
