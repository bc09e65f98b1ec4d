//! The sync engine against a simulated collection: random edits on both sides, interleaved with
//! syncs. Invariants: nothing is lost (every edit ends on both sides or stays reported as a
//! conflict on its own side), a conflict-free sync leaves both sides equal, and a second sync
//! changes nothing.

use indexmap::IndexMap;
use proptest::prelude::*;

use super::base::Base;
use super::finish::{finish, AddedNote, Applied};
use super::plan::{plan_sync, AnkiChanges, SyncRequest};
use super::rules::{Direction, Strategy as ConflictStrategy};
use super::snapshot::{AnkiModel, AnkiNote, AnkiPart, AnkiSnapshot, AnkiTemplate};
use crate::deck_file::ModelKind;
use crate::parse::parse_deck_file;

const HEADER: &str = "[package]\nname = \"p\"\n\n[[models]]\nname = \"M\"\nfields = [\"A\", \"B\"]\n\n[[models.templates]]\nname = \"T\"\nfront = \"{{A}}\"\nback = \"{{B}}\"\n\n[[decks]]\nname = \"D\"\n\n[[decks]]\nname = \"E\"\n";

struct World {
    text: String,
    anki: Vec<AnkiNote>,
    base: Option<Base>,
    next_id: i64,
}

fn model() -> AnkiModel {
    AnkiModel {
        id: 1,
        name: "M".into(),
        kind: ModelKind::Standard,
        fields: vec![
            AnkiPart {
                name: "A".into(),
                id: Some(11),
                ord: 0,
                options: Default::default(),
            },
            AnkiPart {
                name: "B".into(),
                id: Some(12),
                ord: 1,
                options: Default::default(),
            },
        ],
        templates: vec![AnkiTemplate {
            name: "T".into(),
            id: Some(13),
            ord: 0,
            front: "{{A}}".into(),
            back: "{{B}}".into(),
            options: Default::default(),
        }],
        css: String::new(),
        sort_field: 0,
        original_id: None,
        options: Default::default(),
    }
}

impl World {
    fn new(notes: usize) -> World {
        let mut text = HEADER.to_owned();
        for i in 0..notes {
            text.push_str(&format!("\n[[notes]]\ndeck = \"D\"\nmodel = \"M\"\n\n[notes.fields]\nA = \"a{i}\"\nB = \"b{i}\"\n"));
        }
        World {
            text,
            anki: Vec::new(),
            base: None,
            next_id: 1000,
        }
    }

    fn request(&self, strategy: ConflictStrategy) -> SyncRequest {
        SyncRequest {
            path: "t.toml".into(),
            text: self.text.clone(),
            anki: AnkiSnapshot {
                notes: self.anki.clone(),
                models: vec![model()],
                decks: vec!["D".into(), "E".into()],
                ..Default::default()
            },
            base: self.base.clone(),
            direction: Direction::Sync,
            strategy: Some(strategy),
            delete: true,
            allow_schema_change: false,
            preview: false,
            prior_schema_changes: Vec::new(),
            notices: Vec::new(),
            strict: false,
        }
    }

    fn apply(&mut self, changes: &AnkiChanges) -> Applied {
        let mut applied = Applied::default();
        for new in &changes.add_notes {
            self.next_id += 1;
            self.anki.push(AnkiNote {
                id: self.next_id,
                guid: new.guid.clone(),
                model: new.model.clone(),
                deck: new.deck.clone(),
                tags: new.tags.clone(),
                fields: ["A", "B"]
                    .iter()
                    .map(|f| {
                        (
                            f.to_string(),
                            new.fields.get(*f).cloned().unwrap_or_default(),
                        )
                    })
                    .collect(),
            });
            applied.added.push(AddedNote {
                file_index: new.file_index,
                note_id: self.next_id,
                guid: new.guid.clone(),
            });
        }
        for update in &changes.update_notes {
            let note = self.anki.iter_mut().find(|n| n.id == update.id).unwrap();
            for (k, v) in &update.fields {
                note.fields.insert(k.clone(), v.clone());
            }
            if let Some(tags) = &update.tags {
                note.tags = tags.clone();
            }
        }
        for mv in &changes.move_notes {
            self.anki.iter_mut().find(|n| n.id == mv.id).unwrap().deck = mv.deck.clone();
        }
        self.anki.retain(|n| !changes.delete_notes.contains(&n.id));
        applied
    }

    /// One sync; returns whether it planned any change at all.
    fn sync(&mut self, strategy: ConflictStrategy) -> (bool, usize) {
        let req = self.request(strategy);
        let plan = plan_sync(&req).unwrap();
        let applied = self.apply(&plan.anki);
        let done = finish("t.toml", &self.text, &plan.file_side(), &applied).unwrap();
        let changed = !plan.anki.is_empty() || done.text.is_some();
        if let Some(text) = done.text {
            self.text = text;
        }
        self.base = Some(done.base);
        (changed, plan.report.conflicts_left)
    }
}

#[derive(Debug, Clone)]
enum Edit {
    FileField(usize, bool, String),
    AnkiField(usize, bool, String),
    FileTags(usize, Vec<String>),
    AnkiTags(usize, Vec<String>),
    AnkiDeck(usize),
    AnkiDelete(usize),
    FileAdd(String),
}

fn edit() -> impl Strategy<Value = Edit> {
    let value = "[a-z]{1,3}";
    let tags = prop::collection::vec("[a-c]", 0..3);
    prop_oneof![
        (0..6usize, any::<bool>(), value).prop_map(|(i, b, v)| Edit::FileField(i, b, v)),
        (0..6usize, any::<bool>(), value).prop_map(|(i, b, v)| Edit::AnkiField(i, b, v)),
        (0..6usize, tags.clone()).prop_map(|(i, t)| Edit::FileTags(i, t)),
        (0..6usize, tags).prop_map(|(i, t)| Edit::AnkiTags(i, t)),
        (0..6usize).prop_map(Edit::AnkiDeck),
        (0..6usize).prop_map(Edit::AnkiDelete),
        value.prop_map(Edit::FileAdd),
    ]
}

fn apply_edit(world: &mut World, edit: &Edit) {
    let deck = parse_deck_file("t.toml", &world.text).unwrap();
    let field = |b: bool| if b { "B" } else { "A" };
    let mut doc = crate::edit::DeckDocument::parse(&world.text).unwrap();
    match edit {
        Edit::FileField(i, b, v) if *i < deck.notes.len() => {
            doc.set_field(*i, field(*b), v).unwrap()
        }
        Edit::FileTags(i, t) if *i < deck.notes.len() => doc.set_tags(*i, t).unwrap(),
        Edit::FileAdd(v) => {
            let mut fields = IndexMap::new();
            fields.insert("A".to_owned(), v.clone());
            fields.insert("B".to_owned(), String::new());
            doc.append_note(&crate::deck_file::Note {
                index: 0,
                location: crate::location::Location { line: 0, column: 0 },
                deck: "D".into(),
                model: "M".into(),
                tags: vec![],
                guid: None,
                note_id: None,
                fields,
                places: Default::default(),
            });
        }
        Edit::AnkiField(i, b, v) if *i < world.anki.len() => {
            world.anki[*i].fields.insert(field(*b).into(), v.clone());
        }
        Edit::AnkiTags(i, t) if *i < world.anki.len() => world.anki[*i].tags = t.clone(),
        Edit::AnkiDeck(i) if *i < world.anki.len() => world.anki[*i].deck = "E".into(),
        Edit::AnkiDelete(i) if *i < world.anki.len() => {
            world.anki.remove(*i);
        }
        _ => {}
    }
    world.text = doc.render();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_edits_on_both_sides_converge(
        rounds in prop::collection::vec(prop::collection::vec(edit(), 0..4), 1..5),
        prefer_toml in any::<bool>(),
    ) {
        let mut world = World::new(3);
        world.sync(ConflictStrategy::Skip);
        prop_assert_eq!(world.anki.len(), 3);
        let strategy = if prefer_toml { ConflictStrategy::PreferToml } else { ConflictStrategy::PreferAnki };
        for edits in rounds {
            for e in &edits {
                apply_edit(&mut world, e);
            }
            let (_, left) = world.sync(strategy);
            // A strategy that resolves conflicts leaves none, and both sides agree.
            prop_assert_eq!(left, 0);
            let deck = parse_deck_file("t.toml", &world.text).unwrap();
            for note in &deck.notes {
                let anki = world.anki.iter().find(|n| Some(n.id) == note.note_id);
                let Some(anki) = anki else {
                    // Only a note deleted in Anki but edited in the file may stay file-only.
                    continue;
                };
                prop_assert_eq!(&note.fields["A"], &anki.fields["A"]);
                prop_assert_eq!(&note.fields["B"], &anki.fields["B"]);
                prop_assert!(super::rules::same_tags(&note.tags, &anki.tags));
                prop_assert_eq!(&note.deck, &anki.deck);
            }
            // Every Anki note in the file's decks is in the file.
            for anki in &world.anki {
                prop_assert!(deck.notes.iter().any(|n| n.note_id == Some(anki.id)), "note {} lost", anki.id);
            }
            // A second sync is a no-op.
            let (changed, _) = world.sync(strategy);
            prop_assert!(!changed, "second sync changed something");
        }
    }
}

#[test]
fn without_a_base_every_difference_is_a_conflict_and_skip_keeps_both() {
    let mut world = World::new(1);
    world.sync(ConflictStrategy::Skip);
    world.base = None;
    world.anki[0].fields.insert("A".into(), "anki".into());
    let before = world.text.clone();
    let (changed, left) = world.sync(ConflictStrategy::Skip);
    assert_eq!(left, 1);
    assert_eq!(world.anki[0].fields["A"], "anki");
    // The file keeps its value too: nothing is written on either side.
    assert_eq!(world.text, before);
    assert!(!changed);
}

#[test]
fn a_prior_schema_change_needs_consent_like_the_plans_own_and_notices_are_reported() {
    let mut world = World::new(1);
    world.sync(ConflictStrategy::Skip);
    let mut req = world.request(ConflictStrategy::Skip);
    req.prior_schema_changes = vec!["note type 'M': merge 1 other version".into()];
    req.notices = vec!["note type 'M' has other versions".into()];
    match plan_sync(&req) {
        Err(crate::Error::Sync(crate::error::SyncError::SchemaChange { changes })) => {
            assert_eq!(changes, req.prior_schema_changes)
        }
        other => panic!("expected a refused schema change, got {other:?}"),
    }
    req.preview = true;
    let shown = plan_sync(&req).unwrap().report;
    assert_eq!(shown.schema_changes, req.prior_schema_changes);
    assert_eq!(shown.warnings, req.notices);
    req.preview = false;
    req.allow_schema_change = true;
    assert!(plan_sync(&req).unwrap().anki.is_empty());
}

#[test]
fn a_field_left_out_of_the_file_is_kept_and_only_a_move_needs_consent() {
    let file_with_only = |field: &str| {
        let mut world = World::new(0);
        world.text = world
            .text
            .replace(
                "fields = [\"A\", \"B\"]",
                &format!("fields = [\"{field}\"]"),
            )
            .replace("{{A}}", &format!("{{{{{field}}}}}"))
            .replace("{{B}}", &format!("{{{{{field}}}}}"));
        let mut req = world.request(ConflictStrategy::Skip);
        req.delete = false;
        req
    };
    // B is last: kept where it is, no schema change.
    let plan = plan_sync(&file_with_only("A")).unwrap();
    assert!(plan.report.schema_changes.is_empty());
    assert!(plan.report.model_changes.iter().any(|c| c
        == "note type 'M': field 'B' is not in the file: kept in Anki (remove it with --delete)"));
    // A is first: keeping it behind B reorders the fields, which needs consent.
    match plan_sync(&file_with_only("B")) {
        Err(crate::Error::Sync(crate::error::SyncError::SchemaChange { changes })) => {
            assert_eq!(changes, vec!["note type 'M': reorder fields".to_owned()])
        }
        other => panic!("expected a refused reorder, got {other:?}"),
    }
}

#[test]
fn a_note_whose_type_differs_in_anki_is_a_located_error() {
    let mut world = World::new(2);
    world.sync(ConflictStrategy::Skip);
    world.anki[1].model = "Other".into();
    match plan_sync(&world.request(ConflictStrategy::Skip)) {
        Err(crate::Error::DeckFile(errors)) => {
            assert_eq!(errors.len(), 1);
            let text = errors[0].to_string();
            assert!(
                text.contains("note is of note type 'Other' in Anki, not 'M' as the file says"),
                "{text}"
            );
            // The second note's `model = "M"`, at its value.
            let line = world.text.lines().collect::<Vec<_>>()[errors[0].location.line - 1];
            assert_eq!(line, "model = \"M\"");
            assert_eq!(errors[0].location.column, 9);
        }
        other => panic!("expected a located error, got {other:?}"),
    }
}

fn anki_note(id: i64, deck: &str, a: &str, b: &str) -> AnkiNote {
    AnkiNote {
        id,
        guid: format!("guid{id}"),
        model: "M".into(),
        deck: deck.into(),
        tags: Vec::new(),
        fields: [
            ("A".to_owned(), a.to_owned()),
            ("B".to_owned(), b.to_owned()),
        ]
        .into_iter()
        .collect(),
    }
}

/// A file without ids (the seed tool's) finds the notes Anki has by note type, deck and first
/// field, one to one; the rest are new, and what was ambiguous is said.
#[test]
fn notes_without_ids_are_matched_by_content_one_to_one() {
    let mut world = World::new(0);
    for (deck, a, b) in [
        ("D", "cat", "gato"),
        ("D", "dup", "1"),
        ("D", "dup", "2"),
        ("D", "twice", "1"),
        ("E", "elsewhere", "x"),
        ("D", "new", "x"),
        ("D", "<b>hund</b>", "perro"),
    ] {
        world.text.push_str(&format!(
            "\n[[notes]]\ndeck = \"{deck}\"\nmodel = \"M\"\n\n[notes.fields]\nA = \"{a}\"\nB = \"{b}\"\n"
        ));
    }
    world.anki = vec![
        anki_note(1, "D", "cat", "gato"),
        // The same first field to Anki's duplicate check, another to the sync: a conflict.
        anki_note(6, "D", "hund<br>", "perro"),
        anki_note(2, "D", "dup", "1"),
        anki_note(3, "D", "twice", "1"),
        anki_note(4, "D", "twice", "2"),
        anki_note(5, "D", "elsewhere", "x"),
    ];
    let mut req = world.request(ConflictStrategy::Skip);
    req.direction = Direction::Push;
    let plan = plan_sync(&req).unwrap();
    assert_eq!(plan.report.counts.matched_by_content, 2);
    assert_eq!(plan.report.counts.conflicts, 1);
    let matched: Vec<_> = plan
        .report
        .notes
        .iter()
        .filter(|n| n.status == super::report::Status::MatchedByContent)
        .map(|n| (n.note_id, n.line))
        .collect();
    assert_eq!(matched, [(Some(1), Some(19))]);
    let conflict = plan
        .report
        .notes
        .iter()
        .find(|n| n.note_id == Some(6))
        .unwrap();
    assert_eq!(conflict.status, super::report::Status::Conflict);
    let added: Vec<usize> = plan.anki.add_notes.iter().map(|n| n.file_index).collect();
    assert_eq!(added, [1, 2, 3, 4, 5]);
    assert!(
        plan.anki.update_notes.is_empty(),
        "{:?}",
        plan.anki.update_notes
    );
    let warnings = plan.report.warnings.join("\n");
    assert!(
        warnings.contains("2 file note(s) and 1 Anki note(s) (2)"),
        "{warnings}"
    );
    assert!(
        warnings.contains("1 file note(s) and 2 Anki note(s) (3, 4)"),
        "{warnings}"
    );
    let applied = world.apply(&plan.anki);
    let done = finish("t.toml", &world.text, &plan.file_side(), &applied).unwrap();
    let text = done.text.unwrap();
    let parsed = parse_deck_file("t.toml", &text).unwrap();
    assert_eq!(parsed.notes[0].note_id, Some(1));
    assert_eq!(parsed.notes[0].guid.as_deref(), Some("guid1"));

    // The next push finds every note by id: nothing more to add, nothing matched by content.
    world.text = text;
    world.base = Some(done.base);
    let mut again = world.request(ConflictStrategy::Skip);
    again.direction = Direction::Push;
    let plan = plan_sync(&again).unwrap();
    assert!(plan.anki.is_empty(), "{:?}", plan.anki);
    assert_eq!(plan.report.counts.matched_by_content, 0);
}

/// A model with ids may rename fields in the same push (Anki carries renames into templates),
/// so its unknown names are refused by the plan, against the collection, at the template.
#[test]
fn the_plan_refuses_template_fields_neither_side_has() {
    let text = |back: &str| {
        format!(
            "[package]\nname = \"p\"\n\n[[models]]\nname = \"M\"\nid = 1\nfields = [\"A\", \
             {{ name = \"Renamed\", id = 12 }}]\n\n[[models.templates]]\nname = \"T\"\nid = 13\n\
             front = \"{{{{A}}}}\"\nback = \"{back}\"\n\n[[decks]]\nname = \"D\"\n"
        )
    };
    let plan = |back: &str| {
        let mut world = World::new(0);
        world.text = text(back);
        let mut req = world.request(ConflictStrategy::PreferToml);
        req.direction = Direction::Push;
        req.allow_schema_change = true;
        plan_sync(&req)
    };
    // `B` is the field the push renames: Anki rewrites the template, so it is fine.
    plan("{{B}} {{Renamed}}").unwrap();
    match plan("{{Renamed}} {{Nope}}") {
        Err(crate::error::Error::DeckFile(errors)) => {
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(
                errors[0].to_string(),
                "t.toml:13:21: model 'M', template 'T', back: Found '{{Nope}}', but there is \
                 no field called 'Nope'"
            );
        }
        other => panic!("expected a template error, got {other:?}"),
    }
}

mod settings {
    use super::*;
    use crate::options::{OptionValue, Options};
    use crate::sync::plan::FileEdit;

    fn options(pairs: &[(&str, OptionValue)]) -> Options {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    /// Anki's model M with field A at size 20 (the default) and SVG LaTeX on (not the default).
    fn request(file_settings: &str, direction: Direction) -> SyncRequest {
        let mut anki = model();
        anki.options = options(&[("latexsvg", OptionValue::Bool(true))]);
        anki.fields[0].options = options(&[("size", OptionValue::Integer(20))]);
        let mut req = World::new(0).request(ConflictStrategy::Skip);
        req.text = HEADER.replace(
            "fields = [\"A\", \"B\"]\n",
            &format!("fields = [\"A\", \"B\"]\n{file_settings}"),
        );
        req.anki.models = vec![anki];
        req.anki.option_defaults.model = options(&[("latexsvg", OptionValue::Bool(false))]);
        req.anki.option_defaults.field = options(&[("size", OptionValue::Integer(20))]);
        req.direction = direction;
        req.strategy = None;
        req
    }

    #[test]
    fn push_sets_what_the_file_says_and_leaves_the_rest() {
        let plan = plan_sync(&request(
            "[models.field_settings]\nA = { size = 30 }\n",
            Direction::Push,
        ))
        .unwrap();
        assert_eq!(
            plan.report.model_changes,
            ["note type 'M': field 'A' size from the file"]
        );
        assert!(plan.report.schema_changes.is_empty());
        let update = &plan.anki.update_models[0];
        assert!(!update.schema_change);
        assert_eq!(
            update.fields[0].options,
            options(&[("size", OptionValue::Integer(30))])
        );
        assert!(
            update.options.is_empty(),
            "latex_svg is not in the file: Anki keeps it"
        );
        // The push writes Anki's ids back, not Anki's settings.
        let Some(FileEdit::UpdateModel { model, .. }) = plan.file_edits.first() else {
            panic!("{:?}", plan.file_edits);
        };
        assert_eq!(model.fields[0].id, Some(11));
        assert!(model.options.is_empty() && model.fields[0].options.len() == 1);
    }

    #[test]
    fn pull_writes_what_differs_from_the_defaults_and_takes_anki_values() {
        let plan = plan_sync(&request(
            "[models.field_settings]\nA = { size = 30 }\n",
            Direction::Pull,
        ))
        .unwrap();
        let Some(FileEdit::UpdateModel { model, .. }) = plan.file_edits.first() else {
            panic!("{:?}", plan.file_edits);
        };
        assert_eq!(
            model.options,
            options(&[("latexsvg", OptionValue::Bool(true))])
        );
        assert_eq!(
            model.fields[0].options,
            options(&[("size", OptionValue::Integer(20))])
        );
        assert!(plan.anki.update_models.is_empty());
        // Anki's default size, not said in the file: nothing to write.
        let plan = plan_sync(&request("", Direction::Pull)).unwrap();
        let Some(FileEdit::UpdateModel { model, .. }) = plan.file_edits.first() else {
            panic!("{:?}", plan.file_edits);
        };
        assert!(model.fields[0].options.is_empty());
    }

    #[test]
    fn a_setting_this_anki_lacks_is_a_warning_and_not_sent() {
        let plan = plan_sync(&request(
            "[models.field_settings]\nA = { collapsed = true }\n",
            Direction::Push,
        ))
        .unwrap();
        assert_eq!(
            plan.report.warnings,
            ["note type 'M': this Anki has no setting `field 'A' collapsed`; the file's value is not used"]
        );
        assert!(plan.anki.update_models.is_empty());
    }
}
