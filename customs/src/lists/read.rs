//! Reading delimited list files: each record with the line it starts on,
//! fields decoded as UTF-8 (Latin-1 when a field is not), trimmed, and
//! OFAC's `-0-` read as empty.

use std::path::Path;

use super::ListError;

/// One record and the line it starts on (1-based).
pub struct Row {
    pub line: u64,
    pub fields: Vec<String>,
}

/// A record, or the line of one that could not be read and why.
pub type RowResult = Result<Row, (u64, String)>;

pub fn read_file(path: &Path) -> Result<Vec<u8>, ListError> {
    std::fs::read(path).map_err(|source| ListError::Read { path: path.display().to_string(), source })
}

/// Every record of a delimited file, in order. Blank lines and the DOS
/// end-of-file mark of old OFAC files are not records.
pub fn rows(bytes: &[u8], delimiter: u8) -> Vec<RowResult> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(bytes);
    let mut out = Vec::new();
    // The reader's own line count skips blank lines; count newlines up to
    // each record's first byte instead, so a reported line is the file's.
    let mut lines = LineCounter { bytes, offset: 0, line: 1 };
    for rec in reader.byte_records() {
        match rec {
            Ok(rec) => {
                let line = rec.position().map(|p| lines.at(p.byte())).unwrap_or(0);
                let fields: Vec<String> = rec.iter().map(field).collect();
                if fields.iter().all(|f| f.is_empty() || f == "\u{1a}") {
                    continue;
                }
                out.push(Ok(Row { line, fields }));
            }
            Err(e) => {
                let line = e.position().map(|p| lines.at(p.byte())).unwrap_or(0);
                out.push(Err((line, e.to_string())));
            }
        }
    }
    out
}

struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl LineCounter<'_> {
    /// The 1-based line of byte `offset`; offsets must not decrease.
    fn at(&mut self, offset: u64) -> u64 {
        // A record's position is where the previous one ended: blank
        // lines before it belong to no record.
        let mut end = (offset as usize).min(self.bytes.len());
        while end < self.bytes.len() && matches!(self.bytes[end], b'\r' | b'\n') {
            end += 1;
        }
        if end > self.offset {
            self.line += self.bytes[self.offset..end].iter().filter(|&&b| b == b'\n').count() as u64;
            self.offset = end;
        }
        self.line
    }
}

fn field(raw: &[u8]) -> String {
    let s = match std::str::from_utf8(raw) {
        Ok(s) => s.to_string(),
        Err(_) => raw.iter().map(|&b| char::from(b)).collect(),
    };
    let t = s.trim();
    if t == "-0-" {
        String::new()
    } else {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quotes_empty_marks_and_line_numbers() {
        let text = b"1,\"A, B\",-0- \n\n2,\"multi\nline\",x\n\x1a";
        let rows = rows(text, b',');
        assert_eq!(rows.len(), 2);
        let r0 = rows[0].as_ref().map_err(|e| e.1.clone()).unwrap();
        assert_eq!((r0.line, r0.fields.clone()), (1, vec!["1".to_string(), "A, B".into(), "".into()]));
        let r1 = rows[1].as_ref().map_err(|e| e.1.clone()).unwrap();
        assert_eq!(r1.line, 3);
        assert_eq!(r1.fields[1], "multi\nline");
    }

    #[test]
    fn latin1_fields_are_decoded() {
        let rows = rows(b"1,Jos\xe9\n", b',');
        assert_eq!(rows[0].as_ref().map(|r| r.fields[1].clone()).unwrap_or_default(), "José");
    }
}
