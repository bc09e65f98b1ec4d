//! Fields the seed tool (ankit-builder) wrote from Markdown, read back as that Markdown.
//!
//! Its converter is pulldown-cmark's own HTML writer with strikethrough: `<strong>`, `<em>`,
//! `<del>`, a line feed after each block tag (`<ul>\n<li>a</li>\n</ul>`), `<br />`, `<hr />`,
//! `<img ... />`, a code block keeping its last line feed; then the result is trimmed, a lone
//! paragraph loses its `<p>`, and paragraphs are joined with `<br><br>`. Those fields say what
//! ours say in other tags, so without this a deck moved from the seed tool would show every
//! formatted note as changed, and pull would turn its Markdown into HTML tags.
//!
//! A field is taken for the seed tool's only if the Markdown found for it gives back its DOM
//! through the seed tool's converter; anything else is read as any other HTML.

use html5ever::tendril::StrTendril;
use html5ever::{ns, LocalName, QualName};
use pulldown_cmark::{html, Options, Parser};

use super::commonmark;
use super::dom::{self, HtmlStyle, Node, NodeData};

/// The HTML the seed tool writes for `markdown`.
pub(super) fn seed_tool_html(markdown: &str) -> String {
    let mut out = String::new();
    html::push_html(
        &mut out,
        Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH),
    );
    let out = out.trim();
    if let Some(inner) = out
        .strip_prefix("<p>")
        .and_then(|rest| rest.strip_suffix("</p>"))
    {
        if !inner.contains("<p>") {
            return inner.to_string();
        }
    }
    out.replace("</p>\n<p>", "<br><br>")
        .replace("<p>", "")
        .replace("</p>", "")
}

/// Whether `html` has what the seed tool's writer puts in a field and Anki's editor and our
/// converter do not: its tags, or a line feed after a tag. A field without them (a code block
/// alone, keeping its last line feed) is read as any other HTML, so that its DOM survives.
pub(super) fn has_seed_tool_marks(html: &str) -> bool {
    html.contains("<strong>")
        || html.contains("<em>")
        || html.contains("<del>")
        || html.contains(">\n")
        || html.contains(" />")
}

/// The Markdown the seed tool wrote `html` from, if it did: Markdown whose seed-tool HTML has
/// the DOM of `html` (the DOM, not the bytes, so that the answer is the same for any spelling
/// of the field, as the rest of the conversion is).
pub(super) fn markdown_for(html: &str, to_markdown: impl Fn(&str) -> String) -> Option<String> {
    let field = dom::parse(html);
    let mut nodes = dom::parse(html);
    as_our_tags(&mut nodes, false);
    let mut ours = String::new();
    dom::serialize_nodes(
        &nodes,
        HtmlStyle {
            one_line: false,
            no_blank_lines: false,
            guard_anki: None,
        },
        &mut ours,
    );
    let markdown = to_markdown(&ours);
    dom::same_nodes_as(&field, &seed_tool_html(&markdown)).then_some(markdown)
}

/// Rewrites the seed tool's tags as ours, and drops the line feeds its writer puts around
/// blocks, in a code block's end and after `<br />` (Markdown has them as its own layout).
fn as_our_tags(nodes: &mut Vec<Node>, in_pre: bool) {
    for node in nodes.iter_mut() {
        if let NodeData::Element { name, .. } = &mut node.data {
            let ours = match &*name.local {
                "strong" => Some("b"),
                "em" => Some("i"),
                "del" => Some("s"),
                _ => None,
            };
            if let Some(ours) = ours {
                *name = QualName::new(None, ns!(html), LocalName::from(ours));
            }
        }
    }
    if !in_pre {
        trim_layout_line_feeds(nodes);
    }
    for node in nodes.iter_mut() {
        let pre = in_pre || dom::is_element(node, "pre");
        let wraps_lines = ["blockquote", "ul", "ol", "li"]
            .iter()
            .any(|tag| dom::is_element(node, tag));
        if wraps_lines && !pre {
            // The writer puts a line feed after the start tag and before the end tag.
            trim_text(node.children.first_mut(), true);
            trim_text(node.children.last_mut(), false);
        }
        if pre && dom::is_element(node, "code") {
            if let Some(Node {
                data: NodeData::Text(text),
                ..
            }) = node.children.last_mut()
            {
                if text.ends_with('\n') {
                    *text = StrTendril::from(&text[..text.len() - 1]);
                }
            }
        }
        as_our_tags(&mut node.children, pre);
    }
}

fn trim_text(node: Option<&mut Node>, start: bool) {
    if let Some(Node {
        data: NodeData::Text(text),
        ..
    }) = node
    {
        let trimmed = if start {
            text.strip_prefix('\n')
        } else {
            text.strip_suffix('\n')
        };
        if let Some(trimmed) = trimmed {
            *text = StrTendril::from(trimmed);
        }
    }
}

/// Line feeds next to block tags and after `<br>`: the writer's layout, not the field's text.
fn trim_layout_line_feeds(nodes: &mut Vec<Node>) {
    let is_block = |node: &Node| {
        dom::element_name(node)
            .is_some_and(|name| commonmark::is_block_name(name) || matches!(&**name, "pre" | "br"))
    };
    for index in 0..nodes.len() {
        let after_block = index > 0 && is_block(&nodes[index - 1]);
        let before_block = nodes.get(index + 1).is_some_and(is_block);
        if let NodeData::Text(text) = &mut nodes[index].data {
            let mut trimmed: &str = text;
            if after_block {
                trimmed = trimmed.strip_prefix('\n').unwrap_or(trimmed);
            }
            if before_block {
                trimmed = trimmed.strip_suffix('\n').unwrap_or(trimmed);
            }
            if trimmed.len() != text.len() {
                *text = StrTendril::from(trimmed);
            }
        }
    }
    nodes.retain(|node| !matches!(&node.data, NodeData::Text(text) if text.is_empty()));
}
