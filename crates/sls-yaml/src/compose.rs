//! Folds the `saphyr-parser` event stream into a node tree with js-yaml's semantics:
//! tags, anchors and aliases, merge keys, duplicate keys, key stringification and the
//! resource limits documented at the crate root.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};
use sls_value::MapHasher;
use sls_value::Value;

use crate::documents::second_document;
use crate::error::{LoadError, LoadErrorKind};
use crate::node::{Node, Span};
use crate::raw::{Raw, RawEntry, RawKind, js_object_order};
use crate::tags::{self, Style, Tag};
use crate::working::{Working, restore_boms, unclosed_opener};

/// js-yaml's default `maxDepth`: a node nested this deep (as js-yaml counts) is an error.
const MAX_JS_DEPTH: usize = 100;
/// The expanded tree (after alias copies) may be at most this many levels deep.
const MAX_TREE_DEPTH: usize = 500;
/// Total number of nodes alias expansion may copy in one document.
const ALIAS_NODE_BUDGET: usize = 1_000_000;
/// js-yaml's default `maxTotalMergeKeys`.
const MAX_MERGE_WORK: usize = 10_000;
/// js-yaml's limit on the length of a merge sequence (`<<: [*a, *b, ...]`).
const MAX_MERGE_SEQUENCE: usize = 100;
/// How many times the text may be patched and parsed again (see [`Working`]).
const MAX_FIXES: usize = 64;
/// How much text may be parsed again in total: each patch means a new parse of the whole text,
/// so a large file gets fewer patches (64 for 512 KiB, 2 for 16 MiB) instead of minutes of work.
const MAX_FIX_WORK: usize = 32 << 20;

/// Texts at least this long are parsed on a thread of their own while this one composes the
/// events (saphyr's scanner and parser are about 60% of a load, the composition the rest).
const PIPELINE_BYTES: usize = 1 << 20;
/// Events handed from the parsing thread to the composing one at a time.
const PIPELINE_BATCH: usize = 4096;

/// Loads a single YAML document.
pub(crate) fn load(text: &str) -> Result<Node, LoadError> {
    load_raw(text, false, MAX_FIX_WORK, PIPELINE_BYTES).map(Raw::into_node)
}

/// [`load`], parsing at most `max_work` bytes again in all.
#[cfg(test)]
fn load_with(text: &str, max_work: usize) -> Result<Node, LoadError> {
    load_raw(text, false, max_work, PIPELINE_BYTES).map(Raw::into_node)
}

/// Loads a single YAML document as a plain value (no node tree, no spans).
///
/// The collections are built as values as they complete (see [`Body`]); a document that does
/// not load is loaded again the usual way, so that its error has the spans only the raw tree
/// keeps.
pub(crate) fn load_value(text: &str) -> Result<Value, LoadError> {
    match load_raw(text, true, MAX_FIX_WORK, PIPELINE_BYTES) {
        Ok(raw) => Ok(raw.into_value()),
        Err(_) => load_raw(text, false, MAX_FIX_WORK, PIPELINE_BYTES).map(Raw::into_value),
    }
}

/// Loads a single YAML document as js-yaml constructs it (`plain`: with its plain collections
/// already values), parsing at most `max_work` bytes again in all, on two threads when the
/// text has at least `pipeline_bytes`.
fn load_raw(
    text: &str,
    plain: bool,
    max_work: usize,
    pipeline_bytes: usize,
) -> Result<Raw, LoadError> {
    if let Some(at) = text.find('\0') {
        return Err(LoadError::new(
            LoadErrorKind::Syntax,
            "null byte is not allowed in input",
            Span::new(at, at + 1),
        ));
    }
    if let Some(span) = second_document(text) {
        return Err(multiple_documents(span));
    }
    let mut working = Working::new(text);
    let mut fixes = 0;
    let mut absorb = true;
    // Whether one more patch (and parse) is affordable.
    let affordable = |fixes: usize| fixes < MAX_FIXES && (fixes + 1) * text.len() <= max_work;
    loop {
        match compose(text, &working, absorb, plain, pipeline_bytes) {
            Ok(node) => return Ok(node),
            Err(Failure::Load(error)) => return Err(error),
            Err(Failure::Absorb(dash)) => {
                if affordable(fixes) && working.absorb(dash) {
                    fixes += 1;
                } else {
                    absorb = false;
                }
            }
            Err(Failure::Scan(error, flow_start)) => {
                let affordable = affordable(fixes);
                if working.fix(&error, flow_start) {
                    if affordable {
                        fixes += 1;
                        continue;
                    }
                    let at = working.byte(error.marker().index());
                    let message = scan_message(error.info());
                    let span = scan_error_span(text, at, &message);
                    let message = format!(
                        "{message} (js-yaml accepts this, and sls-resolve works around it by parsing the file again, but at most {MAX_FIXES} times and for {} MiB in all)",
                        max_work >> 20
                    );
                    return Err(LoadError::new(LoadErrorKind::Syntax, message, span));
                }
                let at = working.byte(error.marker().index());
                let message = scan_message(error.info());
                // saphyr's own flow nesting limit (255) lies beyond js-yaml's.
                let kind = if message == "recursion limit exceeded" {
                    LoadErrorKind::TooDeep
                } else {
                    LoadErrorKind::Syntax
                };
                let span = scan_error_span(text, at, &message);
                return Err(LoadError::new(kind, message, span));
            }
        }
    }
}

enum Failure {
    /// A saphyr error, with the start of the outermost flow collection open at that point.
    Scan(ScanError, Option<usize>),
    Load(LoadError),
    /// js-yaml absorbs the entry after the empty sequence entry whose `-` is here.
    Absorb(usize),
}

type ParseResult<'a> = Result<(Event<'a>, saphyr_parser::Span), ScanError>;

fn compose(
    text: &str,
    working: &Working<'_>,
    absorb: bool,
    plain: bool,
    pipeline_bytes: usize,
) -> Result<Raw, Failure> {
    let source: &str = &working.text;
    if source.len() < pipeline_bytes {
        return compose_events(text, working, absorb, plain, Parser::new_from_str(source));
    }
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<ParseResult<'_>>>(8);
        let parsing = std::thread::Builder::new()
            .name("yaml-parser".into())
            .spawn_scoped(scope, move || {
                let mut parser = Parser::new_from_str(source);
                let mut batch = Vec::with_capacity(PIPELINE_BATCH);
                while let Some(next) = parser.next_event() {
                    let last = matches!(next, Err(_) | Ok((Event::StreamEnd, _)));
                    batch.push(next);
                    if last || batch.len() == PIPELINE_BATCH {
                        let full =
                            std::mem::replace(&mut batch, Vec::with_capacity(PIPELINE_BATCH));
                        // the composer stopped early (an error): so does the parser
                        if sender.send(full).is_err() || last {
                            return;
                        }
                    }
                }
                let _ = sender.send(batch);
            });
        match parsing {
            Ok(_) => compose_events(text, working, absorb, plain, receiver.into_iter().flatten()),
            // no second thread to be had: one does both
            Err(_) => compose_events(text, working, absorb, plain, Parser::new_from_str(source)),
        }
    })
}

/// Folds an event stream (straight from the parser, or from the parsing thread) into a tree.
fn compose_events<'a>(
    text: &str,
    working: &Working<'_>,
    absorb: bool,
    plain: bool,
    events: impl Iterator<Item = ParseResult<'a>>,
) -> Result<Raw, Failure> {
    let mut composer = Composer::new(text, working);
    composer.absorb = absorb;
    composer.plain = plain;
    for next in events {
        let (event, span) = match next {
            Ok(next) => next,
            Err(error) => {
                // saphyr may report an error while looking ahead, before the events of an
                // enclosing flow collection arrive.
                let at = working.byte(error.marker().index());
                let flow_start = composer
                    .stack
                    .iter()
                    .find(|frame| frame.in_flow)
                    .map(|frame| frame.content_start)
                    .or_else(|| unclosed_opener(text, composer.last_end.min(at), at));
                return Err(Failure::Scan(error, flow_start));
            }
        };
        let start = working.byte(span.start.index());
        let end = working.byte(span.end.index());
        match composer.on_event(event, start, end.max(start)) {
            Ok(true) => break,
            Ok(false) => {}
            Err(error) => {
                return Err(match composer.absorbed {
                    Some(dash) => Failure::Absorb(dash),
                    None => Failure::Load(error),
                });
            }
        }
    }
    Ok(composer.finish())
}

fn multiple_documents(span: Span) -> LoadError {
    LoadError::new(
        LoadErrorKind::MultipleDocuments,
        "expected a single document in the stream, but found more",
        span,
    )
}

/// saphyr's message in our style: no trailing period, user text in backticks.
fn scan_message(info: &str) -> String {
    let info = info.trim_end_matches('.');
    if let Some(c) = info
        .strip_prefix("unexpected character: `")
        .and_then(|rest| rest.strip_suffix('\''))
    {
        return format!("unexpected character `{c}`");
    }
    info.to_owned()
}

/// Where to point a saphyr error: its position, or for tab errors the first tab of the
/// white space before it on its line.
fn scan_error_span(text: &str, at: usize, message: &str) -> Span {
    if message.contains("tab") {
        let b = text.as_bytes();
        let mut i = at.min(b.len());
        let mut tab = None;
        while i > 0 && matches!(b[i - 1], b' ' | b'\t') {
            i -= 1;
            if b[i] == b'\t' {
                tab = Some(i);
            }
        }
        if let Some(tab) = tab {
            return Span::new(tab, tab + 1);
        }
    }
    char_span(text, at)
}

/// A span covering the character at byte `at` (empty at the end of the text).
pub(crate) fn char_span(text: &str, at: usize) -> Span {
    let at = at.min(text.len());
    let len = text
        .get(at..)
        .and_then(|rest| rest.chars().next())
        .map_or(0, char::len_utf8);
    Span::new(at, at + len)
}

/// A node's properties (tag and anchor) as written before its content.
struct Props {
    /// Whether the node has any property.
    any: bool,
    /// The tag token, if any.
    tag: Option<Span>,
    /// End of the last property.
    end: usize,
    /// Where the node's content starts (after the properties and separating space).
    content: usize,
}

struct PendingKey {
    key: String,
    span: Span,
    merge: bool,
}

#[derive(Default)]
struct MapBody {
    entries: Entries,
    /// Keys that came from a merge and may still be set explicitly once.
    overridable: HashSet<String>,
    pending: Option<PendingKey>,
}

/// The content of an open collection. When a plain value is loaded, an untagged collection
/// keeps its content as values for as long as every node stored in it is plain
/// ([`Raw::is_plain`]), and completes as [`RawKind::Value`]: the value tree is built once,
/// instead of a raw tree then a value tree. Anything else (a tag, a date, a byte array, a
/// non-finite number) keeps the raw form, which js-yaml's later steps (tags, keys, merges)
/// inspect.
enum Body {
    Seq(Items),
    Map(MapBody),
}

enum Items {
    Raw(Vec<Raw>),
    Plain(Vec<Value>),
}

impl Items {
    fn push(&mut self, raw: Raw) {
        match self {
            Items::Raw(items) => items.push(raw),
            Items::Plain(values) if raw.is_plain() => values.push(raw.into_value()),
            Items::Plain(values) => {
                let mut items: Vec<Raw> = std::mem::take(values)
                    .into_iter()
                    .map(Raw::from_value)
                    .collect();
                items.push(raw);
                *self = Items::Raw(items);
            }
        }
    }
}

enum Entries {
    Raw(IndexMap<String, RawEntry, MapHasher>),
    Plain(sls_value::Map),
}

impl Default for Entries {
    fn default() -> Self {
        Entries::Raw(IndexMap::default())
    }
}

impl Entries {
    fn contains_key(&self, key: &str) -> bool {
        match self {
            Entries::Raw(entries) => entries.contains_key(key),
            Entries::Plain(values) => values.contains_key(key),
        }
    }

    /// The raw entries, converting plain ones first.
    fn raw(&mut self) -> &mut IndexMap<String, RawEntry, MapHasher> {
        if let Entries::Plain(values) = self {
            let entries = std::mem::take(values)
                .into_iter()
                .map(|(key, value)| {
                    let value = Raw::from_value(value);
                    let key_span = value.span;
                    (key, RawEntry { key_span, value })
                })
                .collect();
            *self = Entries::Raw(entries);
        }
        match self {
            Entries::Raw(entries) => entries,
            Entries::Plain(_) => unreachable!("converted above"),
        }
    }

    /// Adds an entry whose key is not there.
    fn insert(&mut self, key: String, entry: RawEntry) {
        match self {
            Entries::Plain(values) if entry.value.is_plain() => {
                values.insert(key, entry.value.into_value());
            }
            _ => {
                self.raw().insert(key, entry);
            }
        }
    }
}

/// An open sequence or mapping.
struct Frame {
    start: usize,
    content_start: usize,
    tag: Option<Tag>,
    anchor: usize,
    /// Nesting level in the constructed tree (the root is 0).
    level: usize,
    /// The depth js-yaml's `composeNode` counts for this node.
    js_depth: usize,
    /// Written in flow style (`[...]`, `{...}`).
    flow: bool,
    /// Inside a flow collection (itself or an ancestor).
    in_flow: bool,
    /// End of the last thing read inside this collection.
    end: usize,
    body: Body,
}

/// A completed anchored node, copied by aliases.
struct Anchored {
    raw: Raw,
    size: usize,
    height: usize,
}

struct Composer<'a> {
    text: &'a str,
    working: &'a Working<'a>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    alias_budget: usize,
    merge_work: usize,
    /// End of the previous event's text, where the search for a block scalar header starts.
    last_end: usize,
    documents: usize,
    root: Option<Raw>,
    /// Whether to report js-yaml's absorption of entries after empty sequence entries.
    absorb: bool,
    /// Whether untagged collections are built as plain values (see [`Body`]).
    plain: bool,
    /// The `-` of an empty entry after which js-yaml absorbs the next entry.
    absorbed: Option<usize>,
}

impl<'a> Composer<'a> {
    fn new(text: &'a str, working: &'a Working<'a>) -> Self {
        Composer {
            text,
            working,
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_budget: ALIAS_NODE_BUDGET,
            merge_work: 0,
            last_end: 0,
            documents: 0,
            root: None,
            absorb: true,
            plain: false,
            absorbed: None,
        }
    }

    fn finish(self) -> Raw {
        match self.root {
            Some(raw) => raw,
            None => Raw::new(RawKind::Null, Span::empty(0)),
        }
    }

    fn char_span(&self, at: usize) -> Span {
        char_span(self.text, at)
    }

    /// Handles one event; returns `true` at the end of the stream.
    fn on_event(&mut self, event: Event<'_>, start: usize, end: usize) -> Result<bool, LoadError> {
        match event {
            Event::StreamEnd => return Ok(true),
            Event::StreamStart | Event::Nothing | Event::DocumentEnd => {}
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    let span = if end > start {
                        Span::new(start, end)
                    } else {
                        self.char_span(start)
                    };
                    return Err(multiple_documents(span));
                }
                self.last_end = end;
            }
            Event::Alias(id) => self.alias(id, Span::new(start, end))?,
            Event::Scalar(value, style, anchor, tag) => {
                let tag = tag.map(|t| self.tag(&t, start));
                self.scalar(value, style, anchor, tag, start, end)?;
            }
            Event::SequenceStart(anchor, tag) => {
                let tag = tag.map(|t| self.tag(&t, start));
                let items = if self.plain && tag.is_none() {
                    Items::Plain(Vec::new())
                } else {
                    Items::Raw(Vec::new())
                };
                self.open(Body::Seq(items), anchor, tag, start, end)?;
            }
            Event::MappingStart(anchor, tag) => {
                let tag = tag.map(|t| self.tag(&t, start));
                let mut body = MapBody::default();
                if self.plain && tag.is_none() {
                    body.entries = Entries::Plain(sls_value::Map::default());
                }
                self.open(Body::Map(body), anchor, tag, start, end)?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(end)?,
        }
        Ok(false)
    }

    /// Converts a saphyr tag, locating its token in the node's properties.
    fn tag(&self, tag: &saphyr_parser::Tag, start: usize) -> Tag {
        let name = if tag.handle == "!" {
            format!("!{}", tag.suffix)
        } else {
            format!("{}{}", tag.handle, tag.suffix)
        };
        let span = self
            .properties(start)
            .tag
            .unwrap_or_else(|| self.char_span(start));
        let written = self.text.get(span.start..span.end).unwrap_or("").to_owned();
        Tag {
            name,
            span,
            written,
        }
    }

    /// Reads the properties (`!tag`, `&anchor`) written at `at`.
    fn properties(&self, mut at: usize) -> Props {
        let b = self.text.as_bytes();
        let mut props = Props {
            any: false,
            tag: None,
            end: at,
            content: at,
        };
        loop {
            let start = at;
            match b.get(at) {
                Some(b'!') if b.get(at + 1) == Some(&b'<') => {
                    while at < b.len() && b[at] != b'>' {
                        at += 1;
                    }
                    at = (at + 1).min(b.len());
                    props.tag = Some(Span::new(start, at));
                }
                Some(b'!') => {
                    at = skip_token(b, at);
                    props.tag = Some(Span::new(start, at));
                }
                Some(b'&') => at = skip_token(b, at),
                _ => break,
            }
            props.any = true;
            props.end = at;
            at = skip_space(b, at);
        }
        props.content = if props.any { at } else { props.end };
        props
    }

    /// Works out the nesting level and js-yaml depth of a node starting at `content`.
    ///
    /// js-yaml reads a node that may start a block collection by first trying it as the
    /// key of a block mapping, one level deeper; flow collections and scalars found there
    /// therefore count one extra level.
    fn enter(
        &self,
        content: usize,
        props: &Props,
        block_collection: bool,
    ) -> Result<(usize, usize), LoadError> {
        let (level, base, block_context, compact, seek_from) = match self.stack.last() {
            None => (0, 0, true, true, None),
            Some(parent) => {
                // A CloudFormation tag wraps its node in a one-key mapping.
                let wrapped = parent.tag.as_ref().is_some_and(Tag::is_cfn);
                let level = parent.level + 1 + usize::from(wrapped);
                let base = parent.js_depth + 1;
                if parent.in_flow {
                    (level, base, false, false, None)
                } else {
                    match &parent.body {
                        Body::Seq(_) => (level, base, true, true, None),
                        Body::Map(map) => match &map.pending {
                            None => (level, base, false, false, None),
                            Some(key) => (level, base, true, false, Some(key.span.end)),
                        },
                    }
                }
            }
        };
        let block_allowed = if props.any {
            self.has_break(props.end, content)
        } else {
            compact || seek_from.is_some_and(|from| self.has_break(from, content))
        };
        let js_depth = base + usize::from(block_context && block_allowed && !block_collection);
        if js_depth >= MAX_JS_DEPTH {
            return Err(LoadError::new(
                LoadErrorKind::TooDeep,
                format!("nesting exceeds the maximum depth of {MAX_JS_DEPTH}"),
                self.char_span(content),
            ));
        }
        Ok((level, js_depth))
    }

    fn has_break(&self, from: usize, to: usize) -> bool {
        from < to
            && self
                .text
                .as_bytes()
                .get(from..to)
                .is_some_and(|s| s.iter().any(|b| matches!(b, b'\n' | b'\r')))
    }

    /// Moves `end` back over trailing white space, not before `floor`.
    fn trim_end(&self, floor: usize, mut end: usize) -> usize {
        let b = self.text.as_bytes();
        while end > floor && matches!(b.get(end - 1), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            end -= 1;
        }
        end
    }

    /// The end of a quoted scalar whose opening quote is at `at`.
    fn quoted_end(&self, at: usize, double: bool) -> Option<usize> {
        let b = self.text.as_bytes();
        let quote = if double { b'"' } else { b'\'' };
        if b.get(at) != Some(&quote) {
            return None;
        }
        let mut i = at + 1;
        while i < b.len() {
            match b[i] {
                b'\\' if double => i += 2,
                c if c == quote => {
                    if !double && b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                    } else {
                        return Some(i + 1);
                    }
                }
                _ => i += 1,
            }
        }
        None
    }

    /// Finds the `|` / `>` header of a block scalar between `from` and `to`, returning its
    /// start and end (indicators included).
    fn block_header(&self, from: usize, to: usize) -> Option<(usize, usize)> {
        let b = self.text.as_bytes();
        let mut i = from;
        while i < to.min(b.len()) {
            match b[i] {
                b'#' if i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b'\r') => {
                    while i < b.len() && !matches!(b[i], b'\n' | b'\r') {
                        i += 1;
                    }
                }
                b'|' | b'>' => {
                    let mut end = i + 1;
                    while matches!(b.get(end), Some(b'+' | b'-' | b'0'..=b'9')) {
                        end += 1;
                    }
                    return Some((i, end));
                }
                _ => i += 1,
            }
        }
        None
    }

    /// The first character js-yaml rejects as non-printable in a scalar's source text.
    fn check_printable(&self, content: Span, quoted: bool) -> Result<(), LoadError> {
        let Some(source) = self.text.get(content.start..content.end) else {
            return Ok(());
        };
        let bad = source.char_indices().find(|(_, c)| {
            let c = *c;
            if matches!(c, '\t' | '\n' | '\r') {
                return false;
            }
            if quoted {
                c < ' '
            } else {
                c < ' '
                    || ('\u{7f}'..='\u{84}').contains(&c)
                    || ('\u{86}'..='\u{9f}').contains(&c)
                    || c == '\u{fffe}'
                    || c == '\u{ffff}'
            }
        });
        match bad {
            None => Ok(()),
            Some((at, _)) => Err(LoadError::new(
                LoadErrorKind::Syntax,
                "the stream contains non-printable characters",
                self.char_span(content.start + at),
            )),
        }
    }

    fn scalar(
        &mut self,
        value: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<Tag>,
        start: usize,
        end: usize,
    ) -> Result<(), LoadError> {
        let props = if anchor > 0 || tag.is_some() {
            self.properties(start)
        } else {
            Props {
                any: false,
                tag: None,
                end: start,
                content: start,
            }
        };
        let empty = style == ScalarStyle::Plain && value.is_empty();
        let (span, content) = if empty {
            // saphyr places an empty value at its `:`; point just after it.
            let at = if !props.any && self.text.as_bytes().get(start) == Some(&b':') {
                start + 1
            } else {
                props.end
            };
            let from = if props.any { start } else { at };
            (Span::new(from, at), Span::empty(at))
        } else {
            let content = match style {
                ScalarStyle::Plain => Span::new(props.content, end),
                ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                    let double = style == ScalarStyle::DoubleQuoted;
                    let close = self
                        .quoted_end(props.content, double)
                        .unwrap_or_else(|| self.trim_end(props.content, end));
                    Span::new(props.content, close)
                }
                ScalarStyle::Literal | ScalarStyle::Folded => {
                    let from = if props.any {
                        props.content
                    } else {
                        self.last_end.min(start)
                    };
                    let (header, header_end) = self
                        .block_header(from, start.max(from + 1))
                        .unwrap_or((start, start));
                    Span::new(header, self.trim_end(header_end, end))
                }
            };
            let whole = Span::new(if props.any { start } else { content.start }, content.end);
            (whole, content)
        };
        let quoted = matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted);
        self.check_printable(content, quoted)?;
        if style == ScalarStyle::Plain && !empty {
            self.check_plain_start(content.start)?;
        }
        if empty && !props.any && self.absorb && self.in_block_sequence() {
            let dash = self.dash_before(start);
            if let Some(dash) = dash.filter(|d| self.working.absorbed_entry(*d).is_some()) {
                // Stop here; the caller re-indents the absorbed entry and parses again.
                self.absorbed = Some(dash);
                return Err(LoadError::new(
                    LoadErrorKind::Syntax,
                    "sequence entry absorbed after an empty entry",
                    self.char_span(dash),
                ));
            }
        }
        if empty && !props.any && self.is_block_key() && !self.explicit_key_before(start) {
            return Err(LoadError::new(
                LoadErrorKind::Syntax,
                "incomplete explicit mapping pair; a key node is missed",
                self.char_span(start),
            ));
        }
        let mut value = restore_boms(
            value.into_owned(),
            self.text.get(content.start..content.end).unwrap_or(""),
        );
        // saphyr builds scalars in buffers with room to spare; the tree keeps every string for
        // the whole run, so it keeps them at their size.
        value.shrink_to_fit();
        let content_at = if empty { props.content } else { content.start };
        self.enter(content_at, &props, false)?;
        let data = (!empty).then_some(value);
        let style = if style == ScalarStyle::Plain {
            Style::Plain
        } else {
            Style::Other
        };
        let verbatim = data.as_deref() == self.text.get(content.start..content.end);
        let mut built = tags::scalar(data, style, tag.as_ref(), span, content, verbatim)?;
        // js-yaml ignores the tag of an explicit (`?`) key of a block mapping.
        if built.merge && self.is_block_key() && self.explicit_key_before(span.start) {
            built.merge = false;
        }
        self.last_end = self.last_end.max(span.end);
        self.finish_node(built.raw, span, built.merge, anchor)
    }

    /// js-yaml does not start a plain scalar with these indicators, not even inside flow
    /// collections where saphyr does.
    fn check_plain_start(&self, at: usize) -> Result<(), LoadError> {
        let mut chars = self.text.get(at..).unwrap_or("").chars();
        let Some(first) = chars.next() else {
            return Ok(());
        };
        let second = chars.next();
        let in_flow = self.stack.last().is_some_and(|parent| parent.in_flow);
        let separated = match second {
            None => true,
            Some(c) => c.is_whitespace() || (in_flow && matches!(c, ',' | '[' | ']' | '{' | '}')),
        };
        let bad = matches!(first, '|' | '>' | '%' | '@' | '`')
            || (matches!(first, '?' | '-') && separated);
        if bad {
            return Err(LoadError::new(
                LoadErrorKind::Syntax,
                format!("a plain scalar cannot start with `{first}`"),
                self.char_span(at),
            ));
        }
        Ok(())
    }

    fn in_block_sequence(&self) -> bool {
        self.stack
            .last()
            .is_some_and(|parent| !parent.in_flow && matches!(parent.body, Body::Seq(_)))
    }

    /// The `-` of the block sequence entry an empty scalar at `at` stands for: the last of
    /// the `- ` indicators opening its line.
    fn dash_before(&self, at: usize) -> Option<usize> {
        let b = self.text.as_bytes();
        let at = at.min(b.len());
        let line_of = |i: usize| {
            b[..i]
                .iter()
                .rposition(|c| matches!(c, b'\n' | b'\r'))
                .map_or(0, |p| p + 1)
        };
        let mut line = line_of(at);
        if line == at && at > 0 {
            line = line_of(at - 1);
        }
        let mut i = line;
        let mut dash = None;
        loop {
            while i < b.len() && b[i] == b' ' {
                i += 1;
            }
            let separated = matches!(b.get(i + 1), None | Some(b' ' | b'\t' | b'\n' | b'\r'));
            if i < at && b.get(i) == Some(&b'-') && separated {
                dash = Some(i);
                i += 1;
            } else {
                return dash;
            }
        }
    }

    /// Whether the next node is a key of a block mapping.
    fn is_block_key(&self) -> bool {
        self.stack.last().is_some_and(|parent| {
            !parent.in_flow && matches!(&parent.body, Body::Map(map) if map.pending.is_none())
        })
    }

    /// Whether an explicit key indicator `?` precedes `at` since the previous node.
    fn explicit_key_before(&self, at: usize) -> bool {
        let b = self.text.as_bytes();
        let mut i = self.last_end.min(at);
        while i < at.min(b.len()) {
            match b[i] {
                b'#' => {
                    while i < b.len() && !matches!(b[i], b'\n' | b'\r') {
                        i += 1;
                    }
                }
                b'?' if matches!(b.get(i + 1), None | Some(b' ' | b'\t' | b'\n' | b'\r')) => {
                    return true;
                }
                _ => i += 1,
            }
        }
        false
    }

    /// js-yaml does not start a block collection on a line where a tab precedes it.
    fn check_no_tab_before(&self, content: usize) -> Result<(), LoadError> {
        let b = self.text.as_bytes();
        let mut i = content.min(b.len());
        while i > 0 && matches!(b[i - 1], b' ' | b'\t') {
            i -= 1;
            if b[i] == b'\t' {
                return Err(LoadError::new(
                    LoadErrorKind::Syntax,
                    "tab characters must not be used in indentation",
                    self.char_span(i),
                ));
            }
        }
        Ok(())
    }

    fn open(
        &mut self,
        body: Body,
        anchor: usize,
        tag: Option<Tag>,
        start: usize,
        end: usize,
    ) -> Result<(), LoadError> {
        let props = if anchor > 0 || tag.is_some() {
            self.properties(start)
        } else {
            Props {
                any: false,
                tag: None,
                end: start,
                content: start,
            }
        };
        let b = self.text.as_bytes();
        let flow = end > start && matches!(b.get(end - 1), Some(b'[' | b'{'));
        if !flow && !self.stack.last().is_some_and(|p| p.in_flow) {
            self.check_no_tab_before(props.content)?;
        }
        let (level, js_depth) = self.enter(props.content, &props, !flow)?;
        let in_flow = flow || self.stack.last().is_some_and(|p| p.in_flow);
        self.stack.push(Frame {
            start,
            content_start: props.content,
            tag,
            anchor,
            level,
            js_depth,
            flow,
            in_flow,
            end: end.max(props.content),
            body,
        });
        self.last_end = self.last_end.max(end);
        Ok(())
    }

    fn close(&mut self, end: usize) -> Result<(), LoadError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let node_end = if frame.flow { end } else { frame.end };
        let span = Span::new(frame.start, node_end);
        let content = Span::new(frame.content_start, node_end);
        // A tag's check looks at the nodes of its collection as raw nodes.
        let parent_tagged = self.stack.last().is_some_and(|p| p.tag.is_some());
        let raw = match frame.body {
            Body::Seq(Items::Raw(mut items)) => {
                // Kept until the document is converted: at its size, not its growth's.
                items.shrink_to_fit();
                tags::sequence(
                    Raw::new(RawKind::Seq(items), span),
                    frame.tag.as_ref(),
                    content,
                )?
            }
            Body::Seq(Items::Plain(mut values)) => {
                values.shrink_to_fit();
                let kind = if parent_tagged {
                    RawKind::Seq(values.into_iter().map(Raw::from_value).collect())
                } else {
                    RawKind::Value(Value::Array(values))
                };
                Raw::new(kind, span)
            }
            Body::Map(MapBody {
                entries: Entries::Raw(mut entries),
                ..
            }) => {
                js_object_order(&mut entries);
                // As for sequences: a map grows its entries to its hash table's capacity.
                entries.shrink_to_fit();
                tags::mapping(
                    Raw::new(RawKind::Map(Box::new(entries)), span),
                    frame.tag.as_ref(),
                    content,
                )?
            }
            Body::Map(MapBody {
                entries: Entries::Plain(mut values),
                ..
            }) => {
                js_object_order(&mut values);
                values.shrink_to_fit();
                let kind = if parent_tagged {
                    let mut entries = Entries::Plain(values);
                    RawKind::Map(Box::new(std::mem::take(entries.raw())))
                } else {
                    RawKind::Value(Value::Object(values))
                };
                Raw::new(kind, span)
            }
        };
        self.last_end = self.last_end.max(node_end);
        self.finish_node(raw, span, false, frame.anchor)
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), LoadError> {
        let props = Props {
            any: false,
            tag: None,
            end: span.start,
            content: span.start,
        };
        let (level, _) = self.enter(span.start, &props, false)?;
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(LoadError::new(
                LoadErrorKind::RecursiveAlias,
                format!(
                    "alias `{}` refers to a node that contains it",
                    self.text.get(span.start..span.end).unwrap_or("")
                ),
                span,
            ));
        };
        if level + anchored.height > MAX_TREE_DEPTH {
            return Err(LoadError::new(
                LoadErrorKind::TooDeep,
                format!("alias expansion nests deeper than {MAX_TREE_DEPTH} levels"),
                span,
            ));
        }
        if anchored.size > self.alias_budget {
            return Err(LoadError::new(
                LoadErrorKind::AliasLimit,
                format!("alias expansion exceeds the limit of {ALIAS_NODE_BUDGET} nodes"),
                span,
            ));
        }
        self.alias_budget -= anchored.size;
        let raw = anchored.raw.clone();
        self.last_end = self.last_end.max(span.end);
        self.finish_node(raw, span, false, 0)
    }

    /// Stores a completed node: registers its anchor and adds it to its parent.
    /// `site` is where the node is written (an alias's own token for copies).
    fn finish_node(
        &mut self,
        raw: Raw,
        site: Span,
        merge: bool,
        anchor: usize,
    ) -> Result<(), LoadError> {
        if anchor > 0 {
            let (size, height) = raw.measure();
            self.anchors.insert(
                anchor,
                Anchored {
                    raw: raw.clone(),
                    size,
                    height,
                },
            );
        }
        let Some(parent) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(raw);
            }
            return Ok(());
        };
        parent.end = parent.end.max(site.end);
        match &mut parent.body {
            Body::Seq(items) => items.push(raw),
            Body::Map(map) => match map.pending.take() {
                None => {
                    let key = raw.into_key_string().map_err(|_| {
                        LoadError::new(
                            LoadErrorKind::InvalidKey,
                            "nested sequences are not supported inside keys",
                            site,
                        )
                    })?;
                    map.pending = Some(PendingKey {
                        key,
                        span: site,
                        merge,
                    });
                }
                Some(key) => store_pair(map, key, raw, &mut self.merge_work)?,
            },
        }
        Ok(())
    }
}

/// Skips a tag or anchor token: up to white space or a flow indicator.
fn skip_token(b: &[u8], mut at: usize) -> usize {
    while at < b.len()
        && !matches!(
            b[at],
            b' ' | b'\t' | b'\n' | b'\r' | b',' | b'[' | b']' | b'{' | b'}'
        )
    {
        at += 1;
    }
    at
}

/// Skips white space, line breaks and comments.
fn skip_space(b: &[u8], mut at: usize) -> usize {
    while at < b.len() {
        match b[at] {
            b' ' | b'\t' | b'\n' | b'\r' => at += 1,
            b'#' => {
                while at < b.len() && !matches!(b[at], b'\n' | b'\r') {
                    at += 1;
                }
            }
            _ => break,
        }
    }
    at
}

/// js-yaml's `storeMappingPair`.
fn store_pair(
    map: &mut MapBody,
    key: PendingKey,
    value: Raw,
    work: &mut usize,
) -> Result<(), LoadError> {
    if key.merge {
        return merge(map, value, key.span, work);
    }
    // One lookup: the key is hashed once (the set of overridable keys is usually empty).
    let overridable = !map.overridable.is_empty() && map.overridable.remove(&key.key);
    if let Entries::Plain(values) = &mut map.entries {
        if value.is_plain() {
            match values.entry(key.key) {
                indexmap::map::Entry::Occupied(mut present) => {
                    if !overridable {
                        return Err(duplicate_key(present.key(), key.span));
                    }
                    present.insert(value.into_value());
                }
                indexmap::map::Entry::Vacant(vacant) => {
                    vacant.insert(value.into_value());
                }
            }
            return Ok(());
        }
    }
    let entry = RawEntry {
        key_span: key.span,
        value,
    };
    match map.entries.raw().entry(key.key) {
        indexmap::map::Entry::Occupied(mut present) => {
            if !overridable {
                return Err(duplicate_key(present.key(), key.span));
            }
            present.insert(entry);
        }
        indexmap::map::Entry::Vacant(vacant) => {
            vacant.insert(entry);
        }
    }
    Ok(())
}

fn duplicate_key(key: &str, span: Span) -> LoadError {
    LoadError::new(
        LoadErrorKind::DuplicateKey,
        format!("duplicated mapping key `{key}`"),
        span,
    )
}

/// Merges `<<: value` into `map`: keys already present stay.
fn merge(map: &mut MapBody, value: Raw, at: Span, work: &mut usize) -> Result<(), LoadError> {
    let value = match value.kind {
        RawKind::Value(Value::Array(items)) => Raw::new(
            RawKind::Seq(items.into_iter().map(Raw::from_value).collect()),
            value.span,
        ),
        _ => value,
    };
    match value.kind {
        RawKind::Seq(items) => {
            if items.len() > MAX_MERGE_SEQUENCE {
                return Err(LoadError::new(
                    LoadErrorKind::InvalidMerge,
                    format!("merge sequence has more than {MAX_MERGE_SEQUENCE} items"),
                    value.span,
                ));
            }
            for item in items {
                merge_source(map, item, at, work)?;
            }
            Ok(())
        }
        _ => merge_source(map, value, at, work),
    }
}

fn charge(work: &mut usize, at: Span) -> Result<(), LoadError> {
    *work += 1;
    if *work > MAX_MERGE_WORK {
        return Err(LoadError::new(
            LoadErrorKind::InvalidMerge,
            format!("merge keys exceed the limit of {MAX_MERGE_WORK} merged entries"),
            at,
        ));
    }
    Ok(())
}

/// js-yaml's `mergeMappings`: any JavaScript object can be merged (mappings, and arrays or
/// byte arrays by index); other values are an error.
fn merge_source(
    map: &mut MapBody,
    source: Raw,
    at: Span,
    work: &mut usize,
) -> Result<(), LoadError> {
    charge(work, at)?;
    let span = source.span;
    let mut add = |map: &mut MapBody, key: String, entry: RawEntry| -> Result<(), LoadError> {
        charge(work, at)?;
        if !map.entries.contains_key(&key) {
            map.overridable.insert(key.clone());
            map.entries.insert(key, entry);
        }
        Ok(())
    };
    match source.kind {
        RawKind::Map(entries) => {
            for (key, entry) in *entries {
                add(map, key, entry)?;
            }
        }
        RawKind::Value(Value::Object(values)) => {
            for (key, value) in values {
                let value = Raw::from_value(value);
                let entry = RawEntry {
                    key_span: span,
                    value,
                };
                add(map, key, entry)?;
            }
        }
        RawKind::Value(Value::Array(values)) => {
            for (index, value) in values.into_iter().enumerate() {
                let entry = RawEntry {
                    key_span: span,
                    value: Raw::from_value(value),
                };
                add(map, index.to_string(), entry)?;
            }
        }
        RawKind::Seq(items) => {
            for (index, item) in items.into_iter().enumerate() {
                let entry = RawEntry {
                    key_span: item.span,
                    value: item,
                };
                add(map, index.to_string(), entry)?;
            }
        }
        RawKind::Binary(bytes) => {
            for (index, byte) in bytes.into_iter().enumerate() {
                let entry = RawEntry {
                    key_span: span,
                    value: Raw::new(RawKind::Number(f64::from(byte)), span),
                };
                add(map, index.to_string(), entry)?;
            }
        }
        RawKind::Date(_) => {}
        _ => {
            return Err(LoadError::new(
                LoadErrorKind::InvalidMerge,
                "cannot merge mappings; the merged value is not a mapping",
                span,
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every input of the loader corpus, and the same inputs with an error at their start,
    /// in their middle and at their end, load the same on one thread and on two.
    #[test]
    fn the_parsing_thread_changes_nothing() {
        let corpus: serde_json::Value =
            serde_json::from_str(include_str!("../tests/data/load-corpus.json")).unwrap();
        let mut texts: Vec<String> = corpus
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|case| case["yaml"].as_str().map(str::to_owned))
            .collect();
        let many: String = (0..5_000)
            .map(|i| format!("k{i}: [a, {{b: c}}]\n"))
            .collect();
        texts.push(many.clone());
        texts.push(format!("]\n{many}"));
        texts.push(format!("{many}x: [unclosed\n{many}"));
        texts.push(format!("{many}x: *nowhere\n"));
        texts.push(format!("{many}\tbad: 1\n"));
        for text in &texts {
            for plain in [false, true] {
                let one = load_raw(text, plain, MAX_FIX_WORK, usize::MAX);
                let two = load_raw(text, plain, MAX_FIX_WORK, 0);
                match (one, two) {
                    (Ok(one), Ok(two)) => {
                        assert_eq!(one.into_value(), two.into_value(), "{text:?}");
                    }
                    (Err(one), Err(two)) => assert_eq!(one, two, "{text:?}"),
                    (one, two) => panic!("{text:?}: {:?} against {:?}", one.is_ok(), two.is_ok()),
                }
            }
        }
        // the node trees (spans) agree too
        assert_eq!(
            load_raw(&many, false, MAX_FIX_WORK, usize::MAX).map(Raw::into_node),
            load_raw(&many, false, MAX_FIX_WORK, 0).map(Raw::into_node)
        );
    }

    #[test]
    fn reparsing_stops_at_the_work_bound() {
        // Each tab after `:` costs a patch and a new parse of the whole text (71 of them in an
        // 11.5 MB file took 83 s before the bound).
        let text: String = (0..5).map(|i| format!("k{i}:\tv\n")).collect();
        // Room for three parses: two patches, then the third spot is an error saying why.
        let err = load_with(&text, 3 * text.len()).unwrap_err();
        assert_eq!(err.kind, LoadErrorKind::Syntax);
        assert!(
            err.message.contains("js-yaml accepts this"),
            "{}",
            err.message
        );
        assert!(text[..err.span.start].starts_with("k0:\tv\nk1:\tv\nk2:"));
        assert!(load_with(&text, 6 * text.len()).is_ok());
    }
}
