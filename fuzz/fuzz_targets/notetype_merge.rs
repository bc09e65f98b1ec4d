//! Note-type merging on any note types, duplicates and missing IDs included: no panic, and
//! what `notetype/proptests.rs` states of every input holds (nothing of the target dropped,
//! every map as long as the result, ords inside the existing note type, unique names).
#![no_main]

use std::collections::HashSet;

use ankitoml_core::notetype::{
    fold_versions, merge_into, merge_on_import, parts_match, Keep, Kind, MergeError, NoteTypeShape,
    Part,
};
use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok((existing, siblings, incoming, keep)) = inputs(&mut u) else {
        return;
    };

    let mut merged = existing.clone();
    merge_into(&mut merged, &incoming);
    assert!(contains_all(&merged.fields, &existing.fields));
    assert!(contains_all(&merged.templates, &existing.templates));
    for part in &incoming.fields {
        assert!(merged.fields.iter().any(|p| parts_match(p, part)));
    }
    if existing.kind == Kind::Cloze {
        assert_eq!(merged.templates, existing.templates);
    } else {
        for part in &incoming.templates {
            assert!(merged.templates.iter().any(|p| parts_match(p, part)));
        }
    }

    match merge_on_import(&existing, &siblings, &incoming, keep) {
        Err(MergeError::KindMismatch { .. }) => assert_ne!(existing.kind, incoming.kind),
        Ok(outcome) => {
            let fields = outcome.notetype.fields.len();
            let templates = outcome.notetype.templates.len();
            for parts in [&outcome.fields, &outcome.templates] {
                let len = parts.source.len();
                assert_eq!(parts.from_existing.len(), len);
                assert_eq!(parts.from_incoming.len(), len);
                // Anki moves contents: no old part lands in two places.
                for map in [&parts.from_existing, &parts.from_incoming] {
                    let mut seen = HashSet::new();
                    assert!(map.iter().flatten().all(|old| seen.insert(*old)), "{map:?}");
                }
            }
            assert_eq!(outcome.fields.source.len(), fields);
            assert_eq!(outcome.templates.source.len(), templates);
            assert_eq!(outcome.fields.existing_to_new.len(), existing.fields.len());
            assert_eq!(outcome.fields.incoming_to_new.len(), incoming.fields.len());
            assert_eq!(outcome.siblings.len(), siblings.len());
            for remap in &outcome.siblings {
                assert_eq!(remap.fields.len(), fields);
                assert_eq!(remap.templates.len(), templates);
            }
            for ord in outcome.fields.from_existing.iter().flatten() {
                assert!(*ord < existing.fields.len());
            }
            for ord in outcome.templates.from_existing.iter().flatten() {
                assert!(*ord < existing.templates.len());
            }
            let lower: HashSet<String> = outcome
                .notetype
                .fields
                .iter()
                .map(|p| p.name.to_lowercase())
                .collect();
            assert_eq!(lower.len(), fields, "names are unique after a merge");
            // The ords stored are the contents each part keeps.
            for (part, ord) in outcome
                .notetype
                .fields
                .iter()
                .zip(&outcome.fields.from_existing)
            {
                assert_eq!(part.ord.map(|o| o as usize), *ord);
            }
        }
    }

    match fold_versions(&existing, &siblings) {
        Err(MergeError::KindMismatch { .. }) => {
            assert!(siblings.iter().any(|s| s.kind != existing.kind))
        }
        Ok(outcome) => {
            assert!(outcome.notetype.fields.len() >= existing.fields.len());
            assert_eq!(outcome.field_sources.len(), outcome.notetype.fields.len());
            assert_eq!(
                outcome.template_sources.len(),
                outcome.notetype.templates.len()
            );
            assert_eq!(outcome.siblings.len(), siblings.len());
        }
    }
});

type Inputs = (NoteTypeShape, Vec<NoteTypeShape>, NoteTypeShape, Keep);

fn inputs(u: &mut Unstructured) -> Result<Inputs> {
    let existing = shape(u)?;
    let mut siblings = Vec::new();
    for _ in 0..u.int_in_range(0..=3)? {
        siblings.push(shape(u)?);
    }
    let incoming = shape(u)?;
    let keep = if u.arbitrary()? {
        Keep::Incoming
    } else {
        Keep::Existing
    };
    Ok((existing, siblings, incoming, keep))
}

/// Names from a small pool (with case variants and `+`, which unique names append) so that
/// matches and duplicates are common; sometimes any string.
const NAMES: &[&str] = &[
    "A", "B", "C", "D", "a", "b", "A+", "B+", "Ä", "ä", "ß", "SS", "İ", "",
];

fn part(u: &mut Unstructured) -> Result<Part> {
    let name = if u.ratio(7, 8)? {
        u.choose(NAMES)?.to_string()
    } else {
        u.arbitrary::<String>()?
    };
    let id = match u.int_in_range(0..=4)? {
        0 => None,
        1 => Some(u.arbitrary()?),
        _ => Some(u.int_in_range(-2..=5)?),
    };
    let mut part = Part::new(name, id);
    // Ords on input are ignored, whatever they are.
    if u.ratio(1, 4)? {
        part.ord = Some(u.arbitrary()?);
    }
    Ok(part)
}

fn parts(u: &mut Unstructured, max: usize) -> Result<Vec<Part>> {
    (0..u.int_in_range(0..=max)?).map(|_| part(u)).collect()
}

fn shape(u: &mut Unstructured) -> Result<NoteTypeShape> {
    Ok(NoteTypeShape {
        name: "NT".into(),
        kind: if u.ratio(1, 5)? {
            Kind::Cloze
        } else {
            Kind::Standard
        },
        fields: parts(u, 12)?,
        templates: parts(u, 8)?,
    })
}

fn contains_all(haystack: &[Part], needles: &[Part]) -> bool {
    let mut left: Vec<&Part> = haystack.iter().collect();
    needles.iter().all(|needle| {
        let found = left
            .iter()
            .position(|part| part.name == needle.name && part.id == needle.id);
        found.map(|at| left.remove(at)).is_some()
    })
}
