//! Numba's static exceptions, decoded at build time.
//!
//! A `raise ValueError("...")` with constant arguments compiles to an
//! excinfo constant (`.const.picklebuf.*`) pointing at the pickle of
//! `(exc_class, args, location)` (`.const.pickledata.*`). The build decodes
//! each such pickle here and records the exception class, its arguments and
//! Python's `str(exc)` in the metadata, keyed by the FNV-1a hash of the
//! pickle bytes; the JS host then looks a raised excinfo up instead of
//! shipping a pickle decoder. Pickles made at run time (f-string messages,
//! parfor bodies) and any this reader does not take fully keep the decoder
//! in the glue (`Metadata::runtime_pickles`).

use std::collections::BTreeMap;

use inkwell::module::Module;
use inkwell::values::BasicValueEnum;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An exception class, named as the pickle names it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PyClass {
    pub module: String,
    pub name: String,
}

/// A static exception as the JS host reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaticException {
    pub class: PyClass,
    /// The exception's args: str, int (a safe integer), float (finite),
    /// bool, None, classes as `{module, name}`, tuples as arrays.
    pub args: Vec<Value>,
    /// Python's `str(exc)`; absent when it is the one argument, a str.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The static exceptions of an optimized module by their key, and whether
/// some exception of the module is known only at run time.
pub fn static_exceptions(module: &Module) -> (BTreeMap<String, StaticException>, bool) {
    let mut table: BTreeMap<String, StaticException> = BTreeMap::new();
    let mut clashes = Vec::new();
    let mut undecoded = false;
    for g in module.get_globals() {
        let name = g.get_name().to_string_lossy();
        if !name.starts_with(".const.picklebuf.") {
            continue;
        }
        let Some(bytes) = g
            .get_initializer()
            .and_then(|i| pickle_of_excinfo(module, i))
        else {
            undecoded = true;
            continue;
        };
        let Some(exc) = decode(&bytes) else {
            undecoded = true;
            continue;
        };
        let key = crate::abi::fnv1a(&bytes).to_string();
        match table.get(&key) {
            Some(seen) if *seen != exc => clashes.push(key),
            _ => {
                table.insert(key, exc);
            }
        }
    }
    // Two different pickles with one hash: neither can be looked up.
    for key in &clashes {
        table.remove(key);
    }
    (table, undecoded || !clashes.is_empty())
}

/// The pickle bytes an excinfo constant `{ptr data, i32 size, ptr sha1,
/// ptr fn, i32 alloc}` points at, if they are a constant of that size.
fn pickle_of_excinfo(module: &Module, init: BasicValueEnum) -> Option<Vec<u8>> {
    let BasicValueEnum::StructValue(s) = init else {
        return None;
    };
    let data = s.get_field_at_index(0)?;
    let size = s
        .get_field_at_index(1)?
        .into_int_value()
        .get_zero_extended_constant()?;
    let BasicValueEnum::PointerValue(p) = data else {
        return None;
    };
    // The pointer is the pickledata global itself.
    let global = module.get_global(p.get_name().to_str().ok()?)?;
    let BasicValueEnum::ArrayValue(bytes) = global.get_initializer()? else {
        return None;
    };
    let bytes = bytes.as_const_string()?.to_vec();
    (bytes.len() as u64 == size).then_some(bytes)
}

/// A value on the unpickler's stack.
#[derive(Clone, Debug, PartialEq)]
enum Item {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    None,
    Class(PyClass),
    Tuple(Vec<Item>),
    Mark,
}

/// `(exc_class, args, location)` from a pickle, if every opcode is one
/// Numba's static exceptions use and every argument has a JSON form the
/// JS host reports unchanged.
pub fn decode(bytes: &[u8]) -> Option<StaticException> {
    let Item::Tuple(top) = unpickle(bytes)? else {
        return None;
    };
    let [Item::Class(class), Item::Tuple(args), _location] = top.as_slice() else {
        return None;
    };
    let message = if class.name == "KeyError" && args.len() == 1 {
        repr(&args[0])
    } else {
        exc_str(args)
    };
    let message = match args.as_slice() {
        [Item::Str(only)] if *only == message => None,
        _ => Some(message),
    };
    Some(StaticException {
        class: class.clone(),
        args: args.iter().map(json).collect::<Option<_>>()?,
        message,
    })
}

fn unpickle(b: &[u8]) -> Option<Item> {
    let mut stack: Vec<Item> = Vec::new();
    let mut memo: Vec<Item> = Vec::new();
    let mut p = 0usize;
    let take = |p: &mut usize, n: usize| -> Option<&[u8]> {
        let s = b.get(*p..*p + n)?;
        *p += n;
        Some(s)
    };
    let pop_n = |stack: &mut Vec<Item>, n: usize| -> Option<Vec<Item>> {
        let at = stack.len().checked_sub(n)?;
        Some(stack.split_off(at))
    };
    loop {
        let op = *b.get(p)?;
        p += 1;
        match op {
            0x80 => p += 1, // PROTO
            0x95 => p += 8, // FRAME
            0x8c => {
                // SHORT_BINUNICODE
                let n = usize::from(*take(&mut p, 1)?.first()?);
                stack.push(Item::Str(
                    String::from_utf8(take(&mut p, n)?.to_vec()).ok()?,
                ));
            }
            0x58 => {
                // BINUNICODE
                let n = u32::from_le_bytes(take(&mut p, 4)?.try_into().ok()?) as usize;
                stack.push(Item::Str(
                    String::from_utf8(take(&mut p, n)?.to_vec()).ok()?,
                ));
            }
            0x94 => memo.push(stack.last()?.clone()), // MEMOIZE
            0x68 => {
                // BINGET
                let i = usize::from(*take(&mut p, 1)?.first()?);
                stack.push(memo.get(i)?.clone());
            }
            0x6a => {
                // LONG_BINGET
                let i = u32::from_le_bytes(take(&mut p, 4)?.try_into().ok()?) as usize;
                stack.push(memo.get(i)?.clone());
            }
            0x93 => {
                // STACK_GLOBAL
                let pair: [Item; 2] = pop_n(&mut stack, 2)?.try_into().ok()?;
                let [Item::Str(module), Item::Str(name)] = pair else {
                    return None;
                };
                stack.push(Item::Class(PyClass { module, name }));
            }
            0x85..=0x87 => {
                // TUPLE1, TUPLE2, TUPLE3
                let items = pop_n(&mut stack, usize::from(op - 0x84))?;
                stack.push(Item::Tuple(items));
            }
            0x29 => stack.push(Item::Tuple(Vec::new())), // EMPTY_TUPLE
            0x28 => stack.push(Item::Mark),              // MARK
            0x74 => {
                // TUPLE
                let m = stack.iter().rposition(|i| *i == Item::Mark)?;
                let items = stack.split_off(m + 1);
                stack.pop();
                stack.push(Item::Tuple(items));
            }
            0x4e => stack.push(Item::None), // NONE
            0x4a => {
                // BININT
                let v = i32::from_le_bytes(take(&mut p, 4)?.try_into().ok()?);
                stack.push(Item::Int(v.into()));
            }
            0x4b => stack.push(Item::Int((*take(&mut p, 1)?.first()?).into())), // BININT1
            0x4d => {
                // BININT2
                let v = u16::from_le_bytes(take(&mut p, 2)?.try_into().ok()?);
                stack.push(Item::Int(v.into()));
            }
            0x47 => {
                // BINFLOAT, big-endian
                let v = f64::from_be_bytes(take(&mut p, 8)?.try_into().ok()?);
                stack.push(Item::Float(v));
            }
            0x88 => stack.push(Item::Bool(true)),  // NEWTRUE
            0x89 => stack.push(Item::Bool(false)), // NEWFALSE
            // STOP: the last byte, one value.
            0x2e => return (p == b.len() && stack.len() == 1).then(|| stack.pop())?,
            // LONG1 (the JS decoder's BigInt) and everything else: not static.
            _ => return None,
        }
    }
}

/// The JSON form the JS host reports an argument in, if it has one that
/// reads back as the same value.
fn json(item: &Item) -> Option<Value> {
    Some(match item {
        Item::Str(s) => Value::from(s.as_str()),
        Item::Int(v) => Value::from(*v),
        Item::Float(v) if v.is_finite() => Value::from(*v),
        Item::Bool(v) => Value::from(*v),
        Item::None => Value::Null,
        Item::Class(c) => serde_json::to_value(c).ok()?,
        Item::Tuple(items) => Value::Array(items.iter().map(json).collect::<Option<_>>()?),
        Item::Float(_) | Item::Mark => return None,
    })
}

/// Python's `str(exc)` for these args: "" for none, `str(arg)` for one,
/// the repr of the tuple for several.
fn exc_str(args: &[Item]) -> String {
    match args {
        [] => String::new(),
        [one] => str(one),
        _ => repr(&Item::Tuple(args.to_vec())),
    }
}

fn str(item: &Item) -> String {
    match item {
        Item::Str(s) => s.clone(),
        Item::Tuple(_) => repr(item),
        Item::Class(c) => c.name.clone(),
        Item::None => "None".into(),
        Item::Bool(true) => "True".into(),
        Item::Bool(false) => "False".into(),
        Item::Int(v) => v.to_string(),
        Item::Float(v) => float_repr(*v),
        Item::Mark => String::new(),
    }
}

fn repr(item: &Item) -> String {
    match item {
        Item::Str(s) => str_repr(s),
        Item::Tuple(items) if items.len() == 1 => format!("({},)", repr(&items[0])),
        Item::Tuple(items) => {
            format!(
                "({})",
                items.iter().map(repr).collect::<Vec<_>>().join(", ")
            )
        }
        _ => str(item),
    }
}

/// Python's `repr(float)`: the shortest round-trip digits, in exponent form
/// when the decimal exponent is below -4 or at least 16.
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    // Rust's `{:e}` prints the shortest round-trip digits, as `d.ddde-x`.
    let text = format!("{:e}", x.abs());
    let (mant, exp) = text.split_once('e').expect("{:e} has an exponent");
    let exp: i32 = exp.parse().expect("{:e} exponent");
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let n = digits.len() as i32;
    let out = if !(-4..16).contains(&exp) {
        let m = if n > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits.clone()
        };
        format!("{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    } else if exp < 0 {
        format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
    } else if n > exp + 1 {
        format!(
            "{}.{}",
            &digits[..(exp + 1) as usize],
            &digits[(exp + 1) as usize..]
        )
    } else {
        format!("{digits}{}.0", "0".repeat((exp + 1 - n) as usize))
    };
    if x < 0.0 { format!("-{out}") } else { out }
}

/// Python's `repr(str)`.
pub fn str_repr(s: &str) -> String {
    let q = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(q);
    for ch in s.chars() {
        let c = u32::from(ch);
        match ch {
            _ if ch == q || ch == '\\' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ if c < 0x20 || c == 0x7f || (0x80..0xa0).contains(&c) => {
                out.push_str(&format!("\\x{c:02x}"));
            }
            _ => out.push(ch),
        }
    }
    out.push(q);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numba_value_error_pickle_decodes() {
        // From fixtures/numba-0.68.1/opt/arange_half.ll.
        let mut b = b"\x80\x04\x95~\x00\x00\x00\x00\x00\x00\x00\x8c\x08builtins\x94\x8c\x0aValueError\x94\x93\x94\x8c".to_vec();
        let msg = "array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size.";
        b.push(msg.len() as u8);
        b.extend_from_slice(msg.as_bytes());
        b.extend_from_slice(b"\x94\x85\x94N\x87\x94.");
        let e = decode(&b).unwrap();
        assert_eq!(
            e.class,
            PyClass {
                module: "builtins".into(),
                name: "ValueError".into()
            }
        );
        assert_eq!(e.args, vec![Value::from(msg)]);
        assert_eq!(e.message, None); // the one str argument
        assert_eq!(decode(&b[..b.len() - 1]), None);
    }

    #[test]
    fn python_reprs() {
        for (x, s) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1.5e-5, "1.5e-05"),
            (123456789012345.6, "123456789012345.6"),
            (0.0001, "0.0001"),
            (-2.5, "-2.5"),
            (-0.0, "-0.0"),
        ] {
            assert_eq!(float_repr(x), s);
        }
        assert_eq!(str_repr("it's"), "\"it's\"");
        assert_eq!(str_repr("a'\"\n\u{1}"), "'a\\'\"\\n\\x01'");
        let args = [Item::Str("x".into()), Item::Int(3), Item::Float(0.5)];
        assert_eq!(exc_str(&args), "('x', 3, 0.5)");
        assert_eq!(repr(&Item::Tuple(vec![Item::Int(1)])), "(1,)");
    }
}
