//! The round trips `markdown/mod.rs` promises, on fields built from the fuzzer's bytes:
//! - Anki-like HTML `h`: `markdown_to_html(html_to_markdown(h))` has the DOM of `h` (or `h` is
//!   the seed tool's HTML for that Markdown, which says the same in its own tags), and
//!   converting that back gives the same Markdown; for a DOM that no text gives back, the same
//!   holds of what Anki's editor would save of it (`as_editor_saves`);
//! - Markdown from the supported constructs: one conversion to HTML and back reaches a fixpoint.
//!
//! The fields are built from the constructs the module documents (its known limits, such as a
//! blank line inside an HTML comment, are left out); `markdown` fuzzes any text for panics.
#![no_main]

use ankitoml_core::markdown::{
    as_editor_saves, html_to_markdown, is_seed_tool_html, markdown_to_html, same_dom,
};
use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(html_first) = u.arbitrary::<bool>() else {
        return;
    };
    if html_first {
        let Ok(html) = html_field(&mut u, 4) else {
            return;
        };
        // A DOM that no text gives back (the parser's error recovery made it): the promise
        // is for what Anki's editor would save of it.
        let saved = as_editor_saves(&html);
        let html = if same_dom(&html, &saved) { html } else { saved };
        let markdown = html_to_markdown(&html);
        let back = markdown_to_html(&markdown);
        // A field that is the seed tool's HTML for its Markdown comes back in Anki's tags
        // (`<em>` as `<i>`), by design.
        assert!(
            same_dom(&html, &back) || is_seed_tool_html(&markdown, &html),
            "html {html:?}\nmarkdown {markdown:?}\nback {back:?}"
        );
        assert_eq!(html_to_markdown(&back), markdown, "html {html:?}");
    } else {
        let Ok(markdown) = markdown_field(&mut u) else {
            return;
        };
        let html = markdown_to_html(&markdown);
        let written = html_to_markdown(&html);
        let again = markdown_to_html(&written);
        assert!(
            same_dom(&html, &again),
            "markdown {markdown:?}\nhtml {html:?}\nwritten {written:?}\nagain {again:?}"
        );
        assert_eq!(html_to_markdown(&again), written, "markdown {markdown:?}");
    }
});

/// Text as HTML: Markdown's active characters, Anki's syntax, references, odd whitespace.
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
    "~~",
    "`",
    "\\",
    "#",
    "# ",
    "- ",
    "+ ",
    "1. ",
    "2) ",
    "> ",
    "|",
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
    ":",
    "::",
    "{{c1::",
    "}}",
    "\\(",
    "\\)",
    "\\[",
    "\\]",
    "\\(x_1*y\\)",
    "[sound:a_b.mp3]",
    "[latex]x*y[/latex]",
    "[$]a_b[/$]",
    "[$$]c*d[/$$]",
    "漢字[かんじ]",
    " 日本語[にほんご]",
    "[かな]",
    "é",
    "5 * 3",
    "snake_case",
    "C:\\dir",
    "{{c1::a*b::c_d}}",
    "\u{3000}",
    "&#32;",
    "=",
    "< ",
    ">",
    "&",
    "1.",
    "*a*",
    "    x",
    "```",
    "~~~",
    "&lt;b&gt;",
    "\u{a0}",
];

const SIMPLE_TAGS: &[&str] = &[
    "b",
    "i",
    "u",
    "s",
    "div",
    "span",
    "sub",
    "sup",
    "code",
    "p",
    "h1",
    "h2",
    "blockquote",
    "strong",
    "em",
    "pre",
];

fn html_text(u: &mut Unstructured) -> Result<String> {
    let mut out = String::new();
    for _ in 0..u.int_in_range(1..=4)? {
        out.push_str(u.choose(HTML_TEXT)?);
    }
    Ok(out)
}

fn html_children(u: &mut Unstructured, depth: u32) -> Result<String> {
    let mut out = String::new();
    for _ in 0..u.int_in_range(0..=3)? {
        out.push_str(&html_node(u, depth)?);
    }
    Ok(out)
}

fn html_node(u: &mut Unstructured, depth: u32) -> Result<String> {
    let leaf = depth == 0 || u.ratio(1, 2)?;
    if leaf {
        return Ok(match u.int_in_range(0..=9)? {
            0..=5 => html_text(u)?,
            6 | 7 => "<br>".to_owned(),
            8 => format!(
                "<img src=\"{}\">",
                u.choose(&["a.jpg", "my cat.png", "x(1).gif", "&amp;.jpg"])?
            ),
            _ => format!("<!--{}-->", u.choose(&[" c ", "x*y", "", "-"])?),
        });
    }
    let depth = depth - 1;
    Ok(match u.int_in_range(0..=9)? {
        0..=3 => {
            let tag = u.choose(SIMPLE_TAGS)?;
            format!("<{tag}>{}</{tag}>", html_children(u, depth)?)
        }
        4 => format!(
            "<span style=\"color: rgb(255, 0, 0);\">{}</span>",
            html_children(u, depth)?
        ),
        5 => {
            let href = u.choose(&["u", "a b", "http://x.org/a_(b)", "", "a\\b"])?;
            format!("<a href=\"{href}\">{}</a>", html_children(u, depth)?)
        }
        6 => {
            let tag = u.choose(&["ul", "ol"])?;
            let mut items = String::new();
            for _ in 0..u.int_in_range(1..=3)? {
                items.push_str(&format!("<li>{}</li>", html_children(u, depth)?));
            }
            format!("<{tag}>{items}</{tag}>")
        }
        7 => {
            let cells = u.int_in_range(1..=3)?;
            let row = |tag: &str, u: &mut Unstructured| -> Result<String> {
                let mut out = String::new();
                for _ in 0..cells {
                    out.push_str(&format!("<{tag}>{}</{tag}>", html_children(u, depth)?));
                }
                Ok(out)
            };
            if u.arbitrary()? {
                let head = row("th", u)?;
                let body = row("td", u)?;
                format!(
                    "<table><thead><tr>{head}</tr></thead><tbody><tr>{body}</tr></tbody></table>"
                )
            } else {
                format!("<table><tbody><tr>{}</tr></tbody></table>", row("td", u)?)
            }
        }
        8 => format!("<pre><code>{}</code></pre>", html_children(u, depth)?),
        _ => format!("<font color=\"#00f\">{}</font>", html_children(u, depth)?),
    })
}

fn html_field(u: &mut Unstructured, depth: u32) -> Result<String> {
    let mut out = String::new();
    for _ in 0..u.int_in_range(1..=4)? {
        out.push_str(&html_node(u, depth)?);
    }
    Ok(out)
}

/// Markdown text pieces, Anki syntax among them.
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

fn markdown_inline(u: &mut Unstructured, depth: u32) -> Result<String> {
    if depth == 0 || u.ratio(1, 2)? {
        let mut out = String::new();
        for _ in 0..u.int_in_range(1..=3)? {
            out.push_str(u.choose(MARKDOWN_TEXT)?);
        }
        return Ok(out);
    }
    let depth = depth - 1;
    let inner = markdown_inline(u, depth)?;
    Ok(match u.int_in_range(0..=10)? {
        0 => format!("{inner}{}", markdown_inline(u, depth)?),
        1 => format!("**{inner}**"),
        2 => format!("*{inner}*"),
        3 => format!("_{inner}_"),
        4 => format!("~~{inner}~~"),
        5 => format!("[{inner}](http://x.org/{})", inner.len()),
        6 => format!("{{{{c1::{inner}::hint}}}}"),
        7 => format!("<u>{inner}</u>"),
        8 => format!("{inner}\\\n{inner}"),
        9 => format!("{inner}`co*de`"),
        _ => format!("{inner}![](a.jpg)"),
    })
}

fn markdown_block(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=10)? {
        0..=3 => markdown_inline(u, 3)?,
        4 => format!("## {}", markdown_inline(u, 3)?),
        5 | 6 => {
            let ordered = u.arbitrary::<bool>()?;
            let mut lines = Vec::new();
            for n in 1..=u.int_in_range(1..=3)? {
                let marker = if ordered {
                    format!("{n}.")
                } else {
                    "-".to_owned()
                };
                lines.push(format!("{marker} {}", markdown_inline(u, 3)?));
            }
            lines.join("\n")
        }
        7 => format!("> {}", markdown_inline(u, 3)?),
        8 => "```\ncode *x*\n```".to_owned(),
        9 => format!(
            "| {} |\n| --- |\n| {} |",
            markdown_inline(u, 2)?,
            markdown_inline(u, 2)?
        ),
        _ => "<div>raw <b>html</b></div>".to_owned(),
    })
}

fn markdown_field(u: &mut Unstructured) -> Result<String> {
    let mut blocks = Vec::new();
    for _ in 0..u.int_in_range(1..=3)? {
        blocks.push(markdown_block(u)?);
    }
    Ok(blocks.join("\n\n"))
}
