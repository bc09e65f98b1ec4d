//! The tree a field parses to, and the html5ever sink that builds it.
//!
//! html5ever's reference DOM (markup5ever_rcdom) gives every node an `Rc`, a `RefCell` and a
//! parent `Weak`, and every walk over children clones a `Vec` of them; for fields of a few dozen
//! nodes that cost as much as the parse. Here the parser fills a flat arena (nodes are indices,
//! so the tree builder's moves are cheap), which is then turned into a plain owned tree that the
//! conversion walks by reference.
//!
//! The sink does what markup5ever_rcdom's does, step for step (text merged into a preceding
//! text node, attributes added only if missing, template contents as their own fragment), so the
//! tree is the one rcdom would give.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;

use html5ever::interface::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::StrTendril;
use html5ever::{Attribute, ExpandedName, QualName};

/// A node of a parsed field.
#[derive(Debug, PartialEq)]
pub(super) struct Node {
    pub data: NodeData,
    /// For a `<template>`, its template contents (where the parser puts what it holds).
    pub children: Vec<Node>,
}

#[derive(Debug, PartialEq)]
pub(super) enum NodeData {
    Element {
        name: QualName,
        attrs: Vec<Attribute>,
    },
    Text(StrTendril),
    Comment(StrTendril),
    /// A doctype or processing instruction: the HTML parser never puts one inside a fragment,
    /// kept so the tree has every node the parser made.
    Other,
}

/// A node in the arena while the parser builds the tree.
struct ArenaNode {
    parent: Option<usize>,
    children: Vec<usize>,
    data: ArenaData,
}

enum ArenaData {
    /// The document, or a template's contents.
    Fragment,
    Element {
        name: QualName,
        attrs: Vec<Attribute>,
        template_contents: Option<usize>,
        mathml_annotation_xml_integration_point: bool,
    },
    Text(StrTendril),
    Comment(StrTendril),
    Other,
}

/// A node as the tree builder holds it. The element name rides along so that `elem_name`, which
/// the tree builder asks constantly, needs no look-up (and can hand out a reference).
#[derive(Clone)]
pub(super) struct Handle {
    id: usize,
    name: Option<QualName>,
}

/// The html5ever sink: an arena of nodes behind a `RefCell` (the trait takes `&self`).
pub(super) struct Sink {
    nodes: RefCell<Vec<ArenaNode>>,
}

const DOCUMENT: usize = 0;

impl Default for Sink {
    fn default() -> Sink {
        Sink {
            nodes: RefCell::new(vec![ArenaNode {
                parent: None,
                children: Vec::new(),
                data: ArenaData::Fragment,
            }]),
        }
    }
}

impl Sink {
    fn new_node(&self, data: ArenaData) -> usize {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(ArenaNode {
            parent: None,
            children: Vec::new(),
            data,
        });
        nodes.len() - 1
    }

    fn node_or_text(&self, child: NodeOrText<Handle>) -> usize {
        match child {
            NodeOrText::AppendNode(node) => node.id,
            NodeOrText::AppendText(text) => self.new_node(ArenaData::Text(text)),
        }
    }
}

/// Appends `text` to node `id` if that is a text node.
fn append_to_existing_text(nodes: &mut [ArenaNode], id: usize, text: &str) -> bool {
    match &mut nodes[id].data {
        ArenaData::Text(contents) => {
            contents.push_slice(text);
            true
        }
        _ => false,
    }
}

fn remove_from_parent(nodes: &mut [ArenaNode], id: usize) {
    if let Some(parent) = nodes[id].parent.take() {
        let siblings = &mut nodes[parent].children;
        if let Some(index) = siblings.iter().position(|&c| c == id) {
            siblings.remove(index);
        }
    }
}

impl TreeSink for Sink {
    type Handle = Handle;
    type Output = Sink;
    type ElemName<'a> = ExpandedName<'a>;

    fn finish(self) -> Sink {
        self
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> Handle {
        Handle {
            id: DOCUMENT,
            name: None,
        }
    }

    fn elem_name<'a>(&'a self, target: &'a Handle) -> ExpandedName<'a> {
        match &target.name {
            Some(name) => name.expanded(),
            None => panic!("not an element"),
        }
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> Handle {
        let template_contents = flags.template.then(|| self.new_node(ArenaData::Fragment));
        let id = self.new_node(ArenaData::Element {
            name: name.clone(),
            attrs,
            template_contents,
            mathml_annotation_xml_integration_point: flags.mathml_annotation_xml_integration_point,
        });
        Handle {
            id,
            name: Some(name),
        }
    }

    fn create_comment(&self, text: StrTendril) -> Handle {
        Handle {
            id: self.new_node(ArenaData::Comment(text)),
            name: None,
        }
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> Handle {
        Handle {
            id: self.new_node(ArenaData::Other),
            name: None,
        }
    }

    fn append(&self, parent: &Handle, child: NodeOrText<Handle>) {
        if let NodeOrText::AppendText(text) = &child {
            let mut nodes = self.nodes.borrow_mut();
            if let Some(&last) = nodes[parent.id].children.last() {
                if append_to_existing_text(&mut nodes, last, text) {
                    return;
                }
            }
        }
        let child = self.node_or_text(child);
        let mut nodes = self.nodes.borrow_mut();
        nodes[child].parent = Some(parent.id);
        nodes[parent.id].children.push(child);
    }

    fn append_based_on_parent_node(
        &self,
        element: &Handle,
        prev_element: &Handle,
        child: NodeOrText<Handle>,
    ) {
        let has_parent = self.nodes.borrow()[element.id].parent.is_some();
        if has_parent {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(
        &self,
        _name: StrTendril,
        _public_id: StrTendril,
        _system_id: StrTendril,
    ) {
        let id = self.new_node(ArenaData::Other);
        let mut nodes = self.nodes.borrow_mut();
        nodes[id].parent = Some(DOCUMENT);
        nodes[DOCUMENT].children.push(id);
    }

    fn get_template_contents(&self, target: &Handle) -> Handle {
        match &self.nodes.borrow()[target.id].data {
            ArenaData::Element {
                template_contents: Some(contents),
                ..
            } => Handle {
                id: *contents,
                name: None,
            },
            _ => panic!("not a template element"),
        }
    }

    fn same_node(&self, x: &Handle, y: &Handle) -> bool {
        x.id == y.id
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &Handle, child: NodeOrText<Handle>) {
        let (parent, index) = {
            let nodes = self.nodes.borrow();
            let parent = nodes[sibling.id]
                .parent
                .expect("append_before_sibling called on node without parent");
            let index = nodes[parent]
                .children
                .iter()
                .position(|&c| c == sibling.id)
                .expect("have parent but couldn't find in parent's children");
            (parent, index)
        };
        if let NodeOrText::AppendText(text) = &child {
            if index > 0 {
                let mut nodes = self.nodes.borrow_mut();
                let previous = nodes[parent].children[index - 1];
                if append_to_existing_text(&mut nodes, previous, text) {
                    return;
                }
            }
        }
        let child = self.node_or_text(child);
        let mut nodes = self.nodes.borrow_mut();
        remove_from_parent(&mut nodes, child);
        // The index from before the removal, as rcdom does, so the tree is the one it gives.
        nodes[child].parent = Some(parent);
        nodes[parent].children.insert(index, child);
    }

    fn add_attrs_if_missing(&self, target: &Handle, attrs: Vec<Attribute>) {
        let mut nodes = self.nodes.borrow_mut();
        let ArenaData::Element {
            attrs: existing, ..
        } = &mut nodes[target.id].data
        else {
            panic!("not an element");
        };
        let names: HashSet<QualName> = existing.iter().map(|a| a.name.clone()).collect();
        existing.extend(attrs.into_iter().filter(|a| !names.contains(&a.name)));
    }

    fn remove_from_parent(&self, target: &Handle) {
        remove_from_parent(&mut self.nodes.borrow_mut(), target.id);
    }

    fn reparent_children(&self, node: &Handle, new_parent: &Handle) {
        let mut nodes = self.nodes.borrow_mut();
        let children = std::mem::take(&mut nodes[node.id].children);
        for &child in &children {
            nodes[child].parent = Some(new_parent.id);
        }
        nodes[new_parent.id].children.extend(children);
    }

    fn is_mathml_annotation_xml_integration_point(&self, target: &Handle) -> bool {
        match &self.nodes.borrow()[target.id].data {
            ArenaData::Element {
                mathml_annotation_xml_integration_point,
                ..
            } => *mathml_annotation_xml_integration_point,
            _ => panic!("not an element"),
        }
    }
}

impl Sink {
    /// The children of the document's first child (a fragment parse puts the fragment under a
    /// synthetic `<html>` element), as an owned tree.
    pub(super) fn into_fragment(self) -> Vec<Node> {
        let mut nodes = self.nodes.into_inner();
        let Some(&root) = nodes[DOCUMENT].children.first() else {
            return Vec::new();
        };
        let ids = std::mem::take(&mut nodes[root].children);
        ids.into_iter()
            .map(|id| take_node(&mut nodes, id))
            .collect()
    }
}

/// Moves node `id` and what is below it out of the arena.
fn take_node(nodes: &mut [ArenaNode], id: usize) -> Node {
    let data = std::mem::replace(&mut nodes[id].data, ArenaData::Other);
    let (data, child_ids) = match data {
        ArenaData::Element {
            name,
            attrs,
            template_contents,
            ..
        } => {
            // As before with rcdom, a template's children are its template contents.
            let holder = template_contents.unwrap_or(id);
            let ids = std::mem::take(&mut nodes[holder].children);
            (NodeData::Element { name, attrs }, ids)
        }
        ArenaData::Text(text) => (NodeData::Text(text), Vec::new()),
        ArenaData::Comment(text) => (NodeData::Comment(text), Vec::new()),
        ArenaData::Fragment | ArenaData::Other => (NodeData::Other, Vec::new()),
    };
    let children = child_ids
        .into_iter()
        .map(|child| take_node(nodes, child))
        .collect();
    Node { data, children }
}
