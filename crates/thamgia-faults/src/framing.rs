//! Just enough HTTP/1.1 for the fault proxy to know where a message ends:
//! the head up to the empty line, then `Content-Length` bytes, or chunks, or
//! (a response with neither) everything until the peer closes.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt};

/// The largest head accepted.
const MAX_HEAD: usize = 64 * 1024;
/// The largest message accepted.
const MAX_MESSAGE: usize = 256 * 1024 * 1024;

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

/// Which side of the exchange a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A tablet's request.
    Request,
    /// The server's response.
    Response,
}

/// How the body of a message is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Empty,
    Length(usize),
    Chunked,
    UntilClose,
}

/// Reads exactly one HTTP/1.1 message (head and body) and returns its bytes.
pub async fn read_message<S: AsyncRead + Unpin>(stream: &mut S, kind: Kind) -> io::Result<Vec<u8>> {
    let mut buffer = Vec::with_capacity(16 * 1024);
    let head_end = loop {
        if let Some(at) = find(&buffer, b"\r\n\r\n", 0) {
            break at + 4;
        }
        if buffer.len() > MAX_HEAD {
            return Err(invalid("head too long"));
        }
        read_more(stream, &mut buffer).await?;
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    match framing(&head, kind)? {
        Framing::Empty => buffer.truncate(head_end),
        Framing::Length(length) => {
            let total = head_end
                .checked_add(length)
                .filter(|total| *total <= MAX_MESSAGE)
                .ok_or_else(|| invalid("body too long"))?;
            while buffer.len() < total {
                read_more(stream, &mut buffer).await?;
            }
            buffer.truncate(total);
        }
        Framing::Chunked => {
            let mut at = head_end;
            loop {
                let size_end = line_end(stream, &mut buffer, at).await?;
                let size_line = String::from_utf8_lossy(&buffer[at..size_end]).into_owned();
                let size_hex = size_line.split(';').next().unwrap_or_default().trim();
                let size =
                    usize::from_str_radix(size_hex, 16).map_err(|_| invalid("bad chunk size"))?;
                at = size_end + 2;
                if size == 0 {
                    // Trailer lines, then the empty line.
                    loop {
                        let end = line_end(stream, &mut buffer, at).await?;
                        let empty = end == at;
                        at = end + 2;
                        if empty {
                            break;
                        }
                    }
                    buffer.truncate(at);
                    break;
                }
                let next = at
                    .checked_add(size)
                    .and_then(|end| end.checked_add(2))
                    .filter(|end| *end <= MAX_MESSAGE)
                    .ok_or_else(|| invalid("chunk too long"))?;
                while buffer.len() < next {
                    read_more(stream, &mut buffer).await?;
                }
                at = next;
            }
        }
        Framing::UntilClose => loop {
            if read_some(stream, &mut buffer).await? == 0 {
                break;
            }
            if buffer.len() > MAX_MESSAGE {
                return Err(invalid("body too long"));
            }
        },
    }
    Ok(buffer)
}

/// The index of the next "\r\n" at or after `from`, reading more as needed.
async fn line_end<S: AsyncRead + Unpin>(
    stream: &mut S,
    buffer: &mut Vec<u8>,
    from: usize,
) -> io::Result<usize> {
    loop {
        if let Some(at) = find(buffer, b"\r\n", from) {
            return Ok(at);
        }
        if buffer.len().saturating_sub(from) > MAX_HEAD {
            return Err(invalid("line too long"));
        }
        read_more(stream, buffer).await?;
    }
}

fn framing(head: &str, kind: Kind) -> io::Result<Framing> {
    let mut lines = head.split("\r\n");
    let start = lines.next().unwrap_or_default();
    if kind == Kind::Response {
        let status: u16 = start
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| invalid("bad status line"))?;
        if (100..200).contains(&status) || status == 204 || status == 304 {
            return Ok(Framing::Empty);
        }
    }
    let mut length = None;
    let mut chunked = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(
                value
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| invalid("bad content-length"))?,
            );
        } else if name.eq_ignore_ascii_case("transfer-encoding")
            && value.to_ascii_lowercase().contains("chunked")
        {
            chunked = true;
        }
    }
    Ok(if chunked {
        Framing::Chunked
    } else if let Some(length) = length {
        Framing::Length(length)
    } else if kind == Kind::Request {
        Framing::Empty
    } else {
        Framing::UntilClose
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| at + from)
}

/// Reads at least one byte more, or fails if the peer closed.
async fn read_more<S: AsyncRead + Unpin>(stream: &mut S, buffer: &mut Vec<u8>) -> io::Result<()> {
    if read_some(stream, buffer).await? == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "closed in the middle of a message",
        ));
    }
    Ok(())
}

/// One read appended to `buffer`; 0 when the peer closed.
pub async fn read_some<S: AsyncRead + Unpin>(
    stream: &mut S,
    buffer: &mut Vec<u8>,
) -> io::Result<usize> {
    let mut chunk = [0_u8; 8192];
    let read = stream.read(&mut chunk).await?;
    buffer.extend_from_slice(&chunk[..read]);
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_one_message_of_each_framing() {
        let request = b"POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcEXTRA".to_vec();
        let mut reader = request.as_slice();
        let message = read_message(&mut reader, Kind::Request)
            .await
            .expect("one message");
        assert_eq!(message, b"POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");

        let chunked =
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n".to_vec();
        let mut reader = chunked.as_slice();
        let message = read_message(&mut reader, Kind::Response)
            .await
            .expect("one message");
        assert_eq!(message, chunked);

        let empty = b"HTTP/1.1 204 No Content\r\n\r\n".to_vec();
        let mut reader = empty.as_slice();
        assert_eq!(
            read_message(&mut reader, Kind::Response)
                .await
                .expect("one message"),
            empty
        );
    }
}
