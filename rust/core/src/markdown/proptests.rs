//! Random fields: Anki-like HTML trees must keep their DOM, and random Markdown built from the
//! supported constructs must settle on a fixpoint after one conversion.

use proptest::prelude::*;

use super::{html_to_markdown, markdown_to_html, same_dom};

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
        prop_assert!(same_dom(&html, &back), "markdown: {:?}\nback: {:?}", markdown, back);
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
