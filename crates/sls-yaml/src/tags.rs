//! Tag resolution: js-yaml's `DEFAULT_SCHEMA` explicit tags plus the 17 CloudFormation
//! short tags Serverless adds (`!Ref`, `!GetAtt`, `!Sub`, ...).

use indexmap::IndexMap;
use sls_value::MapHasher;

use crate::error::{LoadError, LoadErrorKind};
use crate::node::Span;
use crate::raw::{Raw, RawEntry, RawKind};
use crate::scalar;

/// The CloudFormation intrinsic functions with a short tag form.
const CFN_FUNCTIONS: [&str; 17] = [
    "And",
    "Base64",
    "Cidr",
    "Condition",
    "Equals",
    "FindInMap",
    "GetAtt",
    "GetAZs",
    "If",
    "ImportValue",
    "Join",
    "Not",
    "Or",
    "Ref",
    "Select",
    "Split",
    "Sub",
];

const CORE: &str = "tag:yaml.org,2002:";

/// A tag on a node: its resolved name and where it is written.
#[derive(Debug, Clone)]
pub(crate) struct Tag {
    /// Full tag name as js-yaml sees it: `!Ref`, `tag:yaml.org,2002:str`, `!`.
    pub name: String,
    /// The tag token in the source.
    pub span: Span,
    /// The tag as written, for messages.
    pub written: String,
}

impl Tag {
    /// Whether this is one of the CloudFormation short tags.
    pub(crate) fn is_cfn(&self) -> bool {
        cfn_function(&self.name).is_some()
    }
}

/// The result of constructing a scalar.
pub(crate) struct Scalar {
    pub raw: Raw,
    /// Whether the node is a merge key (`<<` plain, or tagged `!!merge`).
    pub merge: bool,
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Plain,
    Other,
}

fn cfn_function(name: &str) -> Option<&'static str> {
    let short = name.strip_prefix('!')?;
    CFN_FUNCTIONS.iter().copied().find(|f| *f == short)
}

fn cfn_wrap(function: &'static str, data: Raw, span: Span, tag_span: Span) -> Raw {
    let key = match function {
        "Ref" | "Condition" => function.to_owned(),
        _ => format!("Fn::{function}"),
    };
    let mut map = IndexMap::with_capacity_and_hasher(1, MapHasher::default());
    map.insert(
        key,
        RawEntry {
            key_span: tag_span,
            value: data,
        },
    );
    Raw::new(RawKind::Map(Box::new(map)), span)
}

fn unknown(tag: &Tag, on: &str) -> LoadError {
    let known = tag.name.strip_prefix(CORE).is_some_and(|t| {
        matches!(
            t,
            "str"
                | "null"
                | "bool"
                | "int"
                | "float"
                | "timestamp"
                | "merge"
                | "binary"
                | "seq"
                | "map"
                | "omap"
                | "pairs"
                | "set"
        )
    });
    let message = if known {
        format!("tag `{}` cannot be used on {on}", tag.written)
    } else {
        format!("unknown tag `{}`", tag.written)
    };
    LoadError::new(LoadErrorKind::UnknownTag, message, tag.span)
}

fn invalid(tag: &Tag, what: &str) -> LoadError {
    LoadError::new(
        LoadErrorKind::InvalidValue,
        format!("cannot construct a `{}` value from {what}", tag.written),
        tag.span,
    )
}

/// Constructs a scalar node. `data` is `None` for an empty node (no content at all).
/// `span` is the whole node (properties included), `content` the scalar text only;
/// `verbatim` says the value is exactly the source text of `content`.
pub(crate) fn scalar(
    data: Option<String>,
    style: Style,
    tag: Option<&Tag>,
    span: Span,
    content: Span,
    verbatim: bool,
) -> Result<Scalar, LoadError> {
    let plain = |kind| {
        Ok(Scalar {
            raw: Raw::new(kind, span),
            merge: false,
        })
    };
    let Some(tag) = tag else {
        return match data {
            None => plain(RawKind::Null),
            Some(text) if style == Style::Plain => {
                let (kind, merge) = match scalar::resolve_plain(&text) {
                    scalar::Implicit::Null => (RawKind::Null, false),
                    scalar::Implicit::Bool(b) => (RawKind::Bool(b), false),
                    scalar::Implicit::Number(n) => (RawKind::Number(n), false),
                    scalar::Implicit::Date(t) => (RawKind::Date(t), false),
                    scalar::Implicit::Merge => (RawKind::String(text), true),
                    scalar::Implicit::Str => (RawKind::String(text), false),
                };
                Ok(Scalar {
                    raw: Raw::new(kind, span),
                    merge,
                })
            }
            Some(text) => plain(RawKind::String(text)),
        };
    };
    if tag.name == "!" {
        return plain(data.map_or(RawKind::Null, RawKind::String));
    }
    if let Some(function) = cfn_function(&tag.name) {
        let inner = match data {
            None => Raw::new(RawKind::Null, content),
            Some(text) if function == "GetAtt" => {
                let (first, rest) = text.split_once('.').unwrap_or((&text, ""));
                // Point at each part when the scalar is written verbatim (`A.B` unquoted).
                let (first_span, rest_span) = if verbatim && text.contains('.') {
                    let dot = content.start + first.len();
                    (
                        Span::new(content.start, dot),
                        Span::new(dot + 1, content.end),
                    )
                } else {
                    (content, content)
                };
                Raw::new(
                    RawKind::Seq(vec![
                        Raw::new(RawKind::String(first.to_owned()), first_span),
                        Raw::new(RawKind::String(rest.to_owned()), rest_span),
                    ]),
                    content,
                )
            }
            Some(text) => Raw::new(RawKind::String(text), content),
        };
        return Ok(Scalar {
            raw: cfn_wrap(function, inner, span, tag.span),
            merge: false,
        });
    }
    let Some(core) = tag.name.strip_prefix(CORE) else {
        return Err(unknown(tag, "a scalar"));
    };
    let Some(text) = data else {
        // An empty node: js-yaml tries the tag with `null` data.
        return match core {
            "str" => plain(RawKind::String(String::new())),
            "null" => plain(RawKind::Null),
            "merge" => Ok(Scalar {
                raw: Raw::new(RawKind::Null, span),
                merge: true,
            }),
            "seq" | "omap" | "pairs" => plain(RawKind::Seq(Vec::new())),
            "map" | "set" => plain(RawKind::Map(Box::default())),
            "bool" | "int" | "float" | "timestamp" | "binary" => Err(invalid(tag, "an empty node")),
            _ => Err(unknown(tag, "a scalar")),
        };
    };
    let what = || format!("`{text}`");
    let kind = match core {
        "str" => RawKind::String(text),
        "null" if scalar::is_null(&text) => RawKind::Null,
        "bool" => RawKind::Bool(scalar::bool_value(&text).ok_or_else(|| invalid(tag, &what()))?),
        "int" => RawKind::Number(scalar::int_value(&text).ok_or_else(|| invalid(tag, &what()))?),
        "float" => {
            RawKind::Number(scalar::float_value(&text).ok_or_else(|| invalid(tag, &what()))?)
        }
        "timestamp" => {
            RawKind::Date(crate::date::parse_timestamp(&text).ok_or_else(|| invalid(tag, &what()))?)
        }
        "binary" => {
            RawKind::Binary(scalar::binary_value(&text).ok_or_else(|| invalid(tag, "this text"))?)
        }
        "merge" if text == "<<" => {
            return Ok(Scalar {
                raw: Raw::new(RawKind::String(text), span),
                merge: true,
            });
        }
        "null" | "merge" => return Err(invalid(tag, &what())),
        _ => return Err(unknown(tag, "a scalar")),
    };
    plain(kind)
}

/// Applies a tag to a finished sequence.
pub(crate) fn sequence(raw: Raw, tag: Option<&Tag>, content: Span) -> Result<Raw, LoadError> {
    let Some(tag) = tag else { return Ok(raw) };
    if tag.name == "!" {
        return Ok(raw);
    }
    if let Some(function) = cfn_function(&tag.name) {
        let span = raw.span;
        let inner = Raw::new(raw.kind, content);
        return Ok(cfn_wrap(function, inner, span, tag.span));
    }
    match tag.name.strip_prefix(CORE) {
        Some("seq") => Ok(raw),
        Some("omap") => {
            let RawKind::Seq(items) = &raw.kind else {
                return Ok(raw);
            };
            let mut seen = std::collections::HashSet::new();
            for item in items {
                let RawKind::Map(entries) = &item.kind else {
                    return Err(invalid(tag, "a sequence item that is not a mapping"));
                };
                let mut keys = entries.keys();
                let (Some(key), None) = (keys.next(), keys.next()) else {
                    return Err(invalid(tag, "a mapping without exactly one key"));
                };
                if !seen.insert(key.clone()) {
                    return Err(invalid(tag, &format!("a repeated key `{key}`")));
                }
            }
            Ok(raw)
        }
        Some("pairs") => {
            let span = raw.span;
            let RawKind::Seq(items) = raw.kind else {
                return Ok(raw);
            };
            let mut pairs = Vec::with_capacity(items.len());
            for item in items {
                let item_span = item.span;
                let RawKind::Map(entries) = item.kind else {
                    return Err(invalid(tag, "a sequence item that is not a mapping"));
                };
                if entries.len() != 1 {
                    return Err(invalid(tag, "a mapping without exactly one key"));
                }
                for (key, entry) in *entries {
                    let key = Raw::new(RawKind::String(key), entry.key_span);
                    pairs.push(Raw::new(RawKind::Seq(vec![key, entry.value]), item_span));
                }
            }
            Ok(Raw::new(RawKind::Seq(pairs), span))
        }
        _ => Err(unknown(tag, "a sequence")),
    }
}

/// Applies a tag to a finished mapping.
pub(crate) fn mapping(raw: Raw, tag: Option<&Tag>, content: Span) -> Result<Raw, LoadError> {
    let Some(tag) = tag else { return Ok(raw) };
    if tag.name == "!" {
        return Ok(raw);
    }
    if let Some(function) = cfn_function(&tag.name) {
        let span = raw.span;
        let inner = Raw::new(raw.kind, content);
        return Ok(cfn_wrap(function, inner, span, tag.span));
    }
    match tag.name.strip_prefix(CORE) {
        Some("map") => Ok(raw),
        Some("set") => {
            let non_null = match &raw.kind {
                RawKind::Map(entries) => entries
                    .iter()
                    .find(|(_, e)| !matches!(e.value.kind, RawKind::Null)),
                _ => None,
            };
            match non_null {
                Some((key, _)) => Err(invalid(tag, &format!("key `{key}` with a non-null value"))),
                None => Ok(raw),
            }
        }
        _ => Err(unknown(tag, "a mapping")),
    }
}
