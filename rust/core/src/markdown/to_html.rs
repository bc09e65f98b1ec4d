//! Markdown -> HTML: pulldown-cmark parses, and this renderer writes HTML the way Anki's editor
//! would have written the same note.

use pulldown_cmark::{Alignment, CodeBlockKind, Event, LinkType, Options, Parser, Tag, TagEnd};

use super::anki_syntax::{self, Protected, Restore, Segments};
use super::dom::{self, HtmlStyle};

pub(super) fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

pub(super) fn markdown_to_html(markdown: &str) -> String {
    let protected = anki_syntax::protect(markdown);
    let source = match &protected {
        Some(p) => p.markdown.as_str(),
        None => markdown,
    };
    let isolated = isolate_clozes(source);
    let source = isolated.as_deref().unwrap_or(source);
    let mut renderer = Renderer::new(protected.as_ref(), markdown.len());
    for event in Parser::new_ext(source, options()) {
        renderer.event(event);
    }
    renderer.out
}

/// Escapes the emphasis delimiters whose pairs would cross a cloze marker (`{{c1::`, `::`,
/// `}}`), so `{{c1::2*3::a*b}}` stays one cloze instead of italicising `3::a`. Delimiters that
/// pair within one answer or hint, or around whole clozes, are left alone.
fn isolate_clozes(source: &str) -> Option<String> {
    if !source.contains("{{c") || !source.contains(['*', '_', '~']) {
        return None;
    }
    let mut text = source.to_string();
    let mut changed = false;
    // Each round escapes at least one pair; the bound only guards against surprises.
    for _ in 0..64 {
        let markers = anki_syntax::cloze_markers(&text);
        if markers.is_empty() {
            break;
        }
        let segments = Segments::new(&markers);
        let mut escape: Vec<usize> = Vec::new();
        for (event, range) in Parser::new_ext(&text, options()).into_offset_iter() {
            let width = match event {
                Event::Start(Tag::Emphasis) => 1,
                Event::Start(Tag::Strong) => 2,
                Event::Start(Tag::Strikethrough) => {
                    if text[range.start..].starts_with("~~") {
                        2
                    } else {
                        1
                    }
                }
                _ => continue,
            };
            let open = range.start;
            let close = range.end - width;
            if segments.at(open) != segments.at(close) {
                escape.extend(open..open + width);
                escape.extend(close..close + width);
            }
        }
        if escape.is_empty() {
            break;
        }
        escape.sort_unstable();
        escape.dedup();
        for &at in escape.iter().rev() {
            text.insert(at, '\\');
        }
        changed = true;
    }
    changed.then_some(text)
}

struct Renderer<'p, 'm> {
    out: String,
    protected: Option<&'p Protected<'m>>,
    /// Per open container (document, list item, block quote): whether its last block was a
    /// paragraph, because consecutive paragraphs are joined with `<br><br>`.
    after_paragraph: Vec<bool>,
    /// Alignments of the table being written, and which cell of the row comes next.
    alignments: Vec<Alignment>,
    cell: usize,
    in_table_head: bool,
    body_open: bool,
    /// Text collected for an image's alt attribute; images can nest inside image descriptions.
    alt: Vec<String>,
    code_block: Option<String>,
    html_block_start: Option<usize>,
    /// Inside an inline `<script>`-like element its text is written unescaped, because the
    /// HTML parser will read it as raw text.
    raw_text_element: Option<String>,
}

impl<'p, 'm> Renderer<'p, 'm> {
    fn new(protected: Option<&'p Protected<'m>>, capacity: usize) -> Self {
        Renderer {
            out: String::with_capacity(capacity + capacity / 4 + 16),
            protected,
            after_paragraph: vec![false],
            alignments: Vec::new(),
            cell: 0,
            in_table_head: false,
            body_open: false,
            alt: Vec::new(),
            code_block: None,
            html_block_start: None,
            raw_text_element: None,
        }
    }

    fn restore<'s>(&self, s: &'s str, how: Restore) -> std::borrow::Cow<'s, str> {
        match self.protected {
            Some(p) => p.restore(s, how),
            None => std::borrow::Cow::Borrowed(s),
        }
    }

    /// Notes that a block starts in the current container; returns whether the previous block
    /// there was a paragraph.
    fn block(&mut self, is_paragraph: bool) -> bool {
        let last = self.after_paragraph.last_mut();
        match last {
            Some(flag) => std::mem::replace(flag, is_paragraph),
            None => false,
        }
    }

    fn event(&mut self, event: Event) {
        if let Some(alt) = self.alt.last_mut() {
            match &event {
                Event::Text(text) | Event::Code(text) => {
                    let restored = match self.protected {
                        Some(p) => p.restore(text, Restore::Text).into_owned(),
                        None => text.to_string(),
                    };
                    alt.push_str(&restored);
                    return;
                }
                Event::SoftBreak | Event::HardBreak => {
                    alt.push('\n');
                    return;
                }
                Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => {}
                _ => return,
            }
        }
        if let Some(code) = self.code_block.as_mut() {
            if let Event::Text(text) = &event {
                let restored = match self.protected {
                    Some(p) => p.restore(text, Restore::Source),
                    None => std::borrow::Cow::Borrowed(&**text),
                };
                code.push_str(&restored);
                return;
            }
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => {
                let text = self.restore(&text, Restore::Text).into_owned();
                let raw = self.raw_text_element.is_some();
                push_text(&text, raw, &mut self.out);
            }
            Event::Code(text) => {
                let text = self.restore(&text, Restore::Source).into_owned();
                self.out.push_str("<code>");
                push_text(&text, false, &mut self.out);
                self.out.push_str("</code>");
            }
            Event::Html(html) => {
                let html = self.restore(&html, Restore::Source).into_owned();
                self.out.push_str(&html);
            }
            Event::InlineHtml(html) => {
                let html = self.restore(&html, Restore::Source).into_owned();
                self.track_raw_text_element(&html);
                self.out.push_str(&html);
            }
            Event::SoftBreak => self.out.push('\n'),
            Event::HardBreak => self.out.push_str("<br>"),
            Event::Rule => {
                self.block(false);
                self.out.push_str("<hr>");
            }
            Event::InlineMath(text) | Event::DisplayMath(text) => {
                push_text(&text, false, &mut self.out)
            }
            Event::FootnoteReference(text) => push_text(&text, false, &mut self.out),
            Event::TaskListMarker(done) => self.out.push_str(if done { "[x]" } else { "[ ]" }),
        }
    }

    fn track_raw_text_element(&mut self, html: &str) {
        let lower = html.to_ascii_lowercase();
        match &self.raw_text_element {
            Some(open) => {
                if lower.starts_with("</") && lower[2..].starts_with(open.as_str()) {
                    self.raw_text_element = None;
                }
            }
            None => {
                let name: String = lower
                    .strip_prefix('<')
                    .unwrap_or("")
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                if dom::is_raw_text(&name) && !lower.ends_with("/>") {
                    self.raw_text_element = Some(name);
                }
            }
        }
    }

    fn start(&mut self, tag: Tag) {
        match tag {
            Tag::Paragraph => {
                if self.block(true) {
                    self.out.push_str("<br><br>");
                }
            }
            Tag::Heading { level, .. } => {
                self.block(false);
                self.out.push('<');
                self.out.push_str(&level.to_string());
                self.out.push('>');
            }
            Tag::BlockQuote(_) => {
                self.block(false);
                self.after_paragraph.push(false);
                self.out.push_str("<blockquote>");
            }
            Tag::CodeBlock(kind) => {
                self.block(false);
                self.out.push_str("<pre><code");
                if let CodeBlockKind::Fenced(info) = kind {
                    let info = self.restore(&info, Restore::Text).into_owned();
                    let language = info.split_whitespace().next().unwrap_or("");
                    if !language.is_empty() {
                        self.out.push_str(" class=\"language-");
                        dom::push_attribute_value(language, &mut self.out);
                        self.out.push('"');
                    }
                }
                self.out.push('>');
                self.code_block = Some(String::new());
            }
            Tag::HtmlBlock => {
                self.block(false);
                self.html_block_start = Some(self.out.len());
            }
            Tag::List(start) => {
                self.block(false);
                match start {
                    None => self.out.push_str("<ul>"),
                    Some(1) => self.out.push_str("<ol>"),
                    Some(n) => {
                        self.out.push_str("<ol start=\"");
                        self.out.push_str(&n.to_string());
                        self.out.push_str("\">");
                    }
                }
            }
            Tag::Item => {
                self.after_paragraph.push(false);
                self.out.push_str("<li>");
            }
            Tag::Table(alignments) => {
                self.block(false);
                self.alignments = alignments;
                self.body_open = false;
                self.out.push_str("<table>");
            }
            Tag::TableHead => {
                self.in_table_head = true;
                self.cell = 0;
                self.out.push_str("<thead><tr>");
            }
            Tag::TableRow => {
                if !self.body_open {
                    self.body_open = true;
                    self.out.push_str("<tbody>");
                }
                self.cell = 0;
                self.out.push_str("<tr>");
            }
            Tag::TableCell => {
                self.out
                    .push_str(if self.in_table_head { "<th" } else { "<td" });
                let align = match self.alignments.get(self.cell) {
                    Some(Alignment::Left) => "left",
                    Some(Alignment::Center) => "center",
                    Some(Alignment::Right) => "right",
                    _ => "",
                };
                if !align.is_empty() {
                    self.out.push_str(" style=\"text-align: ");
                    self.out.push_str(align);
                    self.out.push('"');
                }
                self.out.push('>');
            }
            Tag::Emphasis => self.out.push_str("<i>"),
            Tag::Strong => self.out.push_str("<b>"),
            Tag::Strikethrough => self.out.push_str("<s>"),
            Tag::Superscript => self.out.push_str("<sup>"),
            Tag::Subscript => self.out.push_str("<sub>"),
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => {
                let url = self.restore(&dest_url, Restore::Text).into_owned();
                let title = self.restore(&title, Restore::Text).into_owned();
                self.out.push_str("<a href=\"");
                if link_type == LinkType::Email && !url.contains(':') {
                    self.out.push_str("mailto:");
                }
                dom::push_attribute_value(&url, &mut self.out);
                self.out.push('"');
                if !title.is_empty() {
                    self.out.push_str(" title=\"");
                    dom::push_attribute_value(&title, &mut self.out);
                    self.out.push('"');
                }
                self.out.push('>');
            }
            Tag::Image {
                dest_url, title, ..
            } => {
                let url = self.restore(&dest_url, Restore::Text).into_owned();
                let title = self.restore(&title, Restore::Text).into_owned();
                // An image inside another image's description only adds to that description.
                if self.alt.is_empty() {
                    self.out.push_str("<img src=\"");
                    dom::push_attribute_value(&url, &mut self.out);
                    self.out.push('"');
                    // The alt attribute comes at the end, once its text is known.
                    if !title.is_empty() {
                        self.out.push_str(" title=\"");
                        dom::push_attribute_value(&title, &mut self.out);
                        self.out.push('"');
                    }
                }
                self.alt.push(String::new());
            }
            Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {}
            TagEnd::Heading(level) => {
                self.out.push_str("</");
                self.out.push_str(&level.to_string());
                self.out.push('>');
            }
            TagEnd::BlockQuote(_) => {
                self.after_paragraph.pop();
                self.out.push_str("</blockquote>");
            }
            TagEnd::CodeBlock => {
                let mut code = self.code_block.take().unwrap_or_default();
                // The Markdown block always ends with a line feed that the field did not have.
                if code.ends_with('\n') {
                    code.pop();
                }
                push_text(&code, false, &mut self.out);
                self.out.push_str("</code></pre>");
            }
            TagEnd::HtmlBlock => {
                // Each line of an HTML block ends with a line feed; the last one is Markdown's
                // and not part of the field.
                if let Some(start) = self.html_block_start.take() {
                    if self.out.len() > start && self.out.ends_with('\n') {
                        self.out.pop();
                    }
                }
            }
            TagEnd::List(ordered) => self.out.push_str(if ordered { "</ol>" } else { "</ul>" }),
            TagEnd::Item => {
                self.after_paragraph.pop();
                self.out.push_str("</li>");
            }
            TagEnd::Table => {
                if self.body_open {
                    self.out.push_str("</tbody>");
                }
                self.out.push_str("</table>");
            }
            TagEnd::TableHead => {
                self.in_table_head = false;
                self.out.push_str("</tr></thead>");
            }
            TagEnd::TableRow => self.out.push_str("</tr>"),
            TagEnd::TableCell => {
                self.out
                    .push_str(if self.in_table_head { "</th>" } else { "</td>" });
                self.cell += 1;
            }
            TagEnd::Emphasis => self.out.push_str("</i>"),
            TagEnd::Strong => self.out.push_str("</b>"),
            TagEnd::Strikethrough => self.out.push_str("</s>"),
            TagEnd::Superscript => self.out.push_str("</sup>"),
            TagEnd::Subscript => self.out.push_str("</sub>"),
            TagEnd::Link => self.out.push_str("</a>"),
            TagEnd::Image => {
                let alt = self.alt.pop().unwrap_or_default();
                match self.alt.last_mut() {
                    Some(outer) => outer.push_str(&alt),
                    None => {
                        if !alt.is_empty() {
                            self.out.push_str(" alt=\"");
                            dom::push_attribute_value(&alt, &mut self.out);
                            self.out.push('"');
                        }
                        self.out.push('>');
                    }
                }
            }
            TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_) => {}
        }
    }
}

fn push_text(text: &str, raw: bool, out: &mut String) {
    dom::push_text(
        text,
        raw,
        HtmlStyle {
            one_line: false,
            no_blank_lines: false,
            guard_anki: None,
        },
        out,
    );
}
