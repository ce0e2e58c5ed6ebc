//! Secrets that never exist in clear after parsing: masked text plus the few facts the engines need.

use serde::{Serialize, Serializer};
use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};

/// The number of `*` in a masked value, as `aws configure list` prints them.
const MASK_STARS: usize = 16;
/// Values shorter than this are masked completely, so a short test secret is not half shown.
const MIN_CHARS_TO_SHOW_TAIL: usize = 8;

/// `aws configure list` style masking: sixteen `*` and the last four characters
/// (`****************ABCD`). Values shorter than eight characters show no characters at all.
pub fn mask(clear: &str) -> String {
    let chars: Vec<char> = clear.chars().collect();
    let mut out = "*".repeat(MASK_STARS);
    if chars.len() >= MIN_CHARS_TO_SHOW_TAIL {
        out.extend(&chars[chars.len() - 4..]);
    }
    out
}

/// A secret value (a secret access key, a session token, or an access key id), kept masked.
///
/// The clear text is dropped on construction. What remains: the masked text, whether it was
/// empty, whether it was the literal string `undefined` (v3 treats that as missing), and a
/// non-reversible 64-bit fingerprint so tests can check which value was picked.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    masked: String,
    empty: bool,
    literal_undefined: bool,
    fingerprint: u64,
}

impl Secret {
    /// Masks `clear` and forgets it.
    pub fn new(clear: &str) -> Self {
        Secret {
            masked: mask(clear),
            empty: clear.is_empty(),
            literal_undefined: clear == "undefined",
            fingerprint: fingerprint(clear),
        }
    }

    /// The masked text, e.g. `****************ABCD`.
    pub fn masked(&self) -> &str {
        &self.masked
    }

    /// Whether the clear value was the empty string.
    pub fn is_empty(&self) -> bool {
        self.empty
    }

    /// Whether the clear value was the literal `undefined` (serverless v3's validity check
    /// rejects it).
    pub fn is_literal_undefined(&self) -> bool {
        self.literal_undefined
    }

    /// Whether `clear` is the value this secret was made from (by fingerprint).
    pub fn matches(&self, clear: &str) -> bool {
        self.fingerprint == fingerprint(clear) && self.empty == clear.is_empty()
    }
}

fn fingerprint(clear: &str) -> u64 {
    let mut h = DefaultHasher::new();
    "sls-aws-secret".hash(&mut h);
    clear.hash(&mut h);
    h.finish()
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.masked)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.masked)
    }
}

/// A property or environment value: plain text, or a [`Secret`].
#[derive(Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Secret(Secret),
}

impl Value {
    /// Classifies `value` by the name it was found under (see [`is_secret_property`]).
    pub fn for_property(key: &str, value: &str) -> Self {
        if is_secret_property(key) {
            Value::Secret(Secret::new(value))
        } else {
            Value::Text(value.to_string())
        }
    }

    /// Classifies an environment variable by name (see [`is_secret_env_var`]).
    pub fn for_env_var(name: &str, value: &str) -> Self {
        if is_secret_env_var(name) {
            Value::Secret(Secret::new(value))
        } else {
            Value::Text(value.to_string())
        }
    }

    /// The clear text, for values that are not secrets.
    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            Value::Secret(_) => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Value::Text(t) => t.is_empty(),
            Value::Secret(s) => s.is_empty(),
        }
    }

    /// JavaScript truthiness of a string: non-empty.
    pub fn is_truthy(&self) -> bool {
        !self.is_empty()
    }

    pub fn is_literal_undefined(&self) -> bool {
        match self {
            Value::Text(t) => t == "undefined",
            Value::Secret(s) => s.is_literal_undefined(),
        }
    }

    /// The text safe to show: clear text, or the masked secret.
    pub fn display(&self) -> &str {
        match self {
            Value::Text(t) => t,
            Value::Secret(s) => s.masked(),
        }
    }

    /// The value as a secret (text values are masked on the way).
    pub fn to_secret(&self) -> Secret {
        match self {
            Value::Text(t) => Secret::new(t),
            Value::Secret(s) => s.clone(),
        }
    }

    /// Whether this value equals `clear` (secrets compare by fingerprint).
    pub fn matches(&self, clear: &str) -> bool {
        match self {
            Value::Text(t) => t == clear,
            Value::Secret(s) => s.matches(clear),
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(t) => write!(f, "{t:?}"),
            Value::Secret(s) => write!(f, "{s:?}"),
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.display())
    }
}

/// Property names whose values are masked at parse time, compared case-insensitively (a key
/// the v2 reader does not recognise, like `AWS_SECRET_ACCESS_KEY`, is still a secret).
pub fn is_secret_property(key: &str) -> bool {
    const KEYS: [&str; 4] = [
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "aws_security_token",
    ];
    KEYS.iter().any(|k| k.eq_ignore_ascii_case(key.trim()))
}

/// The text of an AWS credentials or config file with every secret value masked in place, for
/// code frames: each byte of a secret value except its last four characters becomes `*` (all of
/// it when the value is shorter than eight characters), so byte offsets and spans stay valid.
///
/// Code frames show the lines around a problem, and a broken line is exactly where a secret may
/// sit unrecognised, so this masks more than the readers do: values whose key is a secret
/// property, or mentions a secret, a token, a key or a password (typos, commented-out keys), or
/// is missing (`= value`); indented continuation lines under such a value; and bare lines that
/// are neither a section header, a comment nor an assignment (a pasted key).
pub fn redact_ini(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_secret = false;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let eol = &line[body.len()..];
        let indented = body.starts_with([' ', '\t']);
        if indented && in_secret {
            out.push_str(&stars_keeping(body, 0));
            out.push_str(eol);
            continue;
        }
        in_secret = false;
        let trimmed = body.trim();
        match body.split_once('=') {
            Some((key, value)) if looks_secret(key) => {
                in_secret = true;
                out.push_str(key);
                out.push('=');
                let lead = value.len() - value.trim_start().len();
                out.push_str(&value[..lead]);
                out.push_str(&masked_in_place(&value[lead..]));
                out.push_str(eol);
            }
            None if !trimmed.is_empty() && !trimmed.starts_with(['[', '#', ';']) => {
                let lead = body.len() - body.trim_start().len();
                out.push_str(&body[..lead]);
                out.push_str(&masked_in_place(&body[lead..]));
                out.push_str(eol);
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// Whether the key of a `key = value` line (as written: comment marks, spaces and all) may name
/// a secret.
fn looks_secret(key: &str) -> bool {
    let name = key.trim().trim_start_matches(['#', ';']).trim();
    let lower = name.to_ascii_lowercase();
    name.is_empty()
        || is_secret_property(name)
        || ["secret", "token", "key", "password"]
            .iter()
            .any(|word| lower.contains(word))
}

/// `value` with every byte but its last four characters (all of them, below eight characters)
/// replaced by `*`.
fn masked_in_place(value: &str) -> String {
    let tail = if value.chars().count() >= MIN_CHARS_TO_SHOW_TAIL {
        4
    } else {
        0
    };
    stars_keeping(value, tail)
}

/// `text` with every byte replaced by `*`, except its last `tail` characters.
fn stars_keeping(text: &str, tail: usize) -> String {
    let cut = text
        .char_indices()
        .rev()
        .nth(tail.saturating_sub(1))
        .map_or(text.len(), |(i, _)| if tail == 0 { text.len() } else { i });
    let mut out = "*".repeat(cut);
    out.push_str(&text[cut..]);
    out
}

/// Environment variables whose values are masked when the snapshot is taken.
pub fn is_secret_env_var(name: &str) -> bool {
    const SUFFIXES: [&str; 5] = [
        "_ACCESS_KEY_ID",
        "_SECRET_ACCESS_KEY",
        "_SESSION_TOKEN",
        "_SECURITY_TOKEN",
        "_SECRET_KEY",
    ];
    SUFFIXES.iter().any(|s| name.ends_with(s)) || name == "AWS_CONTAINER_AUTHORIZATION_TOKEN"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_like_aws_configure_list() {
        assert_eq!(mask("AKIAIOSFODNN7EXAMPLE"), "****************MPLE");
        assert_eq!(mask("wJalrXUtnFEMI/K7MDENG"), "****************DENG");
    }

    #[test]
    fn short_values_show_nothing() {
        assert_eq!(mask("abc"), "****************");
        assert_eq!(mask(""), "****************");
        assert_eq!(mask("1234567"), "****************");
        assert_eq!(mask("12345678"), "****************5678");
    }

    #[test]
    fn secret_keeps_facts_not_text() {
        let s = Secret::new("undefined");
        assert!(s.is_literal_undefined());
        assert!(!s.is_empty());
        assert!(s.matches("undefined"));
        assert!(!s.matches("other"));
        assert_eq!(format!("{s:?}"), "Secret(****************ined)");
        assert!(Secret::new("").is_empty());
    }

    #[test]
    fn secret_names() {
        assert!(is_secret_property("aws_secret_access_key"));
        assert!(is_secret_property("AWS_SESSION_TOKEN"));
        assert!(!is_secret_property("region"));
        assert!(is_secret_env_var("AWS_PROD_SECRET_ACCESS_KEY"));
        assert!(is_secret_env_var("AMAZON_ACCESS_KEY_ID"));
        assert!(!is_secret_env_var("AWS_PROFILE"));
    }

    #[test]
    fn serializes_masked() {
        let v = Value::for_property("aws_secret_access_key", "SECRETSECRETSECRET1234");
        assert_eq!(v.display(), "****************1234");
        assert_eq!(v.text(), None);
        let t = Value::for_property("region", "eu-west-1");
        assert_eq!(t.text(), Some("eu-west-1"));
    }

    #[test]
    fn redact_ini_keeps_byte_offsets() {
        let text = "[a]\naws_access_key_id = AKIAEXAMPLEKEY1234\r\naws_secret_access_key=short\nregion = eu\nAWS_SESSION_TOKEN = tokénvalue99\n  continued\nnext = x";
        let red = redact_ini(text);
        assert_eq!(red.len(), text.len());
        assert!(red.contains("aws_access_key_id = **************1234\r\n"));
        assert!(red.contains("aws_secret_access_key=*****\n"));
        assert!(red.contains("region = eu\n"));
        assert!(!red.contains("tok"));
        assert!(red.ends_with("e99\n***********\nnext = x"));
    }

    #[test]
    fn redact_ini_masks_secrets_on_broken_lines() {
        let text = "[broken\n= NoKeySecretValue0001\n# aws_secret_access_key = OldSecretValue0001\n\
                    aws_sesion_token = TypoTokenValue0001\nwJalrXUtnFEMIK7MDENG0001\n\
                    [ok]\nregion = eu-west-1\nrole_arn = arn:aws:iam::1:role/r\n";
        let red = redact_ini(text);
        assert_eq!(red.len(), text.len());
        for secret in ["NoKeySecret", "OldSecret", "TypoToken", "wJalrXUtn"] {
            assert!(!red.contains(secret), "{secret} in {red}");
        }
        for kept in [
            "[broken\n",
            "0001\n",
            "[ok]\nregion = eu-west-1\nrole_arn = arn:aws:iam::1:role/r\n",
        ] {
            assert!(red.contains(kept), "{kept:?} not in {red}");
        }
    }
}
