//! What CommonMark reads as raw HTML: the starts of HTML blocks and the shape of a tag.
//!
//! The HTML -> Markdown side asks these questions about what it is about to write, so that
//! raw HTML it keeps in the Markdown is read back as raw HTML, and only where intended.

/// Which kind of HTML block (1 to 7, as numbered in the CommonMark spec) a line starts, if any.
/// Kind 7 can only start a block where no paragraph is open.
pub(super) fn html_block_kind(line: &str) -> Option<u8> {
    if !line.starts_with('<') {
        return None;
    }
    let lower = line.to_ascii_lowercase();
    for name in ["pre", "script", "style", "textarea"] {
        if let Some(rest) = lower.strip_prefix('<').and_then(|l| l.strip_prefix(name)) {
            if rest.is_empty() || rest.starts_with([' ', '\t', '>']) {
                return Some(1);
            }
        }
    }
    if lower.starts_with("<!--") {
        return Some(2);
    }
    if lower.starts_with("<?") {
        return Some(3);
    }
    if lower.starts_with("<![cdata[") {
        return Some(5);
    }
    if lower.starts_with("<!") && lower.as_bytes().get(2).is_some_and(u8::is_ascii_alphabetic) {
        return Some(4);
    }
    let name_start = if lower.starts_with("</") { 2 } else { 1 };
    let name: String = lower[name_start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let after = &lower[name_start + name.len()..];
    if is_block_name(&name)
        && (after.is_empty() || after.starts_with([' ', '\t', '>']) || after.starts_with("/>"))
    {
        return Some(6);
    }
    let tag_len = if name_start == 2 {
        closing_tag_len(line)
    } else {
        open_tag_len(line)
    };
    match tag_len {
        Some(len) if line[len..].trim_matches([' ', '\t']).is_empty() => Some(7),
        _ => None,
    }
}

/// The tag names of HTML blocks of kind 6.
pub(super) fn is_block_name(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "base"
            | "basefont"
            | "blockquote"
            | "body"
            | "caption"
            | "center"
            | "col"
            | "colgroup"
            | "dd"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "frame"
            | "frameset"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "head"
            | "header"
            | "hr"
            | "html"
            | "iframe"
            | "legend"
            | "li"
            | "link"
            | "main"
            | "menu"
            | "menuitem"
            | "nav"
            | "noframes"
            | "ol"
            | "optgroup"
            | "option"
            | "p"
            | "param"
            | "search"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "title"
            | "tr"
            | "track"
            | "ul"
    )
}

/// Whether a line starting with this tag would begin an HTML block inside a paragraph (kinds 1
/// to 6), ending the paragraph's line structure there.
pub(super) fn interrupts_paragraph(tag: &str) -> bool {
    matches!(tag, "pre" | "script" | "style" | "textarea") || is_block_name(tag)
}

/// The length of a CommonMark open tag at the start of `s`.
pub(super) fn open_tag_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.first() != Some(&b'<') {
        return None;
    }
    let mut i = 1 + tag_name_len(&b[1..])?;
    loop {
        let ws = b[i..]
            .iter()
            .take_while(|c| matches!(c, b' ' | b'\t' | b'\n'))
            .count();
        let at = i + ws;
        match b.get(at) {
            Some(b'>') => return Some(at + 1),
            Some(b'/') if b.get(at + 1) == Some(&b'>') => return Some(at + 2),
            _ => {}
        }
        if ws == 0 {
            return None;
        }
        i = at + attribute_len(&b[at..])?;
    }
}

fn closing_tag_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if !s.starts_with("</") {
        return None;
    }
    let i = 2 + tag_name_len(&b[2..])?;
    let ws = b[i..]
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t' | b'\n'))
        .count();
    (b.get(i + ws) == Some(&b'>')).then_some(i + ws + 1)
}

fn tag_name_len(b: &[u8]) -> Option<usize> {
    if !b.first()?.is_ascii_alphabetic() {
        return None;
    }
    Some(
        b.iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
            .count(),
    )
}

fn attribute_len(b: &[u8]) -> Option<usize> {
    let name = attribute_name_len(b)?;
    let mut i = name;
    let ws = b[i..]
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t' | b'\n'))
        .count();
    if b.get(i + ws) != Some(&b'=') {
        return Some(name);
    }
    i += ws + 1;
    i += b[i..]
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t' | b'\n'))
        .count();
    match b.get(i)? {
        quote @ (b'"' | b'\'') => {
            let end = b[i + 1..].iter().position(|c| c == quote)?;
            Some(i + 1 + end + 1)
        }
        _ => {
            let len = b[i..]
                .iter()
                .take_while(|c| {
                    !matches!(
                        c,
                        b' ' | b'\t' | b'\n' | b'"' | b'\'' | b'=' | b'<' | b'>' | b'`'
                    )
                })
                .count();
            (len > 0).then_some(i + len)
        }
    }
}

/// The length of a CommonMark attribute name at the start of `b`.
fn attribute_name_len(b: &[u8]) -> Option<usize> {
    let first = *b.first()?;
    if !(first.is_ascii_alphabetic() || first == b'_' || first == b':') {
        return None;
    }
    Some(
        b.iter()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b':' | b'-'))
            .count(),
    )
}
