//! The text a reader sees in a sanitised body, for the search index and page summaries.
//!
//! Input is the sanitiser's output (or its cache): `script`, `style` and the like are already
//! gone, so every text node is visible text. Blocks are kept apart by a space, and a block
//! whose text does not end a sentence gets a full stop, so words of two paragraphs never run
//! together and excerpts read as sentences (Pagefind's own indexer does the same).

use std::cell::RefCell;
use std::rc::Rc;

use lol_html::html_content::TextChunk;
use lol_html::{doc_text, DocumentContentHandlers, HtmlRewriter, Settings};

use super::handlers::{on_element, selector, ElementHandler};

/// Elements that end a run of text: blocks, table cells, list items and line breaks.
const BLOCKS: &str = "p, div, li, dt, dd, h1, h2, h3, h4, h5, h6, blockquote, pre, td, th, \
                      caption, figcaption, summary, details, section, article, aside, header, \
                      footer, ul, ol, dl, table, tr, hr, br";

/// Characters after which a block already ends a sentence.
const SENTENCE_ENDS: [char; 11] = ['.', '!', '?', ':', ';', '。', '！', '？', '：', '؟', '…'];

/// The visible text of sanitised `html`, entities decoded, whitespace collapsed to single
/// spaces, blocks separated as the module docs say. Image `alt` text counts as text.
pub fn text_of(html: &str) -> String {
    // Text without markup or references (most descriptions) reads as itself: setting up a
    // lol_html pass for it cost more than reading it.
    if !html.contains(['<', '&']) {
        return collapse(html);
    }
    read_text(html)
}

/// [`text_of`] through a lol_html pass, whatever `html` holds.
fn read_text(html: &str) -> String {
    let reader = TextReader::new(html.len());
    let mut settings = Settings::new().append_document_content_handler(reader.text_handler());
    for handler in reader.element_handlers() {
        settings = settings.append_element_content_handler(handler);
    }
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    // The sanitiser's output is well-formed HTML text; a rewriter error (memory limit) only
    // means the text is cut short, which is acceptable for an index.
    let fed = rewriter
        .write(html.as_bytes())
        .and_then(|()| rewriter.end());
    if let Err(error) = fed {
        tracing::debug!("text extraction stopped early: {error}");
    }
    reader.finish()
}

/// Reads [`text_of`] during a lol_html pass that may do other work on the same HTML (a page's
/// body is prepared and read in one pass): add its handlers to the pass, run it, then
/// [`TextReader::finish`]. Its handlers only read, and see the markup as the handlers added
/// before them left it.
pub struct TextReader {
    text: Rc<RefCell<String>>,
}

impl TextReader {
    /// A reader for HTML of about `html_len` bytes.
    pub fn new(html_len: usize) -> TextReader {
        TextReader {
            text: Rc::new(RefCell::new(String::with_capacity(html_len / 2))),
        }
    }

    /// The handler that reads text.
    pub fn text_handler<'h>(&self) -> DocumentContentHandlers<'h> {
        let text = Rc::clone(&self.text);
        doc_text!(move |chunk: &mut TextChunk| {
            push_decoded(&mut text.borrow_mut(), chunk.as_str());
            Ok(())
        })
    }

    /// The handlers that end blocks and read image `alt` text.
    pub fn element_handlers<'h>(&self) -> Vec<ElementHandler<'h>> {
        let on_block = {
            let text = Rc::clone(&self.text);
            move |el: &mut lol_html::html_content::Element| {
                end_block(&mut text.borrow_mut());
                if el.can_have_content() {
                    let text = Rc::clone(&text);
                    if let Some(handlers) = el.end_tag_handlers() {
                        handlers.push(Box::new(move |_end| {
                            end_block(&mut text.borrow_mut());
                            Ok(())
                        }));
                    }
                }
                Ok(())
            }
        };
        let on_image = {
            let text = Rc::clone(&self.text);
            move |el: &mut lol_html::html_content::Element| {
                if let Some(alt) = el.get_attribute("alt") {
                    let mut text = text.borrow_mut();
                    text.push(' ');
                    text.push_str(&alt);
                    text.push(' ');
                }
                Ok(())
            }
        };
        vec![
            on_element(selector!(BLOCKS), on_block),
            on_element(selector!("img"), on_image),
        ]
    }

    /// The text read, once the pass is over (see [`text_of`]).
    pub fn finish(self) -> String {
        let raw = Rc::try_unwrap(self.text)
            .map(RefCell::into_inner)
            .unwrap_or_else(|shared| shared.borrow().clone());
        collapse(&raw)
    }
}

/// Marks the end of a block: a full stop unless the text already ends a sentence.
fn end_block(text: &mut String) {
    let trimmed = text.trim_end();
    let last = trimmed.chars().next_back();
    if last.is_some_and(|c| !SENTENCE_ENDS.contains(&c)) {
        text.truncate(trimmed.len());
        text.push('.');
    }
    text.push(' ');
}

/// Text or an attribute value as the sanitiser wrote it, with its character references
/// decoded (heading texts and ids, image URLs).
pub fn decode_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_decoded(&mut out, text);
    out
}

/// Appends a text chunk with its character references decoded.
fn push_decoded(out: &mut String, chunk: &str) {
    let mut rest = chunk;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match decode_reference(rest) {
            Some((decoded, len)) => {
                out.push(decoded);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

/// The character a reference at the start of `s` stands for, and the reference's length.
/// The sanitiser's serialiser writes only `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&nbsp;` and
/// numeric references in text, so those are all that need decoding.
fn decode_reference(s: &str) -> Option<(char, usize)> {
    let end = s.find(';').filter(|&end| end <= 10)?;
    let name = &s[1..end];
    let decoded = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((decoded, end + 1))
}

/// Whitespace runs (including no-break spaces) become one space; ends are trimmed; a full
/// stop that a block end placed after nothing but punctuation is dropped.
fn collapse(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for word in raw.split_whitespace() {
        if word == "." && (out.is_empty() || out.ends_with(SENTENCE_ENDS)) {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_become_sentences() {
        assert_eq!(
            text_of("<h2>Set up</h2><p>Open <b>Settings</b></p><p>Done!</p>"),
            "Set up. Open Settings. Done!"
        );
    }

    #[test]
    fn lists_tables_and_breaks_do_not_run_together() {
        assert_eq!(
            text_of("<ul><li>one</li><li>two</li></ul><table><tr><td>a</td><td>b</td></tr></table>x<br>y"),
            "one. two. a. b. x. y"
        );
    }

    #[test]
    fn entities_are_decoded_and_spaces_collapsed() {
        assert_eq!(
            text_of("<p>R&amp;D &lt;team&gt;&nbsp;&nbsp;&#233;t&#xE9;   </p>"),
            "R&D <team> été."
        );
    }

    #[test]
    fn image_alt_text_counts() {
        assert_eq!(
            text_of(r#"<p>See <img src="a.png" alt="the export dialog"> here</p>"#),
            "See the export dialog here."
        );
    }

    #[test]
    fn text_without_markup_reads_as_a_pass_reads_it() {
        for text in [
            "",
            "plain words",
            "  Set up   your\taccount\n\nin two steps.  ",
            "a > b, 3 > 2 . . done",
            ". leading stop",
            "no-break\u{a0}space and\u{3000}ideographic space",
            "アカウントを作成する 完了。 .",
            "nul\0and\r\ncarriage return",
        ] {
            assert_eq!(text_of(text), read_text(text), "{text:?}");
        }
    }

    #[test]
    fn text_outside_blocks_and_cjk() {
        assert_eq!(text_of("plain words"), "plain words");
        assert_eq!(
            text_of("<p>アカウントを作成する</p><p>完了。</p>"),
            "アカウントを作成する. 完了。"
        );
        assert_eq!(text_of(""), "");
    }
}
