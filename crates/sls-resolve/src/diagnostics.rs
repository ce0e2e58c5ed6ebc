//! Rendering errors as miette diagnostics: file, line, column, a label on the exact `${...}`.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::Hash;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, OnceLock};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use sls_resolver::{ErrorCode, FileSite, SharedError, VariableSite};
use sls_yaml::{Node, NodeKind};

use crate::{EXIT_CONFIG, EXIT_USAGE};

/// A source file for code frames.
#[derive(Clone, Default)]
pub(crate) struct SourceFile {
    /// The name shown in messages (the file name, as v3 shows it).
    pub name: String,
    pub text: String,
    /// Where each line starts, as miette counts lines (`\n`, `\r\n` or a lone `\r`), found on
    /// the first code frame and shared by clones: a frame then costs the lines it shows, not
    /// the file (a large file with hundreds of errors).
    lines: OnceLock<Arc<[usize]>>,
}

impl SourceFile {
    pub fn new(path: &Path, text: String) -> Self {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Self::named(name, text)
    }

    pub fn named(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
            lines: OnceLock::new(),
        }
    }

    /// The same file under another name (its line index kept).
    pub fn renamed(&self, name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..self.clone()
        }
    }

    /// The file an error's [`FileSite`] points into (a `.env` file), with every value that may be
    /// a secret masked in place as in AWS files' code frames: the lines around the range are
    /// shown too.
    pub fn of_site(site: &FileSite) -> Self {
        Self::named(site.name.clone(), sls_aws::secret::redact_ini(&site.text))
    }

    /// A file a `file(...)` variable included, named as `Origin::name` says.
    pub fn included(origin: &sls_resolver::Origin) -> Self {
        Self::named(origin.name.clone(), origin.text.to_string())
    }

    fn line_starts(&self) -> &[usize] {
        self.lines.get_or_init(|| {
            let bytes = self.text.as_bytes();
            let mut starts = vec![0];
            for (i, &b) in bytes.iter().enumerate() {
                if ends_line(bytes, i, b) {
                    starts.push(i + 1);
                }
            }
            starts.into()
        })
    }

    /// 1-based line and column (in characters) of a byte offset, as [`line_column`] counts
    /// them, from the line index: a location costs its line, not the file.
    /// The 0-based line holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts().partition_point(|&s| s <= offset) - 1
    }

    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset);
        let line = self.line_of(offset);
        let start = self.line_starts()[line];
        (line + 1, self.text[start..offset].chars().count() + 1)
    }

    /// The lines of `span` and [`WINDOW_CONTEXT`] lines each side, for miette.
    fn window(&self, (start, end): (usize, usize)) -> Window {
        let starts = self.line_starts();
        let first = self.line_of(start).saturating_sub(WINDOW_CONTEXT);
        let last = self.line_of(end.saturating_sub(1).max(start)) + WINDOW_CONTEXT + 1;
        let from = starts[first];
        let to = starts.get(last).copied().unwrap_or(self.text.len());
        Window {
            name: self.name.clone(),
            text: self.text[from..to].to_owned(),
            offset: from,
            first_line: first,
        }
    }
}

/// Lines of context a [`Window`] holds around its span: more than the one line miette shows.
const WINDOW_CONTEXT: usize = 2;

/// The part of a file a code frame shows, with the offsets and line numbers of the whole file.
struct Window {
    name: String,
    text: String,
    /// Byte offset of `text` in the file.
    offset: usize,
    /// 0-based line of the file `text` starts on.
    first_line: usize,
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let local = span
            .offset()
            .checked_sub(self.offset)
            .ok_or(MietteError::OutOfBounds)?;
        let inner = self.text.as_str().read_span(
            &SourceSpan::new(local.into(), span.len()),
            context_lines_before,
            context_lines_after,
        )?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new(
                (inner.span().offset() + self.offset).into(),
                inner.span().len(),
            ),
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count() + self.first_line,
        )))
    }
}

/// A failed run: what to print on stderr and the exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    pub exit: u8,
    /// The diagnostics, rendered.
    pub rendered: String,
    /// The text v3 prints after `Error:` (for `--error-format v3`).
    pub v3: String,
}

/// How errors are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ErrorFormat {
    /// Diagnostics with code frames, labels and hints.
    Human,
    /// Exactly the message `serverless` v3 prints after `Error:`.
    V3,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            exit: EXIT_USAGE,
            rendered: format!("error: {message}\n"),
            v3: message,
        }
    }

    /// A plain error without a location (exit 1).
    pub fn plain(code: &str, message: impl Into<String>, help: Option<String>) -> Self {
        let message = message.into();
        let mut diagnostic = MietteDiagnostic::new(message.clone()).with_code(code.to_owned());
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        Self {
            exit: EXIT_CONFIG,
            rendered: render(diagnostic, None),
            v3: message,
        }
    }

    pub fn located(
        file: &SourceFile,
        code: &str,
        message: String,
        span: Option<(usize, usize)>,
        label: &str,
        help: Option<String>,
    ) -> Self {
        Self {
            exit: EXIT_CONFIG,
            v3: message.clone(),
            rendered: render_one(file, code, message, span, label, help),
        }
    }

    /// The same failure, as a usage or I/O error (exit 2).
    pub fn into_usage(mut self) -> Self {
        self.exit = EXIT_USAGE;
        self
    }

    pub fn emit(&self, format: ErrorFormat) {
        match format {
            ErrorFormat::Human => eprint!("{}", self.rendered),
            ErrorFormat::V3 => eprintln!("{}", self.v3),
        }
    }
}

pub(crate) fn render_one(
    file: &SourceFile,
    code: &str,
    message: String,
    span: Option<(usize, usize)>,
    label: &str,
    help: Option<String>,
) -> String {
    render_finding(
        Some(file),
        code,
        message,
        span,
        label,
        help,
        miette::Severity::Error,
    )
}

/// A diagnostic of any severity, framed in `file` when there is one (`check` renders its
/// warnings with the warning glyph).
pub(crate) fn render_finding(
    file: Option<&SourceFile>,
    code: &str,
    message: String,
    span: Option<(usize, usize)>,
    label: &str,
    help: Option<String>,
    severity: miette::Severity,
) -> String {
    let mut diagnostic = MietteDiagnostic::new(message)
        .with_code(code.to_owned())
        .with_severity(severity);
    let mut window = None;
    if let (Some(file), Some((start, end))) = (file, span) {
        let range = char_range(&file.text, start, end);
        window = Some(file.window((range.start, range.end)));
        diagnostic = diagnostic.with_label(LabeledSpan::at(range, label.to_owned()));
    }
    if let Some(help) = help {
        diagnostic = diagnostic.with_help(help);
    }
    render(diagnostic, window)
}

/// The diagnostic as miette draws it, with a code frame from `window` when it has a label.
fn render(diagnostic: MietteDiagnostic, window: Option<Window>) -> String {
    // Asked once: the answer does not change during a run, and a run may draw 60,000 frames.
    static COLOR: OnceLock<bool> = OnceLock::new();
    let color = *COLOR
        .get_or_init(|| std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal());
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let framed = Framed { diagnostic, window };
    let mut out = String::new();
    if handler.render_report(&mut out, &framed).is_err() {
        out = format!("error: {}\n", framed.diagnostic);
    }
    out
}

/// A diagnostic and the code it points into, drawn by the handler directly: a
/// `miette::Report` would build miette's global handler on each call, which reads the
/// environment and asks the terminal its size (a tenth of the time of 66,000 frames).
struct Framed {
    diagnostic: MietteDiagnostic,
    window: Option<Window>,
}

impl std::fmt::Debug for Framed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.diagnostic, f)
    }
}

impl std::fmt::Display for Framed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.diagnostic, f)
    }
}

impl std::error::Error for Framed {}

impl miette::Diagnostic for Framed {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.diagnostic.code()
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.diagnostic.severity()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.diagnostic.help()
    }

    fn url<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.diagnostic.url()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.diagnostic.labels()
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.window.as_ref().map(|w| w as &dyn SourceCode)
    }
}

/// Every error of a failed resolution, each with its code frame, after v3's summary line.
///
/// Copies of one variable (a YAML alias repeats it under every property that refers to the
/// anchor) fail with the same error at the same place: they get one frame, whose help names the
/// other properties, instead of one frame each (an alias bomb makes 66,000 of them).
pub(crate) fn resolution_failure(
    file: &SourceFile,
    root: &Node,
    failure: &sls_resolver::Failure,
) -> Failure {
    let mut frames = Frames {
        file,
        root,
        failure,
        included: HashMap::new(),
    };
    let (mut rendered, shown) = frames.render(&failure.errors);
    if failure.errors.len() > 1 {
        let schema = failure.errors.iter().all(|e| e.code.is_schema());
        let what = if schema {
            "configuration errors (configValidationMode: error)"
        } else {
            "variables could not be resolved"
        };
        rendered.push_str(&format!(
            "error: {} {what} in {}",
            failure.errors.len(),
            file.name
        ));
        if shown < failure.errors.len() {
            rendered.push_str(&format!(
                " ({shown} framed above: copies of a variable are framed once)"
            ));
        }
        rendered.push('\n');
    }
    if !failure.later.is_empty() {
        rendered.push_str(&format!(
            "\nv3 stops at the errors above; once they are fixed it would also fail on {}:\n\n",
            match failure.later.len() {
                1 => "this variable".to_owned(),
                n => format!("these {n} variables"),
            }
        ));
        rendered.push_str(&frames.render(&failure.later).0);
    }
    Failure {
        exit: EXIT_CONFIG,
        rendered,
        v3: failure.message.clone(),
    }
}

/// How many other properties the help of a frame names, when copies of a variable share it.
const COPIES_NAMED: usize = 5;

/// Draws the code frames of resolution errors.
struct Frames<'a> {
    file: &'a SourceFile,
    root: &'a Node,
    failure: &'a sls_resolver::Failure,
    /// The files included with `file(...)` that errors point into, by path: each is made (and
    /// its line index built) once, however many errors or inclusions it has.
    included: HashMap<PathBuf, SourceFile>,
}

/// The file an error is framed in.
#[derive(Clone, Copy)]
enum FrameFile<'e> {
    Config,
    Included(&'e Rc<sls_resolver::Origin>),
    /// A file the error is about (a `.env` line), never shared with another error.
    Site(&'e FileSite),
}

/// Where an error is framed.
struct Placed<'e> {
    error: &'e SharedError,
    file: FrameFile<'e>,
    span: Option<(usize, usize)>,
    label: &'e str,
}

impl<'a> Frames<'a> {
    /// The frames of `errors`, copies of one variable framed once; and how many frames.
    fn render(&mut self, errors: &[SharedError]) -> (String, usize) {
        let placed = errors.iter().map(|error| self.place(error));
        let groups = group_copies(placed, CopyKey::of);
        let mut out = String::new();
        for group in &groups {
            out.push_str(&self.draw(group));
        }
        (out, groups.len())
    }

    fn place<'e>(&self, error: &'e SharedError) -> Placed<'e>
    where
        'a: 'e,
    {
        if let Some(site) = &error.file_site {
            return Placed {
                error,
                file: FrameFile::Site(site),
                span: Some(site.range),
                label: &site.label,
            };
        }
        let Some(site) = &error.site else {
            return Placed {
                error,
                file: FrameFile::Config,
                span: None,
                label: "",
            };
        };
        let (file, located) = match self.failure.origin_of(&site.path) {
            Some((origin, rest)) => {
                let inner = VariableSite {
                    path: rest.to_vec(),
                    range: site.range,
                };
                (
                    FrameFile::Included(origin),
                    locate_error(&origin.node, &origin.text, error.code, &inner),
                )
            }
            None => (
                FrameFile::Config,
                locate_error(self.root, &self.file.text, error.code, site),
            ),
        };
        match located {
            Some((span, label)) => Placed {
                error,
                file,
                span: Some(span),
                label,
            },
            None => Placed {
                error,
                file,
                span: None,
                label: "",
            },
        }
    }

    /// One frame for a group of copies: the first error, and the other properties in its help.
    fn draw(&mut self, group: &[Placed<'_>]) -> String {
        let first = &group[0];
        let error = first.error;
        let others = &group[1..];
        let help = with_copies(
            error.help.clone(),
            others.len(),
            others
                .iter()
                .filter_map(|p| p.error.site.as_ref())
                .map(|site| sls_resolver::humanize(&site.path)),
        );
        let file = match first.file {
            FrameFile::Config => self.file,
            FrameFile::Included(origin) => &*self
                .included
                .entry(origin.file.clone())
                .or_insert_with(|| SourceFile::included(origin)),
            FrameFile::Site(site) => {
                return render_one(
                    &SourceFile::of_site(site),
                    error.code.as_str(),
                    error.message.clone(),
                    first.span,
                    first.label,
                    help,
                );
            }
        };
        render_one(
            file,
            error.code.as_str(),
            error.message.clone(),
            first.span,
            first.label,
            help,
        )
    }
}

/// The help of an error whose copies (`count` other properties) are shown with it: its own
/// help, then a line saying how many other properties fail with it, the first few by name.
pub(crate) fn with_copies(
    help: Option<String>,
    count: usize,
    properties: impl Iterator<Item = String>,
) -> Option<String> {
    if count == 0 {
        return help;
    }
    let mut names: Vec<String> = properties
        .take(COPIES_NAMED)
        .map(|p| format!("`{p}`"))
        .collect();
    if count > names.len() {
        names.push(format!("{} more", count - names.len()));
    }
    let noun = if count == 1 { "property" } else { "properties" };
    let copies = format!(
        "the same variable fails for {count} more {noun}: {}",
        join_names(&names)
    );
    Some(match help {
        Some(help) => format!("{help}\n{copies}"),
        None => copies,
    })
}

/// An error's message with its property path taken out: what copies of a variable share.
pub(crate) fn without_property(message: &str, property: &str) -> String {
    message.replacen(&format!("\"{property}\""), "\"\"", 1)
}

/// `a`, `a and b`, `a, b and c`.
fn join_names(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `items` in groups of copies, each group in the order of its first item: items with the same
/// key are copies of one variable; an item without a key (no place, or no property) is a group
/// of its own.
pub(crate) fn group_copies<T, K: Hash + Eq>(
    items: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> Option<K>,
) -> Vec<Vec<T>> {
    let mut groups: Vec<Vec<T>> = Vec::new();
    let mut by_key: HashMap<K, usize> = HashMap::new();
    for item in items {
        match key(&item) {
            Some(k) => match by_key.entry(k) {
                Entry::Occupied(at) => groups[*at.get()].push(item),
                Entry::Vacant(slot) => {
                    slot.insert(groups.len());
                    groups.push(vec![item]);
                }
            },
            None => groups.push(vec![item]),
        }
    }
    groups
}

/// What copies of one variable share: the file and span they are framed at, the error's code,
/// its help, and its message without the property path.
#[derive(PartialEq, Eq, Hash)]
struct CopyKey<'e> {
    /// The included file, or `None` for the configuration.
    file: Option<&'e Path>,
    span: (usize, usize),
    code: &'static str,
    message: String,
    help: Option<&'e str>,
}

impl<'e> CopyKey<'e> {
    /// `None` for an error that has no copies: without a place, or about a file of its own
    /// (a `.env` line).
    fn of(placed: &Placed<'e>) -> Option<Self> {
        let error = placed.error;
        let file = match placed.file {
            FrameFile::Config => None,
            FrameFile::Included(origin) => Some(origin.file.as_path()),
            FrameFile::Site(_) => return None,
        };
        let site = error.site.as_ref()?;
        Some(Self {
            file,
            span: placed.span?,
            code: error.code.as_str(),
            message: without_property(&error.message, &sls_resolver::humanize(&site.path)),
            help: error.help.as_deref(),
        })
    }
}

/// The schema violations of a warn-mode service, one `warning:` line each with the place of the
/// property (in the file its value came from); with `--error-format v3`, v3's warning text.
pub(crate) fn schema_warnings(
    file: &SourceFile,
    root: &Node,
    resolved: &sls_resolver::Resolved,
    format: ErrorFormat,
) -> String {
    let mut out = String::new();
    if resolved.schema_violations.is_empty() {
        return out;
    }
    if format == ErrorFormat::V3 {
        if let Some(text) = resolved
            .warnings
            .iter()
            .find(|w| w.starts_with("Invalid configuration encountered"))
        {
            // `log.notice()` first: an empty line.
            out.push_str(&format!("\nWarning: {text}\n"));
        }
        return out;
    }
    for violation in &resolved.schema_violations {
        let (name, at) = match resolved.origin_of(&violation.path) {
            Some((origin, rest)) => {
                let site = VariableSite {
                    path: rest.to_vec(),
                    range: None,
                };
                let at = violation
                    .unrecognized
                    .then(|| locate_key(&origin.node, rest))
                    .flatten()
                    .or_else(|| locate(&origin.node, &origin.text, &site))
                    .map(|(start, _)| line_column(&origin.text, start));
                (origin.name.clone(), at)
            }
            None => {
                let site = VariableSite {
                    path: violation.path.clone(),
                    range: None,
                };
                let at = violation
                    .unrecognized
                    .then(|| locate_key(root, &violation.path))
                    .flatten()
                    .or_else(|| locate(root, &file.text, &site))
                    .map(|(start, _)| file.line_column(start));
                (file.name.clone(), at)
            }
        };
        let place = match at {
            Some((line, column)) => format!("{name}:{line}:{column}"),
            None => name,
        };
        out.push_str(&format!(
            "warning: invalid configuration {} ({place})\n",
            violation.message
        ));
    }
    out
}

/// Byte span in the file of the variable (or else the property) a site names.
pub(crate) fn locate(root: &Node, text: &str, site: &VariableSite) -> Option<(usize, usize)> {
    let mut node = root;
    let mut complete = true;
    for key in &site.path {
        match child(node, key) {
            Some(next) => node = next,
            None => {
                complete = false;
                break;
            }
        }
    }
    let span = (node.span.start, node.span.end);
    if !complete {
        return Some(span);
    }
    if let (NodeKind::String(value), Some((start, end))) = (&node.kind, site.range) {
        if let (Some(variable), Some(raw)) = (value.get(start..end), text.get(span.0..span.1)) {
            // The string is written verbatim (plain or simply quoted): offsets map directly.
            if let Some(at) = raw.find(value.as_str()) {
                return Some((span.0 + at + start, span.0 + at + end));
            }
            if let Some(at) = raw.find(variable) {
                return Some((span.0 + at, span.0 + at + variable.len()));
            }
            // Block scalars and escaped strings: follow the value through the written text.
            if let Some((from, to)) = align(raw, value, start, end) {
                return Some((span.0 + from, span.0 + to));
            }
        }
    }
    Some(span)
}

/// Where bytes `start..end` of a scalar's value were written in its raw text, when the value
/// is the raw text with some characters left out (indentation, quotes, line folding): each
/// value character is matched with the next equal raw character, a folded line break with a
/// raw one. `None` when the value does not follow the text that way.
fn align(raw: &str, value: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let mut raw_chars = raw.char_indices().peekable();
    let mut from = None;
    for (at, c) in value.char_indices() {
        let (pos, _) = raw_chars.find(|&(_, r)| r == c || (c == ' ' && r == '\n'))?;
        if at == start {
            from = Some(pos);
        }
        if at + c.len_utf8() == end {
            return Some((from?, pos + c.len_utf8()));
        }
    }
    None
}

/// Where a resolution error points, with its label: the key of an unrecognized property (the
/// key is what is wrong), else the variable, else the property's value.
pub(crate) fn locate_error(
    root: &Node,
    text: &str,
    code: ErrorCode,
    site: &VariableSite,
) -> Option<((usize, usize), &'static str)> {
    if code == ErrorCode::UnrecognizedConfigurationProperty {
        if let Some(span) = locate_key(root, &site.path) {
            return Some((span, "not allowed here"));
        }
    }
    let label = match site.range {
        Some(_) => "this variable",
        None => "this property",
    };
    locate(root, text, site).map(|span| (span, label))
}

/// Byte span of the key of the property a path names (its last key, in its mapping).
pub(crate) fn locate_key(root: &Node, path: &[String]) -> Option<(usize, usize)> {
    let (last, parents) = path.split_last()?;
    let mut node = root;
    for key in parents {
        node = child(node, key)?;
    }
    match &node.kind {
        NodeKind::Map(map) => map
            .get(last)
            .map(|entry| (entry.key_span.start, entry.key_span.end)),
        _ => None,
    }
}

fn child<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    match &node.kind {
        NodeKind::Map(map) => map.get(key).map(|entry| &entry.value),
        NodeKind::Seq(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    }
}

/// `start..end` clamped to `text` and widened outwards to character boundaries (a one-byte
/// label on `é` covers the whole `é`).
fn char_range(text: &str, start: usize, end: usize) -> std::ops::Range<usize> {
    let mut start = start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// 1-based line and column (in characters) of a byte offset. Lines end at `\n`, `\r\n` or a
/// lone `\r`, as YAML and miette count them. It reads the text up to `offset`: for many places in
/// one file, [`SourceFile::line_column`] uses the file's line index.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset);
    let bytes = text.as_bytes();
    let (mut line, mut line_start) = (1, 0);
    for (i, &b) in bytes[..offset].iter().enumerate() {
        if ends_line(bytes, i, b) {
            line += 1;
            line_start = i + 1;
        }
    }
    (line, text[line_start..offset].chars().count() + 1)
}

/// Whether byte `b` at `i` ends a line: `\n`, or a `\r` not followed by `\n` (YAML's line
/// breaks, and miette's).
fn ends_line(bytes: &[u8], i: usize, b: u8) -> bool {
    b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
}

/// `offset` within `text`, moved back to a character boundary.
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_columns_from_the_index_agree_with_counting() {
        let text = "a\r\nb\rc: é\n\n😀x\r";
        let file = SourceFile::named("f", text);
        let got: Vec<_> = (0..=text.len() + 2).map(|o| file.line_column(o)).collect();
        let counted: Vec<_> = (0..=text.len() + 2).map(|o| line_column(text, o)).collect();
        assert_eq!(got, counted);
        // `\r\n` is one break, a lone `\r` another; columns count characters
        assert_eq!(file.line_column(3), (2, 1));
        assert_eq!(file.line_column(5), (3, 1));
        assert_eq!(file.line_column(10), (3, 5));
        assert_eq!(file.line_column(11), (4, 1));
        assert_eq!(file.line_column(13), (5, 1));
        assert_eq!(file.line_column(16), (5, 2));
        assert_eq!(file.line_column(text.len()), (6, 1));
    }

    #[test]
    fn a_window_frames_every_span_as_the_whole_file_would() {
        // CRLF, a lone CR, a block scalar, an empty line, no final line break
        let text = "a: 1\r\nb: ${x:y}\rc: é\nd: |\n  multi ${z:w}\n  line\ne: end\n\nf: last";
        let file = SourceFile::named("serverless.yml", text);
        let handler =
            GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
        let bounds: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        for &start in &bounds {
            for &end in bounds.iter().filter(|&&end| end >= start) {
                let diagnostic = || {
                    MietteDiagnostic::new("m")
                        .with_label(LabeledSpan::at(start..end, "here".to_owned()))
                };
                // miette's own path (a `Report` over the whole text) against ours
                let mut whole = String::new();
                let report = miette::Report::new(diagnostic())
                    .with_source_code(miette::NamedSource::new("serverless.yml", text.to_owned()));
                handler.render_report(&mut whole, report.as_ref()).unwrap();
                let mut window = String::new();
                let framed = Framed {
                    diagnostic: diagnostic(),
                    window: Some(file.window((start, end))),
                };
                handler.render_report(&mut window, &framed).unwrap();
                assert_eq!(window, whole, "span {start}..{end}");
            }
        }
    }

    #[test]
    fn copies_group_by_key_in_first_seen_order_and_keyless_items_stay_alone() {
        let items = [
            ("a", Some(1)),
            ("b", None),
            ("c", Some(2)),
            ("d", Some(1)),
            ("e", None),
        ];
        let groups = group_copies(items, |(_, key)| *key);
        let names: Vec<Vec<&str>> = groups
            .iter()
            .map(|g| g.iter().map(|(name, _)| *name).collect())
            .collect();
        assert_eq!(names, [vec!["a", "d"], vec!["b"], vec!["c"], vec!["e"]]);
    }

    #[test]
    fn align_follows_a_literal_block_scalar() {
        let raw = "|-\n    ${self:custom.nope,\n    'fb'}";
        let value = "${self:custom.nope,\n'fb'}";
        let (from, to) = align(raw, value, 0, value.len()).unwrap();
        assert_eq!(&raw[from..to], "${self:custom.nope,\n    'fb'}");
    }

    #[test]
    fn align_follows_a_folded_line_break() {
        let raw = ">\n  a ${x:y}\n  ${z:w}";
        let value = "a ${x:y} ${z:w}\n";
        let (from, to) = align(raw, value, 9, 15).unwrap();
        assert_eq!(&raw[from..to], "${z:w}");
    }

    #[test]
    fn align_gives_up_when_the_value_was_not_written_so() {
        assert_eq!(align("\"\\u0041\"", "A", 0, 1), None);
    }

    #[test]
    fn label_ranges_are_whole_characters_inside_the_text() {
        let text = "a: é😀\n";
        assert_eq!(char_range(text, 3, 4), 3..5);
        assert_eq!(char_range(text, 4, 6), 3..9);
        assert_eq!(char_range(text, 5, 5), 5..5);
        assert_eq!(char_range(text, 40, 50), 10..10);
        assert_eq!(char_range(text, 2, 1), 2..2);
    }
}
