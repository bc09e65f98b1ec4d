//! The part of a note type that IDs and merging care about, as plain data.
//!
//! The Python side hands over `col.models.get(id)` dicts as they are: `flds`, `tmpls` and `type`
//! are accepted as aliases of `fields`, `templates` and `kind`, a field or template dict's
//! `name`, `ord` and `id` are read, and every other key (css, qfmt, font, ...) is ignored.

use serde::{Deserialize, Deserializer, Serialize};

/// Standard or cloze. Anki merges the templates of standard note types only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Standard,
    Cloze,
}

impl Kind {
    /// The name Anki's and the deck file's JSON use.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Standard => "standard",
            Kind::Cloze => "cloze",
        }
    }
}

impl<'de> Deserialize<'de> for Kind {
    /// Accepts `"standard"` / `"cloze"` and Anki's legacy `type` numbers 0 / 1.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(i64),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Number(0) => Ok(Kind::Standard),
            Raw::Number(1) => Ok(Kind::Cloze),
            Raw::Text(text) if text == "standard" => Ok(Kind::Standard),
            Raw::Text(text) if text == "cloze" => Ok(Kind::Cloze),
            Raw::Number(n) => Err(serde::de::Error::custom(format!(
                "note type kind must be 0 (standard) or 1 (cloze), not {n}"
            ))),
            Raw::Text(text) => Err(serde::de::Error::custom(format!(
                "note type kind must be \"standard\" or \"cloze\", not \"{text}\""
            ))),
        }
    }
}

/// A field or a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub name: String,
    /// The stable ID; `None` for parts made before Anki 23.10 that nobody gave one.
    #[serde(default)]
    pub id: Option<i64>,
    /// Anki's ordinal: on input the part's position in the stored note type; in a merge result
    /// the position in the *existing* note type whose note contents (for a field) or cards (for a
    /// template) this part keeps, `None` for a part new to it. This is what Anki's
    /// `update_dict` reads to move note fields and cards along.
    #[serde(default)]
    pub ord: Option<u32>,
}

impl Part {
    pub fn new(name: impl Into<String>, id: Option<i64>) -> Part {
        Part {
            name: name.into(),
            id,
            ord: None,
        }
    }
}

/// A note type's name, kind, fields and templates, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteTypeShape {
    pub name: String,
    #[serde(default, alias = "type")]
    pub kind: Kind,
    #[serde(alias = "flds")]
    pub fields: Vec<Part>,
    #[serde(alias = "tmpls")]
    pub templates: Vec<Part>,
}

impl NoteTypeShape {
    pub fn is_cloze(&self) -> bool {
        self.kind == Kind::Cloze
    }

    /// The same note type as Anki stores it: each part's ord is its position.
    pub(crate) fn with_positional_ords(&self) -> NoteTypeShape {
        let number = |parts: &[Part]| {
            parts
                .iter()
                .enumerate()
                .map(|(index, part)| Part {
                    ord: u32::try_from(index).ok(),
                    ..part.clone()
                })
                .collect()
        };
        NoteTypeShape {
            name: self.name.clone(),
            kind: self.kind,
            fields: number(&self.fields),
            templates: number(&self.templates),
        }
    }
}
