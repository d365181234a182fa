//! A small streaming reader for the plain XML that list publishers use:
//! elements, text and the five predefined entities plus numeric character
//! references. Namespaces are ignored (an element is known by its local
//! name); comments, processing instructions and the DOCTYPE are skipped;
//! CDATA is text. Enough for OFAC's `sdn.xml`, not a general parser.

/// One event of the document, with the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub enum Event<'a> {
    Start(&'a str),
    End(&'a str),
    Text(String),
}

/// Reads events one at a time; `Err` names the line of bad markup.
pub struct Reader<'a> {
    text: &'a str,
    pos: usize,
    line: u64,
    /// An element written `<a/>` ends right after it starts.
    pending_end: Option<&'a str>,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a str) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Self { text, pos: 0, line: 1, pending_end: None }
    }

    /// The line the reader is on.
    pub fn line(&self) -> u64 {
        self.line
    }

    fn advance(&mut self, to: usize) {
        self.line += self.text[self.pos..to].bytes().filter(|&b| b == b'\n').count() as u64;
        self.pos = to;
    }

    /// The next event, `None` at the end.
    pub fn next_event(&mut self) -> Option<Result<Event<'a>, String>> {
        if let Some(name) = self.pending_end.take() {
            return Some(Ok(Event::End(name)));
        }
        loop {
            let rest = &self.text[self.pos..];
            if rest.is_empty() {
                return None;
            }
            if !rest.starts_with('<') {
                let end = rest.find('<').map_or(self.text.len(), |i| self.pos + i);
                let raw = &self.text[self.pos..end];
                self.advance(end);
                if raw.trim().is_empty() {
                    continue;
                }
                return Some(Ok(Event::Text(unescape(raw))));
            }
            let skip =
                |open: &str, close: &str| rest.starts_with(open).then(|| rest.find(close).map(|i| i + close.len()));
            if let Some(end) = skip("<!--", "-->").or_else(|| skip("<?", "?>")) {
                match end {
                    Some(e) => {
                        self.advance(self.pos + e);
                        continue;
                    }
                    None => return Some(Err(format!("line {}: unterminated comment or declaration", self.line))),
                }
            }
            if rest.starts_with("<![CDATA[") {
                let Some(e) = rest.find("]]>") else {
                    return Some(Err(format!("line {}: unterminated CDATA", self.line)));
                };
                let text = rest["<![CDATA[".len()..e].to_string();
                self.advance(self.pos + e + 3);
                return Some(Ok(Event::Text(text)));
            }
            if rest.starts_with("<!") {
                let Some(e) = rest.find('>') else {
                    return Some(Err(format!("line {}: unterminated declaration", self.line)));
                };
                self.advance(self.pos + e + 1);
                continue;
            }
            let Some(e) = rest.find('>') else {
                return Some(Err(format!("line {}: unterminated tag", self.line)));
            };
            let tag = &rest[1..e];
            let start = self.pos;
            self.advance(start + e + 1);
            if let Some(name) = tag.strip_prefix('/') {
                return Some(Ok(Event::End(local(name.trim()))));
            }
            let empty = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let name = local(tag.split(|c: char| c.is_whitespace()).next().unwrap_or(""));
            if name.is_empty() {
                return Some(Err(format!("line {}: a tag without a name", self.line)));
            }
            if empty {
                self.pending_end = Some(name);
            }
            return Some(Ok(Event::Start(name)));
        }
    }
}

/// `sdn:uid` → `uid`.
fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// Text with its entities and character references replaced.
pub fn unescape(raw: &str) -> String {
    if !raw.contains('&') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") || e.starts_with("#X") => {
                u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32)
            }
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_text_entities_and_empty_elements() {
        let xml = "<?xml version=\"1.0\"?>\n<!-- c -->\n<a:list xmlns:a=\"x\"><e k=\"v\">A &amp; B &#233;</e><f/>\n<g><![CDATA[<raw>]]></g></a:list>";
        let mut r = Reader::new(xml);
        let mut ev = Vec::new();
        while let Some(e) = r.next_event() {
            ev.push(e.unwrap());
        }
        assert_eq!(
            ev,
            vec![
                Event::Start("list"),
                Event::Start("e"),
                Event::Text("A & B é".into()),
                Event::End("e"),
                Event::Start("f"),
                Event::End("f"),
                Event::Start("g"),
                Event::Text("<raw>".into()),
                Event::End("g"),
                Event::End("list"),
            ]
        );
        assert_eq!(r.line(), 4);
    }

    #[test]
    fn bad_markup_names_its_line() {
        let mut r = Reader::new("<a>\n<b");
        assert!(matches!(r.next_event(), Some(Ok(Event::Start("a")))));
        let e = r.next_event().unwrap().unwrap_err();
        assert!(e.starts_with("line 2"), "{e}");
    }
}
