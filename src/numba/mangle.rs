//! Numba's symbol names (`numba/core/itanium_mangler.py`): an Itanium-like
//! mangling of the Python qualified name, ABI tags, and the argument types.
//! The return type is not part of the name.

use anyhow::{Result, bail};

use super::types::{Dtype, Layout, MAX_NDIM, MAX_TUPLE_ITEMS, NumbaType};
use crate::diagnostic::excerpt;

/// A demangled Numba function symbol.
#[derive(Clone, Debug, PartialEq)]
pub struct Demangled {
    /// The parts of `module.qualname` exactly as the symbol spells them,
    /// i.e. after Numba's `_escape_string` (see [`escape_part`]).
    pub parts: Vec<String>,
    /// Argument types, in order; `Err` holds the text of a type this tool
    /// cannot pass across the wasm boundary.
    pub args: Vec<std::result::Result<NumbaType, String>>,
}

impl Demangled {
    /// The qualified name read from the symbol alone ([`decode_part`]);
    /// exact unless a part is ambiguous. Prefer a name the dump states.
    pub fn decoded_qualname(&self) -> String {
        let parts: Vec<String> = self.parts.iter().map(|p| decode_part(p)).collect();
        parts.join(".")
    }

    /// Is `name` (a Python name, qualified or not) the name of this symbol
    /// or its trailing parts? Compared the only unambiguous way: by
    /// escaping `name` as Numba does and comparing with the symbol's text.
    pub fn is_named(&self, name: &str) -> bool {
        let wanted: Vec<String> = name.split('.').map(escape_part).collect();
        wanted.len() <= self.parts.len()
            && !name.is_empty()
            && self.parts[self.parts.len() - wanted.len()..] == wanted[..]
    }
}

/// A parsed template parameter tree.
#[derive(Clone, Debug, PartialEq)]
enum Node {
    Type { name: String, params: Vec<Node> },
    Int(i64),
}

struct Parser<'a> {
    /// The symbol after `_Z`. Numba writes non-ASCII letters it does not
    /// escape (see [`escape`]) as UTF-8, and counts lengths in characters.
    s: &'a str,
    pos: usize,
    depth: usize,
}

/// Deeper template nesting than any Numba type has; refuses hostile input
/// before it can exhaust the stack.
const MAX_DEPTH: usize = 64;

pub fn demangle(symbol: &str) -> Result<Demangled> {
    let Some(rest) = symbol.strip_prefix("_Z") else {
        bail!(
            "`{}` is not a Numba mangled name (no `_Z` prefix)",
            excerpt(symbol, 120)
        );
    };
    let mut p = Parser {
        s: rest,
        pos: 0,
        depth: 0,
    };
    let parts = p
        .name()
        .map_err(|e| anyhow::anyhow!("cannot demangle `{}`: {e}", excerpt(symbol, 120)))?;
    let mut args = Vec::new();
    while p.pos < p.s.len() {
        let node = p
            .ty()
            .map_err(|e| anyhow::anyhow!("cannot demangle `{}`: {e}", excerpt(symbol, 120)))?;
        args.push(to_numba_type(&node).ok_or_else(|| display(&node)));
    }
    Ok(Demangled { parts, args })
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn number(&mut self) -> Result<usize> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        self.s[start..self.pos]
            .parse()
            .map_err(|_| anyhow::anyhow!("expected a length at offset {start}"))
    }

    /// `<len><chars>`, as escaped in the symbol; the length counts characters.
    fn ident(&mut self) -> Result<String> {
        let len = self.number()?;
        let rest = &self.s[self.pos..];
        let end = if len == 0 {
            0
        } else {
            match rest.char_indices().nth(len - 1) {
                Some((i, c)) => i + c.len_utf8(),
                None => bail!("identifier runs past the end"),
            }
        };
        self.pos += end;
        Ok(rest[..end].to_string())
    }

    /// ABI tags (`B<len><tag>`) carry the uid and target flags; skip them.
    fn abi_tags(&mut self) -> Result<()> {
        while self.eat(b'B') {
            self.ident()?;
        }
        Ok(())
    }

    /// The function name: `N<part>...[I..E][B..]E` or a single part.
    fn name(&mut self) -> Result<Vec<String>> {
        let mut parts = Vec::new();
        if self.eat(b'N') {
            while !self.eat(b'E') {
                if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    parts.push(self.ident()?);
                } else if self.peek() == Some(b'I') {
                    self.template_params()?;
                } else if self.peek() == Some(b'B') {
                    self.abi_tags()?;
                } else {
                    bail!(
                        "unexpected `{}` in the name",
                        self.peek().map_or('?', char::from)
                    );
                }
            }
        } else {
            parts.push(self.ident()?);
            self.abi_tags()?;
        }
        Ok(parts)
    }

    fn template_params(&mut self) -> Result<Vec<Node>> {
        let mut params = Vec::new();
        if self.eat(b'I') {
            while !self.eat(b'E') {
                if self.pos >= self.s.len() {
                    bail!("unterminated template parameters");
                }
                params.push(self.ty()?);
            }
        }
        Ok(params)
    }

    fn ty(&mut self) -> Result<Node> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            bail!("types nested more than {MAX_DEPTH} deep");
        }
        let node = self.ty_inner();
        self.depth -= 1;
        node
    }

    fn ty_inner(&mut self) -> Result<Node> {
        let c = self
            .peek()
            .ok_or_else(|| anyhow::anyhow!("unexpected end"))?;
        if c == b'L' {
            // Integer literal `Li<value>E`.
            self.pos += 1;
            if !self.eat(b'i') {
                bail!("bad literal at offset {}", self.pos);
            }
            let start = self.pos;
            while self.peek().is_some_and(|c| c == b'-' || c.is_ascii_digit()) {
                self.pos += 1;
            }
            let v = self.s[start..self.pos]
                .parse()
                .map_err(|_| anyhow::anyhow!("bad integer literal at offset {start}"))?;
            if !self.eat(b'E') {
                bail!("unterminated literal at offset {start}");
            }
            return Ok(Node::Int(v));
        }
        if c.is_ascii_digit() || c == b'N' {
            let parts = if c == b'N' {
                self.name()?
            } else {
                vec![self.ident()?]
            };
            let params = self.template_params()?;
            let parts: Vec<String> = parts.iter().map(|p| decode_type_text(p)).collect();
            return Ok(Node::Type {
                name: parts.join("."),
                params,
            });
        }
        self.pos += 1;
        let name = match c {
            b'v' => "none".to_string(),
            b'D' if self.eat(b'h') => "float16".to_string(),
            _ => match Dtype::from_mangle_code(c as char) {
                Some(d) => d.name().to_string(),
                None => bail!("unknown type code `{}`", c as char),
            },
        };
        Ok(Node::Type {
            name,
            params: Vec::new(),
        })
    }
}

fn to_numba_type(node: &Node) -> Option<NumbaType> {
    let Node::Type { name, params } = node else {
        return None;
    };
    match (name.as_str(), params.as_slice()) {
        (
            "Array",
            [
                dtype,
                Node::Int(ndim),
                layout,
                Node::Type {
                    name: mutability, ..
                },
                ..,
            ],
        ) => {
            let Some(NumbaType::Scalar { dtype }) = to_numba_type(dtype) else {
                return None;
            };
            let layout = match layout {
                Node::Type { name, .. } if name == "C" => Layout::C,
                Node::Type { name, .. } if name == "F" => Layout::F,
                Node::Type { name, .. } if name == "A" => Layout::A,
                _ => return None,
            };
            Some(NumbaType::Array {
                dtype,
                ndim: u32::try_from(*ndim).ok().filter(|n| *n <= MAX_NDIM)?,
                layout,
                readonly: mutability == "readonly",
            })
        }
        ("UniTuple", [item, Node::Int(n)]) => {
            let item = to_numba_type(item)?;
            let n = usize::try_from(*n).ok().filter(|n| {
                n.checked_mul(item.leaf_count().max(1))
                    .is_some_and(|total| total <= MAX_TUPLE_ITEMS)
            })?;
            Some(NumbaType::Tuple {
                items: vec![item; n],
            })
        }
        ("Tuple", items) => {
            let mut leaves = 0;
            let mut out = Vec::with_capacity(items.len().min(MAX_TUPLE_ITEMS));
            for item in items {
                let t = to_numba_type(item)?;
                leaves += t.leaf_count();
                if leaves > MAX_TUPLE_ITEMS {
                    return None;
                }
                out.push(t);
            }
            Some(NumbaType::Tuple { items: out })
        }
        ("none", []) => Some(NumbaType::None),
        ("unicode_type", []) => Some(NumbaType::Unicode),
        // `omitted(default=...)`: the text of the default, escaped as one name.
        (name, []) if name.starts_with("omitted(default=") => NumbaType::parse(name).ok(),
        (name, []) => Dtype::from_name(name).map(|dtype| NumbaType::Scalar { dtype }),
        _ => None,
    }
}

fn display(node: &Node) -> String {
    match node {
        Node::Int(v) => v.to_string(),
        Node::Type { name, params } if params.is_empty() => name.clone(),
        Node::Type { name, params } => {
            let inner: Vec<String> = params.iter().map(display).collect();
            format!("{name}({})", inner.join(", "))
        }
    }
}

/// Characters outside ASCII that Numba's `_escape_string` leaves as they
/// are: its pattern `[^a-z0-9_]` is compiled with `re.I`, and these four
/// case-fold into `[a-z]` (found by testing every code point).
const UNESCAPED_NON_ASCII: [char; 4] = ['\u{130}', '\u{131}', '\u{17f}', '\u{212a}'];

/// Numba's `_escape_string`: every character outside `[a-zA-Z0-9_]` becomes
/// `_xx` per UTF-8 byte. `_` itself is never escaped, so the result does
/// not always decode back uniquely (see [`decode_part`]).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || UNESCAPED_NON_ASCII.contains(&c) {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("_{b:02x}"));
            }
        }
    }
    out
}

/// One part of a qualified name as Numba writes it in a symbol:
/// `_escape_string`, then `_` in front of a leading digit (`_fix_lead_digit`).
pub fn escape_part(part: &str) -> String {
    let e = escape(part);
    if e.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{e}")
    } else {
        e
    }
}

/// Read one escaped part of a qualified name back as Python wrote it.
///
/// The escaping is not invertible: `_` is left alone, so `laplace_2d` may be
/// `laplace_2d` or `laplace-`, and `f_c3_a9` may be `f_c3_a9` or `fé`. The
/// rule keeps what a Python qualified name can actually contain:
/// - a whole part `_3c<letters>_3e` is `<locals>`, `<lambda>`, ... (the only
///   punctuation Python puts in a `__qualname__`);
/// - otherwise no ASCII escape is decoded (an identifier holds no ASCII
///   punctuation), and a run of `_xx` escapes is decoded only when it is the
///   UTF-8 of characters that may appear in an identifier at that place.
///
/// Only the second case can read a literal name wrongly (a function really
/// called `f_c3_a9`); where the dump states the Python name (numba-wasm's
/// dump tool, the CPython wrapper, a NUMBA_DUMP banner) that name is used
/// instead, after checking that it escapes to this part.
pub fn decode_part(part: &str) -> String {
    if let Some(inner) = part
        .strip_prefix("_3c")
        .and_then(|p| p.strip_suffix("_3e"))
        .filter(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_lowercase()))
    {
        return format!("<{inner}>");
    }
    let b = part.as_bytes();
    let hex_at = |i: usize| -> Option<u8> {
        if b.get(i) == Some(&b'_') && i + 3 <= b.len() {
            let h = std::str::from_utf8(&b[i + 1..i + 3]).ok()?;
            // `_escape_string` writes lowercase hex.
            if h.bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
            {
                return u8::from_str_radix(h, 16).ok();
            }
        }
        None
    };
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        // The longest run of escapes at `i` that is the UTF-8 of one
        // identifier character.
        let mut seq = Vec::new();
        let mut j = i;
        let mut decoded = None;
        while seq.len() < 4 {
            let Some(v) = hex_at(j).filter(|v| *v >= 0x80) else {
                break;
            };
            seq.push(v);
            j += 3;
            if let Ok(s) = std::str::from_utf8(&seq) {
                decoded = s.chars().next();
                break;
            }
        }
        if let Some(c) = decoded.filter(|&c| {
            // Numba writes these four as they are, never as escapes.
            if UNESCAPED_NON_ASCII.contains(&c) {
                return false;
            }
            if out.is_empty() {
                unicode_ident::is_xid_start(c)
            } else {
                unicode_ident::is_xid_continue(c)
            }
        }) {
            out.push(c);
            i = j;
            continue;
        }
        let c = part[i..].chars().next().expect("in bounds");
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// Readable text of a type name in a symbol (`omitted_28default_3dNone_29`
/// is `omitted(default=None)`): type names are not identifiers, so every
/// escape of punctuation or UTF-8 is decoded. Used for messages only.
fn decode_type_text(raw: &str) -> String {
    let b = raw.as_bytes();
    let hex_at = |i: usize| -> Option<u8> {
        if b.get(i) == Some(&b'_') && i + 2 < b.len() {
            u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).ok()?, 16).ok()
        } else {
            None
        }
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if let Some(v) = hex_at(i) {
            if v.is_ascii() && !(v.is_ascii_alphanumeric() || v == b'_') {
                out.push(v);
                i += 3;
                continue;
            }
            if v >= 0x80 {
                // A multi-byte UTF-8 character is escaped byte by byte.
                let mut seq = Vec::new();
                let mut j = i;
                while let Some(v) = hex_at(j).filter(|v| *v >= 0x80) {
                    seq.push(v);
                    j += 3;
                    if std::str::from_utf8(&seq).is_ok() {
                        break;
                    }
                }
                if std::str::from_utf8(&seq).is_ok() {
                    out.extend_from_slice(&seq);
                    i = j;
                    continue;
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| raw.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demangles_scalar_function() {
        let d = demangle("_ZN8__main__1fB2v1B38c8tJTIeFIjxB2IKSgI4CrvQClQZ6FczSBAA_3dExx").unwrap();
        assert_eq!(d.decoded_qualname(), "__main__.f");
        assert!(d.is_named("f") && d.is_named("__main__.f") && !d.is_named("g"));
        assert_eq!(d.args, vec![Ok(NumbaType::parse("int64").unwrap()); 2]);
    }

    #[test]
    fn demangles_arrays_complex_and_escapes() {
        let d = demangle(
            "_ZN8__main__1cB2v1B38c8tJTIeFIjxB2IKSgI4CrvQClQZ6FczSBAA_3dE10complex128bfh5ArrayIdLi2E1C7mutable7alignedE",
        )
        .unwrap();
        let args: Vec<String> = d
            .args
            .iter()
            .map(|a| a.as_ref().unwrap().to_string())
            .collect();
        assert_eq!(
            args,
            [
                "complex128",
                "bool",
                "float32",
                "uint8",
                "array(float64, 2d, C)"
            ]
        );
        let d = demangle("_ZN5numba2np8arrayobj9np_arange12_3clocals_3e4implB2v4B42c8tJTIeFIjxB2IKSgI4CrvQClcaMQ5hEEUSJJgA_3dEx27omitted_28default_3dNone_29").unwrap();
        assert_eq!(
            d.decoded_qualname(),
            "numba.np.arrayobj.np_arange.<locals>.impl"
        );
        assert_eq!(
            d.args[1],
            Ok(NumbaType::Omitted {
                default: "None".to_string()
            })
        );
    }

    #[test]
    fn keeps_literal_underscores() {
        for name in [
            "my_abc_fn",
            "laplace_2d",
            "sum_axis0_3d",
            "step_ab",
            "f_",
            "_3c",
            "a_3e",
        ] {
            assert_eq!(decode_part(&escape_part(name)), name);
        }
        assert_eq!(decode_part("_3clocals_3e"), "<locals>");
        assert_eq!(escape_part("<lambda>"), "_3clambda_3e");
    }

    #[test]
    fn decodes_identifier_characters_only() {
        for name in ["énergie", "λ_max", "x_é", "ı_İ", "データ"] {
            assert_eq!(decode_part(&escape_part(name)), name);
        }
        // `€` cannot be in an identifier: the text stays literal.
        assert_eq!(decode_part("f_e2_82_ac"), "f_e2_82_ac");
        // Lengths count characters: `ı` is two bytes, one character.
        let d = demangle("_ZN3mod2xıB2v1Ed").unwrap();
        assert_eq!(d.parts, ["mod", "xı"]);
    }

    #[test]
    fn refuses_hostile_symbols() {
        assert!(demangle("_ZN3mod18446744073709551615fE").is_err());
        let deep = format!("_ZN3mod1fE{}", "5ArrayI".repeat(10_000));
        assert!(demangle(&deep).is_err());
    }
}
