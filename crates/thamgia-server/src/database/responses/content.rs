//! How a response's JSON is kept in `responses.content` and
//! `response_conflicts.content`: compressed, about two fifths of its size.
//!
//! A response is about 1.25 KB of JSON, mostly the same keys and answer
//! types in every response; compressed on its own, deflate finds little
//! to repeat in so short a text (about 530 bytes). With a preset
//! dictionary of those keys ([`DICTIONARY_V1`]) it starts out knowing
//! them: about 400 bytes at zlib's level 6, about 530 bytes (of 1.3 KB of
//! JSON) as [`Encoder`] writes it, at the quickest level. PostgreSQL would not compress it at all (it
//! compresses a row only beyond about 2 KB) and SQLite never does.
//!
//! A stored value says how it was written in its first byte:
//!
//! - `{`: a response stored before migration 0021, plain UTF-8 JSON, read
//!   as it is, for ever;
//! - [`FORMAT_DEFLATE_DICTIONARY_V1`] (0x01): a raw deflate stream of the
//!   JSON made with [`DICTIONARY_V1`];
//! - anything else is refused with the byte named: a value this release
//!   cannot read is never guessed at.
//!
//! A stored value is input like any other until it is bounded: inflating
//! stops at [`MAX_INFLATED_BYTES`], so a damaged or forged row cannot make
//! the server allocate without limit.
//!
//! What identifies a response's content is still the SHA-256 of its JSON
//! text (`content_sha256`), never these bytes: another writer (zlib at
//! any level, or this one changed) may compress the same JSON differently, and the JSON it inflates to is the
//! same.

use flate2::{Decompress, FlushDecompress, Status};
use sqlx::any::{AnyRow, AnyTypeInfoKind};
use sqlx::{Row, ValueRef};
use thamgia_core::Response;

use crate::error::ServerError;

mod fixed_deflate;

use fixed_deflate::FixedDeflate;

/// The first byte of a value written as a raw deflate stream of the JSON
/// with [`DICTIONARY_V1`]. A new dictionary (or another compression)
/// takes a new byte; this one keeps meaning exactly this.
const FORMAT_DEFLATE_DICTIONARY_V1: u8 = 0x01;

/// The first byte of a value stored before compression: a JSON object.
const FORMAT_PLAIN_JSON: u8 = b'{';

/// The preset dictionary of format 0x01: the strings every serialised
/// [`Response`] is made of, whatever its survey (the envelope's keys,
/// each answer type's opening, the participant's and the consent's keys
/// and values), and none of any survey's own names.
///
/// It must NEVER change: every row written in format 0x01 inflates with
/// exactly these bytes, and a stream inflated with other bytes does not
/// fail, it gives other text. The test `the_dictionary_never_changes` pins
/// its SHA-256. A better dictionary is a `DICTIONARY_V2` under a new
/// format byte, beside this one, which stays to read what it wrote.
///
/// Deflate reaches the end of the dictionary with the shortest distances,
/// so what a response holds rarely comes first and what it holds most
/// (the answers' types, the envelope) last.
const DICTIONARY_V1: &[u8] = concat!(
    // What some responses hold: a referral, a correction, the order
    // options were shown in, the participant's optional attributes.
    r#""referral":{"to":["hotline","ward_officer"],"made_at":""#,
    r#""corrects":""#,
    r#""shown_orders":{""#,
    r#""special_circumstances":["orphaned","without_family_care","affected_by_hiv","child_labour","migrant","poor_household","other"],"#,
    r#""ethnic_group":"kinh","muong","tay","thai","dao","hmong","nung","#,
    r#""disability":"yes","no","not_stated"},"#,
    // Each answer: its type and how its value starts.
    r#"{"type":"ranking","value":[""#,
    r#"{"type":"repeat","value":[{""#,
    r#"{"type":"rating","value":"#,
    r#"{"type":"date","value":""#,
    r#"{"type":"choices","value":[""#,
    r#"{"type":"yes_no","value":true},""#,
    r#"{"type":"yes_no","value":false},""#,
    r#"{"type":"number","value":"#,
    r#".0},""#,
    r#"{"type":"smiley","value":"#,
    r#"{"type":"choice","value":""#,
    r#"{"type":"text","value":""#,
    // The envelope every response has, in the order it is written.
    r#"{"id":""#,
    r#"","survey_id":""#,
    r#"","survey_version":1,"ward_code":""#,
    r#"","participant":{"age_band":"0-6","7-9","13-15","10-12","sex":"not_stated","female","male"},"#,
    r#""consent":{"child_assent":{"method":"verbal","given_at":""#,
    r#""},"guardian_consent":{"method":"written","given_at":"20"#,
    r#""}},"answers":{""#,
    r#""},"status":"withdrawn","completed","created_at":""#,
    r#":00Z","updated_at":""#,
)
.as_bytes();

/// The most bytes a stored value may inflate to: four times the largest
/// request body the server accepts ([`crate::api::MAX_BODY_BYTES`],
/// 16 MiB), which every stored response arrived in. Serialised again, a
/// response can outgrow what was sent (a number sent as `0` is written
/// `0.0`), and a response that cannot be read is a child's answers lost,
/// so the bound is generous; it only has to stop a stream made to inflate
/// without end (deflate reaches about 1,000 to 1).
const MAX_INFLATED_BYTES: usize = 4 * crate::api::MAX_BODY_BYTES;

/// Why a response's content could not be stored or read back.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ContentError {
    /// The stored value has no byte at all.
    #[error("the stored response is empty")]
    Empty,
    /// The first byte names no format this release reads (a newer
    /// release's, or damage): refused rather than guessed at.
    #[error("the stored response starts with byte 0x{0:02x}, a format this release does not read")]
    UnknownFormat(u8),
    /// The stream inflates to more than the bound.
    #[error("the stored response inflates to more than {limit} bytes")]
    TooLarge {
        /// The bound, in bytes.
        limit: usize,
    },
    /// The stream ends before its last block does.
    #[error("the stored response's deflate stream is cut short")]
    Truncated,
    /// Bytes follow the stream's last block: the value is not what was
    /// written.
    #[error("the stored response has bytes after its deflate stream")]
    TrailingBytes,
    /// The bytes are not a deflate stream.
    #[error("the stored response is not a valid deflate stream: {0}")]
    Corrupt(#[from] flate2::DecompressError),
    /// What the value holds is not UTF-8 text, so not JSON.
    #[error("the stored response is not UTF-8 text: {0}")]
    NotUtf8(#[from] std::string::FromUtf8Error),
}

impl From<ContentError> for ServerError {
    fn from(error: ContentError) -> ServerError {
        ServerError::Internal(format!("response content: {error}"))
    }
}

/// Compresses responses one after another with one writer (its
/// dictionary's positions hashed once, its tables allocated once), so a
/// push makes one for all its responses.
///
/// What it writes is what zlib's quickest level writes for a text this
/// short: one block of deflate's fixed Huffman codes (see
/// [`fixed_deflate`], and why it is not zlib-rs's). A response is a short
/// text whose long repeats the preset dictionary already holds, so codes
/// built for each one saved little: on the ingest bench (40,000 demo
/// responses) zlib's level 6 stored 1.07 KB per response at about 20,000
/// responses/s on SQLite, level 2 1.13 KB at the same rate, level 1
/// 1.20 KB at about 25,000/s. Any deflate writer makes the same format;
/// the reader does not need to know which.
pub(crate) struct Encoder {
    writer: FixedDeflate,
}

impl Encoder {
    /// A writer after [`DICTIONARY_V1`].
    pub(crate) fn new() -> Encoder {
        Encoder {
            writer: FixedDeflate::new(DICTIONARY_V1),
        }
    }

    /// The stored form of `json` (a serialised [`Response`]): the format
    /// byte, then the raw deflate stream of `json` made with
    /// [`DICTIONARY_V1`].
    pub(crate) fn encode(&mut self, json: &str) -> Vec<u8> {
        let input = json.as_bytes();
        // A byte takes at most 9 bits in fixed codes; the block's header
        // and end take less than 2 bytes more.
        let mut stored = Vec::with_capacity(input.len() + input.len() / 8 + 8);
        stored.push(FORMAT_DEFLATE_DICTIONARY_V1);
        self.writer.write(input, &mut stored);
        stored
    }
}

/// The stored form of `json`, with a writer of its own (see [`Encoder`]
/// for many).
pub(crate) fn encode(json: &str) -> Vec<u8> {
    Encoder::new().encode(json)
}

/// The JSON a stored value holds, whichever format wrote it (see the
/// module's documentation).
pub(crate) fn decode(stored: &[u8]) -> Result<String, ContentError> {
    match stored.split_first() {
        None => Err(ContentError::Empty),
        Some((&FORMAT_PLAIN_JSON, _)) => Ok(String::from_utf8(stored.to_vec())?),
        Some((&FORMAT_DEFLATE_DICTIONARY_V1, stream)) => inflate(stream, MAX_INFLATED_BYTES),
        Some((&format, _)) => Err(ContentError::UnknownFormat(format)),
    }
}

/// The text a raw deflate `stream` made with [`DICTIONARY_V1`] inflates
/// to, refused beyond `limit` bytes (checked as it grows, so no more
/// than one byte past `limit` is ever held), cut short, or followed by
/// other bytes.
fn inflate(stream: &[u8], limit: usize) -> Result<String, ContentError> {
    let mut inflater = Decompress::new(false);
    inflater.set_dictionary(DICTIONARY_V1)?;
    // One byte past the limit is room enough to see a stream go over it.
    let most = limit.saturating_add(1);
    // A response's JSON is about three times its stream.
    let mut json: Vec<u8> = Vec::with_capacity(stream.len().saturating_mul(4).max(1024).min(most));
    let mut read = 0usize;
    loop {
        if json.len() > limit {
            return Err(ContentError::TooLarge { limit });
        }
        if json.len() == json.capacity() {
            // Doubling, never past `most`.
            let room = json.len().max(1024).min(most.saturating_sub(json.len()));
            json.reserve_exact(room);
        }
        let (read_before, written_before) = (inflater.total_in(), json.len());
        let rest = stream.get(read..).unwrap_or_default();
        let status = inflater.decompress_vec(rest, &mut json, FlushDecompress::None)?;
        let consumed = inflater.total_in().saturating_sub(read_before);
        read = read.saturating_add(usize::try_from(consumed).unwrap_or(usize::MAX));
        match status {
            Status::StreamEnd => break,
            Status::Ok | Status::BufError => {
                // Room to write and nothing read or written: the input
                // ended before the stream did.
                if consumed == 0 && json.len() == written_before {
                    return Err(ContentError::Truncated);
                }
            }
        }
    }
    if json.len() > limit {
        return Err(ContentError::TooLarge { limit });
    }
    if read < stream.len() {
        return Err(ContentError::TrailingBytes);
    }
    Ok(String::from_utf8(json)?)
}

/// The response a row's `column` holds (a `SELECT` of `content` from
/// `responses`), whatever form it was stored in: every reader of a
/// response's content goes through here.
///
/// sqlx's `Any` row keeps each value as the kind the engine reported for
/// that value, not for its column (`AnyRow::map_from`), and `Any` decodes
/// `&[u8]` only from a BLOB and `&str` only from a TEXT. On SQLite, whose
/// columns hold what each row was given, a row stored before migration
/// 0021 is TEXT and one stored since a BLOB, in the same column; on
/// PostgreSQL the column is BYTEA since 0021 (its older rows converted,
/// plain JSON starting with `{`). So the value's kind is read first.
pub(crate) fn stored_response(row: &AnyRow, column: &str) -> Result<Response, ServerError> {
    let kind = row.try_get_raw(column)?.type_info().kind();
    if kind == AnyTypeInfoKind::Text {
        // Plain JSON written before compression (SQLite).
        return Ok(serde_json::from_str(row.try_get::<&str, _>(column)?)?);
    }
    let json = decode(row.try_get::<&[u8], _>(column)?)?;
    Ok(serde_json::from_str(&json)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use flate2::{Compress, Compression, FlushCompress};
    use sha2::{Digest, Sha256};
    use thamgia_core::AnswerValue;

    /// The demo survey's response number `n`, as the bench and the tests
    /// push them, with an id and times that look like a tablet's (random,
    /// to the millisecond) and are the same at every run.
    fn sample(n: usize) -> Response {
        let survey = crate::seed::demo_survey().expect("the demo survey");
        let at = chrono::Utc
            .with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
            .single()
            .expect("a time")
            + chrono::Duration::milliseconds(61_237 * i64::try_from(n).expect("small"));
        let digest = Sha256::digest(n.to_le_bytes());
        let mut id = [0u8; 16];
        id.copy_from_slice(&digest[..16]);
        crate::seed::sample_response(&survey, uuid::Uuid::from_bytes(id), n, at)
    }

    fn json_of(response: &Response) -> String {
        serde_json::to_string(response).expect("serialised")
    }

    #[test]
    fn sample_responses_read_back_exactly() {
        let mut encoder = Encoder::new();
        for n in 0..24 {
            let json = json_of(&sample(n));
            let stored = encoder.encode(&json);
            assert_eq!(stored.first(), Some(&FORMAT_DEFLATE_DICTIONARY_V1));
            assert_eq!(decode(&stored).expect("decoded"), json, "response {n}");
            // A compressor of its own writes what reads back the same.
            let alone = encode(&json);
            assert_eq!(decode(&alone).expect("decoded"), json, "response {n}");
        }
    }

    #[test]
    fn vietnamese_free_text_reads_back_exactly() {
        let mut response = sample(3);
        let long = "Em muốn có sân chơi gần nhà, có đèn vào buổi tối và có người lớn trông. \
                    Đường tới trường có nhiều xe máy đi nhanh, em sợ khi qua đường ở ngã tư. 🚸 "
            .repeat(40);
        let mut texts = 0;
        for answer in response.answers.values_mut() {
            if let AnswerValue::Text(text) = answer {
                *text = format!("{long}«{texts}» \"trích dẫn\"\n\tvà \\ gạch chéo");
                texts += 1;
            }
        }
        assert!(texts > 0, "the demo survey asks for free text");
        let json = json_of(&response);
        let stored = encode(&json);
        assert!(
            stored.len() < json.len() / 4,
            "{} of {}",
            stored.len(),
            json.len()
        );
        let read = decode(&stored).expect("decoded");
        assert_eq!(read, json);
        let back: Response = serde_json::from_str(&read).expect("a response");
        assert_eq!(back, response);
    }

    #[test]
    fn a_stored_response_is_under_600_bytes() {
        for n in 0..24 {
            let json = json_of(&sample(n));
            let stored = encode(&json);
            assert!(
                stored.len() < 600 && stored.len() * 2 < json.len(),
                "response {n}: {} bytes stored for {} of JSON",
                stored.len(),
                json.len()
            );
        }
    }

    #[test]
    fn a_row_stored_before_compression_reads_as_it_is() {
        let json = json_of(&sample(5));
        assert_eq!(decode(json.as_bytes()).expect("read"), json);
    }

    #[test]
    fn an_unknown_format_is_refused_by_its_byte() {
        let stored = encode(&json_of(&sample(1)));
        for format in [0x00, 0x02, 0x7f, 0xff, b'[', b' '] {
            let mut other = stored.clone();
            other[0] = format;
            match decode(&other) {
                Err(ContentError::UnknownFormat(byte)) => assert_eq!(byte, format),
                read => panic!("format 0x{format:02x}: {read:?}"),
            }
        }
        assert!(matches!(decode(&[]), Err(ContentError::Empty)));
        let message = ContentError::UnknownFormat(0x02).to_string();
        assert!(message.contains("0x02"), "{message}");
    }

    #[test]
    fn a_stream_cut_short_damaged_or_followed_by_more_is_refused() {
        let stored = encode(&json_of(&sample(7)));
        for end in [1, 2, stored.len() / 2, stored.len() - 1] {
            assert!(
                matches!(decode(&stored[..end]), Err(ContentError::Truncated)),
                "cut at {end}: {:?}",
                decode(&stored[..end])
            );
        }
        // A final block of the reserved type 3.
        assert!(matches!(
            decode(&[FORMAT_DEFLATE_DICTIONARY_V1, 0xff, 0xff, 0xff]),
            Err(ContentError::Corrupt(_))
        ));
        let mut longer = stored.clone();
        longer.extend_from_slice(b"{}");
        assert!(matches!(decode(&longer), Err(ContentError::TrailingBytes)));
    }

    /// A stream of `blocks` × 64 KiB of zeros made without compressing
    /// them all: after a first block, the bytes of one 64 KiB block
    /// flushed to a byte boundary say "the same again" (its matches reach
    /// back only to zeros), so they are repeated.
    fn zeros_stream(blocks: usize) -> Vec<u8> {
        let zeros = vec![0u8; 64 * 1024];
        let mut deflater = Compress::new(Compression::default(), false);
        deflater.set_dictionary(DICTIONARY_V1).expect("dictionary");
        let mut flushed = |input: &[u8], flush: FlushCompress| {
            let mut out = Vec::with_capacity(input.len() + 1024);
            let before = deflater.total_in();
            deflater
                .compress_vec(input, &mut out, flush)
                .expect("compressed");
            assert_eq!(deflater.total_in() - before, input.len() as u64);
            out
        };
        let first = flushed(&zeros, FlushCompress::Sync);
        let again = flushed(&zeros, FlushCompress::Sync);
        let end = flushed(&[], FlushCompress::Finish);
        let mut stream = vec![FORMAT_DEFLATE_DICTIONARY_V1];
        stream.extend_from_slice(&first);
        for _ in 1..blocks {
            stream.extend_from_slice(&again);
        }
        stream.extend_from_slice(&end);
        stream
    }

    #[test]
    fn a_stream_inflating_past_the_bound_is_refused() {
        // The bound holds at any size: 1 MiB of zeros against 64 KiB.
        let small = zeros_stream(16);
        assert!(small.len() < 16 * 1024, "{} bytes", small.len());
        assert!(matches!(
            inflate(&small[1..], 64 * 1024),
            Err(ContentError::TooLarge { limit: 65_536 })
        ));
        assert_eq!(
            inflate(&small[1..], 1024 * 1024)
                .expect("at the bound")
                .len(),
            1024 * 1024
        );
        // And the real bound: a stream of well under 1 MiB that would
        // inflate to 65 MiB is refused.
        let blocks = MAX_INFLATED_BYTES / (64 * 1024) + 16;
        let bomb = zeros_stream(blocks);
        assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());
        match decode(&bomb) {
            Err(ContentError::TooLarge { limit }) => assert_eq!(limit, MAX_INFLATED_BYTES),
            read => panic!("{:?}", read.map(|json| json.len())),
        }
    }

    #[test]
    fn the_dictionary_never_changes() {
        // Rows written in format 0x01 inflate with exactly these bytes:
        // a new dictionary takes a new format byte (see `DICTIONARY_V1`).
        let digest: String = Sha256::digest(DICTIONARY_V1)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(
            (DICTIONARY_V1.len(), digest.as_str()),
            (DICTIONARY_LENGTH, DICTIONARY_SHA256)
        );
    }

    /// A response in format 0x01 as another deflate implementation (C
    /// zlib, level 9) wrote it: the upgrade fixture's response 0x101,
    /// whose JSON has the digest the fixture stores with it.
    const WRITTEN_BY_ZLIB: [&str; 12] = [
        "ad554b6ec32014bc0a174032ee47aacfd13d223669903144062762d143f40095",
        "da6e2af508e9a20b4bbd876fd2f770168e633b6a55162c10c3831966de91dae4",
        "38e8c414074bd8887e61a8b738d5e80dbab139dd09ba6b14455d2f8b83a75e2f",
        "2a74aac66f789fa130bda58cd134b94feeb284453afe28c6d449a7f288a2d1de",
        "71ad1cc2b359375c01ac9072cbf7204acd8d14f52a0cf6cf996f2da5e64eac31",
        "53b903caad5ea8929e20ace1107750312c406e00a20a29b8b77c2523b01e6c1f",
        "59b47d26a5ea0e5f86b8eef389b08ce4dde1dd10bf693f2ae2da3743f2cdf7ab",
        "2202d66cfb6290f94a3a877a4385fe6740aefe7b0d651a0f1c428d3396c6b9c5",
        "62706db5081ca61c990739a04f54f202515e0a079682a6b26ab456e0bd8598ab",
        "8409dc2b783d5ed0d76207c24cddef0c09d6506574c11eda95e4c13678d3b084",
        "e93b5b8400cdb601c720cc4bbd58aa6fad1107dd3a4cff99335421ea125970f0",
        "2af38056781cc6d46c344d3a6a1455d3aefb01",
    ];

    #[test]
    fn a_stream_another_deflate_wrote_reads_back() {
        let hex: String = WRITTEN_BY_ZLIB.concat();
        let mut stored = vec![FORMAT_DEFLATE_DICTIONARY_V1];
        for pair in hex.as_bytes().chunks(2) {
            let pair = std::str::from_utf8(pair).expect("hex");
            stored.push(u8::from_str_radix(pair, 16).expect("hex"));
        }
        assert_eq!(stored.len(), 1 + 371);
        let json = decode(&stored).expect("decoded");
        let digest: String = Sha256::digest(json.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(
            digest,
            "e224e855bbcddaf3f92dde33bd3b871783626d59451f3ddc99806c6cb8647b05"
        );
        let response: Response = serde_json::from_str(&json).expect("a response");
        assert_eq!(response.id, uuid::Uuid::from_u128(0x0101));
        assert_eq!(
            response.answers.get("idea_to_be_safer"),
            Some(&AnswerValue::Text(
                "Ý kiến số 1: cần thêm sân chơi an toàn".to_owned()
            ))
        );
    }

    /// What `DICTIONARY_V1` was when format 0x01 was first written.
    const DICTIONARY_LENGTH: usize = 963;
    const DICTIONARY_SHA256: &str =
        "156cf7562a852601bd8a9e9f143e28cc35a671a05f4ffc1cb4a9484d0fed1eb6";
}
