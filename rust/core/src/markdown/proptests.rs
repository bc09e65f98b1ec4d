//! Random fields: Anki-like HTML trees must keep their DOM, and random Markdown built from the
//! supported constructs must settle on a fixpoint after one conversion.

use proptest::prelude::*;

use super::{html_to_markdown, is_seed_tool_html, markdown_to_html, same_dom};

/// Pieces of text, already written as HTML, that stress escaping and Anki syntax.
const HTML_TEXT: &[&str] = &[
    "a",
    "word",
    "b c",
    " ",
    "  ",
    "\n",
    "\t",
    "*",
    "**",
    "_",
    "__",
    "~",
    "~~",
    "`",
    "\\",
    "#",
    "# ",
    "- ",
    "+ ",
    "* ",
    "1. ",
    "2) ",
    "> ",
    "|",
    "-|-",
    "---",
    "===",
    "[",
    "]",
    "(",
    ")",
    "[a](b)",
    "![x](y)",
    "]:",
    "!",
    "&lt;",
    "&gt;",
    "&amp;",
    "&amp;amp;",
    "&nbsp;",
    "&lt;b&gt;",
    ":",
    "::",
    "{{c1::",
    "{{c2::",
    "}}",
    "\\(",
    "\\)",
    "\\[",
    "\\]",
    "\\(x_1*y\\)",
    "\\[a*b\\]",
    "[sound:a_b.mp3]",
    "[latex]x*y[/latex]",
    "[$]a_b[/$]",
    "[$$]c*d[/$$]",
    "[latex]",
    "[/$]",
    "漢字[かんじ]",
    " 日本語[にほんご]",
    "[かな]",
    "日本",
    "é",
    "→",
    "5 * 3",
    "snake_case",
    "C:\\dir",
    "{{c1::x::y}}",
    "{{c1::a*b::c_d}}",
    "\u{3000}",
    "\u{F0001}",
    "&#32;",
    "=",
    "< ",
    ">",
    "&",
];

fn html_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(HTML_TEXT), 1..5).prop_map(|parts| parts.concat())
}

fn html_leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => html_text(),
        2 => Just("<br>".to_string()),
        1 => prop::sample::select(&["a.jpg", "my cat.png", "x(1).gif", "&amp;.jpg"][..])
            .prop_map(|src| format!("<img src=\"{src}\">")),
        1 => Just("<img src=\"a.jpg\" style=\"width: 50%\">".to_string()),
        1 => prop::sample::select(&[" c ", "x*y", "", "-"][..]).prop_map(|c| format!("<!--{c}-->")),
    ]
}

/// Anki-like elements: the editor's tags, colours, lists, links, tables.
fn html_tree() -> impl Strategy<Value = String> {
    html_leaf().prop_recursive(4, 40, 4, |inner| {
        let children = prop::collection::vec(inner, 0..4).prop_map(|c| c.concat());
        let simple_tags = prop::sample::select(
            &[
                "b", "i", "u", "s", "div", "span", "sub", "sup", "code", "p", "h1", "h3",
                "blockquote", "strong", "em", "pre",
            ][..],
        );
        prop_oneof![
            4 => (simple_tags, children.clone()).prop_map(|(tag, c)| format!("<{tag}>{c}</{tag}>")),
            1 => children.clone().prop_map(|c| format!("<span style=\"color: rgb(255, 0, 0);\">{c}</span>")),
            1 => children.clone().prop_map(|c| format!("<font color=\"#00f\">{c}</font>")),
            1 => (prop::sample::select(&["u", "a b", "http://x.org/a_(b)", "", "a\\b"][..]), children.clone())
                .prop_map(|(href, c)| format!("<a href=\"{href}\">{c}</a>")),
            1 => (prop::sample::select(&["ul", "ol"][..]), prop::collection::vec(children.clone(), 1..4))
                .prop_map(|(tag, items)| {
                    let items: String = items.iter().map(|i| format!("<li>{i}</li>")).collect();
                    format!("<{tag}>{items}</{tag}>")
                }),
            1 => (prop::collection::vec(children.clone(), 1..3), prop::bool::ANY).prop_map(|(cells, head)| {
                let row = |tag: &str| -> String {
                    cells.iter().map(|c| format!("<{tag}>{c}</{tag}>")).collect()
                };
                if head {
                    format!("<table><thead><tr>{}</tr></thead><tbody><tr>{}</tr></tbody></table>", row("th"), row("td"))
                } else {
                    format!("<table><tbody><tr>{}</tr></tbody></table>", row("td"))
                }
            }),
            1 => children.prop_map(|c| format!("<pre><code>{c}</code></pre>")),
        ]
    })
}

fn html_field() -> impl Strategy<Value = String> {
    prop::collection::vec(html_tree(), 1..4).prop_map(|parts| parts.concat())
}

/// Pieces of Markdown text, including Anki syntax.
const MARKDOWN_TEXT: &[&str] = &[
    "a",
    "word",
    "b c",
    " ",
    "5 * 3",
    "snake_case",
    "#tag",
    "\\*",
    "\\_",
    "\\\\",
    "&amp;",
    "&nbsp;",
    "&lt;",
    "{{c1::",
    "::",
    "}}",
    "{{c1::x::hint}}",
    "{{c2::a*b::c*d}}",
    "\\(x_1*y\\)",
    "\\[a*b\\]",
    "[sound:a_b.mp3]",
    "[latex]x*y[/latex]",
    "[$]a_b[/$]",
    "漢字[かんじ]",
    " 日本語[にほんご]",
    "日本",
    "é",
    "[x]",
    "!",
    "(",
    ")",
    ":",
    "=",
    "~",
];

fn markdown_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(MARKDOWN_TEXT), 1..4)
        .prop_map(|parts| parts.concat())
}

fn markdown_inline() -> impl Strategy<Value = String> {
    markdown_text().prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            2 => prop::collection::vec(inner.clone(), 1..4).prop_map(|p| p.concat()),
            1 => inner.clone().prop_map(|t| format!("**{t}**")),
            1 => inner.clone().prop_map(|t| format!("*{t}*")),
            1 => inner.clone().prop_map(|t| format!("_{t}_")),
            1 => inner.clone().prop_map(|t| format!("~~{t}~~")),
            1 => inner.clone().prop_map(|t| format!("[{t}](http://x.org/{})", t.len())),
            1 => inner.clone().prop_map(|t| format!("{{{{c1::{t}::hint}}}}")),
            1 => inner.clone().prop_map(|t| format!("<u>{t}</u>")),
            1 => inner.prop_map(|t| format!("{t}\\\n{t}")),
            1 => Just("`co*de`".to_string()),
            1 => Just("![](a.jpg)".to_string()),
        ]
    })
}

fn markdown_block() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => markdown_inline(),
        1 => markdown_inline().prop_map(|t| format!("## {t}")),
        1 => prop::collection::vec(markdown_inline(), 1..4)
            .prop_map(|items| items.iter().map(|i| format!("- {i}")).collect::<Vec<_>>().join("\n")),
        1 => prop::collection::vec(markdown_inline(), 1..4)
            .prop_map(|items| items.iter().enumerate().map(|(n, i)| format!("{}. {i}", n + 1)).collect::<Vec<_>>().join("\n")),
        1 => markdown_inline().prop_map(|t| format!("> {t}")),
        1 => Just("```\ncode *x*\n```".to_string()),
        1 => (markdown_inline(), markdown_inline()).prop_map(|(a, b)| format!("| {a} |\n| --- |\n| {b} |")),
        1 => Just("<div>raw <b>html</b></div>".to_string()),
    ]
}

fn markdown_field() -> impl Strategy<Value = String> {
    prop::collection::vec(markdown_block(), 1..4).prop_map(|blocks| blocks.join("\n\n"))
}

proptest! {
    // 256 cases keep `cargo test` quick; PROPTEST_CASES=20000 searches harder.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    })]

    #[test]
    fn html_keeps_its_dom(html in html_field()) {
        let markdown = html_to_markdown(&html);
        let back = markdown_to_html(&markdown);
        prop_assert!(
            same_dom(&html, &back) || is_seed_tool_html(&markdown, &html),
            "markdown: {:?}\nback: {:?}", markdown, back
        );
        prop_assert_eq!(html_to_markdown(&back), markdown);
    }

    #[test]
    fn markdown_settles_on_a_fixpoint(markdown in markdown_field()) {
        let html = markdown_to_html(&markdown);
        let written = html_to_markdown(&html);
        let again = markdown_to_html(&written);
        prop_assert!(same_dom(&html, &again), "written: {:?}\nhtml: {:?}\nagain: {:?}", written, html, again);
        prop_assert_eq!(html_to_markdown(&again), written);
    }

    #[test]
    fn any_text_comes_back(text in "[ -~\n\u{a0}é漢]{0,24}") {
        let html = text.replace('&', "&amp;").replace('<', "&lt;");
        let markdown = html_to_markdown(&html);
        let back = markdown_to_html(&markdown);
        prop_assert!(same_dom(&html, &back), "markdown: {:?}\nback: {:?}", markdown, back);
    }
}

/// Text, as HTML, for the editor-HTML parser's tests: references it reads, and ones it leaves
/// to html5ever.
const EDITOR_TEXT: &[&str] = &[
    "a",
    "word ",
    " ",
    "\n",
    "\nb",
    "\t",
    "é",
    "{{c1::x::y}}",
    "[sound:a.mp3]",
    "&amp;",
    "&lt;",
    "&gt;",
    "&quot;",
    "&nbsp;",
    "& ",
    "&&amp;",
    ">",
    "\"",
    "=",
    "/",
    "a\u{feff}",
];

/// Elements the editor-HTML parser reads, then some it leaves to html5ever.
const EDITOR_TAGS: &[&str] = &[
    "b",
    "i",
    "u",
    "s",
    "em",
    "strong",
    "strike",
    "small",
    "big",
    "tt",
    "code",
    "font",
    "span",
    "sub",
    "sup",
    "div",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "br",
    "img",
    "hr",
];
const OTHER_TAGS: &[&str] = &[
    "p", "h1", "table", "td", "tr", "pre", "textarea", "script", "svg", "nobr", "center", "dd",
    "html", "body", "template", "select", "option", "B", "Br", "wbr", "button",
];

const EDITOR_ATTRIBUTES: &[&str] = &[
    " style=\"color: rgb(255, 0, 0);\"",
    " href=\"http://x.org/?a=1&amp;b=2\"",
    " src=\"a b.jpg\"",
    " class=\"x\" title=\"&quot;t&quot;\"",
    " color=\"#00f\"",
    " data-x=\"a & b <c>\"",
    " alt=\"\"",
];
const OTHER_ATTRIBUTES: &[&str] = &[
    " a=b",
    " a='b'",
    " a",
    " A=\"x\"",
    " a=\"1\" a=\"2\"",
    "  a=\"x\"",
    " /",
    "/",
    " a=\"&amp\"",
    " a=\"&#65;\"",
    " a=\"x\"b=\"y\"",
    " a=\"a&b\"",
];

/// Tokens outside what the editor-HTML parser reads.
const OTHER_TOKENS: &[&str] = &[
    "\u{feff}",
    "<!--c-->",
    "<!DOCTYPE html>",
    "<?x>",
    "</br>",
    "</p>",
    "<br/>",
    "<b >",
    "</b >",
    "<3",
    "< b>",
    "<",
    "&amp",
    "&#39;",
    "&#x27;",
    "AT&T",
    "&notin;",
    "\r\n",
    "\0",
    "</>",
    "</span",
];

/// Builds HTML from `ops`: well-nested tags from the editor set, `<li>` only right inside a list
/// and no `<a>` in an `<a>`, unless `free`. `other` is an element from outside the set that the
/// ops use too, as often as any six of the set's (so that it meets itself). Each of `wild` puts one thing there is no
/// telling about at its place among the ops: another element, an odd attribute spelling, a stray
/// or misnested end tag, an odd token. So the HTML is close to what the fast parser takes.
fn editor_html(
    ops: &[(u8, u8, u8)],
    other: Option<&'static str>,
    wild: &[(u8, u8, u8)],
    free: bool,
) -> String {
    let mut out = String::new();
    let mut open: Vec<&str> = Vec::new();
    for index in 0..=ops.len() {
        for &(at, kind, x) in wild {
            if usize::from(at) % (ops.len() + 1) != index {
                continue;
            }
            let x = usize::from(x);
            match kind % 5 {
                0 | 1 => open_tag(OTHER_TAGS[x % OTHER_TAGS.len()], "", &mut open, &mut out),
                2 => {
                    let tag = EDITOR_TAGS[x % EDITOR_TAGS.len()];
                    let attribute = OTHER_ATTRIBUTES[x % OTHER_ATTRIBUTES.len()];
                    open_tag(tag, attribute, &mut open, &mut out);
                }
                3 => out.push_str(OTHER_TOKENS[x % OTHER_TOKENS.len()]),
                _ => {
                    let tag = EDITOR_TAGS[x % EDITOR_TAGS.len()];
                    out.push_str(&format!("</{tag}>"));
                    if open.last() == Some(&tag) {
                        open.pop();
                    }
                }
            }
        }
        let Some(&(op, x, y)) = ops.get(index) else {
            break;
        };
        let (x, y) = (usize::from(x), usize::from(y));
        match op % 8 {
            0..=2 => out.push_str(EDITOR_TEXT[x % EDITOR_TEXT.len()]),
            3 | 4 => {
                let tag = match (EDITOR_TAGS.get(x % (EDITOR_TAGS.len() + 6)), other) {
                    (Some(tag), _) => tag,
                    (None, Some(other)) => other,
                    (None, None) => EDITOR_TAGS[x % EDITOR_TAGS.len()],
                };
                let in_list = open.last().is_some_and(|t| matches!(*t, "ul" | "ol"));
                if !free && ((tag == "li" && !in_list) || (tag == "a" && open.contains(&"a"))) {
                    continue;
                }
                let attribute = match y % 3 {
                    0 => EDITOR_ATTRIBUTES[y % EDITOR_ATTRIBUTES.len()],
                    _ => "",
                };
                open_tag(tag, attribute, &mut open, &mut out);
            }
            5 | 6 => {
                if let Some(tag) = open.pop() {
                    out.push_str(&format!("</{tag}>"));
                }
            }
            // Elements left open at the end.
            _ => {}
        }
    }
    out
}

fn open_tag<'a>(tag: &'a str, attribute: &str, open: &mut Vec<&'a str>, out: &mut String) {
    out.push('<');
    out.push_str(tag);
    out.push_str(attribute);
    out.push('>');
    if !matches!(tag, "br" | "img" | "hr" | "wbr" | "Br") {
        open.push(tag);
    }
}

fn editor_ops() -> impl Strategy<Value = Vec<(u8, u8, u8)>> {
    prop::collection::vec(any::<(u8, u8, u8)>(), 0..40)
}

proptest! {
    // Cheap cases, and a wrongly taken element must meet the right neighbour to show: 4096.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(4096),
        ..ProptestConfig::default()
    })]

    /// Editor HTML is read by the fast parser, into the tree html5ever builds.
    #[test]
    fn editor_html_parses_as_html5ever_does(ops in editor_ops()) {
        let html = editor_html(&ops, None, &[], false);
        let fast = super::editor_html::parse(&html);
        prop_assert!(fast.is_some(), "not taken: {:?}", html);
        prop_assert_eq!(fast, Some(super::dom::parse_with_html5ever(&html)), "for {:?}", html);
    }

    /// On any other HTML, the fast parser gives up or agrees with html5ever.
    #[test]
    fn editor_html_parser_gives_up_or_agrees(
        ops in editor_ops(),
        other in prop::option::of(prop::sample::select(OTHER_TAGS)),
        wild in prop::collection::vec(any::<(u8, u8, u8)>(), 0..3),
    ) {
        let html = editor_html(&ops, other, &wild, true);
        if let Some(fast) = super::editor_html::parse(&html) {
            prop_assert_eq!(fast, super::dom::parse_with_html5ever(&html), "for {:?}", html);
        }
    }
}

/// Whether each text node holds its Anki syntax whole: no `\(`, `[latex]` and the like whose
/// other half is in another node (or nowhere), which Markdown could pair with something else.
fn anki_syntax_is_whole(nodes: &[super::dom::Node]) -> bool {
    use super::anki_syntax::{spans, starts_bracket_word, Source};
    nodes.iter().all(|node| match &node.data {
        super::dom::NodeData::Text(text) => {
            let spans = spans(text, Source::Text);
            text.char_indices().all(|(at, _)| {
                let rest = &text[at..];
                let delimiter = ["\\(", "\\)", "\\[", "\\]"]
                    .iter()
                    .any(|d| rest.starts_with(d))
                    || starts_bracket_word(rest);
                !delimiter || spans.iter().any(|span| span.range.contains(&at))
            })
        }
        _ => anki_syntax_is_whole(&node.children),
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256),
        // About a third of the fields hold a lone `\(` or `[latex]`, and are skipped.
        max_global_rejects: 1 << 16,
        ..ProptestConfig::default()
    })]

    /// What the editor writes comes back byte for byte: a Markdown export pushed back changes
    /// no note that was typed in Anki. The editor writes Enter as `<br>`, so its text holds no
    /// line feeds (those in raw HTML may need references: `tests::line_feeds_in_raw_html`).
    #[test]
    fn editor_html_comes_back_byte_for_byte(html in html_field()) {
        let html = super::as_editor_saves(&html.replace('\n', ""));
        prop_assume!(anki_syntax_is_whole(&super::dom::parse(&html)));
        let markdown = html_to_markdown(&html);
        // What the seed tool writes for Markdown is read as that Markdown (`<strong>x</strong>`
        // as `**x**`), and comes back in our tags.
        prop_assume!(!is_seed_tool_html(&markdown, &html));
        prop_assert_eq!(markdown_to_html(&markdown), html, "markdown: {:?}", markdown);
    }
}
