//! TEMPORARY stand-in until the Markdown module lands (identity conversions).
pub fn markdown_to_html(markdown: &str) -> String {
    markdown.to_owned()
}
pub fn html_to_markdown(html: &str) -> String {
    html.to_owned()
}
pub fn same_dom(a: &str, b: &str) -> bool {
    a == b
}
