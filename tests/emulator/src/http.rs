//! A minimal HTTP/1.1 server side on `std::io`: read one request (request line, headers,
//! `Content-Length` body), write one response. Enough for browsers, Node's `fetch` and the
//! tests' tiny client; no chunked request bodies, no pipelining guarantees beyond
//! "one request after another on a kept-alive connection".

use std::io::{self, BufRead, Write};

/// Longest request head (request line + headers) accepted.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Largest request body accepted (admin `POST`s only).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// One parsed request.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST`, `OPTIONS`, … as sent.
    pub method: String,
    /// The request target as sent (`/v1.0/engagements/referrals?$top=5`).
    pub target: String,
    /// `HTTP/1.1` or `HTTP/1.0`.
    pub version: String,
    /// Header names and values in arrival order (names as sent).
    pub headers: Vec<(String, String)>,
    /// The body (empty without `Content-Length`).
    pub body: Vec<u8>,
}

impl Request {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The path part of the target (before `?`), not decoded.
    pub fn path(&self) -> &str {
        self.target.split_once('?').map_or(self.target.as_str(), |(p, _)| p)
    }

    /// The raw query part of the target (after `?`), not decoded.
    pub fn query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, q)| q)
    }

    /// Whether the connection may carry another request after this one.
    pub fn keep_alive(&self) -> bool {
        let connection = self.header("connection").unwrap_or("").to_ascii_lowercase();
        if self.version.eq_ignore_ascii_case("HTTP/1.0") {
            connection.contains("keep-alive")
        } else {
            !connection.contains("close")
        }
    }
}

/// Why a request could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The peer closed the connection before a request started (normal end of keep-alive).
    Closed,
    /// Transport failure or time-out.
    Io(io::Error),
    /// Not HTTP we accept: answer with this status and message, then close.
    Bad(u16, &'static str),
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError::Io(e)
    }
}

/// Reads one request from `reader`.
///
/// # Errors
/// [`ReadError::Closed`] at a clean end of stream, [`ReadError::Bad`] for malformed or
/// oversized requests, [`ReadError::Io`] otherwise.
pub fn read_request(reader: &mut impl BufRead) -> Result<Request, ReadError> {
    let mut head_bytes = 0usize;
    let mut line = String::new();
    // Tolerate empty lines before the request line (RFC 9112 §2.2).
    loop {
        line.clear();
        let n = read_line_limited(reader, &mut line, &mut head_bytes)?;
        if n == 0 {
            return Err(ReadError::Closed);
        }
        if !line.trim().is_empty() {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Bad(400, "malformed request line"));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(ReadError::Bad(505, "only HTTP/1.x is supported"));
    }
    let (method, target, version) = (method.to_string(), target.to_string(), version.to_string());
    let mut headers = Vec::new();
    loop {
        line.clear();
        let n = read_line_limited(reader, &mut line, &mut head_bytes)?;
        if n == 0 {
            return Err(ReadError::Bad(400, "connection closed inside the request head"));
        }
        let text = line.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        let Some((name, value)) = text.split_once(':') else {
            return Err(ReadError::Bad(400, "malformed header line"));
        };
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let mut request = Request { method, target, version, headers, body: Vec::new() };
    if request.header("transfer-encoding").is_some() {
        return Err(ReadError::Bad(411, "send the body with Content-Length"));
    }
    if let Some(length) = request.header("content-length") {
        let length: usize =
            length.parse().map_err(|_| ReadError::Bad(400, "malformed Content-Length"))?;
        if length > MAX_BODY_BYTES {
            return Err(ReadError::Bad(413, "request body too large"));
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        request.body = body;
    }
    Ok(request)
}

fn read_line_limited(
    reader: &mut impl BufRead,
    line: &mut String,
    used: &mut usize,
) -> Result<usize, ReadError> {
    let mut bytes = Vec::new();
    let budget = (MAX_HEAD_BYTES - *used) as u64;
    let n = io::Read::take(&mut *reader, budget + 1).read_until(b'\n', &mut bytes)?;
    *used += n;
    if *used > MAX_HEAD_BYTES {
        return Err(ReadError::Bad(431, "request head too large"));
    }
    *line =
        String::from_utf8(bytes).map_err(|_| ReadError::Bad(400, "request head is not UTF-8"))?;
    Ok(n)
}

/// A response to write.
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers (without `Content-Length`/`Connection`, which [`write_response`] adds).
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl Response {
    /// An empty response with `status`.
    pub fn new(status: u16) -> Response {
        Response { status, headers: Vec::new(), body: Vec::new() }
    }

    /// A JSON response (`Content-Type: application/json; charset=utf-8`).
    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        let mut response = Response::new(status);
        response.set_header("Content-Type", "application/json; charset=utf-8");
        response.body = value.to_string().into_bytes();
        response
    }

    /// Adds a header (replacing any header of that name).
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.into()));
    }

    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The reason phrase of the statuses the emulator sends.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

/// Writes `response` (adding `Content-Length` and `Connection`), without the body for `HEAD`.
///
/// # Errors
/// Transport failures.
pub fn write_response(
    writer: &mut impl Write,
    response: &Response,
    keep_alive: bool,
) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", response.status, reason(response.status));
    for (name, value) in &response.headers {
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n", response.body.len()));
    head.push_str(if keep_alive {
        "Connection: keep-alive\r\n\r\n"
    } else {
        "Connection: close\r\n\r\n"
    });
    writer.write_all(head.as_bytes())?;
    writer.write_all(&response.body)?;
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_request_with_body_and_keep_alive_rules() {
        let raw = b"\r\nPOST /_emulator/referrals?a=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}GET / HTTP/1.0\r\n\r\n";
        let mut reader = io::BufReader::new(&raw[..]);
        let r = read_request(&mut reader).unwrap();
        assert_eq!(
            (r.method.as_str(), r.path(), r.query()),
            ("POST", "/_emulator/referrals", "a=1")
        );
        assert_eq!(r.header("HOST"), Some("x"));
        assert_eq!(r.body, b"{}");
        assert!(r.keep_alive());
        let r = read_request(&mut reader).unwrap();
        assert!(!r.keep_alive());
        assert!(matches!(read_request(&mut reader), Err(ReadError::Closed)));
        let mut bad = io::BufReader::new(&b"GET /\r\n\r\n"[..]);
        assert!(matches!(read_request(&mut bad), Err(ReadError::Bad(400, _))));
        let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD_BYTES));
        let mut huge = io::BufReader::new(huge.as_bytes());
        assert!(matches!(read_request(&mut huge), Err(ReadError::Bad(431, _))));
    }
}
