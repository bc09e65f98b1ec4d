//! A field's value on each side: the file holds Markdown for `markdown_fields` and Anki holds
//! HTML. These functions convert between the two and decide when two values say the same.

use crate::markdown::{html_to_markdown, markdown_to_html, same_dom};

/// How one field is stored in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldFormat {
    Html,
    Markdown,
}

impl FieldFormat {
    pub fn for_field(markdown: bool) -> FieldFormat {
        if markdown {
            FieldFormat::Markdown
        } else {
            FieldFormat::Html
        }
    }

    /// The file's value as Anki should hold it.
    pub fn to_anki(self, file_value: &str) -> String {
        match self {
            FieldFormat::Html => file_value.to_owned(),
            FieldFormat::Markdown => markdown_to_html(file_value),
        }
    }

    /// Anki's value as the file should hold it.
    pub fn to_file(self, anki_value: &str) -> String {
        match self {
            FieldFormat::Html => anki_value.to_owned(),
            FieldFormat::Markdown => html_to_markdown(anki_value),
        }
    }

    /// Whether the file's value and Anki's value say the same thing. For Markdown, bytes may
    /// differ while the meaning does not (Anki's editor and the converter write different but
    /// equivalent HTML), so an untouched note is never reported as changed.
    pub fn equivalent(self, file_value: &str, anki_value: &str) -> bool {
        match self {
            FieldFormat::Html => file_value == anki_value,
            FieldFormat::Markdown => {
                html_to_markdown(anki_value) == file_value
                    || same_dom(&markdown_to_html(file_value), anki_value)
            }
        }
    }
}
