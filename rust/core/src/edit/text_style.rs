//! What toml_edit does not keep of a deck file's text: its line endings (it writes every line
//! break outside a string as `\n`), its final newline (it ends the text with one) and a byte
//! order mark (dropped). A file saved with Windows line endings would otherwise change on every
//! line at its first edit.

/// How a text is laid out around its TOML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TextStyle {
    crlf: bool,
    final_newline: bool,
    bom: bool,
}

const BOM: char = '\u{feff}';

impl TextStyle {
    /// The style of `text`: its first line break says CRLF or LF.
    pub(super) fn of(text: &str) -> TextStyle {
        TextStyle {
            crlf: text.find('\n').is_some_and(|at| text[..at].ends_with('\r')),
            final_newline: text.is_empty() || text.ends_with('\n'),
            bom: text.starts_with(BOM),
        }
    }

    /// `rendered` (toml_edit's output) in this style. Line breaks inside strings are content
    /// (a `\r\n` there reads back as `\r\n`), so only those between values change.
    pub(super) fn apply(self, rendered: String) -> String {
        let mut out = if self.crlf {
            with_crlf(&rendered)
        } else {
            rendered
        };
        if !self.final_newline {
            let end = if out.ends_with("\r\n") { 2 } else { 1 };
            if out.ends_with('\n') {
                out.truncate(out.len() - end);
            }
        }
        if self.bom && !out.starts_with(BOM) {
            out.insert(0, BOM);
        }
        out
    }
}

#[derive(Clone, Copy, PartialEq)]
enum In {
    Between,
    Comment,
    Basic,
    Literal,
    MultiLineBasic,
    MultiLineLiteral,
}

/// Valid TOML with each `\n` outside strings written as `\r\n`.
fn with_crlf(toml: &str) -> String {
    let bytes = toml.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 16);
    let mut state = In::Between;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let triple = |quote: u8| bytes[i..].starts_with(&[quote; 3]);
        match (state, b) {
            (In::Between | In::Comment, b'\n') => {
                if out.last() != Some(&b'\r') {
                    out.push(b'\r');
                }
                state = In::Between;
            }
            (In::Between, b'#') => state = In::Comment,
            (In::Between, b'"' | b'\'') if triple(b) => {
                out.extend_from_slice(&bytes[i..i + 3]);
                i += 3;
                state = if b == b'"' {
                    In::MultiLineBasic
                } else {
                    In::MultiLineLiteral
                };
                continue;
            }
            (In::Between, b'"') => state = In::Basic,
            (In::Between, b'\'') => state = In::Literal,
            (In::Basic | In::MultiLineBasic, b'\\') => {
                // The escaped character is copied with its backslash.
                out.push(b);
                i += 1;
                if let Some(&next) = bytes.get(i) {
                    out.push(next);
                    i += 1;
                }
                continue;
            }
            (In::Basic, b'"') | (In::Literal, b'\'') => state = In::Between,
            (In::MultiLineBasic, b'"') | (In::MultiLineLiteral, b'\'') if triple(b) => {
                // Up to two quotes of the value can come right before the closing three.
                let run = bytes[i..].iter().take_while(|&&c| c == b).count().min(5);
                out.extend_from_slice(&bytes[i..i + run]);
                i += run;
                state = In::Between;
                continue;
            }
            _ => {}
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8(out).expect("only ASCII bytes were added, at ASCII places")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_breaks_between_values_become_crlf() {
        let style = TextStyle::of("a = 1\r\n");
        let rendered = "a = 1 # c \"\n\
                        b = \"\"\"x\ny\"\"\"\"\"\n\
                        c = '''p\nq'''\n\
                        d = \"\\\"#\"\n\
                        e = 'a\"#'\n";
        assert_eq!(
            style.apply(rendered.to_owned()),
            "a = 1 # c \"\r\n\
             b = \"\"\"x\ny\"\"\"\"\"\r\n\
             c = '''p\nq'''\r\n\
             d = \"\\\"#\"\r\n\
             e = 'a\"#'\r\n"
        );
    }

    #[test]
    fn a_missing_final_newline_stays_missing() {
        assert_eq!(TextStyle::of("a = 1").apply("a = 1\n".into()), "a = 1");
        assert_eq!(
            TextStyle::of("a = 1\r\nb = 2").apply("a = 1\nb = 2\n".into()),
            "a = 1\r\nb = 2"
        );
        assert_eq!(TextStyle::of("").apply("a = 1\n".into()), "a = 1\n");
    }

    #[test]
    fn a_byte_order_mark_stays() {
        let style = TextStyle::of("\u{feff}a = 1\n");
        assert_eq!(style.apply("a = 1\n".into()), "\u{feff}a = 1\n");
    }
}
