//! Markdown <-> HTML conversion speed on a generated corpus of realistic Anki fields.
//!
//! Run with `cargo bench --bench markdown`. Prints MB/s both ways, over the bytes of the input
//! of each direction, then how the time for pathological inputs grows with their size. Not a
//! test: it asserts nothing (`tests::anki_syntax_scanner_work_is_linear` counts the work).

use std::hint::black_box;
use std::time::{Duration, Instant};

use ankitoml_core::markdown::{html_to_markdown, markdown_to_html};

/// A small deterministic generator, so every run measures the same corpus.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "the",
    "cell",
    "mitochondria",
    "energy",
    "protein",
    "synthesis",
    "capital",
    "France",
    "Paris",
    "verb",
    "to",
    "be",
    "heart",
    "artery",
    "vein",
    "pressure",
    "drug",
    "dose",
    "of",
    "and",
    "is",
    "a",
    "in",
    "which",
    "function",
    "enzyme",
    "例えば",
    "日本語",
    "勉強",
    "über",
    "Straße",
    "café",
    "(see",
    "notes)",
    "42",
    "1913",
    "x",
    "y",
    "5",
    "3",
    "=",
];

fn words(rng: &mut Lcg, count: usize) -> String {
    let mut out = String::new();
    for i in 0..count {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(rng.pick(WORDS));
    }
    out
}

/// One field as Anki holds it: mostly short plain text, some formatting, a few heavy ones.
fn field(rng: &mut Lcg) -> String {
    let roll = rng.below(100);
    match roll {
        // Plain words and sentences: most fields.
        0..=54 => {
            let n = 1 + rng.below(12);
            words(rng, n)
        }
        55..=64 => format!(
            "{} <b>{}</b> {}",
            words(rng, 3),
            words(rng, 2),
            words(rng, 4)
        ),
        65..=70 => format!(
            "{}<br>{}<br><br><i>{}</i>",
            words(rng, 5),
            words(rng, 6),
            words(rng, 3)
        ),
        71..=75 => format!(
            "{} {{{{c1::{}::{}}}}} {}",
            words(rng, 4),
            words(rng, 2),
            words(rng, 1),
            words(rng, 3)
        ),
        76..=79 => format!("<img src=\"paste-{}.jpg\">", rng.next()),
        80..=82 => format!("[sound:rec_{}.mp3]", rng.next()),
        83..=85 => format!(
            "<div>{}</div><div><b>{}</b></div><div><br></div><div>{}</div>",
            words(rng, 6),
            words(rng, 3),
            words(rng, 5)
        ),
        86..=88 => format!(
            "<ul><li>{}</li><li>{}</li><li>{} <i>{}</i></li></ul>",
            words(rng, 3),
            words(rng, 4),
            words(rng, 2),
            words(rng, 2)
        ),
        89..=90 => format!(
            "<span style=\"color: rgb(255, 0, 0);\">{}</span> {}&nbsp;{}",
            words(rng, 3),
            words(rng, 3),
            words(rng, 2)
        ),
        91..=92 => format!("Solve \\(x^2 + {}x = 0\\) for \\(x_1\\)", rng.below(10)),
        93..=94 => "私は 日本語[にほんご]を 勉強[べんきょう]しています".to_string(),
        95..=96 => format!(
            "<table><tbody><tr><td>{}</td><td>{}</td></tr><tr><td>{}</td><td>{}</td></tr></tbody></table>",
            words(rng, 1),
            words(rng, 2),
            words(rng, 1),
            words(rng, 2)
        ),
        // Long notes: several paragraphs of formatted text.
        _ => {
            let mut out = String::new();
            for _ in 0..8 {
                out.push_str(&format!(
                    "{} <b>{}</b>, {} <i>{}</i>.<br><br>",
                    words(rng, 12),
                    words(rng, 2),
                    words(rng, 10),
                    words(rng, 3)
                ));
            }
            out.push_str(&words(rng, 5));
            out
        }
    }
}

/// Runs `convert` over all inputs until at least `min_time` has passed; returns MB/s.
fn throughput(inputs: &[String], min_time: Duration, convert: fn(&str) -> String) -> f64 {
    let bytes: usize = inputs.iter().map(String::len).sum();
    let start = Instant::now();
    let mut rounds = 0u32;
    while rounds == 0 || start.elapsed() < min_time {
        for input in inputs {
            black_box(convert(black_box(input)));
        }
        rounds += 1;
    }
    let seconds = start.elapsed().as_secs_f64();
    bytes as f64 * f64::from(rounds) / seconds / 1e6
}

fn main() {
    // `cargo bench --bench markdown -- pathological` (or `throughput`) runs one half.
    let only = |name: &str| std::env::args().any(|a| a == name);
    if only("pathological") {
        return pathological();
    }
    let mut rng = Lcg(0x5eed);
    let html: Vec<String> = (0..20_000).map(|_| field(&mut rng)).collect();
    let markdown: Vec<String> = html.iter().map(|h| html_to_markdown(h)).collect();
    let html_bytes: usize = html.iter().map(String::len).sum();
    let markdown_bytes: usize = markdown.iter().map(String::len).sum();
    let plain = html.iter().filter(|h| !h.contains(['<', '&'])).count();
    println!(
        "corpus: {} fields, {:.2} MB of HTML, {:.2} MB of Markdown, {:.0}% without tags",
        html.len(),
        html_bytes as f64 / 1e6,
        markdown_bytes as f64 / 1e6,
        100.0 * plain as f64 / html.len() as f64
    );

    let min_time = Duration::from_secs(2);
    let to_markdown = throughput(&html, min_time, html_to_markdown);
    let to_html = throughput(&markdown, min_time, markdown_to_html);
    println!("HTML -> Markdown: {to_markdown:.1} MB/s");
    println!("Markdown -> HTML: {to_html:.1} MB/s");

    let plain_fields: Vec<String> = html
        .iter()
        .filter(|h| !h.contains(['<', '&']))
        .cloned()
        .collect();
    println!(
        "plain-text fields only ({}): HTML -> Markdown {:.1} MB/s, Markdown -> HTML {:.1} MB/s",
        plain_fields.len(),
        throughput(&plain_fields, min_time, html_to_markdown),
        throughput(&plain_fields, min_time, markdown_to_html)
    );

    let formatted: Vec<String> = html.iter().filter(|h| h.contains('<')).cloned().collect();
    let formatted_markdown: Vec<String> = formatted.iter().map(|h| html_to_markdown(h)).collect();
    println!(
        "formatted fields only ({}): HTML -> Markdown {:.1} MB/s, Markdown -> HTML {:.1} MB/s",
        formatted.len(),
        throughput(&formatted, min_time, html_to_markdown),
        throughput(&formatted_markdown, min_time, markdown_to_html)
    );
    if !only("throughput") {
        pathological();
    }
}

/// Inputs that make a careless scanner quadratic: openers that never close, runs of what starts
/// a tag or a reference, deep brackets. Each is built from `unit` repeated to about `bytes`.
const PATHOLOGICAL: &[(&str, &str)] = &[
    ("unclosed \\(", "\\("),
    ("unclosed \\[", "\\["),
    ("\\( then a blank line", "\\(\n\n"),
    ("unclosed {{c1::", "{{c1::"),
    ("{{c1:: and ::", "{{c1::a::"),
    ("unclosed [sound:", "[sound:"),
    ("unclosed [latex]", "[latex]"),
    ("unclosed [$]", "[$]"),
    ("unclosed [$$]", "[$$]"),
    ("< runs", "<"),
    ("<a runs", "<a "),
    ("<a \" runs", "<a \" "),
    ("<!-- runs", "<!--"),
    ("[ runs", "["),
    ("] runs", "]"),
    ("[x]( runs", "[x]("),
    ("``a` runs", "``a`"),
    ("& runs", "&"),
    ("&# runs", "&#"),
    ("furigana", "漢字[かんじ]"),
    ("spaced furigana", " 日本[にほん]"),
    ("* runs", "*a "),
    ("_ runs", "_a"),
    ("\\ runs", "\\"),
    ("> runs", "> "),
    ("- runs", "- "),
];

fn repeated(unit: &str, bytes: usize) -> String {
    unit.repeat(bytes / unit.len() + 1)
}

/// The best of a few runs: other work on the machine only ever adds time.
fn seconds(convert: fn(&str) -> String, input: &str) -> f64 {
    (0..5)
        .map(|_| {
            let start = Instant::now();
            black_box(convert(black_box(input)));
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// For each pathological input, the time for 50 KB and for 200 KB both ways. Linear work
/// gives a ratio near 4; quadratic work, near 16.
fn pathological() {
    println!(
        "pathological inputs: ms at 50 KB / 200 KB (ratio), HTML -> Markdown; Markdown -> HTML"
    );
    for (name, unit) in PATHOLOGICAL {
        let small = repeated(unit, 50_000);
        let large = repeated(unit, 200_000);
        // As text in HTML (escaped as Anki would) and as Markdown source.
        let as_html = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
        let (hs, hl) = (
            seconds(html_to_markdown, &as_html(&small)),
            seconds(html_to_markdown, &as_html(&large)),
        );
        let (ms, ml) = (
            seconds(markdown_to_html, &small),
            seconds(markdown_to_html, &large),
        );
        println!(
            "  {name:<22} {:>8.1} / {:>8.1} ({:>4.1}x); {:>8.1} / {:>8.1} ({:>4.1}x)",
            hs * 1e3,
            hl * 1e3,
            hl / hs,
            ms * 1e3,
            ml * 1e3,
            ml / ms
        );
    }
}
