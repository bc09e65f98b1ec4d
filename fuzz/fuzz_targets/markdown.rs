//! Any text, both ways: Markdown -> HTML and HTML -> Markdown never panic, and what each
//! writes converts again (the second conversion is where a bad escape would show).
#![no_main]

use ankitoml_core::markdown::{html_to_markdown, markdown_to_html, same_dom};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let html = markdown_to_html(text);
    let _ = html_to_markdown(&html);
    let markdown = html_to_markdown(text);
    let _ = markdown_to_html(&markdown);
    let _ = same_dom(text, &html);
});
