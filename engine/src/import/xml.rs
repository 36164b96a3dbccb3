//! A small, strict XML reader: just enough for XCSP files.
//!
//! It builds a tree of elements whose names, attribute values and character
//! data borrow from the text whenever possible, and records the byte offset of
//! everything so that errors can name a line and column. It checks
//! well-formedness (matching tags, quoted attributes, one root element) and
//! skips the XML declaration, processing instructions, comments and a
//! `<!DOCTYPE>`. Character data is kept raw (entities are not decoded there,
//! XCSP puts only numbers in it); attribute values are decoded.

use std::borrow::Cow;

/// Elements may nest this deep at most; deeper input is rejected rather than
/// risking the stack (XCSP needs three levels).
const MAX_DEPTH: usize = 64;

/// An element with its attributes, child elements and character data.
#[derive(Debug)]
pub(crate) struct Element<'a> {
    pub name: &'a str,
    /// Byte offset of the `<` that opens the element.
    pub offset: usize,
    pub attrs: Vec<Attr<'a>>,
    pub children: Vec<Element<'a>>,
    /// Pieces of character data (text and CDATA sections), in order, each with
    /// the byte offset of its first byte. Raw: entities are not decoded.
    pub text: Vec<(usize, &'a str)>,
}

/// An attribute, its value decoded.
#[derive(Debug)]
pub(crate) struct Attr<'a> {
    pub name: &'a str,
    pub value: Cow<'a, str>,
}

impl<'a> Element<'a> {
    /// The value of the attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|a| a.name == name).map(|a| a.value.as_ref())
    }
}

/// A well-formedness error at a byte offset.
#[derive(Debug)]
pub(crate) struct XmlError {
    pub offset: usize,
    pub reason: String,
}

fn fail<T>(offset: usize, reason: impl Into<String>) -> Result<T, XmlError> {
    Err(XmlError { offset, reason: reason.into() })
}

/// Reads a document and returns its root element.
pub(crate) fn parse(text: &str) -> Result<Element<'_>, XmlError> {
    Reader { text, bytes: text.as_bytes(), pos: 0 }.document()
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn document(mut self) -> Result<Element<'a>, XmlError> {
        if self.text.starts_with('\u{feff}') {
            self.pos = '\u{feff}'.len_utf8();
        }
        let mut stack: Vec<Element<'a>> = Vec::new();
        let mut root: Option<Element<'a>> = None;
        loop {
            let start = self.pos;
            let next = self.text[start..].find('<').map_or(self.text.len(), |i| start + i);
            if next > start {
                let data = &self.text[start..next];
                match stack.last_mut() {
                    Some(parent) => parent.text.push((start, data)),
                    None => {
                        if let Some(i) = data.find(|c: char| !c.is_ascii_whitespace()) {
                            return fail(start + i, "text outside the root element");
                        }
                    }
                }
            }
            self.pos = next;
            if next == self.text.len() {
                break;
            }
            let rest = &self.text[next..];
            if rest.starts_with("<?") {
                self.skip_past(next, "?>", "processing instruction")?;
            } else if rest.starts_with("<!--") {
                self.skip_past(next, "-->", "comment")?;
            } else if rest.starts_with("<![CDATA[") {
                let body = next + "<![CDATA[".len();
                self.skip_past(next, "]]>", "CDATA section")?;
                match stack.last_mut() {
                    Some(parent) => parent.text.push((body, &self.text[body..self.pos - 3])),
                    None => return fail(next, "CDATA section outside the root element"),
                }
            } else if rest.starts_with("<!") {
                if root.is_some() || !stack.is_empty() {
                    return fail(next, "declaration (<!...>) inside or after the root element");
                }
                self.skip_declaration(next)?;
            } else if rest.starts_with("</") {
                self.pos = next + 2;
                let name = self.name()?;
                self.skip_whitespace();
                self.expect(b'>', "`>` to end the closing tag")?;
                let Some(element) = stack.pop() else {
                    return fail(next, format!("closing tag </{name}> without an opening tag"));
                };
                if element.name != name {
                    let line = super::line_of(self.text, element.offset);
                    let open = element.name;
                    return fail(next, format!("closing tag </{name}> does not match <{open}> opened on line {line}"));
                }
                Self::attach(element, &mut stack, &mut root);
            } else {
                if root.is_some() {
                    return fail(next, "a second root element (an XML document has exactly one)");
                }
                let (element, empty) = self.start_tag(next)?;
                if empty {
                    Self::attach(element, &mut stack, &mut root);
                } else {
                    if stack.len() >= MAX_DEPTH {
                        return fail(next, format!("elements nested more than {MAX_DEPTH} deep"));
                    }
                    stack.push(element);
                }
            }
        }
        if let Some(open) = stack.last() {
            return fail(open.offset, format!("<{}> is never closed", open.name));
        }
        match root {
            Some(root) => Ok(root),
            None => fail(self.text.len(), "no root element: the file is not an XML document"),
        }
    }

    /// Puts a finished element into its parent, or makes it the root.
    fn attach(element: Element<'a>, stack: &mut [Element<'a>], root: &mut Option<Element<'a>>) {
        match stack.last_mut() {
            Some(parent) => parent.children.push(element),
            None => *root = Some(element),
        }
    }

    /// Moves past the next `end` after `from`, or fails naming `what`.
    fn skip_past(&mut self, from: usize, end: &str, what: &str) -> Result<(), XmlError> {
        match self.text[from..].find(end) {
            Some(i) => {
                self.pos = from + i + end.len();
                Ok(())
            }
            None => fail(from, format!("unterminated {what} (no `{end}`)")),
        }
    }

    /// Skips `<!DOCTYPE ...>`, including an internal subset in brackets.
    fn skip_declaration(&mut self, from: usize) -> Result<(), XmlError> {
        let mut depth = 0usize;
        let mut quote = None;
        for (i, &b) in self.bytes[from..].iter().enumerate() {
            match (quote, b) {
                (Some(q), _) if b == q => quote = None,
                (Some(_), _) => {}
                (None, b'"' | b'\'') => quote = Some(b),
                (None, b'[') => depth += 1,
                (None, b']') => depth = depth.saturating_sub(1),
                (None, b'>') if depth == 0 => {
                    self.pos = from + i + 1;
                    return Ok(());
                }
                _ => {}
            }
        }
        fail(from, "unterminated declaration (<!...> without `>`)")
    }

    /// Reads `<name attr="value" ...>` or `.../>` starting at `from`; returns
    /// the element and whether it was empty (`/>`).
    fn start_tag(&mut self, from: usize) -> Result<(Element<'a>, bool), XmlError> {
        self.pos = from + 1;
        let name = self.name()?;
        let mut element = Element { name, offset: from, attrs: Vec::new(), children: Vec::new(), text: Vec::new() };
        loop {
            let had_space = self.skip_whitespace();
            match self.bytes.get(self.pos) {
                None => return fail(from, format!("unterminated tag <{name}")),
                Some(b'>') => {
                    self.pos += 1;
                    return Ok((element, false));
                }
                Some(b'/') => {
                    self.pos += 1;
                    self.expect(b'>', "`>` after `/` in an empty-element tag")?;
                    return Ok((element, true));
                }
                Some(_) if !had_space => {
                    return fail(self.pos, format!("expected a space, `>` or `/>` in tag <{name}>"));
                }
                Some(_) => {
                    let attr_at = self.pos;
                    let attr_name = self.name()?;
                    self.skip_whitespace();
                    self.expect(b'=', "`=` after the attribute name")?;
                    self.skip_whitespace();
                    let value = self.attr_value()?;
                    if element.attr(attr_name).is_some() {
                        return fail(attr_at, format!("attribute \"{attr_name}\" appears twice in <{name}>"));
                    }
                    element.attrs.push(Attr { name: attr_name, value });
                }
            }
        }
    }

    /// Reads a quoted attribute value and decodes its entities.
    fn attr_value(&mut self) -> Result<Cow<'a, str>, XmlError> {
        let quote = match self.bytes.get(self.pos) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return fail(self.pos, "expected a quoted attribute value"),
        };
        let start = self.pos + 1;
        let Some(len) = self.bytes[start..].iter().position(|&b| b == quote) else {
            return fail(self.pos, "unterminated attribute value");
        };
        let raw = &self.text[start..start + len];
        if let Some(i) = raw.find('<') {
            return fail(start + i, "`<` inside an attribute value");
        }
        self.pos = start + len + 1;
        decode(raw, start)
    }

    /// Reads a name (of an element or attribute).
    fn name(&mut self) -> Result<&'a str, XmlError> {
        let start = self.pos;
        let len = self.bytes[start..]
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':') || b >= 0x80))
            .unwrap_or(self.bytes.len() - start);
        let name = &self.text[start..start + len];
        match name.bytes().next() {
            Some(b) if !(b.is_ascii_digit() || b == b'-' || b == b'.') => {
                self.pos = start + len;
                Ok(name)
            }
            _ => fail(start, "expected a name"),
        }
    }

    /// Skips whitespace; tells whether there was any.
    fn skip_whitespace(&mut self) -> bool {
        let start = self.pos;
        while self.bytes.get(self.pos).is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
        self.pos > start
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<(), XmlError> {
        if self.bytes.get(self.pos) == Some(&byte) {
            self.pos += 1;
            Ok(())
        } else {
            fail(self.pos, format!("expected {what}"))
        }
    }
}

/// Decodes the predefined and numeric entities of `raw` (which starts at byte
/// `offset` of the document).
fn decode(raw: &str, offset: usize) -> Result<Cow<'_, str>, XmlError> {
    if !raw.contains('&') {
        return Ok(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let at = offset + (raw.len() - rest.len()) + amp;
        let after = &rest[amp + 1..];
        let Some(semi) = after.find(';') else {
            return fail(at, "`&` without a closing `;` (write `&amp;` for a literal `&`)");
        };
        let entity = &after[..semi];
        let c = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse::<u32>().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
            }
        };
        match c {
            Some(c) => out.push(c),
            None => return fail(at, format!("unknown entity `&{entity};`")),
        }
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}
