//! Printing parsed variables back as text.
//!
//! [`render_variable`] spells one variable canonically: sources joined by `, `, string literals
//! and literal addresses in double quotes (JSON escapes), numbers in a form `Number()` reads back
//! exactly. A param or an address holding nested variables is kept as written (its raw text is
//! what v3 resolves). [`render`] rebuilds a whole string: the text between variables and every
//! escape stay as written (so do the extra `$` of `$${...}`), each variable is replaced by its
//! canonical spelling. Parsing the
//! result gives the same variables, up to offsets.
//!
//! Two v3 quirks show here: a part's raw text is trimmed, but its nested variables' offsets count
//! from where the part starts, before any leading white space other than spaces (`\t`, `\f`,
//! U+00A0, ...); and a `$` at the end of an address eats the white space or the `}` after it.
//! [`render`] copies the trimmed white space from the template, so neither changes the parse;
//! [`render_variable`] has no template and drops it.

use std::fmt::Write;

use crate::lexical::is_js_whitespace;
use crate::{Literal, Part, Source, TypedSource, Variable, VariableKind};

/// `template` with every variable of `variables` (the result of [`crate::parse`] on it) spelled
/// canonically. Escapes and the text around variables are copied as written.
pub fn render(template: &str, variables: &[Variable]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut last = 0;
    for variable in variables {
        let (Some(before), Some(original)) = (
            template.get(last..variable.start),
            template.get(variable.start..variable.end),
        ) else {
            continue;
        };
        out.push_str(before);
        match &variable.kind {
            VariableKind::Sources(sources) => {
                // `$${x:y}`: the extra `$` belong to the variable; they stay, as they decide
                // whether backslashes before them escape it.
                let dollars = original.len() - original.trim_start_matches('$').len();
                out.push_str(&original[..dollars.saturating_sub(1)]);
                sources_text(sources, Some(template), &mut out);
            }
            VariableKind::Escape(_) => out.push_str(original),
        }
        last = variable.end;
    }
    out.push_str(template.get(last..).unwrap_or_default());
    out
}

/// One variable, canonically: `${type(params):address, fallback, 'literal'}`. `None` for an
/// escape, whose spelling depends on the text around it.
pub fn render_variable(variable: &Variable) -> Option<String> {
    let VariableKind::Sources(sources) = &variable.kind else {
        return None;
    };
    let mut out = String::new();
    sources_text(sources, None, &mut out);
    Some(out)
}

fn sources_text(sources: &[Source], template: Option<&str>, out: &mut String) {
    out.push_str("${");
    for (i, source) in sources.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match source {
            Source::Typed(typed) => typed_source(typed, template, out),
            Source::Literal(literal) => literal_text(literal, out),
        }
    }
    out.push('}');
}

fn typed_source(source: &TypedSource, template: Option<&str>, out: &mut String) {
    out.push_str(&source.ty);
    if let Some(params) = &source.params {
        out.push('(');
        for (i, param) in params.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            part_text(param, template, out);
        }
        out.push(')');
    }
    match &source.address {
        Some(address) => {
            out.push(':');
            match address.value {
                // Only an address of JavaScript white space other than spaces trims to nothing.
                Literal::Null if address.variables.is_empty() => out.push('\t'),
                _ => part_text(address, template, out),
            }
        }
        // Without params, the colon is what makes `${self:}` a variable.
        None if source.params.is_none() => out.push(':'),
        None => {}
    }
}

fn part_text(part: &Part, template: Option<&str>, out: &mut String) {
    match (&part.value, part.variables.is_empty()) {
        // Raw text with nested variables: v3 resolves this very text, with the nested offsets
        // counted from before the white space the trimming removed.
        (Literal::String(raw), false) => match untrimmed(part, raw, template) {
            Some(text) => out.push_str(text),
            None => out.push_str(raw),
        },
        (literal, _) => literal_text(literal, out),
    }
}

/// The raw text of `part` with the white space trimming removed around it, from the template:
/// nested offsets count from before the leading white space, and a trailing `$` must not meet
/// the closing bracket (a `$` in an address eats the next character).
fn untrimmed<'t>(part: &Part, raw: &str, template: Option<&'t str>) -> Option<&'t str> {
    let rest = template?.get(part.offset..)?;
    let lead = rest.len() - rest.trim_start_matches(is_js_whitespace).len();
    let after = rest.get(lead..)?.strip_prefix(raw)?;
    let trail = after.len() - after.trim_start_matches(is_js_whitespace).len();
    rest.get(..lead + raw.len() + trail)
}

fn literal_text(literal: &Literal, out: &mut String) {
    match literal {
        Literal::Null => out.push_str("null"),
        Literal::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Literal::Number(n) => number_text(*n, out),
        Literal::String(s) => json_string(s, out),
    }
}

/// A number `Number()` reads back as the same value (NaN never reaches here: it is not a
/// literal, and a falsy param is `null`).
fn number_text(n: f64, out: &mut String) {
    if n.is_infinite() {
        out.push_str(if n > 0.0 { "Infinity" } else { "-Infinity" });
    } else {
        // Rust prints the shortest digits that read back exactly.
        let _ = write!(out, "{n:e}");
    }
}

fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    fn canonical(input: &str) -> String {
        let variables = parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        render(input, &variables)
    }

    #[test]
    fn canonical_spellings() {
        let cases = [
            ("${self:a}", "${self:\"a\"}"),
            ("x ${opt:stage,'dev'} y", "x ${opt:\"stage\", \"dev\"} y"),
            ("${file(./a.yml):b.c}", "${file(\"./a.yml\"):\"b.c\"}"),
            ("${file(x.yml)}", "${file(\"x.yml\")}"),
            ("${self:}", "${self:}"),
            ("${sls:stage, 0x10}", "${sls:\"stage\", 1.6e1}"),
            ("${strToBool(true)}", "${strToBool(true)}"),
            ("${t(,a)}", "${t(null, \"a\")}"),
            ("${self:custom.${sls:stage}}", "${self:custom.${sls:stage}}"),
            (
                "\\${self:a} ${env:X, null}",
                "\\${self:a} ${env:\"X\", null}",
            ),
            (
                "${AWS::Region} ${a:\"q\\\"\"}",
                "${AWS::Region} ${a:\"q\\\"\"}",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(canonical(input), expected, "{input}");
        }
    }

    /// Printing twice gives the same text, and the printed text parses to the same variables.
    fn round_trip(input: &str) {
        let variables = parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        let text = render(input, &variables);
        let again = parse(&text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(render(&text, &again), text, "{input}");
        // The same variables, each with as many sources (the property test compares them all).
        let source_counts = |v: &[Variable]| {
            v.iter()
                .map(|v| match &v.kind {
                    VariableKind::Sources(s) => s.len(),
                    VariableKind::Escape(_) => 0,
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(source_counts(&variables), source_counts(&again), "{input}");
    }

    #[test]
    fn canonical_text_parses_to_the_same_variables() {
        for input in [
            "${self:a, env:B, 'c'}",
            "${file(a, ${self:b}, 3):x.${opt:y}}",
            "${self:\t}",
            "${n:x, -Infinity}",
            "${s(\"\\u0001\")}",
        ] {
            round_trip(input);
        }
    }

    // Found by the `syntax` fuzz target (see docs/fuzzing.md): each broke the round trip.

    #[test]
    fn render_keeps_white_space_trimmed_before_a_raw_part() {
        // The nested variable's offsets count from before the form feed.
        let input = "${file(\u{c}./cfg.${opt:stage, 'dev'}.yml):name}";
        round_trip(input);
        let variables = parse(input).unwrap_or_default();
        assert!(render(input, &variables).starts_with("${file(\u{c}./cfg."));
        round_trip("${self:\u{a0}${a:b}}");
    }

    #[test]
    fn render_keeps_the_extra_dollars_of_a_variable() {
        // Without them, the backslashes before would escape the variable.
        round_trip("\\\\$${opt:x}");
        assert_eq!(canonical("\\$${opt:x}"), "\\$${opt:\"x\"}");
    }

    #[test]
    fn render_keeps_white_space_after_a_trailing_dollar() {
        // A `$` at the end of an address eats the next character: here a space, not the `}`.
        round_trip("${self:a${b:c} $  }");
    }
}
