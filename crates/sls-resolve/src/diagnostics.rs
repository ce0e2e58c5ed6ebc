//! Rendering errors as miette diagnostics: file, line, column, a label on the exact `${...}`.

use std::io::IsTerminal;
use std::path::Path;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};
use sls_resolver::{SharedError, VariableSite};
use sls_yaml::{Node, NodeKind};

use crate::{EXIT_CONFIG, EXIT_USAGE};

/// A source file for code frames.
#[derive(Clone)]
pub(crate) struct SourceFile {
    /// The name shown in messages (the file name, as v3 shows it).
    pub name: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(path: &Path, text: String) -> Self {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Self { name, text }
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
    let mut diagnostic = MietteDiagnostic::new(message).with_code(code.to_owned());
    if let Some((start, end)) = span {
        diagnostic = diagnostic.with_label(LabeledSpan::at(
            char_range(&file.text, start, end),
            label.to_owned(),
        ));
    }
    if let Some(help) = help {
        diagnostic = diagnostic.with_help(help);
    }
    render(diagnostic, Some(file))
}

fn render(diagnostic: MietteDiagnostic, file: Option<&SourceFile>) -> String {
    let color = std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal();
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let report = match file {
        Some(file) => miette::Report::new(diagnostic)
            .with_source_code(NamedSource::new(&file.name, file.text.clone())),
        None => miette::Report::new(diagnostic),
    };
    let mut out = String::new();
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        out = format!("error: {report}\n");
    }
    out
}

/// Every error of a failed resolution, each with its code frame, after v3's summary line.
pub(crate) fn resolution_failure(
    file: &SourceFile,
    root: &Node,
    failure: &sls_resolver::Failure,
) -> Failure {
    let mut rendered = String::new();
    for error in &failure.errors {
        let included = error.site.as_ref().and_then(|site| {
            failure
                .origin_of(&site.path)
                .map(|(o, rest)| (o, rest, site))
        });
        match included {
            Some((origin, rest, site)) => {
                let included_file = SourceFile::new(&origin.file, origin.text.clone());
                let inner = VariableSite {
                    path: rest.to_vec(),
                    range: site.range,
                };
                rendered.push_str(&render_at(&included_file, &origin.node, &inner, error));
            }
            None => rendered.push_str(&render_error(file, root, error)),
        }
    }
    if failure.errors.len() > 1 {
        rendered.push_str(&format!(
            "error: {} variables could not be resolved in {}\n",
            failure.errors.len(),
            file.name
        ));
    }
    Failure {
        exit: EXIT_CONFIG,
        rendered,
        v3: failure.message.clone(),
    }
}

fn render_error(file: &SourceFile, root: &Node, error: &SharedError) -> String {
    match &error.site {
        Some(site) => render_at(file, root, site, error),
        None => render_one(
            file,
            error.code.as_str(),
            error.message.clone(),
            None,
            "",
            error.help.clone(),
        ),
    }
}

fn render_at(file: &SourceFile, root: &Node, site: &VariableSite, error: &SharedError) -> String {
    let span = locate(root, &file.text, site);
    let label = match site.range {
        Some(_) => "this variable",
        None => "this property",
    };
    render_one(
        file,
        error.code.as_str(),
        error.message.clone(),
        span,
        label,
        error.help.clone(),
    )
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
        }
    }
    Some(span)
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

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::char_range;

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
