//! Numba's types, as far as a wasm export needs them: scalars, arrays,
//! tuples and None. Parsed from mangled names (arguments) and from
//! `str(numba type)` (return types recorded by the dump tools).

use std::fmt;

use anyhow::{Result, bail};

use crate::diagnostic::excerpt;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dtype {
    Bool,
    Int8,
    Uint8,
    Int16,
    Uint16,
    Int32,
    Uint32,
    Int64,
    Uint64,
    Float32,
    Float64,
    Complex64,
    Complex128,
}

impl Dtype {
    pub const ALL: [Dtype; 13] = [
        Dtype::Bool,
        Dtype::Int8,
        Dtype::Uint8,
        Dtype::Int16,
        Dtype::Uint16,
        Dtype::Int32,
        Dtype::Uint32,
        Dtype::Int64,
        Dtype::Uint64,
        Dtype::Float32,
        Dtype::Float64,
        Dtype::Complex64,
        Dtype::Complex128,
    ];

    /// The name Numba prints (`str(types.int32)`).
    pub fn name(self) -> &'static str {
        match self {
            Dtype::Bool => "bool",
            Dtype::Int8 => "int8",
            Dtype::Uint8 => "uint8",
            Dtype::Int16 => "int16",
            Dtype::Uint16 => "uint16",
            Dtype::Int32 => "int32",
            Dtype::Uint32 => "uint32",
            Dtype::Int64 => "int64",
            Dtype::Uint64 => "uint64",
            Dtype::Float32 => "float32",
            Dtype::Float64 => "float64",
            Dtype::Complex64 => "complex64",
            Dtype::Complex128 => "complex128",
        }
    }

    pub fn from_name(name: &str) -> Option<Dtype> {
        match name {
            // Numba spells the boolean type `bool` (older versions `bool_`/`boolean`).
            "boolean" | "bool_" => Some(Dtype::Bool),
            // `intp`/`uintp` are int64/uint64 on the 64-bit host that produced the IR.
            "intp" => Some(Dtype::Int64),
            "uintp" => Some(Dtype::Uint64),
            _ => Dtype::ALL.into_iter().find(|d| d.name() == name),
        }
    }

    /// Itanium-style code from `numba.core.itanium_mangler.N2CODE`.
    pub fn from_mangle_code(code: char) -> Option<Dtype> {
        Some(match code {
            'b' => Dtype::Bool,
            'h' => Dtype::Uint8,
            'a' => Dtype::Int8,
            't' => Dtype::Uint16,
            's' => Dtype::Int16,
            'j' => Dtype::Uint32,
            'i' => Dtype::Int32,
            'y' => Dtype::Uint64,
            'x' => Dtype::Int64,
            'f' => Dtype::Float32,
            'd' => Dtype::Float64,
            _ => return None,
        })
    }

    /// Size in bytes of one element in an array (the data model's storage).
    pub fn itemsize(self) -> u64 {
        match self {
            Dtype::Bool | Dtype::Int8 | Dtype::Uint8 => 1,
            Dtype::Int16 | Dtype::Uint16 => 2,
            Dtype::Int32 | Dtype::Uint32 | Dtype::Float32 => 4,
            Dtype::Int64 | Dtype::Uint64 | Dtype::Float64 | Dtype::Complex64 => 8,
            Dtype::Complex128 => 16,
        }
    }

    /// Alignment of the value inside a struct (complex numbers align as their parts).
    pub fn align(self) -> u64 {
        match self {
            Dtype::Complex64 => 4,
            Dtype::Complex128 => 8,
            d => d.itemsize(),
        }
    }

    pub fn is_complex(self) -> bool {
        matches!(self, Dtype::Complex64 | Dtype::Complex128)
    }

    /// Integer dtypes (not `bool`).
    pub fn is_integer(self) -> bool {
        !matches!(
            self,
            Dtype::Bool | Dtype::Float32 | Dtype::Float64 | Dtype::Complex64 | Dtype::Complex128
        )
    }

    pub fn is_signed(self) -> bool {
        matches!(
            self,
            Dtype::Int8 | Dtype::Int16 | Dtype::Int32 | Dtype::Int64
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Layout {
    C,
    F,
    A,
}

/// One field of a structured dtype: a scalar at a byte offset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordField {
    pub name: String,
    pub dtype: Dtype,
    pub offset: u64,
}

/// A structured dtype (Numba's `Record`): its fields and its itemsize.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub fields: Vec<RecordField>,
    pub size: u64,
}

impl fmt::Display for Record {
    /// `record(x=float64@0, n=int32@8; 16)`, the dump tools' spelling.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("record(")?;
        for (i, field) in self.fields.iter().enumerate() {
            let sep = if i > 0 { ", " } else { "" };
            write!(
                f,
                "{sep}{}={}@{}",
                field.name,
                field.dtype.name(),
                field.offset
            )?;
        }
        write!(f, "; {})", self.size)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum NumbaType {
    Scalar {
        dtype: Dtype,
    },
    Array {
        dtype: Dtype,
        ndim: u32,
        layout: Layout,
        readonly: bool,
    },
    /// An array of records (a structured dtype): Numba's array struct, with
    /// `record.size`-byte elements. Spelled `array(record(x=float64@0,
    /// y=int32@8; 16), 1d, C)` by the dump tools (a mangled name only
    /// numbers the record).
    Records {
        record: Record,
        ndim: u32,
        layout: Layout,
        readonly: bool,
    },
    /// A record scalar (`numpy.void`, an element of a structured array):
    /// Numba passes and returns a pointer to its `record.size` bytes
    /// (`RecordModel`). Spelled `record(x=float64@0, n=int32@8; 16)` by the
    /// dump tools.
    Record {
        record: Record,
    },
    Tuple {
        items: Vec<NumbaType>,
    },
    /// `collections.namedtuple` (Numba's `NamedTuple`/`NamedUniTuple`):
    /// laid out as a tuple; hosts show the class name and field names.
    NamedTuple {
        name: String,
        fields: Vec<String>,
        items: Vec<NumbaType>,
    },
    /// Numba's `unicode_type` (a Python `str`): a struct of data pointer,
    /// length, kind, is_ascii, hash, meminfo and parent.
    Unicode,
    /// `OptionalType(T)`: a `T` or None. A result only: returned alone it
    /// is the `T` behind `retptr` or status "none"; inside a tuple it is
    /// Numba's `{data: T, valid: bool}`.
    Optional {
        item: Box<NumbaType>,
    },
    /// A literal `str` result (`Literal[str]("abc")`, the value in JSON):
    /// Numba keeps the value in the type and returns a null pointer.
    StrLiteral {
        value: String,
    },
    /// An argument the caller left out (`Omitted(default=...)`): it has no
    /// data, so it takes no parameter and is not a parameter of the export.
    Omitted {
        default: String,
    },
    None,
    /// A list: `ListType[T]` (`numba.typed.List`, `typed: true`: a struct
    /// of meminfo and the `NB_List*`) or `list(T)` (a reflected Python
    /// list: a struct of meminfo, whose data is the list payload, and the
    /// parent object). Results only, of scalars or `str`.
    List {
        item: Box<NumbaType>,
        typed: bool,
    },
    /// `DictType[K,V]` (`numba.typed.Dict`): a struct of meminfo and the
    /// `NB_Dict*`. Results only, of scalar or `str` keys and values.
    Dict {
        key: Box<NumbaType>,
        value: Box<NumbaType>,
    },
}

impl NumbaType {
    /// How many scalars and arrays a value of this type holds.
    pub fn leaf_count(&self) -> usize {
        match self {
            NumbaType::Tuple { items } | NumbaType::NamedTuple { items, .. } => {
                items.iter().map(NumbaType::leaf_count).sum()
            }
            NumbaType::None | NumbaType::Omitted { .. } => 0,
            NumbaType::Optional { item } => item.leaf_count(),
            _ => 1,
        }
    }

    /// How many LLVM parameters Numba flattens a value of this type into.
    pub fn flat_param_count(&self) -> usize {
        match self {
            NumbaType::Scalar { dtype } if dtype.is_complex() => 2,
            NumbaType::Scalar { .. } => 1,
            NumbaType::Array { ndim, .. } | NumbaType::Records { ndim, .. } => {
                5 + 2 * *ndim as usize
            }
            NumbaType::Tuple { items } | NumbaType::NamedTuple { items, .. } => {
                items.iter().map(NumbaType::flat_param_count).sum()
            }
            // `none` is an opaque pointer in Numba's data model (always null).
            NumbaType::None | NumbaType::Record { .. } => 1,
            NumbaType::Unicode => 7,
            NumbaType::Optional { item } => item.flat_param_count() + 1,
            NumbaType::StrLiteral { .. } => 1,
            NumbaType::Omitted { .. } => 0,
            // Both are structs of two pointers.
            NumbaType::List { .. } | NumbaType::Dict { .. } => 2,
        }
    }

    /// Does this type hold a list or dict anywhere?
    pub fn has_container(&self) -> bool {
        match self {
            NumbaType::List { .. } | NumbaType::Dict { .. } => true,
            NumbaType::Tuple { items } | NumbaType::NamedTuple { items, .. } => {
                items.iter().any(NumbaType::has_container)
            }
            NumbaType::Optional { item } => item.has_container(),
            _ => false,
        }
    }

    /// The type with named tuples as plain tuples (what a mangled name shows).
    pub fn erased(&self) -> NumbaType {
        match self {
            NumbaType::Tuple { items } | NumbaType::NamedTuple { items, .. } => NumbaType::Tuple {
                items: items.iter().map(NumbaType::erased).collect(),
            },
            t => t.clone(),
        }
    }

    /// Does this type hold an `Optional` anywhere?
    pub fn has_optional(&self) -> bool {
        match self {
            NumbaType::Optional { .. } => true,
            NumbaType::Tuple { items } | NumbaType::NamedTuple { items, .. } => {
                items.iter().any(NumbaType::has_optional)
            }
            _ => false,
        }
    }

    /// Does this type hold an `Omitted` anywhere (only valid as a whole argument)?
    pub fn has_omitted(&self) -> bool {
        match self {
            NumbaType::Omitted { .. } => true,
            NumbaType::Tuple { items } | NumbaType::NamedTuple { items, .. } => {
                items.iter().any(NumbaType::has_omitted)
            }
            _ => false,
        }
    }

    /// Parse `str()` of a Numba type, e.g. `int32`, `array(float64, 2d, C)`,
    /// `readonly array(int8, 1d, A)`, `UniTuple(int64 x 2)`,
    /// `Tuple(int64, float64)`, `none`, `Literal[int](3)` (as its
    /// underlying type), `NamedTuple(P, x=int64, y=float64)` (the dump
    /// tools' spelling: Numba's `P(int64, float64)` has no field names) and,
    /// as a whole, `omitted(default=<any text>)`.
    pub fn parse(text: &str) -> Result<NumbaType> {
        if let Some(default) = text
            .trim()
            .strip_prefix("omitted(default=")
            .and_then(|t| t.strip_suffix(')'))
        {
            return Ok(NumbaType::Omitted {
                default: default.to_string(),
            });
        }
        let mut p = TypeParser {
            s: text.trim(),
            pos: 0,
            depth: 0,
            items: 0,
        };
        let t = p.ty()?;
        p.skip_ws();
        if p.pos != p.s.len() {
            bail!(
                "unexpected text at column {} of Numba type `{}`",
                p.pos + 1,
                excerpt(text, 120)
            );
        }
        Ok(t)
    }
}

/// Limits no real Numba type reaches; beyond them a type is refused rather
/// than allowed to exhaust memory or the stack (NumPy arrays have at most
/// 64 dimensions).
pub const MAX_NDIM: u32 = 64;
pub const MAX_TUPLE_ITEMS: usize = 4096;
const MAX_DEPTH: usize = 64;

struct TypeParser<'a> {
    s: &'a str,
    pos: usize,
    depth: usize,
    /// Values of scalar or array type created so far (tuples multiply).
    items: usize,
}

impl TypeParser<'_> {
    fn skip_ws(&mut self) {
        while self.s[self.pos..].starts_with(' ') {
            self.pos += 1;
        }
    }

    fn eat(&mut self, tok: &str) -> bool {
        self.skip_ws();
        if self.s[self.pos..].starts_with(tok) {
            self.pos += tok.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, tok: &str) -> Result<()> {
        if !self.eat(tok) {
            bail!(
                "expected `{tok}` at column {} of Numba type `{}`",
                self.pos + 1,
                excerpt(self.s, 120)
            );
        }
        Ok(())
    }

    fn word(&mut self) -> &str {
        self.skip_ws();
        let start = self.pos;
        let rest = &self.s[start..];
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        self.pos += len;
        &self.s[start..start + len]
    }

    /// `(x=float64@0, y=int32@8; 16)` after `record`: fields, then the itemsize.
    fn record(&mut self) -> Result<Record> {
        self.expect("(")?;
        let mut fields = Vec::new();
        loop {
            if self.eat(";") {
                let size = self.word().parse().map_err(|_| {
                    anyhow::anyhow!("bad record size in `{}`", excerpt(self.s, 120))
                })?;
                self.expect(")")?;
                return Ok(Record { fields, size });
            }
            let name = self.word().to_string();
            self.expect("=")?;
            let value = self.word().to_string();
            let dtype = Dtype::from_name(&value).ok_or_else(|| {
                anyhow::anyhow!(
                    "unsupported record field type `{value}` in `{}`",
                    excerpt(self.s, 120)
                )
            })?;
            self.expect("@")?;
            let offset = self.word().parse().map_err(|_| {
                anyhow::anyhow!("bad record field offset in `{}`", excerpt(self.s, 120))
            })?;
            if name.is_empty() || fields.len() >= MAX_TUPLE_ITEMS {
                bail!("bad record field in `{}`", excerpt(self.s, 120));
            }
            fields.push(RecordField {
                name,
                dtype,
                offset,
            });
            if !self.eat(",") && !self.s[self.pos..].trim_start().starts_with(';') {
                bail!("expected `,` or `;` in `{}`", excerpt(self.s, 120));
            }
        }
    }

    /// `<iv=...>` after a list or dict type: the literal it was built
    /// from, which does not change the type. Ends at the `>` followed by
    /// the end, `,`, `)` or `]`.
    fn initial_value(&mut self) -> Result<()> {
        if !self.s[self.pos..].starts_with("<iv=") {
            return Ok(());
        }
        let rest = &self.s[self.pos..];
        let end = rest
            .char_indices()
            .filter(|&(_, c)| c == '>')
            .map(|(i, _)| i)
            .find(|&i| {
                rest[i + 1..]
                    .trim_start()
                    .chars()
                    .next()
                    .is_none_or(|c| matches!(c, ',' | ')' | ']'))
            })
            .ok_or_else(|| anyhow::anyhow!("unterminated `<iv=` in `{}`", excerpt(self.s, 120)))?;
        self.pos += end + 1;
        Ok(())
    }

    fn ty(&mut self) -> Result<NumbaType> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            bail!("Numba type nested more than {MAX_DEPTH} deep");
        }
        let t = self.ty_inner();
        self.depth -= 1;
        let t = t?;
        self.items += t.leaf_count();
        if self.items > MAX_TUPLE_ITEMS {
            bail!("Numba type with more than {MAX_TUPLE_ITEMS} values");
        }
        Ok(t)
    }

    fn ty_inner(&mut self) -> Result<NumbaType> {
        let readonly = self.eat("readonly ");
        let word = self.word().to_string();
        match word.as_str() {
            "array" => {
                self.expect("(")?;
                let dtype_name = self.word().to_string();
                let record = if dtype_name == "record" {
                    Some(self.record()?)
                } else {
                    None
                };
                let dtype = Dtype::from_name(if record.is_some() {
                    "uint8"
                } else {
                    &dtype_name
                })
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "unsupported array dtype `{dtype_name}` in `{}`",
                        excerpt(self.s, 120)
                    )
                })?;
                self.expect(",")?;
                let nd = self.word().to_string();
                let ndim = nd
                    .strip_suffix('d')
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n <= MAX_NDIM)
                    .ok_or_else(|| {
                        anyhow::anyhow!("bad ndim `{nd}` in `{}`", excerpt(self.s, 120))
                    })?;
                self.expect(",")?;
                let layout = match self.word().to_string().as_str() {
                    "C" => Layout::C,
                    "F" => Layout::F,
                    "A" => Layout::A,
                    other => bail!("bad array layout `{other}` in `{}`", excerpt(self.s, 120)),
                };
                // Trailing qualifiers such as `aligned=False` are not needed here.
                while !self.eat(")") {
                    let Some(c) = self.s[self.pos..].chars().next() else {
                        bail!("unterminated array type `{}`", excerpt(self.s, 120));
                    };
                    self.pos += c.len_utf8();
                }
                Ok(match record {
                    Some(record) => NumbaType::Records {
                        record,
                        ndim,
                        layout,
                        readonly,
                    },
                    None => NumbaType::Array {
                        dtype,
                        ndim,
                        layout,
                        readonly,
                    },
                })
            }
            "UniTuple" => {
                self.expect("(")?;
                let item = self.ty()?;
                self.expect("x")?;
                let n: usize = self
                    .word()
                    .parse()
                    .ok()
                    .filter(|n: &usize| {
                        n.checked_mul(item.leaf_count().max(1))
                            .is_some_and(|total| total <= MAX_TUPLE_ITEMS)
                    })
                    .ok_or_else(|| {
                        anyhow::anyhow!("bad UniTuple count in `{}`", excerpt(self.s, 120))
                    })?;
                self.expect(")")?;
                Ok(NumbaType::Tuple {
                    items: vec![item; n],
                })
            }
            "Tuple" => {
                self.expect("(")?;
                let mut items = Vec::new();
                if !self.eat(")") {
                    loop {
                        items.push(self.ty()?);
                        if self.eat(")") {
                            break;
                        }
                        self.expect(",")?;
                    }
                }
                Ok(NumbaType::Tuple { items })
            }
            "none" | "None" | "void" => Ok(NumbaType::None),
            "record" => Ok(NumbaType::Record {
                record: self.record()?,
            }),
            "ListType" => {
                self.expect("[")?;
                let item = Box::new(self.ty()?);
                self.expect("]")?;
                self.initial_value()?;
                Ok(NumbaType::List { item, typed: true })
            }
            "reflected" | "list" => {
                if word == "reflected" {
                    self.expect("list")?;
                }
                self.expect("(")?;
                let item = Box::new(self.ty()?);
                self.expect(")")?;
                self.initial_value()?;
                Ok(NumbaType::List { item, typed: false })
            }
            "DictType" => {
                self.expect("[")?;
                let key = Box::new(self.ty()?);
                self.expect(",")?;
                let value = Box::new(self.ty()?);
                self.expect("]")?;
                self.initial_value()?;
                Ok(NumbaType::Dict { key, value })
            }
            "unicode_type" => Ok(NumbaType::Unicode),
            "OptionalType" => {
                self.expect("(")?;
                let item = Box::new(self.ty()?);
                self.expect(")")?;
                Ok(NumbaType::Optional { item })
            }
            "NamedTuple" => {
                self.expect("(")?;
                let name = self.word().to_string();
                if name.is_empty() {
                    bail!("expected a class name in `{}`", excerpt(self.s, 120));
                }
                let (mut fields, mut items) = (Vec::new(), Vec::new());
                while !self.eat(")") {
                    self.expect(",")?;
                    let field = self.word().to_string();
                    if field.is_empty() {
                        bail!("expected a field name in `{}`", excerpt(self.s, 120));
                    }
                    self.expect("=")?;
                    fields.push(field);
                    items.push(self.ty()?);
                }
                Ok(NumbaType::NamedTuple {
                    name,
                    fields,
                    items,
                })
            }
            // A literal result is returned as a value of its underlying type.
            "Literal" => {
                self.expect("[")?;
                let kind = self.word().to_string();
                self.expect("]")?;
                self.expect("(")?;
                if kind == "str" {
                    self.skip_ws();
                    let rest = &self.s[self.pos..];
                    let mut it = serde_json::Deserializer::from_str(rest).into_iter::<String>();
                    let Some(Ok(value)) = it.next() else {
                        bail!("expected a JSON string in `{}`", excerpt(self.s, 120));
                    };
                    self.pos += it.byte_offset();
                    self.expect(")")?;
                    return Ok(NumbaType::StrLiteral { value });
                }
                let value = self.word().to_string();
                let neg = value.is_empty() && self.eat("-");
                let value = if neg {
                    format!("-{}", self.word())
                } else {
                    value
                };
                self.expect(")")?;
                let dtype = match kind.as_str() {
                    "bool" => Dtype::Bool,
                    // Numba types an int literal as int64, or uint64 if only that fits.
                    "int" if value.parse::<i64>().is_ok() => Dtype::Int64,
                    "int" if value.parse::<u64>().is_ok() => Dtype::Uint64,
                    _ => bail!("unsupported Numba type `{}`", excerpt(self.s, 120)),
                };
                Ok(NumbaType::Scalar { dtype })
            }
            name => match Dtype::from_name(name) {
                Some(dtype) => Ok(NumbaType::Scalar { dtype }),
                None => bail!("unsupported Numba type `{}`", excerpt(self.s, 120)),
            },
        }
    }
}

impl fmt::Display for NumbaType {
    /// Numba's own spelling, so signatures read like `dispatcher.signatures`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumbaType::Scalar { dtype } => f.write_str(dtype.name()),
            NumbaType::Array {
                dtype,
                ndim,
                layout,
                readonly,
            } => {
                let ro = if *readonly { "readonly " } else { "" };
                write!(f, "{ro}array({}, {ndim}d, {layout:?})", dtype.name())
            }
            NumbaType::Records {
                record,
                ndim,
                layout,
                readonly,
            } => {
                let ro = if *readonly { "readonly " } else { "" };
                write!(f, "{ro}array({record}, {ndim}d, {layout:?})")
            }
            NumbaType::Record { record } => write!(f, "{record}"),
            NumbaType::Tuple { items } => {
                if !items.is_empty() && items.iter().all(|t| *t == items[0]) {
                    write!(f, "UniTuple({} x {})", items[0], items.len())
                } else {
                    f.write_str("Tuple(")?;
                    for (i, t) in items.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{t}")?;
                    }
                    f.write_str(")")
                }
            }
            NumbaType::NamedTuple {
                name,
                fields,
                items,
            } => {
                write!(f, "NamedTuple({name}")?;
                for (field, t) in fields.iter().zip(items) {
                    write!(f, ", {field}={t}")?;
                }
                f.write_str(")")
            }
            NumbaType::Omitted { default } => write!(f, "omitted(default={default})"),
            NumbaType::Unicode => f.write_str("unicode_type"),
            NumbaType::Optional { item } => write!(f, "OptionalType({item})"),
            NumbaType::StrLiteral { value } => write!(
                f,
                "Literal[str]({})",
                serde_json::to_string(value).expect("strings serialize")
            ),
            NumbaType::None => f.write_str("none"),
            NumbaType::List { item, typed: true } => write!(f, "ListType[{item}]"),
            NumbaType::List { item, typed: false } => write!(f, "list({item})"),
            NumbaType::Dict { key, value } => write!(f, "DictType[{key},{value}]"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_numba_type_strings() {
        for s in [
            "int32",
            "array(float64, 2d, C)",
            "readonly array(int8, 1d, A)",
            "UniTuple(int64 x 2)",
            "Tuple(int64, float64)",
            "none",
            "complex128",
            "NamedTuple(P, x=int64, y=array(float64, 1d, C))",
            "omitted(default=(1, 'a)'))",
            "Tuple(unicode_type, int64)",
            "Tuple(OptionalType(int64), bool)",
            "array(record(x=float64@0, size=int32@8; 16), 1d, C)",
            "readonly array(record(a=uint8@0; 1), 2d, A)",
            "array(record(; 0), 1d, C)",
            "record(x=float64@0, n=int32@8, b=bool@12; 13)",
            "Tuple(record(a=uint8@0; 1), int64)",
            r#"Literal[str]("a)\"é")"#,
        ] {
            assert_eq!(NumbaType::parse(s).unwrap().to_string(), s);
        }
        for (lit, t) in [
            ("Literal[int](3)", "int64"),
            ("Literal[int](-3)", "int64"),
            ("Literal[int](18446744073709551615)", "uint64"),
            ("Literal[bool](True)", "bool"),
        ] {
            assert_eq!(NumbaType::parse(lit).unwrap().to_string(), t);
        }
        // Lists and dicts; `<iv=...>` (the literal they were built from) is dropped.
        for (text, shown) in [
            ("ListType[float64]", "ListType[float64]"),
            ("list(int64)<iv=None>", "list(int64)"),
            ("reflected list(int64)<iv=None>", "list(int64)"),
            ("list(unicode_type)<iv=['a>', 'b']>", "list(unicode_type)"),
            (
                "DictType[unicode_type,int64]<iv=None>",
                "DictType[unicode_type,int64]",
            ),
            (
                "Tuple(ListType[int8], int64)",
                "Tuple(ListType[int8], int64)",
            ),
        ] {
            assert_eq!(NumbaType::parse(text).unwrap().to_string(), shown, "{text}");
        }
        assert!(NumbaType::parse("reflected set(int64)").is_err());
        assert!(NumbaType::parse("list(int64)<iv=None").is_err());
    }
}
