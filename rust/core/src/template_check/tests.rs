use super::*;
use crate::error::{Error, ParseProblem};
use crate::parse::parse_deck_file;

fn messages(fields: &[&str], templates: &[(&str, &str)]) -> Vec<String> {
    let mut found = check_templates(templates);
    found.extend(unknown_fields(fields, templates));
    found.sort_by_key(|f| f.template);
    found
        .into_iter()
        .map(|f| {
            format!(
                "{} {} @{}: {}",
                f.template,
                f.side.name(),
                f.offset,
                f.message
            )
        })
        .collect()
}

#[test]
fn stock_and_special_templates_pass() {
    let fields = ["Front", "Back", "Text", "Extra"];
    for (front, back) in [
        ("{{Front}}", "{{FrontSide}}<hr id=answer>{{Back}}"),
        ("{{cloze:Text}}", "{{cloze:Text}}<br>{{Extra}}"),
        ("{{Front}}\n{{type:Back}}", "{{FrontSide}}{{type:Back}}"),
        (
            "{{hint:Back}}{{text:Front}}{{furigana:Front}}",
            "{{kana:Back}}",
        ),
        (
            "{{Tags}}{{Deck}}{{Subdeck}}{{Card}}{{CardFlag}}{{Type}}",
            "x",
        ),
        (
            "{{#Back}}{{Front}}{{/Back}}{{^Extra}}none{{/Extra}}",
            "{{ Back }}",
        ),
        ("{{#c1}}{{cloze:Text}}{{/c1}}", "{{{Front}}}"),
        ("{{=<% %>=}}<%Front%>", "<%Back%>"),
        ("{{Front}} {{unclosed", "<!-- {{Nope}} -->{{Back}}"),
        ("{{some-addon-filter:Front}}", "{{}}"),
    ] {
        assert_eq!(
            messages(&fields, &[(front, back)]),
            Vec::<String>::new(),
            "{front}"
        );
    }
}

#[test]
fn an_unknown_field_is_named_at_its_tag() {
    assert_eq!(
        messages(
            &["Front", "Back"],
            &[("{{Front}}", "<hr>{{text:Bak}} {{Bak}}")]
        ),
        ["0 back @4: Found '{{text:Bak}}', but there is no field called 'Bak'"]
    );
    assert_eq!(
        messages(&["Front"], &[("{{#Missing}}{{Front}}{{/Missing}}", "x")]),
        ["0 front @0: Found '{{#Missing}}', but there is no field called 'Missing'"]
    );
}

#[test]
fn conditionals_must_be_closed_in_order() {
    assert_eq!(
        messages(&["A", "B"], &[("{{A}} {{#B}}x", "y")]),
        ["0 front @6: Missing '{{/B}}'"]
    );
    assert_eq!(
        messages(&["A", "B"], &[("{{#A}}{{#B}}{{/A}}{{/B}}", "y")]),
        ["0 front @12: Found '{{/A}}', but expected '{{/B}}'"]
    );
    assert_eq!(
        messages(&["A"], &[("{{A}}", "x{{/A}}")]),
        ["0 back @1: Found '{{/A}}', but missing '{{#A}}' or '{{^A}}'"]
    );
}

#[test]
fn a_front_must_use_a_field_and_fronts_must_differ() {
    assert_eq!(
        messages(&["A"], &[("just text", "{{A}}")]),
        ["0 front @0: Expected to find a field replacement on the front of the card template."]
    );
    assert_eq!(
        messages(&["A"], &[("{{A}}", "1"), ("{{A}}", "2"), ("{{A}}", "3")]),
        [
            "1 front @0: The front side is identical to card template 1.",
            "2 front @0: The front side is identical to card template 1.",
        ]
    );
    // `{{Card}}` makes each card's front its own, so Anki allows the same text.
    assert!(messages(
        &["A"],
        &[("{{A}}{{ Card }}", "1"), ("{{A}}{{ Card }}", "2")]
    )
    .is_empty());
}

#[test]
fn many_unclosed_tags_are_linear() {
    let front = "{{A}}".to_owned() + &"{{x <!-- ".repeat(50_000);
    let started = std::time::Instant::now();
    assert!(messages(&["A"], &[(&front, "b")]).is_empty());
    // Generous: the quadratic scan took minutes for this size.
    assert!(started.elapsed().as_secs() < 5);
}

fn file(front: &str) -> String {
    format!(
        "[package]\nname = \"P\"\n\n[[models]]\nname = \"M\"\nfields = [\"Word\", \"Meaning\"]\n\n\
         [[models.templates]]\nname = \"Card 1\"\nfront = {front}\nback = \"{{{{Meaning}}}}\"\n"
    )
}

fn problem_at(text: &str) -> (usize, usize, String) {
    match parse_deck_file("deck.toml", text) {
        Err(Error::DeckFile(errors)) => {
            let e = &errors[0];
            assert!(matches!(e.problem, ParseProblem::Template { .. }), "{e}");
            (e.location.line, e.location.column, e.to_string())
        }
        other => panic!("expected a template problem, got {other:?}"),
    }
}

#[test]
fn the_parser_places_the_problem_at_the_tag_in_the_file() {
    // line 10 is `front = ...`; the value starts at column 9.
    let (line, column, message) = problem_at(&file("\"<b>{{Wrd}}</b>\""));
    assert_eq!((line, column), (10, 13), "{message}");
    assert_eq!(
        message,
        "deck.toml:10:13: model 'M', template 'Card 1', front: Found '{{Wrd}}', but there is no \
         field called 'Wrd'"
    );
    // Escapes before the tag are walked over.
    let (line, column, _) = problem_at(&file("\"\\\"\\u00e9\\n{{Wrd}}\""));
    assert_eq!((line, column), (10, 20));
    // Multi-line strings: the tag's own line and column.
    let (line, column, _) = problem_at(&file("\"\"\"\n<div>\n  {{#Word}}\n</div>\"\"\""));
    assert_eq!((line, column), (12, 3));
    let (line, column, _) = problem_at(&file("'''\nfirst\n{{Wrd}}'''"));
    assert_eq!((line, column), (12, 1));
}
