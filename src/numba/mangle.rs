//! Numba's symbol names (`numba/core/itanium_mangler.py`): an Itanium-like
//! mangling of the Python qualified name, ABI tags, and the argument types.
//! The return type is not part of the name.

use anyhow::{Result, bail};

use super::types::{Dtype, Layout, NumbaType};

/// A demangled Numba function symbol.
#[derive(Clone, Debug, PartialEq)]
pub struct Demangled {
    /// Python qualified name, e.g. `__main__.f` or `mod.outer.<locals>.inner`.
    pub qualname: String,
    /// Argument types, in order; `Err` holds the text of a type this tool
    /// cannot pass across the wasm boundary.
    pub args: Vec<std::result::Result<NumbaType, String>>,
}

impl Demangled {
    /// The bare Python function name (the last part of the qualified name).
    pub fn name(&self) -> &str {
        self.qualname.rsplit('.').next().unwrap_or(&self.qualname)
    }
}

/// A parsed template parameter tree.
#[derive(Clone, Debug, PartialEq)]
enum Node {
    Type { name: String, params: Vec<Node> },
    Int(i64),
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

pub fn demangle(symbol: &str) -> Result<Demangled> {
    let Some(rest) = symbol.strip_prefix("_Z") else {
        bail!("`{symbol}` is not a Numba mangled name (no `_Z` prefix)");
    };
    let mut p = Parser {
        s: rest.as_bytes(),
        pos: 0,
    };
    let parts = p
        .name()
        .map_err(|e| anyhow::anyhow!("cannot demangle `{symbol}`: {e}"))?;
    let mut args = Vec::new();
    while p.pos < p.s.len() {
        let node = p
            .ty()
            .map_err(|e| anyhow::anyhow!("cannot demangle `{symbol}`: {e}"))?;
        args.push(to_numba_type(&node).ok_or_else(|| display(&node)));
    }
    Ok(Demangled {
        qualname: parts.join("."),
        args,
    })
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
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
        std::str::from_utf8(&self.s[start..self.pos])?
            .parse()
            .map_err(|_| anyhow::anyhow!("expected a length at offset {start}"))
    }

    /// `<len><chars>`, unescaped.
    fn ident(&mut self) -> Result<String> {
        let len = self.number()?;
        let end = self.pos + len;
        if end > self.s.len() {
            bail!("identifier runs past the end");
        }
        let raw = std::str::from_utf8(&self.s[self.pos..end])?;
        self.pos = end;
        Ok(unescape(raw))
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
            let v = std::str::from_utf8(&self.s[start..self.pos])?.parse()?;
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
                ndim: u32::try_from(*ndim).ok()?,
                layout,
                readonly: mutability == "readonly",
            })
        }
        ("UniTuple", [item, Node::Int(n)]) => {
            let item = to_numba_type(item)?;
            Some(NumbaType::Tuple {
                items: vec![item; usize::try_from(*n).ok()?],
            })
        }
        ("Tuple", items) => Some(NumbaType::Tuple {
            items: items.iter().map(to_numba_type).collect::<Option<_>>()?,
        }),
        ("none", []) => Some(NumbaType::None),
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

/// Undo `_escape_string`: `_xx` hex escapes of characters outside
/// `[a-zA-Z0-9_]`. A literal underscore followed by two hex digits is
/// ambiguous in Numba's scheme; it is decoded only when the result is a
/// character the escaper would have escaped (punctuation or valid UTF-8).
fn unescape(raw: &str) -> String {
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
        assert_eq!(d.qualname, "__main__.f");
        assert_eq!(d.name(), "f");
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
        assert_eq!(d.qualname, "numba.np.arrayobj.np_arange.<locals>.impl");
        assert_eq!(d.args[1], Err("omitted(default=None)".to_string()));
    }

    #[test]
    fn keeps_literal_underscores() {
        assert_eq!(unescape("my_abc_fn"), "my_abc_fn");
        assert_eq!(unescape("_3clocals_3e"), "<locals>");
    }
}
