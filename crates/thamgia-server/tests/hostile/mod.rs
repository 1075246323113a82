//! Workbooks made to exhaust the XLSForm importer, written by hand as zip
//! archives so that nothing about them is left to a zip writer: a sheet
//! with a cell in the far corner, parts that unpack to hundreds of
//! mebibytes from a few hundred kilobytes, a shared text table that lies
//! about its size.
//!
//! A large part is built from deflate chunks, each compressed alone and
//! ended by a sync flush (byte-aligned, not final, no reference outside
//! itself), so one chunk repeated a thousand times is a valid stream that
//! takes a millisecond to write.

#![allow(dead_code)] // each test file uses a different part of it

use std::io::Write;

use flate2::write::DeflateEncoder;
use flate2::{Compression, Crc};

/// One mebibyte.
pub const MIB: usize = 1024 * 1024;

/// One zip entry, compressed.
pub struct Part {
    name: String,
    deflated: Vec<u8>,
    crc: u32,
    size: u32,
}

impl Part {
    /// A part holding `content`.
    pub fn new(name: &str, content: &[u8]) -> Part {
        Part::repeated(name, content, b"", 0, b"")
    }

    /// A part holding `head`, then `body` `times` times, then `tail`,
    /// written in about `times` kilobytes whatever its size.
    pub fn repeated(name: &str, head: &[u8], body: &[u8], times: usize, tail: &[u8]) -> Part {
        let mut deflated = chunk(head, false);
        let body_chunk = chunk(body, false);
        for _ in 0..times {
            deflated.extend_from_slice(&body_chunk);
        }
        deflated.extend(chunk(tail, true));
        let mut crc = Crc::new();
        crc.update(head);
        let mut body_crc = Crc::new();
        body_crc.update(body);
        for _ in 0..times {
            crc.combine(&body_crc);
        }
        crc.update(tail);
        let size = head.len() + body.len() * times + tail.len();
        Part {
            name: name.to_owned(),
            deflated,
            crc: crc.sum(),
            size: u32::try_from(size).expect("a part under 4 GiB"),
        }
    }

    /// `size` zero bytes: 200 MiB take 200 KB.
    pub fn zeros(name: &str, size: usize) -> Part {
        let body = vec![0_u8; MIB];
        let rest = vec![0_u8; size % MIB];
        Part::repeated(name, b"", &body, size / MIB, &rest)
    }
}

/// `data` compressed by a fresh encoder: sync-flushed, or finished when `last`.
fn chunk(data: &[u8], last: bool) -> Vec<u8> {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).expect("deflate");
    if last {
        encoder.finish().expect("deflate")
    } else {
        encoder.flush().expect("deflate");
        std::mem::take(encoder.get_mut())
    }
}

/// The zip archive of `parts`, in order (local headers, then the central
/// directory), as a spreadsheet program writes it.
pub fn package(parts: &[Part]) -> Vec<u8> {
    fn header(out: &mut Vec<u8>, part: &Part) {
        out.extend_from_slice(&20_u16.to_le_bytes()); // version needed: 2.0
        out.extend_from_slice(&0_u16.to_le_bytes()); // flags
        out.extend_from_slice(&8_u16.to_le_bytes()); // deflate
        out.extend_from_slice(&0_u16.to_le_bytes()); // time 00:00
        out.extend_from_slice(&0x21_u16.to_le_bytes()); // date 1980-01-01
        out.extend_from_slice(&part.crc.to_le_bytes());
        let compressed = u32::try_from(part.deflated.len()).expect("small");
        out.extend_from_slice(&compressed.to_le_bytes());
        out.extend_from_slice(&part.size.to_le_bytes());
        let name_length = u16::try_from(part.name.len()).expect("a short name");
        out.extend_from_slice(&name_length.to_le_bytes());
        out.extend_from_slice(&0_u16.to_le_bytes()); // no extra field
    }
    let mut out = Vec::new();
    let mut offsets = Vec::new();
    for part in parts {
        offsets.push(u32::try_from(out.len()).expect("small"));
        out.extend_from_slice(b"PK\x03\x04");
        header(&mut out, part);
        out.extend_from_slice(part.name.as_bytes());
        out.extend_from_slice(&part.deflated);
    }
    let directory_start = u32::try_from(out.len()).expect("small");
    for (part, offset) in parts.iter().zip(offsets) {
        out.extend_from_slice(b"PK\x01\x02");
        out.extend_from_slice(&20_u16.to_le_bytes()); // made by 2.0
        header(&mut out, part);
        out.extend_from_slice(&0_u16.to_le_bytes()); // no comment
        out.extend_from_slice(&0_u16.to_le_bytes()); // disk 0
        out.extend_from_slice(&0_u16.to_le_bytes()); // internal attributes
        out.extend_from_slice(&0_u32.to_le_bytes()); // external attributes
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(part.name.as_bytes());
    }
    let directory_size = u32::try_from(out.len()).expect("small") - directory_start;
    let count = u16::try_from(parts.len()).expect("few parts");
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&0_u16.to_le_bytes()); // this disk
    out.extend_from_slice(&0_u16.to_le_bytes()); // the directory's disk
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&directory_size.to_le_bytes());
    out.extend_from_slice(&directory_start.to_le_bytes());
    out.extend_from_slice(&0_u16.to_le_bytes()); // no comment
    out
}

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const OFFICE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PACKAGE: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

/// The parts of a workbook with these sheets (name, the XML inside
/// `<sheetData>`), and `xl/sharedStrings.xml` when `shared_strings` is given.
pub fn workbook_parts(sheets: &[(String, String)], shared_strings: Option<Part>) -> Vec<Part> {
    let mut sheet_list = String::new();
    let mut relationships = String::new();
    let mut parts = Vec::new();
    for (index, (name, data)) in sheets.iter().enumerate() {
        let number = index + 1;
        sheet_list.push_str(&format!(
            "<sheet name=\"{}\" sheetId=\"{number}\" r:id=\"rId{number}\"/>",
            escape(name)
        ));
        relationships.push_str(&format!(
            "<Relationship Id=\"rId{number}\" Type=\"{OFFICE}/worksheet\" Target=\"worksheets/sheet{number}.xml\"/>"
        ));
        parts.push(Part::new(
            &format!("xl/worksheets/sheet{number}.xml"),
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{MAIN}\"><sheetData>{data}</sheetData></worksheet>")
                .as_bytes(),
        ));
    }
    if let Some(shared_strings) = shared_strings {
        relationships.push_str(&format!(
            "<Relationship Id=\"rIdS\" Type=\"{OFFICE}/sharedStrings\" Target=\"sharedStrings.xml\"/>"
        ));
        parts.push(shared_strings);
    }
    parts.push(Part::new(
        "[Content_Types].xml",
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
          <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
          <Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>",
    ));
    parts.push(Part::new(
        "_rels/.rels",
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"{PACKAGE}\"><Relationship Id=\"rId1\" Type=\"{OFFICE}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>").as_bytes(),
    ));
    parts.push(Part::new(
        "xl/workbook.xml",
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"{MAIN}\" xmlns:r=\"{OFFICE}\"><sheets>{sheet_list}</sheets></workbook>").as_bytes(),
    ));
    parts.push(Part::new(
        "xl/_rels/workbook.xml.rels",
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"{PACKAGE}\">{relationships}</Relationships>").as_bytes(),
    ));
    parts
}

/// The .xlsx of these sheets.
pub fn xlsx(sheets: &[(String, String)]) -> Vec<u8> {
    package(&workbook_parts(sheets, None))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A column's letters: 0 is A, 25 is Z, 26 is AA.
pub fn column_name(index: usize) -> String {
    let mut letters = Vec::new();
    let mut rest = index + 1;
    while rest > 0 {
        letters.push(char::from(
            b'A' + u8::try_from((rest - 1) % 26).expect("a letter"),
        ));
        rest = (rest - 1) / 26;
    }
    letters.into_iter().rev().collect()
}

/// A cell with inline text at 0-based (row, column).
pub fn text_cell(row: usize, column: usize, text: &str) -> String {
    format!(
        "<c r=\"{}{}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
        column_name(column),
        row + 1,
        escape(text)
    )
}

/// A cell showing shared text number `index`.
pub fn shared_cell(row: usize, column: usize, index: usize) -> String {
    format!(
        "<c r=\"{}{}\" t=\"s\"><v>{index}</v></c>",
        column_name(column),
        row + 1
    )
}

/// Sheet data from rows of texts, starting at A1; empty texts are left out.
pub fn table(rows: &[Vec<String>]) -> String {
    rows.iter()
        .enumerate()
        .map(|(row, cells)| {
            let cells: String = cells
                .iter()
                .enumerate()
                .filter(|(_, text)| !text.is_empty())
                .map(|(column, text)| text_cell(row, column, text))
                .collect();
            format!("<row r=\"{}\">{cells}</row>", row + 1)
        })
        .collect()
}

fn texts(row: &[&str]) -> Vec<String> {
    row.iter().map(|text| text.to_string()).collect()
}

/// The survey sheet's rows of a small form Tham Gia imports.
pub fn survey_rows() -> Vec<Vec<String>> {
    vec![
        texts(&[
            "type",
            "name",
            "label::Vietnamese (vi)",
            "label::English (en)",
            "hint",
        ]),
        texts(&[
            "select_one yes_no",
            "likes",
            "Em có thích không?",
            "Do you like it?",
        ]),
    ]
}

/// The three sheets of a small form, the survey sheet's data given.
pub fn form_with_survey(survey: String) -> Vec<(String, String)> {
    let choices = table(&[
        texts(&[
            "list_name",
            "name",
            "label::Vietnamese (vi)",
            "label::English (en)",
        ]),
        texts(&["yes_no", "yes", "Có", "Yes"]),
        texts(&["yes_no", "no", "Không", "No"]),
    ]);
    let settings = table(&[
        texts(&["form_title", "form_id"]),
        texts(&["Thử / Test", "hostile_test"]),
    ]);
    vec![
        ("survey".to_owned(), survey),
        ("choices".to_owned(), choices),
        ("settings".to_owned(), settings),
    ]
}

/// A small form Tham Gia imports.
pub fn small_form() -> Vec<u8> {
    xlsx(&form_with_survey(table(&survey_rows())))
}

/// The small form with one more cell, in the far corner of the survey
/// sheet (XFD1048576): 2 KB that claim a sheet of 17 billion cells.
pub fn far_corner() -> Vec<u8> {
    let survey = table(&survey_rows())
        + &format!(
            "<row r=\"1048576\">{}</row>",
            text_cell(1_048_575, 16_383, "x")
        );
    xlsx(&form_with_survey(survey))
}

/// The small form whose survey label is a shared text of `size` bytes,
/// which unpacks from a few hundred kilobytes.
pub fn shared_text_bomb(size: usize) -> Vec<u8> {
    let strings = Part::repeated(
        "xl/sharedStrings.xml",
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"{MAIN}\" count=\"1\" uniqueCount=\"1\"><si><t>").as_bytes(),
        &vec![b'a'; MIB],
        size / MIB,
        b"</t></si></sst>",
    );
    let survey =
        table(&survey_rows()[..1]) + &format!("<row r=\"2\">{}</row>", shared_cell(1, 2, 0));
    package(&workbook_parts(&form_with_survey(survey), Some(strings)))
}

/// The small form with a picture of `size` zero bytes.
pub fn zeros_bomb(size: usize) -> Vec<u8> {
    let mut parts = workbook_parts(&form_with_survey(table(&survey_rows())), None);
    parts.push(Part::zeros("xl/media/image1.png", size));
    package(&parts)
}

/// The small form with a shared text table that declares `declared` texts
/// and holds one: a reader that reserves room for them asks for terabytes.
pub fn lying_shared_strings(declared: u64) -> Vec<u8> {
    let strings = Part::new(
        "xl/sharedStrings.xml",
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"{MAIN}\" count=\"1\" uniqueCount=\"{declared}\"><si><t>Em có thích không?</t></si></sst>").as_bytes(),
    );
    let survey = table(&survey_rows()[..1])
        + &format!(
            "<row r=\"2\">{}{}{}</row>",
            text_cell(1, 0, "select_one yes_no"),
            text_cell(1, 1, "likes"),
            shared_cell(1, 2, 0)
        );
    package(&workbook_parts(&form_with_survey(survey), Some(strings)))
}

/// The small form with `xl/styles.xml`: one font named `font_name`, one
/// fill, one border, and `cell_formats` cell formats using them.
pub fn styled(font_name: &str, cell_formats: usize) -> Vec<u8> {
    let styles = Part::repeated(
        "xl/styles.xml",
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><styleSheet xmlns=\"{MAIN}\">\
             <fonts count=\"1\"><font><sz val=\"11\"/><name val=\"{}\"/></font></fonts>\
             <fills count=\"1\"><fill><patternFill patternType=\"none\"/></fill></fills>\
             <borders count=\"1\"><border/></borders><cellXfs count=\"{cell_formats}\">",
            escape(font_name)
        )
        .as_bytes(),
        b"<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/>",
        cell_formats,
        b"</cellXfs></styleSheet>",
    );
    let mut parts = workbook_parts(&form_with_survey(table(&survey_rows())), None);
    parts.push(styles);
    package(&parts)
}
