//! Field HTML as Anki's editor writes it, parsed without html5ever.
//!
//! Most fields are text with `<b>`, `<i>`, `<br>`, `<div>` lines and a reference or two, and for
//! those html5ever's tokenizer and tree builder (all of HTML's error recovery) cost more than the
//! rest of the conversion together. This parser takes only input on which HTML's parsing rules
//! come down to "each tag opens or closes the element it names", and on anything else gives up
//! so that html5ever parses it. What it takes, it builds into exactly the tree html5ever builds
//! (`proptests.rs` compares the two on random input).
//!
//! It takes:
//! - text without U+0000 or CR (the tokenizer rewrites both) and not starting with U+FEFF (the
//!   tokenizer drops it);
//! - `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&nbsp;`, and a `&` that cannot start a reference;
//! - start tags `<name>` and `<name a="v" b="w">` (lowercase names, one space, double quotes, no
//!   repeated attribute, no `/>`) and end tags `</name>`, for the elements below;
//! - only end tags that close the innermost open element: a misnested end tag runs the adoption
//!   agency or is ignored. Elements still open at the end are fine (the parser leaves them open).
//!
//! The elements are ones whose start tag only inserts them, given what else is allowed: no `<p>`
//! (which block start tags would close), no headings, tables, `<pre>`, raw text or foreign
//! content. Two need a condition: `<li>` only right inside `<ul>`/`<ol>` (elsewhere it closes an
//! open `<li>`), and no `<a>` inside `<a>` (the parser closes the outer one).

use html5ever::tendril::StrTendril;
use html5ever::{local_name, ns, Attribute, LocalName, QualName};

use super::tree::{Node, NodeData};

/// How the tree builder treats an element's tags, as far as this parser cares.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Inserted and popped at once; an end tag would be an error.
    Void,
    /// `<li>`: only right inside a list.
    ListItem,
    /// `<a>`: not inside another.
    Link,
    Other,
}

fn element(name: &str) -> Option<(LocalName, Kind)> {
    use Kind::*;
    Some(match name {
        "b" => (local_name!("b"), Other),
        "i" => (local_name!("i"), Other),
        "u" => (local_name!("u"), Other),
        "s" => (local_name!("s"), Other),
        "em" => (local_name!("em"), Other),
        "strong" => (local_name!("strong"), Other),
        "strike" => (local_name!("strike"), Other),
        "small" => (local_name!("small"), Other),
        "big" => (local_name!("big"), Other),
        "tt" => (local_name!("tt"), Other),
        "code" => (local_name!("code"), Other),
        "font" => (local_name!("font"), Other),
        "span" => (local_name!("span"), Other),
        "sub" => (local_name!("sub"), Other),
        "sup" => (local_name!("sup"), Other),
        "div" => (local_name!("div"), Other),
        "blockquote" => (local_name!("blockquote"), Other),
        "ul" => (local_name!("ul"), Other),
        "ol" => (local_name!("ol"), Other),
        "li" => (local_name!("li"), ListItem),
        "a" => (local_name!("a"), Link),
        "br" => (local_name!("br"), Void),
        "img" => (local_name!("img"), Void),
        "hr" => (local_name!("hr"), Void),
        _ => return None,
    })
}

/// An element whose end tag has not come yet.
struct Open {
    name: LocalName,
    attrs: Vec<Attribute>,
    children: Vec<Node>,
}

/// The tree html5ever would build for `html` (parsed as the content of a `<div>`), or `None` if
/// the input is outside what this parser takes.
pub(super) fn parse(html: &str) -> Option<Vec<Node>> {
    if html.bytes().any(|b| b == b'\0' || b == b'\r') || html.starts_with('\u{feff}') {
        return None;
    }
    let bytes = html.as_bytes();
    let mut top: Vec<Node> = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => {
                let children = open.last_mut().map_or(&mut top, |o| &mut o.children);
                flush_text(&mut text, children);
                i = tag(html, i, &mut open, &mut top)?;
            }
            b'&' => i = reference(html, i, &mut text)?,
            _ => {
                let end = bytes[i..]
                    .iter()
                    .position(|&b| b == b'<' || b == b'&')
                    .map_or(bytes.len(), |n| i + n);
                text.push_str(&html[i..end]);
                i = end;
            }
        }
    }
    let children = open.last_mut().map_or(&mut top, |o| &mut o.children);
    flush_text(&mut text, children);
    while let Some(element) = open.pop() {
        let node = element.into_node();
        open.last_mut()
            .map_or(&mut top, |o| &mut o.children)
            .push(node);
    }
    Some(top)
}

impl Open {
    fn into_node(self) -> Node {
        Node {
            data: NodeData::Element {
                name: QualName::new(None, ns!(html), self.name),
                attrs: self.attrs,
            },
            children: self.children,
        }
    }
}

fn flush_text(text: &mut String, children: &mut Vec<Node>) {
    if !text.is_empty() {
        children.push(Node {
            data: NodeData::Text(StrTendril::from_slice(text)),
            children: Vec::new(),
        });
        text.clear();
    }
}

/// Reads the tag at `at` (a `<`) into the tree; returns where it ends.
fn tag(html: &str, at: usize, open: &mut Vec<Open>, top: &mut Vec<Node>) -> Option<usize> {
    let bytes = html.as_bytes();
    if bytes.get(at + 1) == Some(&b'/') {
        let name_len = name_len(&bytes[at + 2..]);
        let end = at + 2 + name_len;
        if name_len == 0 || bytes.get(end) != Some(&b'>') {
            return None;
        }
        let (name, kind) = element(&html[at + 2..end])?;
        let current = open.pop()?;
        if kind == Kind::Void || current.name != name {
            return None;
        }
        let node = current.into_node();
        open.last_mut().map_or(top, |o| &mut o.children).push(node);
        return Some(end + 1);
    }
    let name_len = name_len(&bytes[at + 1..]);
    let mut i = at + 1 + name_len;
    let (name, kind) = element(&html[at + 1..i])?;
    let mut attrs: Vec<Attribute> = Vec::new();
    loop {
        match bytes.get(i)? {
            b'>' => break,
            b' ' => {
                let (attr, end) = attribute(html, i + 1)?;
                if attrs.iter().any(|a| a.name.local == attr.name.local) {
                    return None;
                }
                attrs.push(attr);
                i = end;
            }
            _ => return None,
        }
    }
    let current = open.last().map(|o| &o.name);
    match kind {
        Kind::ListItem
            if !current.is_some_and(|n| *n == local_name!("ul") || *n == local_name!("ol")) =>
        {
            return None
        }
        Kind::Link if open.iter().any(|o| o.name == local_name!("a")) => return None,
        _ => {}
    }
    let element = Open {
        name,
        attrs,
        children: Vec::new(),
    };
    if kind == Kind::Void {
        let node = element.into_node();
        open.last_mut().map_or(top, |o| &mut o.children).push(node);
    } else {
        open.push(element);
    }
    Some(i + 1)
}

/// The length of a lowercase tag name (`[a-z][a-z0-9]*`) at the start of `b`; 0 if none.
fn name_len(b: &[u8]) -> usize {
    if !b.first().is_some_and(u8::is_ascii_lowercase) {
        return 0;
    }
    b.iter()
        .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        .count()
}

/// `name="value"` at `at`; the attribute and where it ends.
fn attribute(html: &str, at: usize) -> Option<(Attribute, usize)> {
    let bytes = html.as_bytes();
    if !bytes.get(at)?.is_ascii_lowercase() {
        return None;
    }
    let name_len = bytes[at..]
        .iter()
        .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || **c == b'-')
        .count();
    let name_end = at + name_len;
    if bytes.get(name_end..name_end + 2) != Some(b"=\"") {
        return None;
    }
    let mut value = String::new();
    let mut i = name_end + 2;
    loop {
        match bytes.get(i)? {
            b'"' => break,
            b'&' => i = reference(html, i, &mut value)?,
            _ => {
                let end = i + bytes[i..].iter().position(|&b| b == b'"' || b == b'&')?;
                value.push_str(&html[i..end]);
                i = end;
            }
        }
    }
    let attribute = Attribute {
        name: QualName::new(None, ns!(), LocalName::from(&html[at..name_end])),
        value: StrTendril::from_slice(&value),
    };
    Some((attribute, i + 1))
}

/// Decodes the reference at `at` (a `&`) into `out`; returns where it ends.
fn reference(html: &str, at: usize, out: &mut String) -> Option<usize> {
    let rest = &html.as_bytes()[at + 1..];
    // A `&` before anything but a letter, digit or `#` is no reference: it stays as it is.
    if !rest
        .first()
        .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'#')
    {
        out.push('&');
        return Some(at + 1);
    }
    for (name, decoded) in [
        ("amp;", '&'),
        ("lt;", '<'),
        ("gt;", '>'),
        ("quot;", '"'),
        ("nbsp;", '\u{a0}'),
    ] {
        if rest.starts_with(name.as_bytes()) {
            out.push(decoded);
            return Some(at + 1 + name.len());
        }
    }
    None
}
