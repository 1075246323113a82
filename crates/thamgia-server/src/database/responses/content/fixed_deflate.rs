//! Format 0x01's writer: one text as a raw deflate stream (RFC 1951)
//! after a preset dictionary, in a single block of deflate's fixed
//! Huffman codes, its repeats found by one look-up in a hash of 4 bytes.
//!
//! What zlib's level 1 writes for a text this short, and what any inflater
//! given the same dictionary reads back (the tests, here and in
//! `content.rs`, read every stream with zlib-rs's inflater). It is written here rather than by
//! zlib-rs because of what starting a stream costs there: each one clears
//! a hash table of a fixed 128 KiB and hashes the dictionary again,
//! about 5 µs of the 9 µs a 1.25 KB response took to compress, for every
//! response of every push. Here the dictionary's positions are hashed once
//! per [`FixedDeflate`], and a stream clears nothing: the text's hash
//! table holds positions counted across streams, and an entry from before
//! the stream's own start is passed over as empty.
//!
//! Every input is bounded by the window alone: a match reaches back at
//! most 32,768 bytes (into the dictionary while the text is short) and is
//! at most 258 long, so a text of any length makes a valid stream.

/// How far back a match may reach: deflate's window.
const WINDOW: usize = 32 * 1024;
/// The shortest repeat written as a match: the hash reads 4 bytes (deflate
/// allows 3; a 3-byte match saves little in fixed codes).
const MIN_MATCH: usize = 4;
/// The longest match deflate can say.
const MAX_MATCH: usize = 258;
/// The hash table's size, as bits of the hash.
const HASH_BITS: u32 = 12;
/// The end-of-block symbol.
const END_OF_BLOCK: u16 = 256;

/// Each literal/length symbol's fixed code (RFC 1951, 3.2.6), in the
/// order deflate writes its bits, and its length in bits.
const LITERAL_CODES: [(u32, u32); 286] = literal_codes();

const fn literal_codes() -> [(u32, u32); 286] {
    let mut table = [(0, 0); 286];
    let mut symbol = 0;
    while symbol < 286 {
        let (code, length) = match symbol {
            0..=143 => (0x30 + symbol, 8),
            144..=255 => (0x190 + symbol - 144, 9),
            256..=279 => (symbol - 256, 7),
            _ => (0xc0 + symbol - 280, 8),
        };
        table[symbol as usize] = (reversed(code, length), length);
        symbol += 1;
    }
    table
}

/// Each match length's bits (3 to 258, by its length less 3): its
/// symbol's code, then its extra bits, as one value and their count.
const LENGTH_CODES: [(u32, u32); 256] = length_codes();

const fn length_codes() -> [(u32, u32); 256] {
    let mut table = [(0, 0); 256];
    let mut offset: u32 = 0;
    while offset < 256 {
        let (symbol, extra, extra_bits) = if offset == 255 {
            // 258 has a symbol of its own.
            (285, 0, 0)
        } else if offset < 8 {
            (257 + offset, 0, 0)
        } else {
            let high = 31 - offset.leading_zeros();
            let extra_bits = high - 2;
            (
                257 + 4 * (high - 1) + ((offset >> extra_bits) & 3),
                offset & ((1 << extra_bits) - 1),
                extra_bits,
            )
        };
        let (code, length) = LITERAL_CODES[symbol as usize];
        table[offset as usize] = (code | extra << length, length + extra_bits);
        offset += 1;
    }
    table
}

/// Each distance code's 5-bit code in deflate's bit order, its number of
/// extra bits and the first distance it stands for, less one.
const DISTANCE_CODES: [(u32, u32, u32); 30] = distance_codes();

const fn distance_codes() -> [(u32, u32, u32); 30] {
    let mut table = [(0, 0, 0); 30];
    let mut code: u32 = 0;
    while code < 30 {
        let (extra_bits, first) = if code < 4 {
            (0, code)
        } else {
            let extra_bits = code / 2 - 1;
            (extra_bits, (2 + code % 2) << extra_bits)
        };
        table[code as usize] = (reversed(code, 5), extra_bits, first);
        code += 1;
    }
    table
}

/// `code`'s lowest `length` bits in the other order: Huffman codes are
/// written from their highest bit.
const fn reversed(code: u32, length: u32) -> u32 {
    code.reverse_bits() >> (32 - length)
}

/// A writer of streams after one dictionary, reused stream after stream.
pub(super) struct FixedDeflate {
    /// The dictionary's length: the text starts there in `buffer`.
    dictionary_length: usize,
    /// For each hash, the dictionary's last position with it, plus one
    /// (0: none); made once.
    dictionary_heads: Box<[u32]>,
    /// For each hash, the text's last position with it, as
    /// `base + position` (an entry below the stream's `base +
    /// dictionary_length` is from an earlier stream: none).
    heads: Box<[u64]>,
    /// What the stream's positions are counted from in `heads`: past the
    /// last stream's end, so that no entry of it reads as this one's (at
    /// 64 bits, never wrapping).
    base: u64,
    /// The dictionary, then the text being written.
    buffer: Vec<u8>,
}

impl FixedDeflate {
    /// A writer of streams after `dictionary` (at most the window: what
    /// lies before the window's reach could never be matched).
    pub(super) fn new(dictionary: &[u8]) -> FixedDeflate {
        let dictionary = &dictionary[dictionary.len().saturating_sub(WINDOW)..];
        let mut dictionary_heads = vec![0u32; 1 << HASH_BITS].into_boxed_slice();
        for position in 0..dictionary.len().saturating_sub(MIN_MATCH - 1) {
            // Later positions replace earlier ones: the nearest is kept,
            // whose distance is the shortest to write.
            dictionary_heads[hash(dictionary, position)] = position as u32 + 1;
        }
        FixedDeflate {
            dictionary_length: dictionary.len(),
            dictionary_heads,
            heads: vec![0u64; 1 << HASH_BITS].into_boxed_slice(),
            // Above 0, which every entry starts as.
            base: 1,
            buffer: dictionary.to_vec(),
        }
    }

    /// `text` as a raw deflate stream, appended to `out`.
    pub(super) fn write(&mut self, text: &[u8], out: &mut Vec<u8>) {
        let start = self.dictionary_length;
        self.buffer.truncate(start);
        self.buffer.extend_from_slice(text);
        let buffer = &self.buffer;
        let end = buffer.len();
        // Counted past the last stream.
        let base = self.base;
        self.base = base.saturating_add(end as u64 + 1);
        // The first entry this stream can have written.
        let own = base + start as u64;
        let mut bits = Bits::new(out);
        // One final block (BFINAL 1) of fixed codes (BTYPE 01).
        bits.put(0b011, 3);
        let mut position = start;
        // Positions from here on have fewer than `MIN_MATCH` bytes left.
        let last_hashed = end.saturating_sub(MIN_MATCH - 1);
        while position < end {
            if position < last_hashed {
                let key = hash(buffer, position);
                let most = MAX_MATCH.min(end - position);
                let (mut length, mut distance) = (0, 0);
                // The text's last position with this hash: always before
                // this one, when it is this stream's.
                let text_entry = self.heads[key];
                self.heads[key] = base + position as u64;
                if text_entry >= own {
                    let earlier = (text_entry - base) as usize;
                    if earlier < position && position - earlier <= WINDOW {
                        length = match_length(buffer, earlier, position, most);
                        distance = position - earlier;
                    }
                }
                // The dictionary's, as a position plus one.
                if let Some(earlier) = (self.dictionary_heads[key] as usize).checked_sub(1) {
                    if position - earlier <= WINDOW {
                        let longer = match_length(buffer, earlier, position, most);
                        if longer > length {
                            (length, distance) = (longer, position - earlier);
                        }
                    }
                }
                if length >= MIN_MATCH {
                    bits.length(length);
                    bits.distance(distance);
                    position += length;
                    continue;
                }
            }
            bits.literal(u16::from(buffer[position]));
            position += 1;
        }
        bits.literal(END_OF_BLOCK);
        bits.finish();
    }
}

/// The hash of the 4 bytes at `position` (which has 4 bytes after it).
fn hash(buffer: &[u8], position: usize) -> usize {
    let mut word = [0u8; 4];
    word.copy_from_slice(&buffer[position..position + 4]);
    (u32::from_le_bytes(word).wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
}

/// How many bytes from `later` repeat those from `earlier` (before it),
/// up to `most` (which `later` has left).
fn match_length(buffer: &[u8], earlier: usize, later: usize, most: usize) -> usize {
    let mut length = 0;
    while length + 8 <= most {
        let diff = word(buffer, earlier + length) ^ word(buffer, later + length);
        if diff != 0 {
            return length + (diff.trailing_zeros() / 8) as usize;
        }
        length += 8;
    }
    while length < most && buffer[earlier + length] == buffer[later + length] {
        length += 1;
    }
    length
}

/// The 8 bytes at `at`, as one number (the first byte lowest).
fn word(buffer: &[u8], at: usize) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&buffer[at..at + 8]);
    u64::from_le_bytes(bytes)
}

/// Deflate's bit order: values go in from their lowest bit, bytes out as
/// they fill; Huffman codes are written from their highest bit, so they
/// are reversed first.
struct Bits<'a> {
    out: &'a mut Vec<u8>,
    pending: u64,
    count: u32,
}

impl<'a> Bits<'a> {
    fn new(out: &'a mut Vec<u8>) -> Bits<'a> {
        Bits {
            out,
            pending: 0,
            count: 0,
        }
    }

    /// The lowest `count` bits of `value` (at most 32).
    fn put(&mut self, value: u32, count: u32) {
        self.pending |= u64::from(value) << self.count;
        self.count += count;
        if self.count >= 32 {
            self.out
                .extend_from_slice(&(self.pending as u32).to_le_bytes());
            self.pending >>= 32;
            self.count -= 32;
        }
    }

    /// A literal byte or the end of the block.
    fn literal(&mut self, symbol: u16) {
        let (code, length) = LITERAL_CODES[usize::from(symbol)];
        self.put(code, length);
    }

    /// A match's length (3 to 258): its symbol, then its extra bits.
    fn length(&mut self, length: usize) {
        let (bits, count) = LENGTH_CODES[length - 3];
        self.put(bits, count);
    }

    /// A match's distance (1 to 32,768): its 5-bit code, then its extra
    /// bits.
    fn distance(&mut self, distance: usize) {
        let offset = (distance - 1) as u32;
        let symbol = if offset < 4 {
            offset
        } else {
            let high = 31 - offset.leading_zeros();
            2 * high + ((offset >> (high - 1)) & 1)
        };
        let (code, extra_bits, first) = DISTANCE_CODES[symbol as usize];
        self.put(code | (offset - first) << 5, 5 + extra_bits);
    }

    /// The last bits, the final byte padded with zeros.
    fn finish(self) {
        let bytes = self.count.div_ceil(8) as usize;
        self.out
            .extend_from_slice(&self.pending.to_le_bytes()[..bytes]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Decompress, FlushDecompress, Status};

    /// What zlib-rs inflates `stream` to after `dictionary`, checking that
    /// the stream ends exactly where its last block does.
    fn inflated(dictionary: &[u8], stream: &[u8], expected: usize) -> Vec<u8> {
        let mut inflater = Decompress::new(false);
        inflater.set_dictionary(dictionary).expect("dictionary");
        let mut text = Vec::with_capacity(expected + 64);
        let status = inflater
            .decompress_vec(stream, &mut text, FlushDecompress::Finish)
            .expect("a valid stream");
        assert_eq!(status, Status::StreamEnd, "the stream ends");
        assert_eq!(inflater.total_in(), stream.len() as u64, "nothing after it");
        text
    }

    fn round_trip(writer: &mut FixedDeflate, dictionary: &[u8], text: &[u8]) -> usize {
        let mut stream = Vec::new();
        writer.write(text, &mut stream);
        let back = inflated(dictionary, &stream, text.len());
        assert!(
            back == text,
            "{} bytes came back as {}",
            text.len(),
            back.len()
        );
        stream.len()
    }

    /// A small generator of texts, the same at every run.
    struct Texts(u64);

    impl Texts {
        fn next(&mut self) -> u64 {
            // xorshift64*
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        /// A text of `length` bytes from an alphabet of `letters` bytes,
        /// with pieces of itself and of `dictionary` repeated in it.
        fn text(&mut self, length: usize, letters: u64, dictionary: &[u8]) -> Vec<u8> {
            let mut text = Vec::with_capacity(length);
            while text.len() < length {
                match self.next() % 4 {
                    0 if text.len() > 8 => {
                        let from = (self.next() as usize) % text.len();
                        let take = 1 + (self.next() as usize) % 300;
                        for at in from..from + take {
                            // Overlapping: a run repeats what it just wrote.
                            text.push(text[at]);
                        }
                    }
                    1 if !dictionary.is_empty() => {
                        let from = (self.next() as usize) % dictionary.len();
                        let take = (1 + (self.next() as usize) % 80).min(dictionary.len() - from);
                        text.extend_from_slice(&dictionary[from..from + take]);
                    }
                    _ => text.push(((self.next() % letters) as u8).wrapping_add(b' ')),
                }
            }
            text.truncate(length);
            text
        }
    }

    #[test]
    fn texts_of_every_shape_read_back() {
        let dictionary = super::super::DICTIONARY_V1;
        let mut writer = FixedDeflate::new(dictionary);
        let mut texts = Texts(0x5eed);
        for length in (0..70).chain([255, 256, 257, 258, 259, 1_000, 1_300, 5_000]) {
            for letters in [1, 2, 20, 200] {
                let text = texts.text(length, letters, dictionary);
                round_trip(&mut writer, dictionary, &text);
            }
        }
        // Every byte value, literals of all four code lengths among them.
        let every: Vec<u8> = (0..=255).cycle().take(3 * 256).collect();
        round_trip(&mut writer, dictionary, &every);
    }

    #[test]
    fn matches_reach_back_no_further_than_the_window() {
        let dictionary = b"the dictionary's own words, then more of them";
        let mut writer = FixedDeflate::new(dictionary);
        let mut texts = Texts(42);
        // Longer than the window, with a piece repeated from just within
        // and just beyond its reach.
        let piece = texts.text(600, 200, &[]);
        let mut text = piece.clone();
        text.extend(texts.text(WINDOW - 600 - 300, 200, &[]));
        text.extend_from_slice(&piece);
        text.extend(texts.text(1_000, 200, &[]));
        text.extend_from_slice(&piece);
        text.extend_from_slice(dictionary);
        round_trip(&mut writer, dictionary, &text);
        // A long run, and a text of several windows.
        round_trip(&mut writer, dictionary, &vec![b'a'; 3 * WINDOW + 7]);
        let long = texts.text(5 * WINDOW, 20, dictionary);
        let stored = round_trip(&mut writer, dictionary, &long);
        assert!(stored < long.len(), "{stored} for {}", long.len());
    }

    #[test]
    fn a_dictionary_longer_than_the_window_keeps_its_end() {
        let mut texts = Texts(7);
        let dictionary = texts.text(WINDOW + 5_000, 200, &[]);
        let mut writer = FixedDeflate::new(&dictionary);
        let text = [&dictionary[dictionary.len() - 700..], b"and after"].concat();
        let stored = round_trip(&mut writer, &dictionary, &text);
        assert!(stored < 60, "the dictionary's end matched: {stored} bytes");
        // Its start lies beyond the window: written as literals, still read
        // back.
        round_trip(&mut writer, &dictionary, &dictionary[..700]);
    }

    #[test]
    fn the_same_text_makes_the_same_stream_whatever_came_before() {
        let dictionary = super::super::DICTIONARY_V1;
        let mut texts = Texts(99);
        let text = texts.text(1_300, 60, dictionary);
        let mut alone = Vec::new();
        FixedDeflate::new(dictionary).write(&text, &mut alone);
        let mut writer = FixedDeflate::new(dictionary);
        for _ in 0..5 {
            let other = texts.text(2_000, 60, dictionary);
            writer.write(&other, &mut Vec::new());
        }
        let mut after = Vec::new();
        writer.write(&text, &mut after);
        assert_eq!(alone, after);
    }

    #[test]
    fn a_match_of_each_length_and_distance_code_reads_back() {
        let dictionary = b"";
        let mut writer = FixedDeflate::new(dictionary);
        let mut texts = Texts(3);
        for length in [4, 5, 10, 11, 12, 18, 19, 34, 35, 66, 67, 130, 131, 257, 258] {
            for distance in [
                1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
                1_025, 1_537, 2_049, 3_073, 4_097, 6_145, 8_193, 12_289, 16_385, 24_577, 32_768,
            ] {
                let mut text = texts.text(distance, 250, &[]);
                let start = text.len() - distance;
                for at in start..start + length {
                    text.push(text[at]);
                }
                text.push(b'!');
                round_trip(&mut writer, dictionary, &text);
            }
        }
    }
}
