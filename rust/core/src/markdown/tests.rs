use super::{html_to_markdown, is_seed_tool_html, markdown_to_html, same_dom};

/// The checks every field must pass: the DOM survives (or the field is the seed tool's HTML for
/// the Markdown, which says the same in other tags), and the Markdown is a fixpoint.
fn check_round_trip(html: &str) -> String {
    let markdown = html_to_markdown(html);
    let back = markdown_to_html(&markdown);
    assert!(
        same_dom(html, &back) || is_seed_tool_html(&markdown, html),
        "DOM changed\n  html: {html:?}\n  markdown: {markdown:?}\n  back: {back:?}"
    );
    let again = html_to_markdown(&back);
    assert_eq!(
        again, markdown,
        "not a fixpoint for {html:?} (back: {back:?})"
    );
    markdown
}

fn assert_markdown(html: &str, expected: &str) {
    assert_eq!(check_round_trip(html), expected, "for {html:?}");
}

fn assert_html(markdown: &str, expected: &str) {
    assert_eq!(markdown_to_html(markdown), expected, "for {markdown:?}");
}

// Rule 1: Markdown -> HTML as Anki's editor writes.

#[test]
fn single_paragraph_has_no_wrapper() {
    assert_html("hello **world**", "hello <b>world</b>");
    assert_html("plain", "plain");
}

#[test]
fn writes_the_tags_anki_writes() {
    assert_html(
        "*i* _i_ **b** __b__ ~~s~~",
        "<i>i</i> <i>i</i> <b>b</b> <b>b</b> <s>s</s>",
    );
    assert_html("a\\\nb", "a<br>b");
    assert_html("a  \nb", "a<br>b");
    assert_html("a\nb", "a\nb");
    assert_html("`x < y`", "<code>x &lt; y</code>");
    assert_html("![](a.jpg)", "<img src=\"a.jpg\">");
    assert_html(
        "![cat](<a b.jpg> \"t\")",
        "<img src=\"a b.jpg\" title=\"t\" alt=\"cat\">",
    );
    assert_html(
        "[x](http://a?b=1&c=2)",
        "<a href=\"http://a?b=1&amp;c=2\">x</a>",
    );
    assert_html(
        "<me@example.com>",
        "<a href=\"mailto:me@example.com\">me@example.com</a>",
    );
    assert_html("a&nbsp;b", "a&nbsp;b");
}

#[test]
fn paragraphs_are_joined_with_two_line_breaks() {
    assert_html("a\n\nb\n\nc", "a<br><br>b<br><br>c");
    assert_html("a\n\n- b", "a<ul><li>b</li></ul>");
    assert_html("- a\n\n  b", "<ul><li>a<br><br>b</li></ul>");
    assert_html("> a\n>\n> b", "<blockquote>a<br><br>b</blockquote>");
}

#[test]
fn blocks_have_no_line_feeds_between_tags() {
    assert_html("- a\n- b", "<ul><li>a</li><li>b</li></ul>");
    assert_html("3. a\n4. b", "<ol start=\"3\"><li>a</li><li>b</li></ol>");
    assert_html("# H\n\ntext", "<h1>H</h1>text");
    assert_html(
        "```rust\nfn x() {}\n```",
        "<pre><code class=\"language-rust\">fn x() {}</code></pre>",
    );
    assert_html(
        "| a | b |\n| :-- | --: |\n| 1 | 2 |",
        "<table><thead><tr><th style=\"text-align: left\">a</th><th style=\"text-align: right\">b</th></tr></thead>\
         <tbody><tr><td style=\"text-align: left\">1</td><td style=\"text-align: right\">2</td></tr></tbody></table>",
    );
    assert_html("a\n\n***\n\nb", "a<hr>b");
    assert_html("<div>raw</div>\n\ntext", "<div>raw</div>text");
}

// Rule 2: HTML -> readable Markdown, HTML kept where Markdown cannot say it.

#[test]
fn formatting_becomes_markdown() {
    assert_markdown(
        "Hello <b>world</b> and <i>you</i>",
        "Hello **world** and *you*",
    );
    assert_markdown("<b><i>both</i></b>", "**_both_**");
    assert_markdown("<s>gone</s>", "~~gone~~");
    assert_markdown("a<b>b</b>c", "a**b**c");
    assert_markdown("日本<b>語</b>です", "日本**語**です");
    assert_markdown("<code>let x</code>", "`let x`");
    assert_markdown(
        "see <a href=\"https://x.org/a_b\">this</a>",
        "see [this](https://x.org/a_b)",
    );
    assert_markdown("<img src=\"cat.jpg\">", "![](cat.jpg)");
    assert_markdown(
        "<img src=\"my cat.jpg\" alt=\"a cat\">",
        "![a cat](<my cat.jpg>)",
    );
}

#[test]
fn line_breaks_become_markdown() {
    assert_markdown("one<br>two", "one\\\ntwo");
    assert_markdown("one<br><br>two", "one\n\ntwo");
    assert_markdown("one<br><br><br>two", "one\n\n<br>two");
    assert_markdown("trailing<br>", "trailing<br>");
    assert_markdown("<br>leading", "<br>leading");
    assert_markdown("a\nb", "a\nb");
}

#[test]
fn blocks_become_markdown() {
    assert_markdown("<ul><li>a</li><li>b <i>c</i></li></ul>", "- a\n- b *c*");
    assert_markdown("<ol><li>a</li><li>b</li></ol>", "1. a\n2. b");
    assert_markdown("<ol start=\"7\"><li>a</li></ol>", "7. a");
    assert_markdown("<ul><li>a<ul><li>b</li></ul></li></ul>", "- a\n\n  - b");
    assert_markdown("<ul><li>a</li></ul><ul><li>b</li></ul>", "- a\n\n+ b");
    assert_markdown("<h2>Title</h2>text", "## Title\n\ntext");
    assert_markdown("<blockquote>q<br><br>r</blockquote>", "> q\n>\n> r");
    assert_markdown("<pre><code>a\n  b</code></pre>", "```\na\n  b\n```");
    assert_markdown(
        "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>x|y</td></tr></tbody></table>",
        "| a | b |\n| --- | --- |\n| 1 | x\\|y |",
    );
    assert_markdown("a<hr>b", "a\n\n***\n\nb");
}

#[test]
fn what_markdown_cannot_say_stays_html() {
    assert_markdown("<u>under</u> <b>bold</b>", "<u>under</u> **bold**");
    assert_markdown(
        "<span style=\"color: rgb(255, 0, 0);\">red <b>bold</b></span>",
        "<span style=\"color: rgb(255, 0, 0);\">red **bold**</span>",
    );
    assert_markdown(
        "<font color=\"#00f\">blue</font>",
        "<font color=\"#00f\">blue</font>",
    );
    assert_markdown("x<sub>2</sub> e<sup>x</sup>", "x<sub>2</sub> e<sup>x</sup>");
    assert_markdown("<b class=\"k\">b</b>", "<b class=\"k\">b</b>");
    // Unless the field is what the seed tool writes (it would put a line feed after `<br />`).
    assert_markdown(
        "<strong>s</strong><br><em>e</em>",
        "<strong>s</strong>\\\n<em>e</em>",
    );
    assert_markdown(
        "<div>line one</div><div>line <b>two</b></div>",
        "<div>line one</div>\n\n<div>line <b>two</b></div>",
    );
    assert_markdown("first<div>second</div>", "first\n\n<div>second</div>");
    assert_markdown(
        "<img src=\"a.jpg\" style=\"width: 50%;\">",
        "<img src=\"a.jpg\" style=\"width: 50%;\">",
    );
    assert_markdown("<b> spaced </b>", "<b> spaced </b>");
}

#[test]
fn nothing_is_dropped() {
    check_round_trip("a <!-- note --> b");
    check_round_trip("a <!-- two\nlines --> b");
    check_round_trip("<ul><li>a <!-- two\nlines --> b</li></ul>");
    check_round_trip("<!-- first -->text");
    check_round_trip("<script>if (a < b && c) { x = y * 2; }</script>after");
    check_round_trip("text <script>var s = \"*not* markdown\";</script>");
    check_round_trip("<style>.x { color: red }</style><b>b</b>");
    check_round_trip("<a href=\"x\" target=\"_blank\">t</a>");
    check_round_trip("<div class=\"a\" data-x=\"1\">x</div>\n<div>\n\n</div>");
    check_round_trip("<table><tbody><tr><td>no head</td></tr></tbody></table>");
    check_round_trip("<ul>\n<li>spaced</li>\n</ul>");
    check_round_trip("<p>para</p><p>two</p>");
    check_round_trip("<svg viewBox=\"0 0 1 1\"><path d=\"M0 0\"></path></svg>");
}

#[test]
fn entities_survive() {
    assert_markdown("a&nbsp;b", "a&nbsp;b");
    assert_markdown("&lt;b&gt; is bold", "\\<b> is bold");
    assert_markdown("AT&amp;T &amp;amp;", "AT&T \\&amp;");
    assert_markdown("&nbsp;", "&nbsp;");
    check_round_trip("&#128512; &copy; &#x1F600;");
}

// Rule 3: Anki syntax and text that only looks like Markdown.

#[test]
fn anki_syntax_passes_through_html_to_markdown() {
    for field in [
        "{{c1::answer::hint}}",
        "{{c1::outer {{c2::inner}} text}}",
        "{{c1::snake_case::a_b}}",
        "[sound:word_1.mp3]",
        "\\(x_1 * y_2 * z\\)",
        "\\[\\sum_{i=1}^n i*2\\]",
        "[latex]$a_1*b_2*$[/latex]",
        "[$]x_1*x_2*[/$]",
        "[$$]x_1*x_2*[/$$]",
        "漢字[かんじ]",
        "私は 日本語[にほんご]を",
        " 日本語[にほんご]",
    ] {
        assert_markdown(field, field);
    }
}

#[test]
fn anki_syntax_passes_through_markdown_to_html() {
    assert_html("{{c1::2*3::a*b}}", "{{c1::2*3::a*b}}");
    assert_html("{{c1::a*b}} and {{c2::c*d}}", "{{c1::a*b}} and {{c2::c*d}}");
    assert_html(
        "{{c1::**bold**::*hint*}}",
        "{{c1::<b>bold</b>::<i>hint</i>}}",
    );
    assert_html("*{{c1::x}}*", "<i>{{c1::x}}</i>");
    assert_html("{{c1::a {{c2::*b*}} c}}", "{{c1::a {{c2::<i>b</i>}} c}}");
    assert_html("\\(a*b*c\\)", "\\(a*b*c\\)");
    assert_html(
        "\\(a < b\\) and \\(a &lt; b\\)",
        "\\(a &lt; b\\) and \\(a &lt; b\\)",
    );
    assert_html("*\\(x\\)*", "<i>\\(x\\)</i>");
    assert_html(
        "[latex]\\frac{a}{b}*c*[/latex]",
        "[latex]\\frac{a}{b}*c*[/latex]",
    );
    assert_html("[sound:a_b_c.mp3]", "[sound:a_b_c.mp3]");
    assert_html("漢字[かんじ](x)", "漢字[かんじ](x)");
    assert_html(" 日本語[にほんご]", " 日本語[にほんご]");
    assert_html("a\n 日本語[にほんご]", "a\n 日本語[にほんご]");
    assert_html("**漢字**[かんじ]", "<b>漢字</b>[かんじ]");
    assert_html("`\\(x\\)`", "<code>\\(x\\)</code>");
}

#[test]
fn anki_syntax_inside_formatting() {
    for html in [
        "<b>{{c1::bold answer}}</b>",
        "{{c1::<b>bold</b> answer::<i>hint</i>}}",
        "<i>\\(x^2\\)</i> and <b>[sound:a.mp3]</b>",
        "{{c1::a*b::c*d}}",
        "<b>{{c1::half</b>::hint}}",
        "{{c1::\\(\\frac{1}{2}\\)}}",
        "<b>漢字</b>[かんじ]",
        "<i>a</i>[b] and <a href=\"u\">x</a>[y]",
        "{{c1::x}}<b>::</b>",
    ] {
        check_round_trip(html);
    }
}

#[test]
fn text_that_looks_like_markdown_comes_back() {
    for text in [
        "5 * 3 = 15",
        "snake_case and __init__",
        "#tag and # heading",
        "1. x",
        "1) x",
        "- x",
        "+ x",
        "* x",
        "> quoted",
        "[a](b) and ![c](d)",
        "[1]: http://x",
        "C:\\Users\\me and a\\*b and trailing\\",
        "`code` and ``more``",
        "~~struck~~ ~5 min",
        "***",
        "---",
        "a<br>===",
        "a | b<br>--|--",
        "<b>not a tag</b> &amp; &lt;",
        "    indented",
        "a  <br>  b",
        "*a*b* _a_b_ **",
        "```<br>fence<br>```",
        "\\(unclosed and \\[also",
        "[latex]unclosed [sound:x",
        "x[not furigana\\]",
        "{{c1::unclosed * star",
        "tab\there",
    ] {
        let html = text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace("&lt;br>", "<br>");
        check_round_trip(&html);
    }
}

#[test]
fn escapes_only_what_markdown_would_read() {
    assert_markdown("5 * 3", "5 * 3");
    assert_markdown("snake_case", "snake_case");
    assert_markdown("#tag", "#tag");
    assert_markdown("C:\\Users", "C:\\Users");
    assert_markdown("a*b*c", "a\\*b\\*c");
    assert_markdown("# not a heading", "\\# not a heading");
    assert_markdown("1. not a list", "1\\. not a list");
    assert_markdown("[a](b)", "[a\\](b)");
    assert_markdown(" leading space", "&#32;leading space");
}

// Rules 4 and 5: round trips and same_dom.

#[test]
fn markdown_the_tool_writes_is_a_fixpoint() {
    for markdown in [
        "Hello **world**",
        "- a\n- b\n\n1. c",
        "{{c1::**x**::hint}} \\(y\\)",
        "a\\\nb\n\nc",
        "> quote\n\n```\ncode\n```",
    ] {
        let html = markdown_to_html(markdown);
        assert_eq!(html_to_markdown(&html), markdown);
    }
}

#[test]
fn same_dom_ignores_serialisation_only() {
    assert!(same_dom("<b>x</b>", "<B>x</B>"));
    assert!(same_dom(
        "<a href=\"u\" title=\"t\">x</a>",
        "<a title='t' href=u>x</a>"
    ));
    assert!(same_dom("a&nbsp;b", "a\u{a0}b"));
    assert!(same_dom("<br/>", "<br>"));
    assert!(same_dom("<!--c--><b>x</b>", "<!--c--><B>x</B>"));
    assert!(!same_dom("<b>x</b>", "<i>x</i>"));
    assert!(!same_dom("<a href=\"u\">x</a>", "<a href=\"v\">x</a>"));
    assert!(!same_dom("<!--c-->", "<!--d-->"));
    assert!(!same_dom("a b", "a  b"));
    assert!(!same_dom("<div>a</div>", "<div>a</div>\n"));
    assert!(!same_dom("<span class=\"a\">x</span>", "<span>x</span>"));
}

#[test]
fn empty_field() {
    assert_eq!(markdown_to_html(""), "");
    assert_eq!(html_to_markdown(""), "");
}

#[test]
fn corpus_round_trips() {
    let folder = std::path::Path::new(CORPUS);
    let mut files: Vec<_> = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("corpus folder {folder:?}: {e}"))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "html"))
        .collect();
    files.sort();
    assert!(files.len() >= 25, "corpus has only {} files", files.len());
    for path in files {
        let html = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        // The files end with a line feed that is not part of the field.
        let html = html.strip_suffix('\n').unwrap_or(&html);
        let markdown = html_to_markdown(html);
        let back = markdown_to_html(&markdown);
        assert!(
            same_dom(html, &back),
            "{path:?}: DOM changed\n  markdown: {markdown:?}\n  back: {back:?}"
        );
        assert_eq!(
            html_to_markdown(&back),
            markdown,
            "{path:?}: not a fixpoint"
        );
    }
}

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/markdown_corpus");

#[test]
fn deeply_nested_fields_convert_on_a_small_stack() {
    // Before the conversion ran deep trees on a stack of their own, these aborted the process
    // (stack overflow), Anki with it. 512 KiB is a macOS thread's stack.
    std::thread::Builder::new()
        .stack_size(512 << 10)
        .spawn(|| {
            let bold = format!("{}x", "<b>x".repeat(20_000));
            let markdown = html_to_markdown(&bold);
            assert!(same_dom(&bold, &markdown_to_html(&markdown)));
            let quotes = format!("{} a", ">".repeat(20_000));
            let html = markdown_to_html(&quotes);
            assert_eq!(markdown_to_html(&html_to_markdown(&html)), html);
            let lists = "<ul><li>".repeat(5_000);
            assert!(same_dom(
                &lists,
                &markdown_to_html(&html_to_markdown(&lists))
            ));
        })
        .unwrap()
        .join()
        .unwrap();
}

/// The field comes back byte for byte, as well as keeping its DOM.
fn assert_bytes_back(html: &str) {
    let markdown = check_round_trip(html);
    assert_eq!(markdown_to_html(&markdown), html, "markdown: {markdown:?}");
}

#[test]
fn svg_and_math_keep_their_namespace_attributes() {
    assert_markdown(
        "<math xmlns=\"http://www.w3.org/1998/Math/MathML\"><mi>x</mi></math>",
        "<math xmlns=\"http://www.w3.org/1998/Math/MathML\"><mi>x</mi></math>",
    );
    assert_bytes_back(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
         viewBox=\"0 0 10 10\"><use xlink:href=\"#a\"></use></svg>",
    );
    assert_bytes_back(
        "a <math xmlns=\"http://www.w3.org/1998/Math/MathML\" display=\"block\"><mrow><mi>x</mi>\
         <mo>=</mo></mrow></math> b",
    );
    // Not the same DOM: an attribute named `:xmlns` is not the namespace declaration.
    assert!(!same_dom(
        "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>",
        "<svg :xmlns=\"http://www.w3.org/2000/svg\"></svg>"
    ));
}

#[test]
fn mathjax_delimiters_in_raw_html_are_never_rewritten() {
    for html in [
        // Display math over two lines, as older editors wrote it.
        "<div>\\[x</div><div>y\\]</div>",
        "<div>x</div><div>\\(a</div><div>b\\)</div>",
        "<pre>\\[</pre>",
        "<table><tbody><tr><td>\\(a</td><td>b\\)</td></tr></tbody></table>",
        "<div>[latex]x</div><div>y[/latex]</div>",
        "<div>use `x` here</div>",
        "<div>a ` b</div>",
        "<b>x</b>\\[a^2\\]",
        "<u>x</u>\\(a\\)",
        "<div>\\(a\\)</div>",
    ] {
        assert_bytes_back(html);
    }
}

#[test]
fn lone_delimiters_that_markdown_would_pair_keep_their_guard() {
    // The `\)` of the second item would close the `\(` of the first: only a reference keeps
    // them apart, and the DOM is what must survive.
    let html = "<ul><li><table><tbody><tr><td>\\(</td></tr></tbody></table></li>\
                <li><a href=\"u\">\\)</a></li></ul>";
    assert!(check_round_trip(html).contains("&#92;("));
}

#[test]
fn line_feeds_in_raw_html() {
    assert_bytes_back("<pre>a\nb</pre>");
    assert_bytes_back("<ul><li><pre><code><br>\nx</code></pre></li></ul>");
    assert_bytes_back("<blockquote><pre>a\nb</pre></blockquote>");
    // A `</pre>` before the line feed would end the Markdown HTML block there.
    check_round_trip("<pre><pre>a</pre><i>\n</i></pre>");
}

#[test]
fn what_the_editor_would_not_write_keeps_its_dom() {
    // Chromium writes `<img>`, `&amp;` and `<tbody>`: these come back so, with the same DOM.
    assert_markdown("<img src=\"a.jpg\" />", "![](a.jpg)");
    assert_html("![](a.jpg)", "<img src=\"a.jpg\">");
    assert_markdown("AT&T <i>x</i> &c", "AT&T *x* &c");
    assert_html("AT&T *x* &c", "AT&amp;T <i>x</i> &amp;c");
    assert_markdown(
        "<table><tr><td>1</td></tr></table>",
        "<table><tbody><tr><td>1</td></tr></tbody></table>",
    );
    assert_bytes_back("<table><tbody><tr><td>1</td></tr></tbody></table>");
    assert_bytes_back("AT&amp;T <i>x</i> &amp;c");
}

#[test]
fn anki_syntax_scanner_work_is_linear() {
    use super::anki_syntax::{spans, Source, EXAMINED};
    // Openers that never close, closers far away behind blank lines, runs of what starts a
    // comment or a code span: each once made every opener search to the end of the field.
    let units = [
        "\\(",
        "\\[",
        "\\(\n\n",
        "\\(\n>\n",
        "[sound:",
        "[latex]",
        "[LaTeX]",
        "[$]",
        "[$$]",
        "<!--",
        "``a`",
        "`a``",
        "[",
        "]",
        "漢字[かんじ]",
        " 日本[にほん]",
        "{{c1::",
    ];
    for unit in units {
        for source in [Source::Text, Source::Markdown] {
            let work = |copies: usize| {
                let field = format!("{}\\)[/$]", unit.repeat(copies));
                EXAMINED.with(|count| count.set(0));
                spans(&field, source);
                EXAMINED.with(|count| count.get())
            };
            let (small, large) = (work(10_000), work(40_000));
            assert!(
                large <= 4 * small + 64,
                "{unit:?}: {small} bytes examined for 10,000 copies, {large} for 40,000"
            );
        }
    }
}

/// Markdown and the HTML the seed tool (ankit-builder 0.1) wrote for it, taken from the tool.
fn seed_tool_fixtures() -> Vec<(String, String)> {
    include_str!("../../../../tests/markdown_seed_tool.jsonl")
        .lines()
        .map(|line| serde_json::from_str(line).expect("a [markdown, html] pair"))
        .collect()
}

#[test]
fn seed_tool_html_reads_as_its_markdown() {
    let fixtures = seed_tool_fixtures();
    assert!(fixtures.len() >= 30);
    for (markdown, html) in &fixtures {
        // Our model of its converter writes what it wrote.
        assert_eq!(&super::seed_tool::seed_tool_html(markdown), html);
        let read = html_to_markdown(html);
        // The Markdown back, or one that gives the same HTML (the seed tool's, or ours where
        // the two agree); and the file's Markdown agrees with the field (no conflict).
        let same = |markdown: &str| {
            is_seed_tool_html(markdown, html) || same_dom(&markdown_to_html(markdown), html)
        };
        assert!(same(&read), "{markdown:?} -> {html:?} read as {read:?}");
        assert!(same(markdown), "{markdown:?} and {html:?} disagree");
        assert_eq!(html_to_markdown(&markdown_to_html(&read)), read, "{read:?}");
    }
    let read = |markdown: &str| {
        let (_, html) = fixtures
            .iter()
            .find(|(m, _)| m == markdown)
            .expect(markdown);
        html_to_markdown(html)
    };
    assert_eq!(read("**bold** and *italic*"), "**bold** and *italic*");
    assert_eq!(read("__bold__ and _italic_"), "**bold** and *italic*");
    assert_eq!(
        read("- item 1\n- item 2\n- item 3"),
        "- item 1\n- item 2\n- item 3"
    );
    assert_eq!(read("3. three\n4. four"), "3. three\n4. four");
    // Known limit: a nested list is written loose here, which the seed tool would not write,
    // so that field reads as HTML (with its DOM); the file's Markdown still agrees with it.
    assert!(read("- a\n  - nested\n- b").starts_with("<ul>"));
    // A code block alone has none of its marks (Anki's fields have such blocks too), so it
    // reads as any field, keeping the last line feed; it still agrees with the file.
    assert_eq!(
        read("```rust\nlet x = 1;\nlet y = 2;\n```"),
        "```rust\nlet x = 1;\nlet y = 2;\n\n```"
    );
    assert_eq!(
        read("[link](https://example.com \"title\")"),
        "[link](https://example.com \"title\")"
    );
    assert_eq!(read("## Heading two\n\ntext"), "## Heading two\n\ntext");
    assert_eq!(read("> quoted\n> more"), "> quoted\n> more");
    assert_eq!(read("~~struck~~"), "~~struck~~");
}

#[test]
fn runs_of_leading_breaks_keep_what_follows() {
    // Found by fuzzing: the text after three or more leading `<br>` was lost.
    for html in [
        "<br><br><br>b",
        "<br><br><br><br>b",
        "<br><br><br><br><br>b",
        "<br><br><br>b<br><br>c",
        "<br><br><br>*b*",
        "<br><br>b",
        "b<br><br><br>",
        "b<br><br><br><br>",
        "<br><br><br>",
        "a<br><br><br><br>b",
        "<div>a</div><br><br><br>b",
        "<div><br></div><div><br></div><div><br></div>b",
        "<div><br></div><br><br><br>b",
        "<ul><li><br><br><br>b</li></ul>",
        "<blockquote><br><br><br>b</blockquote>",
    ] {
        // The DOM check in it is what catches a lost text.
        check_round_trip(html);
    }
    assert_markdown("<br><br><br>b", "<br><br><br>b");
}
