//! `--minify`: the generated JavaScript without comments and without the
//! whitespace the grammar does not need. Names are kept (gzip already
//! shares repeated ones; renaming saves little more).
//!
//! This is a tokenizer for the runtime template plus JSON values, not for
//! arbitrary JavaScript: it knows strings, template literals (with nested
//! `${}` code), regular expression literals (by the token before the `/`)
//! and comments. A newline stays wherever removing it could change where
//! automatic semicolon insertion ends a statement. Comments that bundlers
//! read (`webpackIgnore`, `@vite-ignore`) stay. tests/glue.rs checks that
//! esbuild parses the minified and the readable module into the same
//! program.

/// Keywords after which a `/` starts a regular expression, not a division.
const REGEX_AFTER: [&str; 12] = [
    "return",
    "typeof",
    "instanceof",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "case",
    "do",
    "else",
];

pub fn minify(src: &str) -> String {
    let s: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len() / 2);
    // Open template literals: the `${}` brace depth of the code inside each.
    let mut templates: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    // What separated the previous token from the next: nothing, spaces, or a newline.
    let mut gap = Gap::None;
    // The previous significant token's kind, for `/` and for gaps.
    let mut last = Last::Start;
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c == '\n' || c == '\r' || c == '\u{2028}' || c == '\u{2029}' {
            gap = Gap::Newline;
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            gap = gap.max(Gap::Space);
            i += 1;
            continue;
        }
        if c == '/' && s.get(i + 1) == Some(&'/') {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '/' && s.get(i + 1) == Some(&'*') {
            let end = find(&s, i + 2, "*/").map_or(s.len(), |e| e + 2);
            let text: String = s[i..end].iter().collect();
            i = end;
            if text.contains("webpackIgnore") || text.contains("@vite-ignore") {
                separate(&mut out, gap.max(Gap::Space), last, '/');
                out.push_str(&text);
                gap = Gap::Space;
            } else if text.contains('\n') {
                gap = Gap::Newline;
            } else {
                gap = gap.max(Gap::Space);
            }
            continue;
        }
        // One token from i to j.
        let start = i;
        let kind;
        match c {
            '"' | '\'' => {
                i = string_end(&s, i);
                kind = Last::Value;
            }
            '`' => {
                i = template_part_end(&s, i + 1, &mut templates, &mut depth);
                kind = Last::Value;
            }
            '}' if depth == 0 && !templates.is_empty() => {
                // The end of a `${}`: the template literal goes on.
                depth = templates.pop().expect("open template");
                i = template_part_end(&s, i + 1, &mut templates, &mut depth);
                kind = Last::Value;
            }
            '/' if regex_allowed(last) => {
                i = regex_end(&s, i);
                kind = Last::Value;
            }
            c if is_ident(c) => {
                while i < s.len() && is_ident(s[i]) {
                    i += 1;
                }
                let word: String = s[start..i].iter().collect();
                kind = if REGEX_AFTER.contains(&word.as_str()) {
                    Last::Keyword(matches!(word.as_str(), "return" | "throw"))
                } else {
                    Last::Value
                };
            }
            _ => {
                match c {
                    '{' | '(' | '[' => depth += 1,
                    '}' | ')' | ']' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                i += 1;
                kind = match c {
                    ')' | ']' => Last::Value,
                    '}' => Last::Close,
                    _ => Last::Punct(c),
                };
            }
        }
        let first = s[start];
        separate(&mut out, gap, last, first);
        out.extend(&s[start..i]);
        gap = Gap::None;
        last = kind;
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Gap {
    None,
    Space,
    Newline,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    Start,
    /// An identifier, number, literal, `)` or `]`: what may end an expression.
    Value,
    /// A keyword after which an expression starts; true for `return` and
    /// `throw`, which a line break ends.
    Keyword(bool),
    /// `}`: the end of a block or of an object literal.
    Close,
    Punct(char),
}

fn regex_allowed(last: Last) -> bool {
    !matches!(last, Last::Value | Last::Close)
}

/// Write what must separate the previous token from one starting with `next`.
fn separate(out: &mut String, gap: Gap, last: Last, next: char) {
    if gap == Gap::None || last == Last::Start {
        return;
    }
    if gap == Gap::Newline && newline_matters(last, out, next) {
        out.push('\n');
        return;
    }
    let prev = out.chars().last().unwrap_or(' ');
    let merge = (is_ident(prev) && is_ident(next))
        || (prev == next && matches!(prev, '+' | '-' | '/' | '.'))
        || (prev == '/' && next == '*');
    if merge {
        out.push(' ');
    }
}

/// Whether a line break between two tokens can matter to automatic
/// semicolon insertion: keeping one is always safe, dropping it only where
/// no statement can end (after an operator or opening bracket, except a
/// postfix `++`/`--`) or none can start (before a closing bracket, `,`,
/// `;`, `.`, a binary operator).
fn newline_matters(last: Last, out: &str, next: char) -> bool {
    match last {
        Last::Keyword(restricted) => return restricted,
        Last::Punct(_) if !out.ends_with("++") && !out.ends_with("--") => return false,
        _ => {}
    }
    !matches!(
        next,
        ')' | ']'
            | '}'
            | ','
            | ';'
            | ':'
            | '?'
            | '.'
            | '='
            | '*'
            | '%'
            | '<'
            | '>'
            | '&'
            | '|'
            | '^'
    )
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

fn find(s: &[char], from: usize, pat: &str) -> Option<usize> {
    let p: Vec<char> = pat.chars().collect();
    (from..s.len().saturating_sub(p.len() - 1)).find(|&k| s[k..k + p.len()] == p[..])
}

/// The index after a quoted string starting at `i`.
fn string_end(s: &[char], i: usize) -> usize {
    let q = s[i];
    let mut k = i + 1;
    while k < s.len() && s[k] != q {
        k += if s[k] == '\\' { 2 } else { 1 };
    }
    k + 1
}

/// From inside a template literal at `i`: the index after its closing
/// backtick, or after a `${`, which opens code (pushed on `templates`).
fn template_part_end(
    s: &[char],
    mut i: usize,
    templates: &mut Vec<usize>,
    depth: &mut usize,
) -> usize {
    while i < s.len() {
        match s[i] {
            '\\' => i += 2,
            '`' => return i + 1,
            '$' if s.get(i + 1) == Some(&'{') => {
                templates.push(*depth);
                *depth = 0;
                return i + 2;
            }
            _ => i += 1,
        }
    }
    i
}

/// The index after a regular expression literal (and its flags) at `i`.
fn regex_end(s: &[char], i: usize) -> usize {
    let mut k = i + 1;
    let mut class = false;
    while k < s.len() {
        match s[k] {
            '\\' => k += 1,
            '[' => class = true,
            ']' => class = false,
            '/' if !class => break,
            _ => {}
        }
        k += 1;
    }
    k += 1;
    while k < s.len() && is_ident(s[k]) {
        k += 1;
    }
    k
}

#[cfg(test)]
mod tests {
    use super::minify;

    #[test]
    fn keeps_what_the_grammar_needs() {
        assert_eq!(
            minify("const a = 1; // one\nlet b = a / 2;\n"),
            "const a=1;let b=a/2;\n"
        );
        assert_eq!(
            minify("x = /a\\/b[/]/g.test(s) ? 1 : 2;"),
            "x=/a\\/b[/]/g.test(s)?1:2;\n"
        );
        assert_eq!(minify("return /x/;"), "return/x/;\n");
        assert_eq!(minify("a = b + +c - -d;"), "a=b+ +c- -d;\n");
        assert_eq!(
            minify("s = `a ${ b + `c ${ {x: 1}.x }` } d`;"),
            "s=`a ${b+`c ${{x:1}.x}`} d`;\n"
        );
        assert_eq!(
            minify("'it\\'s // not' /* c */ + \"x\""),
            "'it\\'s // not'+\"x\"\n"
        );
        assert_eq!(
            minify("import(/* webpackIgnore: true */ f)"),
            "import(/* webpackIgnore: true */f)\n"
        );
    }

    #[test]
    fn line_breaks_stay_where_semicolons_could_be_inserted() {
        assert_eq!(minify("a = b\nc = d\n"), "a=b\nc=d\n");
        assert_eq!(minify("x = {\n  a: 1,\n}\nf()"), "x={a:1,}\nf()\n");
        assert_eq!(minify("return\nx"), "return\nx\n");
        assert_eq!(minify("i++\nj"), "i++\nj\n");
        assert_eq!(minify("a = b +\n  c"), "a=b+c\n");
        assert_eq!(minify("f(a,\n  b)\n  .then(g)"), "f(a,b).then(g)\n");
    }
}
