//! Markdown fields: the file holds Markdown, Anki holds HTML, and nothing is lost either way.
//!
//! All the Markdown rules are here; the files below only carry them out.
//!
//! # Markdown -> HTML ([`markdown_to_html`])
//!
//! CommonMark with tables and strikethrough (pulldown-cmark), written as Anki's editor writes:
//! - `**b**` -> `<b>`, `*i*` -> `<i>`, `~~s~~` -> `<s>`, a hard break (`\` or two spaces at the end
//!   of a line) -> `<br>`, `---` -> `<hr>`, `![](a.jpg)` -> `<img src="a.jpg">`; a soft line break
//!   stays a line feed, which Anki shows as a space, as in any Markdown.
//! - Paragraphs get no `<p>`. Two paragraphs are joined with `<br><br>`: that is what Anki's
//!   editor writes when you press Enter twice, and it looks like the blank line in the file (a
//!   `<p>` has margins Anki's own notes never have; `<div>` lines would drop the blank line). So
//!   a one-paragraph field is just its text.
//! - Other blocks are written as they are (`<ul>`, `<ol start="3">`, `<h1>`, `<blockquote>`,
//!   `<pre><code class="language-x">`, `<table>` with `<thead>` and `<tbody>`, alignment as
//!   `style="text-align: …"`), with no line feeds between tags.
//! - Raw HTML passes through. An HTML block loses the one line feed Markdown ends it with.
//! - Text is escaped as Anki escapes it: `&amp;`, `&lt;`, `&gt;`, and U+00A0 as `&nbsp;`.
//!
//! # Anki syntax, both ways
//!
//! - MathJax `\(…\)` and `\[…\]`, `[latex]…[/latex]`, `[$]…[/$]`, `[$$]…[/$$]`, `[sound:…]` and
//!   furigana readings (`漢字[かんじ]`: a `[…]` right after a character that is not a space, `>`,
//!   `!`, `]` or `\`, holding none of `` [\<>*_~` ``) are literal: no escapes, no emphasis, no
//!   links; only character references (`&nbsp;`, `&lt;`) are read, as Anki's HTML would. None
//!   spans a blank line.
//! - The space before a furigana base (` 日本語[にほんご]`) is kept even at the start of a line,
//!   where Markdown would strip it: Anki reads it as where the base begins.
//! - Clozes `{{c1::answer::hint}}` are ordinary text with Markdown inside, nested or not, but
//!   emphasis never pairs across `{{c1::`, `::` or `}}`: `{{c1::2*3::a*b}}` keeps its asterisks.
//!
//! # HTML -> Markdown ([`html_to_markdown`])
//!
//! The field is parsed with html5ever as the content of a `<div>` (plain editor HTML is read by
//! a small parser of our own that builds the same tree, faster). Each node becomes Markdown
//! if Markdown can say exactly the same thing, else it stays HTML inside the Markdown:
//! - `<b>`, `<i>`, `<s>` without attributes -> `**`, `*`, `~~` (or `__`, `_` where the
//!   neighbours need it), when the delimiters will be read back as that emphasis; `<strong>`,
//!   `<em>`, `<u>`, `<span>`, `<font>`, `<sub>` ... stay tags, with Markdown between them.
//! - `<br>` -> a backslash at the end of the line, or `<br>` where a line cannot start with
//!   what follows; `<br><br>` between two stretches of text -> a blank line.
//! - `<a href>`, `<img src>` (with `alt`, `title`) -> links and images; `<code>` -> `` `code` ``;
//!   `<ul>`/`<ol>`/`<li>`, `<h1>`..`<h6>`, `<blockquote>`, `<pre><code>`, `<hr>` and tables of the
//!   shape above -> their Markdown. Any attribute the Markdown form cannot carry keeps the HTML.
//! - `<div>`, `<p>` and other blocks are HTML blocks, one per paragraph of the file.
//! - Text is escaped only where Markdown would act: `5 * 3`, `snake_case`, `#tag` and `C:\x`
//!   stay; `*a*`, `# a`, `1. a`, `- a`, `[a](b)`, `<b>` and `&amp;` as text get a backslash;
//!   whitespace Markdown would strip, and U+00A0, become character references (`&#32;`,
//!   `&nbsp;`).
//!
//! # Fields the seed tool wrote
//!
//! A field with the DOM that the seed tool's converter writes for some Markdown agrees
//! with that Markdown ([`is_seed_tool_html`]), so a deck moved from the seed tool shows no
//! changes; if it has the marks of that converter (`<strong>`, `<em>`, `<del>`, line feeds
//! between block tags, `<br />`), it also reads as that Markdown, and a push writes our tags.
//!
//! # Round trips
//!
//! For any other field HTML `h`, `markdown_to_html(html_to_markdown(h))` has the same DOM as `h`
//! ([`same_dom`]), and `html_to_markdown` of that gives the same Markdown again. Known limits:
//! an HTML comment, or `<script>` text, holding a blank line inside an HTML block; a comment in
//! running text whose later lines start like a Markdown block; attribute names CommonMark does
//! not allow in raw HTML (such as `@click`); a DOM that its own serialisation does not give back
//! (see [`as_editor_saves`]), which comes back as that serialisation's DOM.

mod anki_syntax;
pub(crate) use anki_syntax::decode_entities;
mod commonmark;
mod dom;
mod editor_html;
mod escape;
mod needless_guards;
mod seed_tool;
mod to_html;
mod to_markdown;
mod tree;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

/// Whether two field HTMLs have the same DOM: the same elements, attributes and text.
pub fn same_dom(a: &str, b: &str) -> bool {
    with_stack_for(tags_in(a) + tags_in(b), || dom::same_dom(a, b))
}

/// `html` as Anki's editor would save it: its DOM, serialised as Chromium does. That is the
/// same DOM for almost any field; the few the HTML parser's error recovery builds that no text
/// gives back (a heading inside a heading, where a link was split around it) become what
/// their serialisation parses to, and those come back from Markdown that way.
pub fn as_editor_saves(html: &str) -> String {
    let mut out = String::new();
    let style = dom::HtmlStyle {
        one_line: false,
        no_blank_lines: false,
        guard_anki: None,
    };
    with_stack_for(tags_in(html), || {
        dom::serialize_nodes(&dom::parse(html), style, &mut out)
    });
    out
}

/// At most how deep elements can nest in `text`: each `<` opens at most one.
fn tags_in(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'<').count()
}

/// Tags up to which the caller's stack is enough (a macOS thread has 512 KiB).
const SHALLOW: usize = 256;

/// Runs `work` on a thread whose stack fits `tags` levels of nesting when there could be more
/// than the caller's stack holds. The tree code recurses once per level, and running out of
/// stack aborts the process (Anki with it), which no error handling can catch.
fn with_stack_for<T: Send>(tags: usize, work: impl FnOnce() -> T + Send) -> T {
    if tags <= SHALLOW {
        return work();
    }
    // About 0.5 KiB a level was measured; 4 KiB leaves room. Untouched stack costs nothing.
    let stack = (8 << 20) + tags.saturating_mul(4 << 10);
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(stack)
            .spawn_scoped(scope, work)
            .expect("a thread for a deeply nested field")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// The HTML Anki should hold for a Markdown field.
pub fn markdown_to_html(markdown: &str) -> String {
    // Most fields are a few plain words: they are their own HTML.
    if escape::is_plain(markdown) {
        return markdown.to_string();
    }
    to_html::markdown_to_html(markdown)
}

/// The Markdown a file should hold for a field Anki holds as `html`.
pub fn html_to_markdown(html: &str) -> String {
    // Without tags, references or characters the parser rewrites, the DOM is one text node.
    let one_text_node = !html
        .bytes()
        .any(|b| matches!(b, b'<' | b'&' | b'\r' | b'\0'));
    if one_text_node {
        if escape::is_plain(html) {
            return html.to_string();
        }
        return to_markdown::text_to_markdown(html);
    }
    with_stack_for(tags_in(html), || {
        if seed_tool::has_seed_tool_marks(html) {
            if let Some(seed) = seed_tool::markdown_for(html, to_markdown::html_to_markdown) {
                return seed;
            }
        }
        to_markdown::html_to_markdown(html)
    })
}

/// Whether `html` has the DOM the seed tool (ankit-builder) writes for `markdown`: a field it
/// wrote says what the Markdown says, in its own tags (`<strong>`, `<em>`, line feeds between
/// blocks).
pub fn is_seed_tool_html(markdown: &str, html: &str) -> bool {
    same_dom(&seed_tool::seed_tool_html(markdown), html)
}
