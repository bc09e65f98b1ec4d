//! The core's share of a sync on big deck files: parse, scope, plan, finish.
//!
//! Run with `cargo bench --bench sync` (optionally `-- 20000 100000`). Each size is a file of
//! that many notes already in sync with a simulated collection (so the plan finds nothing to
//! do, the most common sync), plus a run where 1% of the notes changed in Anki (so the file is
//! rewritten). Prints seconds per step and how time grows with size. Not a test: it asserts
//! nothing.

use std::hint::black_box;

// As the shipped module allocates (rust/python/Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::time::Instant;

use ankitoml_core::parse::parse_deck_file;
use ankitoml_core::sync::finish::AddedNote;
use ankitoml_core::sync::{finish, plan_sync, scope, Applied, SyncRequest};
use serde_json::{json, Value};

fn deck_text(notes: usize) -> String {
    deck_text_with(notes, true)
}

/// `with_ids: false` is a file of new notes, as a push into an empty collection sees it.
fn deck_text_with(notes: usize, with_ids: bool) -> String {
    let mut text = String::from(
        "[package]\nname = \"Bench\"\n\n[[models]]\nname = \"Basic\"\nfields = [\"Front\", \"Back\"]\n\
         markdown_fields = [\"Back\"]\n\n[[models.templates]]\nname = \"Card 1\"\nfront = \"{{Front}}\"\n\
         back = \"{{FrontSide}}<hr id=answer>{{Back}}\"\n\n[[decks]]\nname = \"Bench\"\n",
    );
    for i in 0..notes {
        let id = if with_ids {
            format!("note_id = {}\nguid = \"g{i}\"\n", 1_000_000 + i)
        } else {
            String::new()
        };
        text.push_str(&format!(
            "\n[[notes]]\ndeck = \"Bench\"\nmodel = \"Basic\"\n{id}\
             tags = [\"t{}\"]\n\n[notes.fields]\nFront = \"question number {i} about something\"\n\
             Back = \"the **answer** to {i}, with *emphasis* and a [sound:a{i}.mp3]\"\n",
            i % 50
        ));
    }
    text
}

fn snapshot(notes: usize, changed_every: Option<usize>) -> Value {
    let notes: Vec<Value> = (0..notes)
        .map(|i| {
            let back = match changed_every {
                Some(every) if i % every == 0 => format!("changed in Anki {i}"),
                _ => {
                    format!("the <b>answer</b> to {i}, with <i>emphasis</i> and a [sound:a{i}.mp3]")
                }
            };
            json!({
                "id": 1_000_000 + i, "guid": format!("g{i}"), "model": "Basic", "deck": "Bench",
                "tags": [format!("t{}", i % 50)],
                "fields": {"Front": format!("question number {i} about something"), "Back": back},
            })
        })
        .collect();
    json!({
        "notes": notes,
        "models": [{
            "id": 1, "name": "Basic", "kind": "standard",
            "fields": [{"name": "Front", "id": null, "ord": 0}, {"name": "Back", "id": null, "ord": 1}],
            "templates": [{"name": "Card 1", "id": null, "ord": 0, "front": "{{Front}}",
                           "back": "{{FrontSide}}<hr id=answer>{{Back}}"}],
            "css": "", "sort_field": 0, "original_id": null,
        }],
        "decks": ["Bench"],
    })
}

fn timed<T>(label: &str, f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let out = black_box(f());
    let seconds = start.elapsed().as_secs_f64();
    println!("  {label:<28} {seconds:>8.3} s");
    (out, seconds)
}

fn run(notes: usize, changed_every: Option<usize>) -> f64 {
    let text = deck_text(notes);
    let anki = snapshot(notes, changed_every);
    let (_, parse) = timed("parse", || parse_deck_file("bench.toml", &text).unwrap());
    let (_, scope_s) = timed("scope", || scope("bench.toml", &text, None).unwrap());
    let request: SyncRequest = serde_json::from_value(json!({
        "path": "bench.toml", "text": text, "anki": anki, "direction": "sync",
        "strategy": "prefer_anki",
    }))
    .unwrap();
    let (plan, plan_s) = timed("plan (sync, prefer_anki)", || plan_sync(&request).unwrap());
    let (finished, finish_s) = timed("finish", || {
        finish("bench.toml", &text, &plan.file_side(), &Applied::default()).unwrap()
    });
    println!(
        "  file rewritten: {}, notes reported: {}",
        finished.text.is_some(),
        plan.report.notes.len()
    );
    parse + scope_s + plan_s + finish_s
}

/// A push of a file of new notes into a collection that has only the note type: the plan
/// converts every note, and finishing writes every new note id (and guid) into the file.
fn run_push(notes: usize) -> f64 {
    let text = deck_text_with(notes, false);
    let anki = snapshot(0, None);
    let (_, scope_s) = timed("scope", || scope("bench.toml", &text, None).unwrap());
    let request: SyncRequest = serde_json::from_value(json!({
        "path": "bench.toml", "text": text, "anki": anki, "direction": "push",
    }))
    .unwrap();
    let (plan, plan_s) = timed("plan (push)", || plan_sync(&request).unwrap());
    let applied = Applied {
        added: (plan.anki.add_notes.iter().enumerate())
            .map(|(i, note)| AddedNote {
                file_index: note.file_index,
                note_id: 1_000_000 + i as i64,
                guid: format!("g{i}"),
            })
            .collect(),
        models: Vec::new(),
    };
    let (finished, finish_s) = timed("finish (ids written)", || {
        finish("bench.toml", &text, &plan.file_side(), &applied).unwrap()
    });
    println!(
        "  notes added: {}, file rewritten: {}",
        applied.added.len(),
        finished.text.is_some()
    );
    scope_s + plan_s + finish_s
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![20_000, 100_000]
    } else {
        sizes
    };
    let mut totals = Vec::new();
    for &n in &sizes {
        println!("{n} notes, nothing changed:");
        let unchanged = run(n, None);
        println!("{n} notes, 1% changed in Anki:");
        let changed = run(n, Some(100));
        println!("{n} notes, pushed new:");
        let pushed = run_push(n);
        totals.push((n, unchanged, changed, pushed));
    }
    for pair in totals.windows(2) {
        let ((n0, u0, c0, p0), (n1, u1, c1, p1)) = (pair[0], pair[1]);
        let size = n1 as f64 / n0 as f64;
        println!(
            "growth {n0} -> {n1} (time ratio / size ratio; 1.0 is linear): unchanged {:.2}, \
             1% changed {:.2}, pushed new {:.2}",
            u1 / u0 / size,
            c1 / c0 / size,
            p1 / p0 / size
        );
    }
}
