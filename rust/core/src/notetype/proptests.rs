//! Property tests for merge and ID assignment. Names and IDs come from small pools so that
//! matches, duplicates and malformed note types are common.

use std::collections::HashSet;

use proptest::prelude::*;

use super::*;

fn any_part() -> impl Strategy<Value = Part> {
    (
        prop::sample::select(vec!["A", "B", "C", "D", "E", "a"]),
        prop::option::of(-3i64..6),
    )
        .prop_map(|(name, id)| Part::new(name, id))
}

fn any_kind() -> impl Strategy<Value = Kind> {
    prop_oneof![4 => Just(Kind::Standard), 1 => Just(Kind::Cloze)]
}

/// Anything, including duplicates and missing IDs.
fn any_shape() -> impl Strategy<Value = NoteTypeShape> {
    (
        any_kind(),
        prop::collection::vec(any_part(), 0..7),
        prop::collection::vec(any_part(), 0..5),
    )
        .prop_map(|(kind, fields, templates)| NoteTypeShape {
            name: "NT".into(),
            kind,
            fields,
            templates,
        })
}

/// As Anki keeps them: every part has an ID, unique within its list, and a unique name.
fn well_formed_parts(max: usize) -> impl Strategy<Value = Vec<Part>> {
    prop::collection::vec((0usize..8, 0i64..8), 1..max).prop_map(|picks| {
        let mut names = HashSet::new();
        let mut ids = HashSet::new();
        picks
            .into_iter()
            .filter(|(name, id)| names.insert(*name) & ids.insert(*id))
            .map(|(name, id)| Part::new(format!("P{name}"), Some(id)))
            .collect()
    })
}

fn well_formed_shape(kind: Kind) -> impl Strategy<Value = NoteTypeShape> {
    (well_formed_parts(7), well_formed_parts(5)).prop_map(move |(fields, templates)| {
        NoteTypeShape {
            name: "NT".into(),
            kind,
            fields,
            templates,
        }
    })
}

fn keep() -> impl Strategy<Value = Keep> {
    prop_oneof![Just(Keep::Incoming), Just(Keep::Existing)]
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

proptest! {
    #[test]
    fn merge_into_never_panics_and_never_drops_target_parts(
        target in any_shape(),
        other in any_shape(),
    ) {
        let mut merged = target.clone();
        merge_into(&mut merged, &other);
        prop_assert!(contains_all(&merged.fields, &target.fields));
        prop_assert!(contains_all(&merged.templates, &target.templates));
        for part in &other.fields {
            prop_assert!(merged.fields.iter().any(|p| parts_match(p, part)));
        }
        if target.is_cloze() {
            prop_assert_eq!(&merged.templates, &target.templates);
        } else {
            for part in &other.templates {
                prop_assert!(merged.templates.iter().any(|p| parts_match(p, part)));
            }
        }
    }

    #[test]
    fn merge_on_import_never_panics(
        existing in any_shape(),
        siblings in prop::collection::vec(any_shape(), 0..3),
        incoming in any_shape(),
        keep in keep(),
    ) {
        match merge_on_import(&existing, &siblings, &incoming, keep) {
            Err(MergeError::KindMismatch { .. }) => prop_assert_ne!(existing.kind, incoming.kind),
            Ok(outcome) => {
                let fields = outcome.notetype.fields.len();
                let templates = outcome.notetype.templates.len();
                prop_assert_eq!(outcome.fields.from_existing.len(), fields);
                prop_assert_eq!(outcome.fields.from_incoming.len(), fields);
                prop_assert_eq!(outcome.templates.source.len(), templates);
                prop_assert_eq!(outcome.siblings.len(), siblings.len());
                for remap in &outcome.siblings {
                    prop_assert_eq!(remap.fields.len(), fields);
                    prop_assert_eq!(remap.templates.len(), templates);
                }
                for ord in outcome.fields.from_existing.iter().flatten() {
                    prop_assert!(*ord < existing.fields.len());
                }
                let lower: HashSet<String> =
                    outcome.notetype.fields.iter().map(|p| p.name.to_lowercase()).collect();
                prop_assert_eq!(lower.len(), fields, "names are unique after a merge");
            }
        }
        let _ = fold_versions(&existing, &siblings);
    }

    #[test]
    fn merge_into_aligns_well_formed_targets_to_the_other_order(
        target in well_formed_shape(Kind::Standard),
        other in well_formed_shape(Kind::Standard),
    ) {
        let mut merged = target.clone();
        merge_into(&mut merged, &other);
        for (index, part) in other.fields.iter().enumerate() {
            prop_assert!(parts_match(&merged.fields[index], part));
        }
        for (index, part) in other.templates.iter().enumerate() {
            prop_assert!(parts_match(&merged.templates[index], part));
        }
    }

    #[test]
    fn importing_well_formed_note_types_keeps_every_existing_part_in_order(
        existing in well_formed_shape(Kind::Standard),
        incoming in well_formed_shape(Kind::Standard),
        keep in keep(),
    ) {
        let outcome = merge_on_import(&existing, &[], &incoming, keep).unwrap();
        for (merged, old, new) in [
            (&outcome.fields, &existing.fields, &incoming.fields),
            (&outcome.templates, &existing.templates, &incoming.templates),
        ] {
            let unmatched = new
                .iter()
                .filter(|part| !old.iter().any(|o| parts_match(o, part)))
                .count();
            prop_assert_eq!(merged.source.len(), old.len() + unmatched);
            // every existing part survives, in its old order, in front
            let expected: Vec<Option<usize>> = (0..old.len()).map(Some).collect();
            prop_assert_eq!(&merged.from_existing[..old.len()], &expected[..]);
            prop_assert_eq!(&merged.existing_to_new, &expected);
            // every incoming part arrives, once
            let placed: HashSet<usize> = merged.incoming_to_new.iter().flatten().copied().collect();
            prop_assert_eq!(placed.len(), new.len());
        }
        let ids: Vec<_> = outcome.notetype.fields.iter().map(|p| p.id).collect();
        let unique: HashSet<_> = ids.iter().collect();
        prop_assert_eq!(unique.len(), ids.len());
        prop_assert_eq!(
            outcome.schema_change,
            outcome.notetype.fields.len() != existing.fields.len()
                || outcome.notetype.templates.len() != existing.templates.len()
        );
    }

    #[test]
    fn assigned_ids_are_unique_and_never_zero(shape in any_shape()) {
        let done = assign_ids(&shape);
        let before: Vec<Option<i64>> =
            shape.fields.iter().chain(&shape.templates).map(|p| p.id).collect();
        let after: Vec<Option<i64>> =
            done.notetype.fields.iter().chain(&done.notetype.templates).map(|p| p.id).collect();
        prop_assert!(after.iter().all(Option::is_some));
        for (old, new) in before.iter().zip(&after) {
            if old.is_some() {
                prop_assert_eq!(old, new, "existing IDs are kept");
            }
        }
        let old_ids: HashSet<i64> = before.iter().flatten().copied().collect();
        let mut fresh = HashSet::new();
        for (old, new) in before.iter().zip(&after) {
            if old.is_none() {
                let id = new.unwrap();
                prop_assert_ne!(id, 0);
                prop_assert!(!old_ids.contains(&id));
                prop_assert!(fresh.insert(id), "no ID handed out twice");
            }
        }
        prop_assert_eq!(
            done.fields_added + done.templates_added,
            before.iter().filter(|id| id.is_none()).count()
        );
    }
}
