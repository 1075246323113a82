//! Small XLSForm workbooks made in a test, for what the fixtures do not
//! show.

use std::io::{Cursor, Write};

/// A cell written `DATE_CELL` then a day count (`"=date:1"`) is a date
/// cell of that Excel serial number (1 is 1900-01-01).
pub const DATE_CELL: &str = "=date:";

/// A cell written `BOOL_CELL` then 1 or 0 (`"=bool:1"`) is a TRUE or FALSE
/// cell, as Excel keeps one typed or computed (`=FALSE()`).
pub const BOOL_CELL: &str = "=bool:";

/// A minimal .xlsx (inline strings, one date style) with the given sheets,
/// each a header row then data rows; empty cells are left out as Excel
/// does.
pub fn workbook(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
    fn escape(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let relationships = "http://schemas.openxmlformats.org/package/2006/relationships";
    let office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut content_types = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
    );
    let mut sheet_list = String::new();
    let mut sheet_relationships = String::new();
    let mut parts = Vec::new();
    for (index, (name, rows)) in sheets.iter().enumerate() {
        let number = index + 1;
        content_types.push_str(&format!(
            "<Override PartName=\"/xl/worksheets/sheet{number}.xml\" \
             ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        ));
        sheet_list.push_str(&format!(
            "<sheet name=\"{}\" sheetId=\"{number}\" r:id=\"rId{number}\"/>",
            escape(name)
        ));
        sheet_relationships.push_str(&format!(
            "<Relationship Id=\"rId{number}\" Type=\"{office}/worksheet\" Target=\"worksheets/sheet{number}.xml\"/>"
        ));
        let mut data = String::new();
        for (row_index, row) in rows.iter().enumerate() {
            let row_number = row_index + 1;
            data.push_str(&format!("<row r=\"{row_number}\">"));
            for (column, text) in row.iter().enumerate().filter(|(_, text)| !text.is_empty()) {
                let letter = char::from(b'A' + u8::try_from(column).expect("few columns"));
                if let Some(flag) = text.strip_prefix(BOOL_CELL) {
                    data.push_str(&format!(
                        "<c r=\"{letter}{row_number}\" t=\"b\"><v>{flag}</v></c>"
                    ));
                    continue;
                }
                match text.strip_prefix(DATE_CELL) {
                    // A number shown as a date, as Excel keeps a date.
                    Some(serial) => data.push_str(&format!(
                        "<c r=\"{letter}{row_number}\" s=\"1\"><v>{serial}</v></c>"
                    )),
                    None => data.push_str(&format!(
                        "<c r=\"{letter}{row_number}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                        escape(text)
                    )),
                }
            }
            data.push_str("</row>");
        }
        parts.push((
            format!("xl/worksheets/sheet{number}.xml"),
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{main}\"><sheetData>{data}</sheetData></worksheet>"),
        ));
    }
    content_types.push_str(
        "<Override PartName=\"/xl/styles.xml\" \
         ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/></Types>",
    );
    sheet_relationships.push_str(&format!(
        "<Relationship Id=\"rIdStyles\" Type=\"{office}/styles\" Target=\"styles.xml\"/>"
    ));
    // Style 1 shows a number as a date (Excel's built-in format 14).
    parts.push((
        "xl/styles.xml".to_owned(),
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><styleSheet xmlns=\"{main}\">\
             <cellXfs count=\"2\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\" applyNumberFormat=\"1\"/></cellXfs></styleSheet>"
        ),
    ));
    parts.push(("[Content_Types].xml".to_owned(), content_types));
    parts.push((
        "_rels/.rels".to_owned(),
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"{relationships}\">\
             <Relationship Id=\"rId1\" Type=\"{office}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
        ),
    ));
    parts.push((
        "xl/workbook.xml".to_owned(),
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"{main}\" xmlns:r=\"{office}\">\
             <sheets>{sheet_list}</sheets></workbook>"
        ),
    ));
    parts.push((
        "xl/_rels/workbook.xml.rels".to_owned(),
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"{relationships}\">{sheet_relationships}</Relationships>"
        ),
    ));
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, text) in parts {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("zip entry");
        zip.write_all(text.as_bytes()).expect("zip write");
    }
    zip.finish().expect("zip finished").into_inner()
}
