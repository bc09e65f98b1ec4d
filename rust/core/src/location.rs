//! Byte offsets to `line:column`, the way editors count (both from 1, columns in characters).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The place of byte `offset` in `text`, for a single message. To place many offsets in one
    /// text, build a [`LineIndex`] once.
    pub fn of_offset(text: &str, offset: usize) -> Location {
        LineIndex::new(text).location(offset)
    }
}

/// Where each line of a text starts, so that placing an offset costs a binary search and the
/// length of its line, not a scan from the start (a 30,000-note file places every note).
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The place of byte `offset`. Offsets past the end point just after the last character,
    /// so an error "at end of file" still gets a sensible place.
    pub fn location(&self, offset: usize) -> Location {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        // `starts[0]` is 0, so at least one start is at or before any offset.
        let line = self.starts.partition_point(|&start| start <= offset);
        let line_start = self.starts[line - 1];
        let column = self.text[line_start..offset].chars().count() + 1;
        Location { line, column }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_and_characters_from_one() {
        let text = "ab\ncdé\nf";
        assert_eq!(
            Location::of_offset(text, 0),
            Location { line: 1, column: 1 }
        );
        assert_eq!(
            Location::of_offset(text, 3),
            Location { line: 2, column: 1 }
        );
        // 'é' is two bytes: the 'f' line starts after it.
        assert_eq!(
            Location::of_offset(text, 8),
            Location { line: 3, column: 1 }
        );
        assert_eq!(
            Location::of_offset(text, 7),
            Location { line: 2, column: 4 }
        );
        assert_eq!(
            Location::of_offset(text, 99),
            Location { line: 3, column: 2 }
        );
    }

    proptest::proptest! {
        /// One index placing every offset agrees with counting from the start each time.
        #[test]
        fn line_index_agrees_with_counting(text in "[a\\né日\r]{0,40}", offsets in proptest::collection::vec(0usize..60, 1..8)) {
            let index = LineIndex::new(&text);
            for offset in offsets {
                let mut at = offset.min(text.len());
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let before = &text[..at];
                let line = before.matches('\n').count() + 1;
                let column = before[before.rfind('\n').map_or(0, |i| i + 1)..].chars().count() + 1;
                proptest::prop_assert_eq!(index.location(offset), Location { line, column });
            }
        }
    }
}
