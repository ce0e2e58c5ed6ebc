//! JavaScript semantics the engines need: `\s` and `trim()`, `toUpperCase()`, truthiness,
//! Node's `path.posix.join`, and the names every plain object inherits.

/// Whether `c` is in JavaScript's `\s` class (and so removed by `String.prototype.trim`):
/// WhiteSpace (TAB, VT, FF, SP, NBSP, ZWNBSP, the `Zs` category) and LineTerminator.
pub(crate) fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// `s.trim()`, as a subslice of `s`.
pub(crate) fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_whitespace)
}

/// `s.toUpperCase()`: the locale-independent full Unicode mapping, as Rust's.
pub fn js_to_upper(s: &str) -> String {
    s.to_uppercase()
}

/// Property names every plain JavaScript object inherits from `Object.prototype` (Node 20).
pub(crate) const OBJECT_PROTOTYPE_MEMBERS: [&str; 12] = [
    "constructor",
    "__defineGetter__",
    "__defineSetter__",
    "hasOwnProperty",
    "__lookupGetter__",
    "__lookupSetter__",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toString",
    "valueOf",
    "__proto__",
    "toLocaleString",
];

/// Node's `path.posix.join(...parts)`: non-empty parts joined with `/`, then normalised.
pub fn posix_join(parts: &[&str]) -> String {
    let joined: Vec<&str> = parts.iter().copied().filter(|p| !p.is_empty()).collect();
    if joined.is_empty() {
        return ".".to_string();
    }
    posix_normalize(&joined.join("/"))
}

/// Node's `path.posix.normalize`.
pub fn posix_normalize(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let absolute = path.starts_with('/');
    let trailing = path.ends_with('/');
    let mut segments: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if segments.last().is_some_and(|s| *s != "..") {
                    segments.pop();
                } else if !absolute {
                    segments.push("..");
                }
            }
            s => segments.push(s),
        }
    }
    let mut out = segments.join("/");
    if out.is_empty() {
        if absolute {
            return "/".to_string();
        }
        return if trailing {
            "./".to_string()
        } else {
            ".".to_string()
        };
    }
    if trailing {
        out.push('/');
    }
    if absolute { format!("/{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_matches_js() {
        assert!(is_js_whitespace('\u{FEFF}'));
        assert!(is_js_whitespace('\u{A0}'));
        assert!(!is_js_whitespace('\u{85}'));
        assert_eq!(js_trim("\u{FEFF}[default] \r"), "[default]");
    }

    #[test]
    fn upper_case_like_js() {
        assert_eq!(js_to_upper("my-stage"), "MY-STAGE");
        assert_eq!(js_to_upper("stra\u{df}e"), "STRASSE");
        assert_eq!(js_to_upper("Prod"), "PROD");
    }

    #[test]
    fn node_path_join() {
        assert_eq!(
            posix_join(&["/home/u/", ".aws", "credentials"]),
            "/home/u/.aws/credentials"
        );
        assert_eq!(posix_join(&["rel", ".aws", "config"]), "rel/.aws/config");
        assert_eq!(posix_join(&["/a/../b", ".aws"]), "/b/.aws");
        assert_eq!(posix_join(&["", ".aws", "config"]), ".aws/config");
        assert_eq!(posix_join(&["../x", "y"]), "../x/y");
        assert_eq!(
            posix_join(&["C:/", "\\Users\\me", ".aws"]),
            "C:/\\Users\\me/.aws"
        );
        assert_eq!(posix_join(&[]), ".");
        assert_eq!(posix_normalize("/.."), "/");
    }
}
