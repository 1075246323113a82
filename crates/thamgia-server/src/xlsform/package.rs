//! The .xlsx package (a zip archive of XML parts) checked before the
//! spreadsheet reader opens it, against the limits of [`super::limits`].
//!
//! The reader trusts the file: it keeps every zip entry in memory, unpacks
//! a part as far as its stream goes, and reserves room for as many shared
//! texts as the file declares. So this check opens the archive with the
//! same zip crate first and unpacks every part through a limit (sizes the
//! zip's headers declare are not believed), then scans each part with the
//! same XML parser, set up as the reader sets it up, for what the reader
//! would size from it: shared texts (counted and declared), sheets, and
//! styles (the reader copies a font and a number format, names and all,
//! into each cell format, so their count and their texts are bounded).
//! Counting in every part, whatever its name, errs on the side of refusing.
//!
//! Unpacking is deterministic, so what passed here is what the reader gets.

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use quick_xml::Reader;
use zip::ZipArchive;

use super::limits::{
    Exceeded, MAX_PACKAGE_BYTES, MAX_PARTS, MAX_PART_BYTES, MAX_SHARED_STRINGS, MAX_SHEETS,
    MAX_STYLE_RECORDS, MAX_STYLE_TEXT_BYTES,
};
use super::ImportProblem;

/// How every zip archive written by a spreadsheet program begins (a local
/// file header).
const ZIP_START: &[u8] = b"PK\x03\x04";
/// How each entry of a zip's central directory begins.
const CENTRAL_HEADER: &[u8] = b"PK\x01\x02";
/// How an OLE compound file begins: an old .xls, or an .xlsx with a password.
const COMPOUND_FILE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
/// Longest error text of a library quoted in a problem (it may quote the file).
const QUOTED_ERROR_CHARS: usize = 200;

/// Checks the package within the limits, or says which one it passes.
pub(super) fn check(bytes: &[u8]) -> Result<(), ImportProblem> {
    if bytes.starts_with(COMPOUND_FILE) {
        return Err(ImportProblem::new(
            "",
            None,
            "Tệp này là bảng tính Excel cũ (.xls) hoặc có đặt mật khẩu. Hãy mở nó bằng Excel, \
             bỏ mật khẩu và lưu dưới dạng Excel Workbook (.xlsx) rồi tải lên lại.",
            "This file is an old Excel spreadsheet (.xls) or has a password. Open it in Excel, \
             remove the password, save it as an Excel Workbook (.xlsx) and upload it again.",
        ));
    }
    if !bytes.starts_with(ZIP_START) {
        return Err(unreadable_file(
            "tệp không phải là một tệp nén zip",
            "the file is not a zip archive",
        ));
    }
    // The zip reader keeps every entry of the central directory in memory,
    // and each one starts with this signature, which the reader checks:
    // counting it bounds the entries before the reader sees them.
    if occurrences(bytes, CENTRAL_HEADER) > MAX_PARTS {
        return Err(Exceeded::Parts.problem());
    }
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|error| {
        let error = short(&error.to_string());
        unreadable_file(&error, &error)
    })?;
    let mut tally = Tally::default();
    let mut unpacked = 0_u64;
    let mut part = Vec::new();
    for index in 0..archive.len() {
        // A part that cannot be opened (an unknown compression, a password)
        // is left to the reader, which reports it if the form needs it.
        let Ok(mut entry) = archive.by_index(index) else {
            continue;
        };
        // A name the zip crate cannot decode makes the reader refuse the
        // file anyway; the part is named by its place meanwhile.
        let name = entry
            .name()
            .map_or_else(|_| format!("#{}", index + 1), |name| name.into_owned());
        part.clear();
        let declared = usize::try_from(entry.size().min(MAX_PART_BYTES)).unwrap_or(0);
        part.reserve(declared);
        // A read error ends the part for the reader too, at the same byte:
        // what was unpacked before it is what counts.
        if let Err(error) = (&mut entry).take(MAX_PART_BYTES + 1).read_to_end(&mut part) {
            tracing::debug!(part = %short(&name), %error, "an XLSForm part does not unpack whole");
        }
        let size = u64::try_from(part.len()).unwrap_or(u64::MAX);
        if size > MAX_PART_BYTES {
            return Err(Exceeded::PartBytes { part: &name }.problem());
        }
        unpacked = unpacked.saturating_add(size);
        if unpacked > MAX_PACKAGE_BYTES {
            return Err(Exceeded::PackageBytes.problem());
        }
        tally.scan(&part)?;
    }
    Ok(())
}

/// The problem for a file that is no .xlsx at all, with why in each language.
pub(super) fn unreadable_file(why_vi: &str, why_en: &str) -> ImportProblem {
    ImportProblem::new(
        "",
        None,
        format!(
            "Không đọc được tệp như một bảng tính Excel (.xlsx): {why_vi}. \
             Hãy lưu biểu mẫu dưới dạng Excel Workbook (.xlsx) rồi tải lên lại."
        ),
        format!(
            "The file cannot be read as an Excel spreadsheet (.xlsx): {why_en}. \
             Save the form as an Excel Workbook (.xlsx) and upload it again."
        ),
    )
}

/// A library's error text, cut short for a message.
pub(super) fn short(text: &str) -> String {
    let mut characters = text.chars();
    let mut cut: String = characters.by_ref().take(QUOTED_ERROR_CHARS).collect();
    if characters.next().is_some() {
        cut.push('…');
    }
    cut
}

/// How many times `needle` occurs in `haystack` (a signature cannot overlap itself).
fn occurrences(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|window| *window == needle)
        .count()
}

/// What the reader would size from the parts seen so far.
#[derive(Debug, Default)]
struct Tally {
    sheets: usize,
    shared_strings: usize,
    style_records: usize,
}

impl Tally {
    /// Scans one part as the reader would parse it; a part that is not XML
    /// ends at its first error, as the reader's parse of it would.
    fn scan(&mut self, part: &[u8]) -> Result<(), ImportProblem> {
        let mut reader = Reader::from_reader(part);
        // The reader's settings (calamine's `xml_reader`): the same events.
        let config = reader.config_mut();
        config.check_end_names = false;
        config.trim_text(false);
        config.check_comments = false;
        config.expand_empty_elements = true;
        let mut buffer = Vec::new();
        loop {
            buffer.clear();
            match reader.read_event_into(&mut buffer) {
                Ok(Event::Start(element) | Event::Empty(element)) => {
                    match element.local_name().as_ref() {
                        "sheet" => {
                            self.sheets += 1;
                            if self.sheets > MAX_SHEETS {
                                return Err(Exceeded::Sheets.problem());
                            }
                        }
                        "si" => {
                            self.shared_strings += 1;
                            if self.shared_strings > MAX_SHARED_STRINGS {
                                return Err(Exceeded::SharedStrings.problem());
                            }
                        }
                        // The reader reserves room for the declared count.
                        "sst" if declares_too_many(element.attributes_raw()) => {
                            return Err(Exceeded::SharedStrings.problem());
                        }
                        name @ ("xf" | "font" | "fill" | "border" | "numFmt" | "name") => {
                            if name != "name" {
                                self.style_records += 1;
                                if self.style_records > MAX_STYLE_RECORDS {
                                    return Err(Exceeded::StyleRecords.problem());
                                }
                            }
                            // A font's name and a number format's code are
                            // attribute values: shorter than the attributes.
                            if matches!(name, "name" | "numFmt")
                                && element.attributes_raw().len() > MAX_STYLE_TEXT_BYTES
                            {
                                return Err(Exceeded::StyleText.problem());
                            }
                        }
                        _ => {}
                    }
                }
                Ok(Event::Eof) | Err(_) => return Ok(()),
                Ok(_) => {}
            }
        }
    }
}

/// Whether a shared text table's attributes declare more than
/// [`MAX_SHARED_STRINGS`] texts: the digits of every `uniqueCount` value,
/// read generously (any other character skipped), so that no spelling the
/// reader would take as a number slips through.
fn declares_too_many(attributes: &str) -> bool {
    attributes.match_indices("uniqueCount").any(|(at, name)| {
        let rest = &attributes[at + name.len()..];
        let Some(open) = rest.find(['"', '\'']) else {
            return false;
        };
        let quote = &rest[open..=open];
        let value = &rest[open + 1..];
        let value = value.find(quote).map_or(value, |close| &value[..close]);
        let digits: String = value
            .chars()
            .filter(char::is_ascii_digit)
            .skip_while(|digit| *digit == '0')
            .collect();
        digits.len() > 18
            || digits
                .parse::<u64>()
                .is_ok_and(|count| count > MAX_SHARED_STRINGS as u64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declared_count_is_read_whatever_its_spelling() {
        let limit = MAX_SHARED_STRINGS;
        let over = limit + 1;
        assert!(!declares_too_many(&format!(
            r#" xmlns="x" count="{over}" uniqueCount="{limit}""#
        )));
        assert!(declares_too_many(&format!(r#" uniqueCount="{over}""#)));
        assert!(declares_too_many(&format!(r#" uniqueCount = '+{over}'"#)));
        assert!(declares_too_many(
            r#" uniqueCount="99999999999999999999999""#
        ));
        assert!(!declares_too_many(
            r#" uniqueCount="000000000000000000000001""#
        ));
        assert!(!declares_too_many(r#" count="99999999999""#));
    }

    #[test]
    fn signatures_are_counted() {
        assert_eq!(
            occurrences(b"PK\x01\x02..PK\x01\x02PK\x01", CENTRAL_HEADER),
            2
        );
        assert_eq!(occurrences(b"", CENTRAL_HEADER), 0);
    }
}
