//! An entry point's return type. Numba's IR does not record it: the dump
//! tools write it beside the IR, the user may pass `--return`, and
//! otherwise it is read from what the IR does show. Whatever the source,
//! a declared type is checked against the IR before it is used to read the
//! value behind `retptr`.
//!
//! What the IR shows: the LLVM type of the returned value (the `cfunc.`
//! wrapper returns it by value; unoptimized IR stores it whole through
//! `retptr`), whether every store through `retptr` writes a null pointer
//! (how Numba returns `None`), and which boxing calls the CPython wrapper
//! makes (signed or unsigned integers). It never shows an array's dtype or
//! layout: Numba keeps those in the runtime environment.

use std::fmt;

use anyhow::{Result, bail};
use inkwell::module::Module;
use inkwell::types::BasicTypeEnum;
use inkwell::values::{
    AnyValueEnum, AsValueRef, BasicValue, BasicValueEnum, FunctionValue, InstructionOpcode,
};

use super::callconv::{cfunc_wrapper_name, cpython_wrapper_name};
use super::types::{Dtype, NumbaType};
use crate::ir::referenced_symbols;

/// Where an entry's return type came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReturnSource {
    /// `; numba-wasm-return:` written by numba-wasm's dump tools.
    DumpTool,
    /// `--return NAME=TYPE` on the command line.
    Option,
    /// Read from the IR and Numba's wrappers.
    Ir,
}

impl fmt::Display for ReturnSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReturnSource::DumpTool => "dump annotation",
            ReturnSource::Option => "--return",
            ReturnSource::Ir => "IR",
        })
    }
}

/// An LLVM type, as far as return values need one.
#[derive(Clone, Debug, PartialEq)]
enum Ll {
    Int(u32),
    Float,
    Double,
    Ptr,
    Struct(Vec<Ll>),
    Array(u64, Box<Ll>),
    Other(String),
}

impl Ll {
    fn of(t: BasicTypeEnum<'_>) -> Ll {
        match t {
            BasicTypeEnum::IntType(i) => Ll::Int(i.get_bit_width()),
            BasicTypeEnum::FloatType(f) => match f.print_to_string().to_str() {
                Ok("double") => Ll::Double,
                Ok("float") => Ll::Float,
                _ => Ll::Other(f.print_to_string().to_string()),
            },
            BasicTypeEnum::PointerType(_) => Ll::Ptr,
            BasicTypeEnum::StructType(s) => {
                Ll::Struct(s.get_field_types().into_iter().map(Ll::of).collect())
            }
            BasicTypeEnum::ArrayType(a) => {
                Ll::Array(u64::from(a.len()), Box::new(Ll::of(a.get_element_type())))
            }
            other => Ll::Other(other.print_to_string().to_string()),
        }
    }

    /// Numba's array struct: meminfo, parent, nitems, itemsize, data,
    /// shape[ndim], strides[ndim].
    fn array_ndim(&self) -> Option<u64> {
        let Ll::Struct(f) = self else { return None };
        match f.as_slice() {
            [
                Ll::Ptr,
                Ll::Ptr,
                Ll::Int(64),
                Ll::Int(64),
                Ll::Ptr,
                Ll::Array(n, a),
                Ll::Array(m, b),
            ] if n == m && **a == Ll::Int(64) && **b == Ll::Int(64) => Some(*n),
            _ => None,
        }
    }

    fn complex(&self) -> Option<Dtype> {
        match self {
            Ll::Struct(f) if f[..] == [Ll::Double, Ll::Double] => Some(Dtype::Complex128),
            Ll::Struct(f) if f[..] == [Ll::Float, Ll::Float] => Some(Dtype::Complex64),
            _ => None,
        }
    }

    /// The items of a tuple value (Numba lowers `UniTuple` to an LLVM array
    /// and heterogeneous tuples to a struct).
    fn tuple_items(&self) -> Option<Vec<Ll>> {
        if self.array_ndim().is_some() || self.complex().is_some() {
            return None;
        }
        match self {
            Ll::Struct(f) => Some(f.clone()),
            Ll::Array(n, item) => Some(vec![(**item).clone(); usize::try_from(*n).ok()?]),
            _ => None,
        }
    }
}

/// The IR's view of a value, in words for messages.
impl fmt::Display for Ll {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(n) = self.array_ndim() {
            return write!(f, "a {n}-d array");
        }
        if let Some(c) = self.complex() {
            return f.write_str(c.name());
        }
        if let Some(items) = self.tuple_items() {
            return write!(f, "a tuple of {} items", items.len());
        }
        match self {
            Ll::Int(w) => write!(f, "a {w}-bit integer"),
            Ll::Float => f.write_str("float32"),
            Ll::Double => f.write_str("float64"),
            Ll::Ptr => f.write_str("a pointer (None)"),
            Ll::Other(t) => write!(f, "LLVM `{t}`"),
            Ll::Struct(_) | Ll::Array(..) => unreachable!("handled above"),
        }
    }
}

/// What the IR shows about an entry's returned value.
pub struct Evidence {
    /// The value's LLVM type, when the IR shows the whole value.
    value: Option<Ll>,
    /// At least one store through `retptr`, and all of them write null.
    only_null_stored: bool,
    /// Boxing calls of the CPython wrapper, if the input has it.
    boxes_signed: bool,
    boxes_unsigned: bool,
}

impl Evidence {
    pub fn read(module: &Module<'_>, symbol: &str) -> Evidence {
        let entry = module.get_function(symbol);
        let stores = entry.map(retptr_stores).unwrap_or_default();
        let from_cfunc = module.get_function(&cfunc_wrapper_name(symbol)).map(|w| {
            match w.get_type().get_return_type() {
                Some(t) => Ll::of(t),
                None => Ll::Other("void".into()),
            }
        });
        // Stores show the whole value only when `retptr` is used by
        // nothing else (unoptimized IR); optimized IR may store part of it.
        let from_stores = stores.as_ref().and_then(|s| {
            let first = s.first()?.0.clone();
            s.iter().all(|(t, _)| *t == first).then_some(first)
        });
        let boxing = cpython_wrapper_name(symbol)
            .and_then(|w| module.get_function(&w))
            .map(referenced_symbols)
            .unwrap_or_default();
        Evidence {
            value: from_cfunc.or(from_stores),
            only_null_stored: stores
                .as_ref()
                .is_some_and(|s| !s.is_empty() && s.iter().all(|(t, null)| *t == Ll::Ptr && *null)),
            boxes_signed: boxing.contains("PyLong_FromLongLong")
                || boxing.contains("PyLong_FromSsize_t"),
            boxes_unsigned: boxing.contains("PyLong_FromUnsignedLongLong"),
        }
    }

    /// Check a declared return type against the IR.
    pub fn check(&self, declared: &NumbaType) -> Result<(), String> {
        if let Some(v) = &self.value
            && !agrees(declared, v)
        {
            return Err(format!("the IR returns {v}"));
        }
        if declared == &NumbaType::None && self.value == Some(Ll::Ptr) && !self.only_null_stored {
            return Err("the IR returns a pointer that is not always null".into());
        }
        if let NumbaType::Scalar { dtype } = declared
            && let Some(signed) = self.signedness()
            && dtype.is_integer()
            && dtype.is_signed() != signed
        {
            let which = if signed { "a signed" } else { "an unsigned" };
            return Err(format!("Numba's wrapper boxes {which} integer"));
        }
        Ok(())
    }

    fn signedness(&self) -> Option<bool> {
        match (self.boxes_signed, self.boxes_unsigned) {
            (true, false) => Some(true),
            (false, true) => Some(false),
            _ => None,
        }
    }

    /// The type to suggest for `--return` when [`Evidence::infer`] fails.
    pub fn placeholder(&self) -> String {
        match self.value.as_ref().and_then(Ll::array_ndim) {
            Some(ndim) => format!("array(<dtype>, {ndim}d, <C|F|A>)"),
            None => "<numba type>".to_string(),
        }
    }

    /// The return type, if the IR proves it; otherwise why not.
    pub fn infer(&self) -> Result<NumbaType, String> {
        let Some(v) = &self.value else {
            return Err(
                "the input has neither an annotation nor Numba's cfunc wrapper for it, \
                        and its stores through `retptr` do not show the whole value"
                    .into(),
            );
        };
        if *v == Ll::Ptr {
            return if self.only_null_stored {
                Ok(NumbaType::None)
            } else {
                Err("it returns a pointer that is not always null, so not None".into())
            };
        }
        if let Some(ndim) = v.array_ndim() {
            return Err(format!(
                "it returns a {ndim}-d array, whose dtype and layout Numba keeps only in the \
                 runtime environment"
            ));
        }
        self.infer_value(v, true)
    }

    fn infer_value(&self, v: &Ll, top: bool) -> Result<NumbaType, String> {
        if let Some(dtype) = v.complex() {
            return Ok(NumbaType::Scalar { dtype });
        }
        if let Some(items) = v.tuple_items().filter(|_| top) {
            let items = items
                .iter()
                .map(|i| self.infer_value(i, false))
                .collect::<Result<_, _>>()?;
            return Ok(NumbaType::Tuple { items });
        }
        let dtype = match v {
            Ll::Double => Dtype::Float64,
            Ll::Float => Dtype::Float32,
            Ll::Int(1) => Dtype::Bool,
            Ll::Int(w) => {
                let signed = self.signedness().ok_or(
                    "the signedness of its integers is not visible in the IR (Numba's CPython \
                     wrapper would show it)",
                )?;
                Dtype::ALL
                    .into_iter()
                    .find(|d| {
                        d.is_integer()
                            && d.is_signed() == signed
                            && d.itemsize() * 8 == u64::from(*w)
                    })
                    .ok_or("it returns an integer of unusual width")?
            }
            _ => return Err(format!("it returns {v}, which is not a plain value")),
        };
        Ok(NumbaType::Scalar { dtype })
    }
}

/// Does a value of Numba type `t` have LLVM type `v`?
fn agrees(t: &NumbaType, v: &Ll) -> bool {
    match t {
        NumbaType::None => *v == Ll::Ptr,
        NumbaType::Array { ndim, .. } | NumbaType::Records { ndim, .. } => {
            v.array_ndim() == Some(u64::from(*ndim))
        }
        NumbaType::Omitted { .. } => false,
        // Numba's ListModel, ReflectedListModel and DictModel: two pointers.
        NumbaType::List { .. } | NumbaType::Dict { .. } => *v == Ll::Struct(vec![Ll::Ptr, Ll::Ptr]),
        // Alone, the value's own return type; in a tuple `{data, valid}`.
        NumbaType::Optional { item } => {
            agrees(item, v)
                || matches!(v, Ll::Struct(f) if f.len() == 2
                    && agrees(item, &f[0])
                    && matches!(f[1], Ll::Int(1) | Ll::Int(8)))
        }
        // RecordModel: a pointer to the record's bytes.
        NumbaType::StrLiteral { .. } | NumbaType::Record { .. } => *v == Ll::Ptr,
        NumbaType::Unicode => {
            use Ll::{Int, Ptr};
            *v == Ll::Struct(vec![Ptr, Int(64), Int(32), Int(32), Int(64), Ptr, Ptr])
        }
        NumbaType::Tuple { items } | NumbaType::NamedTuple { items, .. } => {
            v.tuple_items().is_some_and(|vs| {
                vs.len() == items.len() && items.iter().zip(&vs).all(|(t, v)| agrees(t, v))
            })
        }
        NumbaType::Scalar { dtype } => match dtype {
            // A bool is `i1` as a value and a byte in memory.
            Dtype::Bool => matches!(v, Ll::Int(1) | Ll::Int(8)),
            Dtype::Float32 => *v == Ll::Float,
            Dtype::Float64 => *v == Ll::Double,
            Dtype::Complex64 | Dtype::Complex128 => v.complex() == Some(*dtype),
            d => *v == Ll::Int(d.itemsize() as u32 * 8),
        },
    }
}

/// Types of the values stored directly through the entry's `retptr`, and
/// whether each is a null constant; `None` if `retptr` has other uses.
fn retptr_stores(f: FunctionValue<'_>) -> Option<Vec<(Ll, bool)>> {
    let retptr = f.get_first_param()?;
    let mut out = Vec::new();
    let mut next = retptr.get_first_use();
    while let Some(u) = next {
        next = u.get_next_use();
        // A store has no value, so its user is an `InstructionValue`; any
        // other use (a GEP, a call) means the stores may be partial.
        let AnyValueEnum::InstructionValue(inst) = u.get_user() else {
            return None;
        };
        if inst.get_opcode() != InstructionOpcode::Store {
            return None;
        }
        let value = inst.get_operand(0)?.value()?;
        let ptr = inst.get_operand(1)?.value()?;
        if ptr.as_value_ref() != retptr.as_value_ref()
            || value.as_value_ref() == retptr.as_value_ref()
        {
            return None;
        }
        let null = is_null_pointer(value, 3);
        out.push((Ll::of(value.get_type()), null));
    }
    Some(out)
}

/// A null pointer constant, or (unoptimized IR, where parfor lowering
/// passes `None` through stack slots) a load from an `alloca` that is only
/// loaded from and stored null pointers in turn, up to `depth` slots deep.
fn is_null_pointer(value: BasicValueEnum<'_>, depth: u32) -> bool {
    let BasicValueEnum::PointerValue(p) = value else {
        return false;
    };
    if p.is_null() {
        return true;
    }
    let Some(load) = p
        .as_instruction()
        .filter(|i| i.get_opcode() == InstructionOpcode::Load)
    else {
        return false;
    };
    let Some(slot) = load.get_operand(0).and_then(|o| o.value()) else {
        return false;
    };
    let is_alloca = slot
        .as_instruction_value()
        .is_some_and(|i| i.get_opcode() == InstructionOpcode::Alloca);
    if depth == 0 || !is_alloca {
        return false;
    }
    let mut next = slot.as_instruction_value().and_then(|i| i.get_first_use());
    while let Some(u) = next {
        next = u.get_next_use();
        // A store is an `InstructionValue`, a load of the slot a pointer.
        let inst = match u.get_user() {
            AnyValueEnum::InstructionValue(i) => i,
            AnyValueEnum::PointerValue(p) => match p.as_instruction() {
                Some(i) => i,
                None => return false,
            },
            _ => return false,
        };
        match inst.get_opcode() {
            InstructionOpcode::Load => {}
            InstructionOpcode::Store => {
                let stored = inst.get_operand(0).and_then(|o| o.value());
                let into = inst.get_operand(1).and_then(|o| o.value());
                let into_slot = into.is_some_and(|v| v.as_value_ref() == slot.as_value_ref());
                if !into_slot || !stored.is_some_and(|v| is_null_pointer(v, depth - 1)) {
                    return false;
                }
            }
            _ => return false,
        }
    }
    true
}

/// The declared return type, if any: `--return` and the dump tool's
/// annotation must agree when both are given.
pub fn declared(
    qualname: &str,
    annotation: Option<&str>,
    option: Option<&str>,
) -> Result<Option<(NumbaType, ReturnSource)>> {
    let parse = |text: &str, source: ReturnSource| -> Result<(NumbaType, ReturnSource)> {
        if text.contains(" generator(func=") {
            bail!(
                "`{qualname}` is a generator (it uses `yield`): numba-wasm does not support \
                 generators; return an array or a tuple instead"
            );
        }
        let t = NumbaType::parse(text)
            .map_err(|e| anyhow::anyhow!("`{qualname}`: {source} return type: {e}"))?;
        Ok((t, source))
    };
    let annotation = annotation
        .map(|t| parse(t, ReturnSource::DumpTool))
        .transpose()?;
    let option = option.map(|t| parse(t, ReturnSource::Option)).transpose()?;
    match (annotation, option) {
        (Some((a, _)), Some((o, _))) if a != o => {
            bail!("`{qualname}`: --return says it returns `{o}` but the dump annotation says `{a}`")
        }
        (a, o) => Ok(o.or(a)),
    }
}
