//! A fast path for the schema's regular expressions on ASCII text: most of the schema's
//! patterns are a few character classes and literals (`^[a-zA-Z0-9-_]+$`,
//! `^(?:\*|GET|POST|...)$` with `i`), and a backtracking engine spends a thousand instructions
//! on each test. Such a pattern is compiled here into a position automaton (Glushkov's
//! construction: one state per character class, the states as bits of a `u128`), which tests a
//! string in a few instructions per byte without backtracking.
//!
//! Only a subset of JavaScript's syntax is accepted (literals, classes, `.`, `\d \w \s` and
//! their negations, groups, `|`, `? * + {n} {n,} {n,m}`, `^` first and `$` last), with the flags
//! `i` and `u` or none; anything else (lookarounds, backreferences, word boundaries, other flags, more than
//! 128 states) is left to `regress`, and so is any text that is not ASCII, where JavaScript's
//! UTF-16 semantics would matter. On ASCII text the answer is the one JavaScript (and
//! `regress`) gives: the tests compare both on every pattern of the schema.

/// A set of ASCII characters.
type Set = u128;

/// A parsed expression.
enum Ast {
    Empty,
    Set(Set),
    Concat(Vec<Ast>),
    Alt(Vec<Ast>),
    Repeat(Box<Ast>, u32, Option<u32>),
}

/// A compiled pattern.
#[derive(Debug)]
pub(crate) struct AsciiRegex {
    first: u128,
    last: u128,
    nullable: bool,
    /// Per state, the states that may follow it.
    follow: Vec<u128>,
    /// Per ASCII byte, the states whose class holds it.
    table: Vec<u128>,
    anchored_start: bool,
    anchored_end: bool,
    /// The automaton made deterministic, when it has few enough states.
    dfa: Option<Dfa>,
}

/// The deterministic automaton: state 0 is the start; each state is a set of positions.
#[derive(Debug)]
struct Dfa {
    /// `next[state * 128 + byte]`.
    next: Vec<u16>,
    /// The state holds a last position: the text read so far ends a match.
    accept: Vec<bool>,
    /// No position is live and none can come: the text cannot match.
    dead: Vec<bool>,
}

/// The most states a deterministic automaton is built with (else the positions are tracked
/// as a set, which is slower but has no limit).
const DFA_STATES: usize = 64;

fn bit(c: u8) -> Set {
    1u128 << c
}

fn range(lo: u8, hi: u8) -> Set {
    (lo..=hi).fold(0, |s, c| s | bit(c))
}

fn digits() -> Set {
    range(b'0', b'9')
}

fn word() -> Set {
    range(b'a', b'z') | range(b'A', b'Z') | digits() | bit(b'_')
}

/// JavaScript's `\s` within ASCII.
fn space() -> Set {
    bit(b'\t') | bit(b'\n') | bit(0x0b) | bit(0x0c) | bit(b'\r') | bit(b' ')
}

/// Adds the other case of every letter (`i`: for ASCII text, a character matches when its
/// upper case is the upper case of one in the set).
fn fold_case(set: Set) -> Set {
    let mut out = set;
    for c in b'a'..=b'z' {
        if set & (bit(c) | bit(c.to_ascii_uppercase())) != 0 {
            out |= bit(c) | bit(c.to_ascii_uppercase());
        }
    }
    out
}

struct Parser<'a> {
    src: &'a [u8],
    at: usize,
    ignore_case: bool,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.src.get(self.at).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn literal(&self, c: u8) -> Set {
        if self.ignore_case {
            fold_case(bit(c))
        } else {
            bit(c)
        }
    }

    /// `a|b|...` up to a `)` or the end.
    fn alternation(&mut self) -> Option<Ast> {
        let mut branches = vec![self.sequence()?];
        while self.eat(b'|') {
            branches.push(self.sequence()?);
        }
        Some(if branches.len() == 1 {
            branches.pop().unwrap_or(Ast::Empty)
        } else {
            Ast::Alt(branches)
        })
    }

    fn sequence(&mut self) -> Option<Ast> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == b'|' || c == b')' {
                break;
            }
            let atom = self.atom()?;
            items.push(self.quantified(atom)?);
        }
        Some(Ast::Concat(items))
    }

    fn atom(&mut self) -> Option<Ast> {
        let c = self.peek()?;
        self.at += 1;
        match c {
            b'(' => {
                if self.eat(b'?') && !self.eat(b':') {
                    return None; // lookarounds, named groups
                }
                let inner = self.alternation()?;
                self.eat(b')').then_some(inner)
            }
            b'[' => self.class().map(Ast::Set),
            b'.' => Some(Ast::Set(range(0, 127) & !(bit(b'\n') | bit(b'\r')))),
            b'\\' => {
                let set = self.escape(false)?;
                Some(Ast::Set(set))
            }
            b'^' | b'$' | b')' | b']' | b'{' | b'}' | b'?' | b'*' | b'+' | b'|' => None,
            c if c.is_ascii() => Some(Ast::Set(self.literal(c))),
            _ => None,
        }
    }

    /// After a `\`: a class escape or an escaped character, as a set (case folded as needed).
    fn escape(&mut self, in_class: bool) -> Option<Set> {
        let c = self.peek()?;
        self.at += 1;
        let all = range(0, 127);
        let set = match c {
            b'd' => digits(),
            b'D' => all & !digits(),
            b'w' => word(),
            b'W' => all & !word(),
            b's' => space(),
            b'S' => all & !space(),
            b't' => bit(b'\t'),
            b'n' => bit(b'\n'),
            b'r' => bit(b'\r'),
            b'f' => bit(0x0c),
            b'v' => bit(0x0b),
            b'x' => {
                let hex = self.src.get(self.at..self.at + 2)?;
                let text = std::str::from_utf8(hex).ok()?;
                let code = u8::from_str_radix(text, 16).ok()?;
                self.at += 2;
                if !code.is_ascii() {
                    return None;
                }
                self.literal(code)
            }
            // An escaped syntax character is itself (the identity escapes of the `u` flag, and
            // `\-` in a class); other escapes (`\b`, `\1`, `\u`, `\c`, `\_`...) are left to
            // regress.
            c if b"^$\\.*+?()[]{}|/".contains(&c) => self.literal(c),
            b'-' if in_class => bit(b'-'),
            _ => return None,
        };
        Some(set)
    }

    /// A class atom: a character (`Ok`) or a class escape (`Err`, its set).
    fn class_atom(&mut self) -> Option<Result<u8, Set>> {
        let c = self.peek()?;
        self.at += 1;
        if c != b'\\' {
            return c.is_ascii().then_some(Ok(c));
        }
        let e = self.peek()?;
        let set = self.escape(true)?;
        Some(match e {
            b'd' | b'D' | b'w' | b'W' | b's' | b'S' => Err(set),
            _ => Ok(set.trailing_zeros() as u8),
        })
    }

    /// After a `[`: the class, up to its `]`.
    fn class(&mut self) -> Option<Set> {
        let negated = self.eat(b'^');
        if self.peek() == Some(b']') {
            return None; // `[]` and `[^]`
        }
        let mut set: Set = 0;
        while !self.eat(b']') {
            let atom = self.class_atom()?;
            let is_range =
                self.peek() == Some(b'-') && self.src.get(self.at + 1).is_some_and(|c| *c != b']');
            match atom {
                Ok(lo) if is_range => {
                    self.at += 1;
                    let Ok(hi) = self.class_atom()? else {
                        return None; // `[a-\d]`: Annex B's literal reading, left to regress
                    };
                    if hi < lo {
                        return None;
                    }
                    set |= range(lo, hi);
                }
                Ok(c) => set |= bit(c),
                Err(_) if is_range => return None,
                Err(class) => set |= class,
            }
        }
        if self.ignore_case {
            set = fold_case(set);
        }
        Some(if negated { range(0, 127) & !set } else { set })
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        std::str::from_utf8(&self.src[start..self.at])
            .ok()?
            .parse()
            .ok()
    }

    fn quantified(&mut self, atom: Ast) -> Option<Ast> {
        let (min, max) = match self.peek() {
            Some(b'?') => (0, Some(1)),
            Some(b'*') => (0, None),
            Some(b'+') => (1, None),
            Some(b'{') => {
                self.at += 1;
                let min = self.number()?;
                let max = if self.eat(b',') {
                    if self.peek() == Some(b'}') {
                        None
                    } else {
                        Some(self.number()?)
                    }
                } else {
                    Some(min)
                };
                if self.peek() != Some(b'}') || max.is_some_and(|m| m < min) {
                    return None;
                }
                (min, max)
            }
            _ => return Some(atom),
        };
        self.at += 1;
        // A lazy quantifier matches the same strings.
        self.eat(b'?');
        if matches!(self.peek(), Some(b'?' | b'*' | b'+' | b'{')) {
            return None;
        }
        Some(Ast::Repeat(Box::new(atom), min, max))
    }
}

/// What a piece of the expression contributes to the automaton.
struct Frag {
    first: u128,
    last: u128,
    nullable: bool,
}

struct Builder {
    sets: Vec<Set>,
    follow: Vec<u128>,
}

fn bits(mut set: u128) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        if set == 0 {
            return None;
        }
        let i = set.trailing_zeros() as usize;
        set &= set - 1;
        Some(i)
    })
}

impl Builder {
    fn concat(&mut self, a: Frag, b: Frag) -> Frag {
        for p in bits(a.last) {
            self.follow[p] |= b.first;
        }
        Frag {
            first: a.first | if a.nullable { b.first } else { 0 },
            last: b.last | if b.nullable { a.last } else { 0 },
            nullable: a.nullable && b.nullable,
        }
    }

    fn build(&mut self, ast: &Ast) -> Option<Frag> {
        Some(match ast {
            Ast::Empty => Frag {
                first: 0,
                last: 0,
                nullable: true,
            },
            Ast::Set(set) => {
                let p = self.sets.len();
                if p >= 128 {
                    return None;
                }
                self.sets.push(*set);
                self.follow.push(0);
                Frag {
                    first: 1 << p,
                    last: 1 << p,
                    nullable: false,
                }
            }
            Ast::Concat(items) => {
                let mut acc = self.build(&Ast::Empty)?;
                for item in items {
                    let next = self.build(item)?;
                    acc = self.concat(acc, next);
                }
                acc
            }
            Ast::Alt(branches) => {
                let mut acc = Frag {
                    first: 0,
                    last: 0,
                    nullable: false,
                };
                for branch in branches {
                    let f = self.build(branch)?;
                    acc.first |= f.first;
                    acc.last |= f.last;
                    acc.nullable |= f.nullable;
                }
                acc
            }
            Ast::Repeat(inner, min, max) => {
                if *min > 128 || max.is_some_and(|m| m > 128) {
                    return None;
                }
                let mut acc = self.build(&Ast::Empty)?;
                for _ in 0..*min {
                    let f = self.build(inner)?;
                    acc = self.concat(acc, f);
                }
                match max {
                    None => {
                        // The last copy loops (`a+` = `a` looping; `a*` = an optional loop).
                        let f = self.build(inner)?;
                        for p in bits(f.last) {
                            self.follow[p] |= f.first;
                        }
                        let looped = Frag {
                            first: f.first,
                            last: f.last,
                            nullable: true,
                        };
                        acc = self.concat(acc, looped);
                    }
                    Some(max) => {
                        for _ in *min..*max {
                            let f = self.build(inner)?;
                            let optional = Frag {
                                first: f.first,
                                last: f.last,
                                nullable: true,
                            };
                            acc = self.concat(acc, optional);
                        }
                    }
                }
                acc
            }
        })
    }
}

impl AsciiRegex {
    /// The automaton of a pattern, or `None` when it uses what this subset does not cover.
    pub(crate) fn compile(source: &str, flags: &str) -> Option<Self> {
        // `u` changes nothing for ASCII patterns on ASCII text (its stricter syntax is kept:
        // only syntax characters are escaped).
        let ignore_case = match flags {
            "" | "u" => false,
            "i" | "iu" | "ui" => true,
            _ => return None,
        };
        let mut src = source.as_bytes();
        let anchored_start = src.first() == Some(&b'^');
        if anchored_start {
            src = &src[1..];
        }
        // A final `$` that is not escaped (an odd run of backslashes before it escapes it).
        let anchored_end = src.last() == Some(&b'$')
            && src[..src.len() - 1]
                .iter()
                .rev()
                .take_while(|c| **c == b'\\')
                .count()
                % 2
                == 0;
        if anchored_end {
            src = &src[..src.len() - 1];
        }
        let mut parser = Parser {
            src,
            at: 0,
            ignore_case,
        };
        let ast = parser.alternation()?;
        if parser.at != src.len() {
            return None;
        }
        // `^a|b$` anchors each branch separately: only whole-pattern anchors are covered.
        if (anchored_start || anchored_end) && matches!(ast, Ast::Alt(_)) {
            return None;
        }
        let mut builder = Builder {
            sets: Vec::new(),
            follow: Vec::new(),
        };
        let frag = builder.build(&ast)?;
        let mut table = vec![0u128; 128];
        for (p, set) in builder.sets.iter().enumerate() {
            for c in bits(*set) {
                table[c] |= 1 << p;
            }
        }
        let mut regex = Self {
            first: frag.first,
            last: frag.last,
            nullable: frag.nullable,
            follow: builder.follow,
            table,
            anchored_start,
            anchored_end,
            dfa: None,
        };
        regex.dfa = regex.determinize();
        Some(regex)
    }

    /// The positions that may come next after the positions `state` (`start`: none read yet).
    fn candidates(&self, state: u128, start: bool) -> u128 {
        let mut next = 0;
        for p in bits(state) {
            next |= self.follow[p];
        }
        if start || !self.anchored_start {
            next |= self.first;
        }
        next
    }

    /// The subset construction, given up past [`DFA_STATES`] states.
    fn determinize(&self) -> Option<Dfa> {
        let mut sets: Vec<u128> = vec![0];
        let mut index: std::collections::HashMap<u128, u16, sls_value::MapHasher> =
            std::collections::HashMap::default();
        let mut dfa = Dfa {
            next: Vec::new(),
            accept: Vec::new(),
            dead: Vec::new(),
        };
        let mut at = 0;
        while at < sets.len() {
            let candidates = self.candidates(sets[at], at == 0);
            dfa.accept.push(at != 0 && sets[at] & self.last != 0);
            dfa.dead.push(at != 0 && sets[at] == 0 && candidates == 0);
            let mut previous: Option<(u128, u16)> = None;
            for c in 0..128 {
                let set = candidates & self.table[c];
                // Neighbouring bytes mostly lead to the same state.
                if let Some((_, target)) = previous.filter(|(last, _)| *last == set) {
                    dfa.next.push(target);
                    continue;
                }
                let target = match index.get(&set) {
                    Some(i) => *i,
                    None => {
                        if sets.len() >= DFA_STATES {
                            return None;
                        }
                        let i = u16::try_from(sets.len()).ok()?;
                        sets.push(set);
                        index.insert(set, i);
                        i
                    }
                };
                previous = Some((set, target));
                dfa.next.push(target);
            }
            at += 1;
        }
        Some(dfa)
    }

    /// `RegExp.prototype.test` on ASCII text (`None` for other text).
    pub(crate) fn test(&self, text: &str) -> Option<bool> {
        if !text.is_ascii() {
            return None;
        }
        if self.nullable && !(self.anchored_start && self.anchored_end) {
            return Some(true);
        }
        if let Some(dfa) = &self.dfa {
            let mut state = 0;
            for c in text.bytes() {
                state = usize::from(dfa.next[state * 128 + usize::from(c)]);
                if !self.anchored_end && dfa.accept[state] {
                    return Some(true);
                }
                if dfa.dead[state] {
                    return Some(false);
                }
            }
            return Some(if self.anchored_end {
                dfa.accept[state] || (text.is_empty() && self.nullable)
            } else {
                false
            });
        }
        let mut state: u128 = 0;
        for (i, c) in text.bytes().enumerate() {
            let mut next = 0;
            for p in bits(state) {
                next |= self.follow[p];
            }
            if !self.anchored_start || i == 0 {
                next |= self.first;
            }
            state = next & self.table[usize::from(c)];
            if !self.anchored_end && state & self.last != 0 {
                return Some(true);
            }
            if state == 0 && self.anchored_start {
                return Some(false);
            }
        }
        Some(if self.anchored_end {
            state & self.last != 0 || (text.is_empty() && self.nullable)
        } else {
            false
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SchemaKind;
    use crate::schema::{Pattern, Schema};

    /// Every pattern of both schemas, with its flags.
    fn schema_patterns() -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        let mut add = |p: &'static Pattern| {
            if !out.contains(&(p.source, p.flags)) {
                out.push((p.source, p.flags));
            }
        };
        for kind in [SchemaKind::Aws, SchemaKind::Other] {
            let schema: &Schema = crate::schema::get(kind);
            for node in schema.nodes {
                if let Some(p) = node.pattern {
                    add(p);
                }
                if let Some((_, p)) = node.regexp {
                    add(p);
                }
                for (p, ..) in node.pattern_properties.unwrap_or_default() {
                    add(p);
                }
            }
        }
        out
    }

    /// Strings to try on a pattern: hand-picked ones, and random ones over the characters
    /// the pattern names plus a few others.
    fn samples(source: &str) -> Vec<String> {
        let mut out: Vec<String> = [
            "",
            "a",
            "A",
            "fn0",
            "fn-1_x",
            "my function",
            "GET",
            "get",
            "Post",
            "*",
            "/",
            "/a/b",
            "/fn0",
            "ANY /x",
            "get /{proxy+}",
            "rate(1 minute)",
            "rate(5 minutes)",
            "cron(0 12 * * ? *)",
            "arn:aws:lambda:us-east-1:123456789012:layer:x:1",
            "123456789012",
            "12345678901",
            "nodejs18.x",
            "TABLE_NAME",
            "_x",
            "1abc",
            "s3:ObjectCreated:*",
            "aws:tag",
            "a\nb",
            "abc\n",
            "x y",
            "\t",
            "~/a.b",
            "../..",
            "./",
            "mnt",
            "/mnt/efs",
            "sg-123abc",
            "subnet-9",
            "a-b",
            "-",
            "--",
            "AUTHORIZER",
            "aws_iam",
            "lambda-proxy",
            "Lambda_Proxy",
            "200",
            "200-299,400",
            "&amp;",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let mut alphabet: Vec<u8> = source.bytes().filter(u8::is_ascii_graphic).collect();
        alphabet.extend_from_slice(b"aZ09 -_/.:\n*");
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15 ^ source.len() as u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..400 {
            let len = (next() % 14) as usize;
            let s: String = (0..len)
                .map(|_| char::from(alphabet[(next() % alphabet.len() as u64) as usize]))
                .collect();
            out.push(s);
        }
        // Words of the pattern itself (`GET`, `arn`, `rate`) joined with its punctuation.
        let words: Vec<&str> = source
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        for _ in 0..400 {
            let n = 1 + (next() % 4) as usize;
            let mut s = String::new();
            for _ in 0..n {
                if !words.is_empty() {
                    s.push_str(words[(next() % words.len() as u64) as usize]);
                }
                s.push(char::from(
                    alphabet[(next() % alphabet.len() as u64) as usize],
                ));
            }
            out.push(s.clone());
            s.pop();
            out.push(s);
        }
        out
    }

    #[test]
    fn agrees_with_regress_on_every_schema_pattern() {
        let patterns = schema_patterns();
        let mut compiled = 0;
        // How many samples matched or not, over all patterns: both must be common for the
        // comparison to mean something.
        let mut matched = [0usize; 2];
        let mut with_dfa = 0;
        for (source, flags) in &patterns {
            let Some(fast) = AsciiRegex::compile(source, flags) else {
                continue;
            };
            compiled += 1;
            let slow = regress::Regex::with_flags(source, *flags).expect("the schema compiles");
            // The same automaton without its deterministic form.
            let mut sets = AsciiRegex::compile(source, flags).expect("compiles");
            with_dfa += usize::from(sets.dfa.is_some());
            sets.dfa = None;
            for text in samples(source) {
                let expected = slow.find(&text).is_some();
                assert_eq!(
                    fast.test(&text),
                    Some(expected),
                    "/{source}/{flags} on {text:?}"
                );
                assert_eq!(
                    sets.test(&text),
                    Some(expected),
                    "/{source}/{flags} on {text:?}"
                );
                matched[usize::from(expected)] += 1;
            }
        }
        eprintln!(
            "{compiled} of {} patterns compiled, {with_dfa} deterministic; samples matched: {}, \
             not matched: {}",
            patterns.len(),
            matched[1],
            matched[0]
        );
        assert!(matched[1] * 10 > matched[0], "{matched:?}");
        // Most of the schema's patterns take the fast path (the rest use lookarounds, large
        // counts or other flags).
        assert!(
            compiled * 10 >= patterns.len() * 8,
            "{compiled} of {} patterns compiled",
            patterns.len()
        );
    }

    #[test]
    fn agrees_with_regress_on_constructs() {
        let cases = [
            ("^a?$", ""),
            ("a*", ""),
            ("^(ab|c)+d{2,3}$", ""),
            ("x$", ""),
            ("^x", ""),
            ("^[^a-c]+$", "i"),
            ("^[\\w-]+$", ""),
            ("^[a-zA-Z0-9-_]+$", ""),
            ("^\\x20\\.$", ""),
            ("^(?:a|)$", ""),
            ("b{0}", ""),
            ("^.+$", ""),
            ("^[\\s\\S]$", ""),
            ("^(a|b)$|^c$", ""),
        ];
        let texts = [
            "", "a", "b", "c", "ab", "abd", "ababdd", "cddd", "cdddd", "x", "yx", "xy", "A", "d-",
            " .", "\n", "a\n", "ç", "é", "B", "z_9", "-",
        ];
        for (source, flags) in cases {
            let slow = regress::Regex::with_flags(source, flags).expect("compiles");
            let fast = AsciiRegex::compile(source, flags);
            let sets = AsciiRegex::compile(source, flags).map(|mut r| {
                r.dfa = None;
                r
            });
            for text in texts {
                let expected = slow.find(text).is_some();
                for automaton in [&fast, &sets] {
                    match automaton.as_ref().map(|f| f.test(text)) {
                        Some(Some(got)) => {
                            assert_eq!(got, expected, "/{source}/{flags} on {text:?}");
                        }
                        Some(None) => assert!(!text.is_ascii()),
                        None => {}
                    }
                }
            }
        }
        assert!(AsciiRegex::compile("^(a|b)$|^c$", "").is_none());
        assert!(AsciiRegex::compile("(?!x)y", "").is_none());
        assert!(AsciiRegex::compile("a", "g").is_none());
        assert!(AsciiRegex::compile("^[a-z]+$", "").is_some());
    }
}
