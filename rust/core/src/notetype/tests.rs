//! Unit tests. The expected merge results are the ones the real importer produced for the same
//! note types (see `tests/test_merge_differential.py`, which checks them against Anki itself).

use std::convert::Infallible;

use rand::{SeedableRng, TryRng};

use super::*;

fn parts(spec: &[(&str, Option<i64>)]) -> Vec<Part> {
    spec.iter()
        .map(|(name, id)| Part::new(*name, *id))
        .collect()
}

fn shape(fields: &[(&str, Option<i64>)], templates: &[(&str, Option<i64>)]) -> NoteTypeShape {
    NoteTypeShape {
        name: "NT".into(),
        kind: Kind::Standard,
        fields: parts(fields),
        templates: parts(templates),
    }
}

fn cloze(fields: &[(&str, Option<i64>)], templates: &[(&str, Option<i64>)]) -> NoteTypeShape {
    NoteTypeShape {
        kind: Kind::Cloze,
        ..shape(fields, templates)
    }
}

fn names_and_ids(parts: &[Part]) -> Vec<(String, Option<i64>)> {
    parts.iter().map(|p| (p.name.clone(), p.id)).collect()
}

fn expect(spec: &[(&str, Option<i64>)]) -> Vec<(String, Option<i64>)> {
    spec.iter()
        .map(|(name, id)| (name.to_string(), *id))
        .collect()
}

// ---- matching ---------------------------------------------------------------------------

#[test]
fn parts_match_by_id_when_both_have_one() {
    assert!(parts_match(
        &Part::new("A", Some(1)),
        &Part::new("B", Some(1))
    ));
    assert!(!parts_match(
        &Part::new("A", Some(1)),
        &Part::new("A", Some(2))
    ));
}

#[test]
fn parts_match_by_name_when_an_id_is_missing() {
    assert!(parts_match(&Part::new("A", None), &Part::new("A", Some(2))));
    assert!(parts_match(&Part::new("A", Some(1)), &Part::new("A", None)));
    assert!(!parts_match(&Part::new("A", None), &Part::new("a", None)));
}

// ---- one merge step (Anki's Notetype::merge) -----------------------------------------------

#[test]
fn merge_into_inserts_at_the_other_position_and_aligns_order() {
    let mut target = shape(&[("A", Some(1)), ("B", Some(2))], &[("T", Some(9))]);
    let other = shape(
        &[("B", Some(2)), ("N", Some(3)), ("A", Some(1))],
        &[("T", Some(9))],
    );
    merge_into(&mut target, &other);
    assert_eq!(
        names_and_ids(&target.fields),
        expect(&[("B", Some(2)), ("N", Some(3)), ("A", Some(1))])
    );
    assert_eq!(target.fields[1].ord, None, "inserted parts have no ord");
}

#[test]
fn merge_into_swaps_rather_than_moves() {
    // Two new parts in front of a known one: the swap puts the known one first and reverses
    // the order of the displaced new ones.
    let mut target = shape(&[("A", Some(1))], &[("T", Some(9))]);
    let other = shape(
        &[("N1", Some(5)), ("N2", Some(6)), ("A", Some(1))],
        &[("T", Some(9))],
    );
    merge_into(&mut target, &other);
    assert_eq!(
        names_and_ids(&target.fields),
        expect(&[("N1", Some(5)), ("N2", Some(6)), ("A", Some(1))])
    );
    let mut other_way = other.clone();
    merge_into(&mut other_way, &shape(&[("A", Some(1))], &[("T", Some(9))]));
    assert_eq!(
        names_and_ids(&other_way.fields),
        expect(&[("A", Some(1)), ("N2", Some(6)), ("N1", Some(5))])
    );
}

#[test]
fn merge_into_a_longer_other_with_a_duplicate_does_not_panic() {
    let mut target = shape(&[("Front", Some(1)), ("Back", Some(2))], &[("T", Some(9))]);
    let other = shape(
        &[
            ("Front", Some(1)),
            ("Back", Some(2)),
            ("Extra1", Some(3)),
            ("Extra2", Some(4)),
            ("Front", Some(1)),
        ],
        &[
            ("T", Some(9)),
            ("T2", Some(8)),
            ("T3", Some(7)),
            ("T", Some(9)),
        ],
    );
    merge_into(&mut target, &other);
    assert_eq!(
        names_and_ids(&target.fields),
        expect(&[
            ("Front", Some(1)),
            ("Back", Some(2)),
            ("Extra1", Some(3)),
            ("Extra2", Some(4)),
        ])
    );
    assert_eq!(
        names_and_ids(&target.templates),
        expect(&[("T", Some(9)), ("T2", Some(8)), ("T3", Some(7))])
    );
}

#[test]
fn merge_into_leaves_cloze_templates_alone() {
    let mut target = cloze(&[("Text", Some(1))], &[("Cloze", Some(9))]);
    merge_into(
        &mut target,
        &cloze(&[("Text", Some(1)), ("Extra", None)], &[("Other", None)]),
    );
    assert_eq!(target.fields.len(), 2);
    assert_eq!(
        names_and_ids(&target.templates),
        expect(&[("Cloze", Some(9))])
    );
}

// ---- the importer's merge ------------------------------------------------------------------

#[test]
fn seed_example_2() {
    // Alice removed F2 and added T2; Bob had added F3. Bob gets F1, F2, F3 and T1, T2.
    let bob = shape(
        &[("F1", Some(11)), ("F2", Some(22)), ("F3", Some(33))],
        &[("T1", Some(111))],
    );
    let alice = shape(&[("F1", Some(11))], &[("T1", Some(111)), ("T2", Some(222))]);
    let outcome = merge(&bob, &alice).unwrap();
    assert_eq!(
        names_and_ids(&outcome.notetype.fields),
        expect(&[("F1", Some(11)), ("F2", Some(22)), ("F3", Some(33))])
    );
    assert_eq!(
        names_and_ids(&outcome.notetype.templates),
        expect(&[("T1", Some(111)), ("T2", Some(222))])
    );
    assert_eq!(
        outcome.fields.from_existing,
        vec![Some(0), Some(1), Some(2)]
    );
    assert_eq!(outcome.fields.from_incoming, vec![Some(0), None, None]);
    assert_eq!(outcome.templates.from_existing, vec![Some(0), None]);
    assert_eq!(outcome.templates.incoming_to_new, vec![Some(0), Some(1)]);
    assert!(outcome.schema_change);
}

#[test]
fn seed_example_1_new_field_reaches_the_user() {
    let bob = shape(
        &[("Front", Some(1)), ("Back", Some(2))],
        &[("Card 1", Some(9))],
    );
    let alice = shape(
        &[("Front", Some(1)), ("Back", Some(2)), ("Notes", Some(3))],
        &[("Card 1", Some(9))],
    );
    let outcome = merge(&bob, &alice).unwrap();
    assert_eq!(
        names_and_ids(&outcome.notetype.fields),
        expect(&[("Front", Some(1)), ("Back", Some(2)), ("Notes", Some(3))])
    );
    assert_eq!(outcome.fields.existing_to_new, vec![Some(0), Some(1)]);
    assert_eq!(
        outcome.fields.incoming_to_new,
        vec![Some(0), Some(1), Some(2)]
    );
}

#[test]
fn the_importer_keeps_the_existing_order() {
    let existing = shape(
        &[("A", Some(1)), ("B", Some(2)), ("C", Some(3))],
        &[("T1", Some(11)), ("T2", Some(12))],
    );
    let incoming = shape(
        &[("C", Some(3)), ("A", Some(1)), ("B", Some(2))],
        &[("T2", Some(12)), ("T1", Some(11))],
    );
    for keep in [Keep::Incoming, Keep::Existing] {
        let outcome = merge_on_import(&existing, &[], &incoming, keep).unwrap();
        assert_eq!(
            names_and_ids(&outcome.notetype.fields),
            names_and_ids(&existing.fields)
        );
        assert_eq!(
            names_and_ids(&outcome.notetype.templates),
            names_and_ids(&existing.templates)
        );
        assert!(!outcome.schema_change);
        assert_eq!(
            outcome.fields.incoming_to_new,
            vec![Some(2), Some(0), Some(1)]
        );
    }
}

#[test]
fn rename_with_ids_arrives_only_when_incoming_is_kept() {
    let existing = shape(&[("A", Some(1)), ("B", Some(2))], &[("T1", Some(11))]);
    let incoming = shape(&[("A", Some(1)), ("Bx", Some(2))], &[("T1x", Some(11))]);
    let taken = merge_on_import(&existing, &[], &incoming, Keep::Incoming).unwrap();
    assert_eq!(
        names_and_ids(&taken.notetype.fields),
        expect(&[("A", Some(1)), ("Bx", Some(2))])
    );
    assert_eq!(
        names_and_ids(&taken.notetype.templates),
        expect(&[("T1x", Some(11))])
    );
    assert!(!taken.schema_change);
    let kept = merge_on_import(&existing, &[], &incoming, Keep::Existing).unwrap();
    assert_eq!(
        names_and_ids(&kept.notetype.fields),
        expect(&[("A", Some(1)), ("B", Some(2))])
    );
}

#[test]
fn cards_of_a_template_named_twice_move_to_the_last_place() {
    let existing = shape(&[("A", Some(1))], &[("T1", Some(11)), ("T2", Some(12))]);
    let incoming = shape(
        &[("A", Some(1))],
        &[("T1b", Some(11)), ("T1", Some(11)), ("T2", Some(12))],
    );
    let outcome = merge(&existing, &incoming).unwrap();
    assert_eq!(
        names_and_ids(&outcome.notetype.templates),
        expect(&[("T1b", Some(11)), ("T2", Some(12)), ("T1", Some(11))])
    );
    // Anki's ords are 0, 1, 1: T2's cards go to the last place naming it.
    assert_eq!(
        outcome.templates.from_existing,
        vec![Some(0), None, Some(1)]
    );
    assert_eq!(outcome.templates.existing_to_new, vec![Some(0), Some(2)]);
    assert_eq!(
        outcome.templates.from_incoming,
        vec![Some(0), Some(2), Some(1)]
    );
}

#[test]
fn rename_without_ids_duplicates_the_part() {
    let existing = shape(&[("A", None), ("B", None)], &[("T1", None)]);
    let incoming = shape(&[("A", None), ("Bx", None)], &[("T1x", None)]);
    let outcome = merge(&existing, &incoming).unwrap();
    assert_eq!(
        names_and_ids(&outcome.notetype.fields),
        expect(&[("A", None), ("B", None), ("Bx", None)])
    );
    assert_eq!(
        names_and_ids(&outcome.notetype.templates),
        expect(&[("T1", None), ("T1x", None)])
    );
}

#[test]
fn added_and_removed_parts() {
    let existing = shape(
        &[
            ("A", Some(1)),
            ("B", Some(2)),
            ("C", Some(3)),
            ("U", Some(9)),
        ],
        &[("T1", Some(11)), ("T2", Some(12))],
    );
    let incoming = shape(
        &[("A", Some(1)), ("N", Some(4)), ("C", Some(3))],
        &[("T0", Some(10)), ("T2", Some(12))],
    );
    for keep in [Keep::Incoming, Keep::Existing] {
        let outcome = merge_on_import(&existing, &[], &incoming, keep).unwrap();
        assert_eq!(
            names_and_ids(&outcome.notetype.fields),
            expect(&[
                ("A", Some(1)),
                ("B", Some(2)),
                ("C", Some(3)),
                ("U", Some(9)),
                ("N", Some(4)),
            ])
        );
        assert_eq!(
            names_and_ids(&outcome.notetype.templates),
            expect(&[("T1", Some(11)), ("T2", Some(12)), ("T0", Some(10))])
        );
        assert_eq!(
            outcome.fields.from_existing,
            vec![Some(0), Some(1), Some(2), Some(3), None]
        );
        assert_eq!(
            outcome.fields.from_incoming,
            vec![Some(0), None, Some(2), None, Some(1)]
        );
        let ords: Vec<_> = outcome.notetype.fields.iter().map(|p| p.ord).collect();
        assert_eq!(ords, vec![Some(0), Some(1), Some(2), Some(3), None]);
    }
}

#[test]
fn both_sides_added_ids_independently_so_nothing_matches() {
    let existing = shape(&[("A", Some(5)), ("B", Some(6))], &[("T1", Some(15))]);
    let incoming = shape(&[("A", Some(1)), ("B", Some(2))], &[("T1", Some(11))]);
    let outcome = merge(&existing, &incoming).unwrap();
    assert_eq!(
        names_and_ids(&outcome.notetype.fields),
        expect(&[
            ("A", Some(5)),
            ("B", Some(6)),
            ("A+", Some(1)),
            ("B+", Some(2))
        ])
    );
    assert_eq!(
        names_and_ids(&outcome.notetype.templates),
        expect(&[("T1", Some(15)), ("T1+", Some(11))])
    );
}

#[test]
fn ids_on_the_incoming_side_only() {
    let existing = shape(&[("A", None), ("B", None)], &[("T1", None)]);
    let incoming = shape(
        &[("B", Some(2)), ("A", Some(1)), ("C", Some(3))],
        &[("T1", Some(11))],
    );
    let taken = merge_on_import(&existing, &[], &incoming, Keep::Incoming).unwrap();
    assert_eq!(
        names_and_ids(&taken.notetype.fields),
        expect(&[("A", Some(1)), ("B", Some(2)), ("C", Some(3))])
    );
    let kept = merge_on_import(&existing, &[], &incoming, Keep::Existing).unwrap();
    assert_eq!(
        names_and_ids(&kept.notetype.fields),
        expect(&[("A", None), ("B", None), ("C", Some(3))])
    );
    assert_eq!(
        names_and_ids(&kept.notetype.templates),
        expect(&[("T1", None)])
    );
}

#[test]
fn cloze_merges_fields_only() {
    let existing = cloze(
        &[("Text", Some(1)), ("Extra", Some(2))],
        &[("Cloze", Some(11))],
    );
    let incoming = cloze(
        &[("Extra", Some(2)), ("Text", Some(1)), ("New", Some(3))],
        &[("Cl2", None)],
    );
    let taken = merge_on_import(&existing, &[], &incoming, Keep::Incoming).unwrap();
    assert_eq!(
        names_and_ids(&taken.notetype.fields),
        expect(&[("Text", Some(1)), ("Extra", Some(2)), ("New", Some(3))])
    );
    assert_eq!(
        names_and_ids(&taken.notetype.templates),
        expect(&[("Cl2", None)])
    );
    assert_eq!(taken.templates.from_existing, vec![Some(0)]);
    let kept = merge_on_import(&existing, &[], &incoming, Keep::Existing).unwrap();
    assert_eq!(
        names_and_ids(&kept.notetype.templates),
        expect(&[("Cloze", Some(11))])
    );
}

#[test]
fn cloze_and_standard_are_never_merged() {
    let existing = shape(&[("Text", Some(1))], &[("Card 1", Some(11))]);
    let incoming = cloze(&[("Text", Some(1))], &[("Cloze", Some(11))]);
    let err = merge(&existing, &incoming).unwrap_err();
    assert!(matches!(err, MergeError::KindMismatch { .. }));
    assert!(err.to_string().contains("cloze"), "{err}");
}

#[test]
fn a_longer_incoming_repeating_a_known_id() {
    let existing = shape(&[("A", Some(1)), ("B", Some(2))], &[("T1", Some(11))]);
    let incoming = shape(
        &[
            ("A", Some(1)),
            ("B", Some(2)),
            ("X", Some(3)),
            ("Y", Some(4)),
            ("A2", Some(1)),
        ],
        &[("T1", Some(11))],
    );
    let taken = merge_on_import(&existing, &[], &incoming, Keep::Incoming).unwrap();
    assert_eq!(
        names_and_ids(&taken.notetype.fields),
        expect(&[
            ("A", Some(1)),
            ("B", Some(2)),
            ("X", Some(3)),
            ("Y", Some(4)),
            ("A2", Some(1)),
        ])
    );
    let kept = merge_on_import(&existing, &[], &incoming, Keep::Existing).unwrap();
    assert_eq!(
        names_and_ids(&kept.notetype.fields),
        expect(&[
            ("A", Some(1)),
            ("B", Some(2)),
            ("X", Some(3)),
            ("Y", Some(4))
        ])
    );
}

#[test]
fn a_duplicate_id_in_front_of_its_original() {
    let existing = shape(&[("A", Some(1)), ("B", Some(2))], &[("T1", Some(11))]);
    let incoming = shape(
        &[("A2", Some(1)), ("A", Some(1)), ("B", Some(2))],
        &[("T1", Some(11)), ("T1b", Some(11))],
    );
    let taken = merge_on_import(&existing, &[], &incoming, Keep::Incoming).unwrap();
    assert_eq!(
        names_and_ids(&taken.notetype.fields),
        expect(&[("A2", Some(1)), ("B", Some(2)), ("A", Some(1))])
    );
    assert_eq!(
        names_and_ids(&taken.notetype.templates),
        expect(&[("T1", Some(11)), ("T1b", Some(11))])
    );
    // Anki moves note contents: the old field B is named twice, only its first place gets it.
    assert_eq!(taken.fields.from_existing, vec![Some(0), Some(1), None]);
    assert_eq!(taken.fields.existing_to_new, vec![Some(0), Some(1)]);
    assert_eq!(taken.fields.from_incoming, vec![Some(0), Some(2), Some(1)]);
    assert!(taken.incoming_notes_fit);
    let kept = merge_on_import(&existing, &[], &incoming, Keep::Existing).unwrap();
    assert_eq!(
        names_and_ids(&kept.notetype.fields),
        expect(&[("A", Some(1)), ("B", Some(2))])
    );
    // Incoming notes would get three fields for a note type of two: Anki refuses them.
    assert!(!kept.incoming_notes_fit);
}

#[test]
fn siblings_are_merged_first_and_remapped() {
    // The original, a copy a previous import made with one more field, and the new incoming
    // version with another field.
    let existing = shape(
        &[("Front", Some(1)), ("Back", Some(2))],
        &[("Card", Some(9))],
    );
    let sibling = shape(
        &[("Front", Some(1)), ("Back", Some(2)), ("Remapped", Some(3))],
        &[("Card", Some(9))],
    );
    let incoming = shape(
        &[("Front", Some(1)), ("Back", Some(2)), ("Incoming", Some(4))],
        &[("Card", Some(9))],
    );
    let outcome = merge_on_import(
        &existing,
        std::slice::from_ref(&sibling),
        &incoming,
        Keep::Incoming,
    )
    .unwrap();
    let names: Vec<_> = outcome
        .notetype
        .fields
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["Front", "Back", "Remapped", "Incoming"]);
    assert_eq!(
        outcome.fields.source[2],
        Source::Sibling {
            sibling: 0,
            index: 2
        }
    );
    assert_eq!(
        outcome.siblings,
        vec![SiblingRemap {
            fields: vec![Some(0), Some(1), Some(2), None],
            templates: vec![Some(0)],
        }]
    );
}

#[test]
fn fold_versions_gathers_every_part() {
    let root = shape(
        &[("Front", Some(1)), ("Back", Some(2))],
        &[("Card 1", Some(9))],
    );
    let copy = shape(
        &[("Front", Some(1)), ("Back", Some(2)), ("Extra", Some(3))],
        &[("Card 1", Some(9)), ("Card 2", Some(8))],
    );
    let outcome = fold_versions(&root, std::slice::from_ref(&copy)).unwrap();
    assert_eq!(
        names_and_ids(&outcome.notetype.fields),
        names_and_ids(&copy.fields)
    );
    assert_eq!(
        names_and_ids(&outcome.notetype.templates),
        names_and_ids(&copy.templates)
    );
    let ords: Vec<_> = outcome.notetype.fields.iter().map(|p| p.ord).collect();
    assert_eq!(ords, vec![Some(0), Some(1), None]);
    assert_eq!(
        outcome.siblings[0],
        SiblingRemap {
            fields: vec![Some(0), Some(1), Some(2)],
            templates: vec![Some(0), Some(1)],
        }
    );
    assert!(outcome.schema_change);
    assert_eq!(
        outcome.template_sources,
        vec![
            Source::Existing { index: 0 },
            Source::Sibling {
                sibling: 0,
                index: 1
            }
        ]
    );
}

#[test]
fn fold_versions_refuses_mixed_kinds() {
    let root = shape(&[("Text", None)], &[("Card", None)]);
    let copy = cloze(&[("Text", None)], &[("Cloze", None)]);
    assert!(fold_versions(&root, &[copy]).is_err());
}

// ---- the shape as Python hands it over ----------------------------------------------------

#[test]
fn reads_an_anki_notetype_dict() {
    let json = r#"{
        "id": 1700000000000, "name": "Basic", "type": 0, "mod": 1, "css": ".card {}",
        "flds": [
            {"name": "Front", "ord": 0, "id": -2087160519741244721, "font": "Arial", "sticky": false},
            {"name": "Back", "ord": 1, "id": null, "tag": null}
        ],
        "tmpls": [{"name": "Card 1", "ord": 0, "qfmt": "{{Front}}", "afmt": "", "id": 79}],
        "originalId": 1700000000000
    }"#;
    let shape: NoteTypeShape = serde_json::from_str(json).unwrap();
    assert_eq!(shape.kind, Kind::Standard);
    assert_eq!(shape.fields[0].id, Some(-2087160519741244721));
    assert_eq!(shape.fields[1].id, None);
    assert_eq!(shape.fields[1].ord, Some(1));
    assert_eq!(shape.templates[0].name, "Card 1");
    let cloze: NoteTypeShape =
        serde_json::from_str(r#"{"name": "C", "type": 1, "flds": [], "tmpls": []}"#).unwrap();
    assert!(cloze.is_cloze());
    let own: NoteTypeShape =
        serde_json::from_str(r#"{"name": "C", "kind": "cloze", "fields": [], "templates": []}"#)
            .unwrap();
    assert!(own.is_cloze());
    assert!(serde_json::from_str::<NoteTypeShape>(
        r#"{"name": "C", "type": 7, "flds": [], "tmpls": []}"#
    )
    .is_err());
}

// ---- IDs ------------------------------------------------------------------------------------

/// Hands out the given numbers in turn.
struct Scripted(Vec<u64>);

impl TryRng for Scripted {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.try_next_u64()? as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.0.remove(0))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        dst.fill(0);
        Ok(())
    }
}

#[test]
fn assign_ids_fills_only_missing_ones_and_reports() {
    let notetype = shape(
        &[("Front", Some(5)), ("Back", None), ("Extra", None)],
        &[("Card 1", None), ("Card 2", Some(6))],
    );
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let done = assign_ids_with(&notetype, &mut rng);
    assert_eq!(done.fields_added, 2);
    assert_eq!(done.fields_total, 3);
    assert_eq!(done.templates_added, 1);
    assert_eq!(done.templates_total, 2);
    assert_eq!(done.notetype.fields[0].id, Some(5));
    assert_eq!(done.notetype.templates[1].id, Some(6));
    assert!(done.notetype.fields.iter().all(|p| p.id.is_some()));
    assert_eq!(
        done.message(),
        "Added IDs to 2 of 3 fields and 1 of 2 templates of note type NT"
    );
}

#[test]
fn assign_ids_with_nothing_to_do() {
    let notetype = shape(&[("Front", Some(5))], &[("Card 1", Some(6))]);
    let done = assign_ids(&notetype);
    assert!(!done.added_any());
    assert_eq!(done.notetype, notetype);
    assert_eq!(done.message(), "All fields and templates already have IDs.");
}

#[test]
fn assign_ids_never_uses_zero_or_a_taken_id() {
    let notetype = shape(&[("Front", Some(5)), ("Back", None)], &[("Card 1", None)]);
    // 0, an existing id, then a fresh one; then the one just handed out, then another.
    let mut rng = Scripted(vec![0, 5, 42, 42, u64::MAX]);
    let done = assign_ids_with(&notetype, &mut rng);
    assert_eq!(done.notetype.fields[1].id, Some(42));
    assert_eq!(done.notetype.templates[0].id, Some(-1));
}
