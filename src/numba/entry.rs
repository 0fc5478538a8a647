//! Finding Numba entry points in a merged module and recovering their
//! signatures: the Python name ([`names`]), argument types from the mangled
//! name, the return type ([`returns`]).

use std::collections::{BTreeSet, HashMap};

use anyhow::Result;
use inkwell::module::{Linkage, Module};
use inkwell::types::BasicTypeEnum;
use inkwell::values::FunctionValue;
use serde::{Deserialize, Serialize};

use super::callconv::cpython_wrapper_name;
use super::mangle::{Demangled, demangle};
use super::names::{self, NameSource, PythonName};
use super::returns::{self, Evidence, ReturnSource};
use super::types::{Dtype, NumbaType};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::ir::is_defined;

/// LLVM type of one flattened parameter, as stored in its 8-byte slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Param {
    I1,
    I8,
    I16,
    I32,
    I64,
    F32,
    F64,
    Ptr,
}

/// One Numba function that becomes a wasm export.
#[derive(Clone, Debug)]
pub struct Entry {
    pub symbol: String,
    /// Python `module.qualname`.
    pub qualname: String,
    pub name_source: NameSource,
    pub args: Vec<NumbaType>,
    pub arg_names: Vec<String>,
    pub ret: NumbaType,
    pub ret_source: ReturnSource,
    pub params: Vec<Param>,
}

/// What the input states beside the IR, and what the user passed.
#[derive(Default)]
pub struct Stated<'a> {
    /// Mangled symbol -> return type, from the dump tools.
    pub return_types: HashMap<String, String>,
    /// Mangled symbol -> argument types (JSON list of type strings), from
    /// the dump tools.
    pub arg_types: HashMap<String, String>,
    /// Mangled symbol -> `module.qualname`, from the dump tools.
    pub names: HashMap<String, String>,
    /// Mangled symbol -> qualname, from NUMBA_DUMP banners.
    pub banner_names: HashMap<String, String>,
    /// `--return NAME=TYPE`: NAME is a Python name (qualified or not) or
    /// a mangled symbol.
    pub returns: &'a [(String, String)],
}

impl Stated<'_> {
    fn return_option(&self, symbol: &str, d: &Demangled, name: &PythonName) -> Option<&str> {
        self.returns
            .iter()
            .find(|(user, _)| user == symbol || name.is_meant_by(d, user))
            .map(|(_, t)| t.as_str())
    }
}

impl Entry {
    pub fn name(&self) -> &str {
        self.qualname.rsplit('.').next().unwrap_or(&self.qualname)
    }

    /// Numba's signature spelling, e.g. `int64(array(int32, 1d, C))`.
    pub fn signature(&self) -> String {
        let args: Vec<String> = self.args.iter().map(ToString::to_string).collect();
        format!("{}({})", self.ret, args.join(", "))
    }
}

/// What `find` learns about an entry point before it is judged buildable.
pub struct Candidate {
    pub symbol: String,
    pub demangled: Demangled,
    pub name: PythonName,
    /// The entry, or why it cannot be exported (naming function and symbol).
    pub entry: Result<Entry, Box<Diagnostic>>,
}

/// Numba's calling convention: `i32 (ptr retptr, ptr excinfo, ...)`.
fn has_numba_callconv(f: FunctionValue<'_>) -> bool {
    let params = f.get_params();
    matches!(f.get_type().get_return_type(), Some(BasicTypeEnum::IntType(t)) if t.get_bit_width() == 32)
        && params.len() >= 2
        && params[..2].iter().all(|p| p.is_pointer_value())
}

/// Entry points: functions Numba wrapped for CPython (what a dispatcher
/// call reaches), else annotated ones, else every Numba-convention
/// function outside Numba's own library namespace (NUMBA_DUMP_LLVM
/// captures carry no wrappers). Annotated functions always count.
pub fn find(module: &Module<'_>, stated: &Stated<'_>) -> Vec<Candidate> {
    let return_types = &stated.return_types;
    let defined: Vec<FunctionValue<'_>> = module
        .get_functions()
        .filter(|f| is_defined(*f) && f.get_name().to_str().is_ok_and(|n| n.starts_with("_ZN")))
        .collect();
    let name_of = |f: &FunctionValue<'_>| f.get_name().to_str().unwrap_or_default().to_string();
    // Only dispatcher-facing functions get a CPython wrapper; Numba's own
    // overload implementations get `cfunc.` wrappers too, so those do not count.
    let wrapped: Vec<String> = defined
        .iter()
        .map(name_of)
        .filter(|n| cpython_wrapper_name(n).is_some_and(|w| module.get_function(&w).is_some()))
        .collect();
    let mut symbols: BTreeSet<String> = wrapped.into_iter().collect();
    symbols.extend(
        defined
            .iter()
            .map(name_of)
            .filter(|n| return_types.contains_key(n)),
    );
    if symbols.is_empty() {
        symbols = defined
            .iter()
            .filter(|f| has_numba_callconv(**f) && f.get_linkage() == Linkage::External)
            .map(name_of)
            .filter(|n| {
                demangle(n).is_ok_and(|d| !matches!(d.parts[0].as_str(), "numba" | "_3cdynamic_3e"))
            })
            .collect();
    }
    symbols
        .into_iter()
        .filter(|s| !s.starts_with("_ZN7cpython"))
        .filter_map(|symbol| {
            let demangled = demangle(&symbol).ok()?;
            let name = python_name(module, &symbol, &demangled, stated);
            let entry = describe(module, &symbol, &demangled, &name, stated);
            Some(Candidate {
                symbol,
                demangled,
                name,
                entry,
            })
        })
        .collect()
}

fn python_name(
    module: &Module<'_>,
    symbol: &str,
    d: &Demangled,
    stated: &Stated<'_>,
) -> PythonName {
    let mut given = Vec::new();
    if let Some(n) = stated.names.get(symbol) {
        given.push((NameSource::DumpTool, n.clone()));
    }
    if let Some(n) = names::from_wrapper(module, symbol) {
        given.push((NameSource::Wrapper, n));
    }
    if let Some(n) = stated.banner_names.get(symbol) {
        given.push((NameSource::Banner, n.clone()));
    }
    names::resolve(d, &given)
}

/// `--return` options that name no entry point are mistakes, not no-ops.
pub fn check_return_options(found: &[Candidate], returns: &[(String, String)]) -> Result<()> {
    for (name, _) in returns {
        let used = found
            .iter()
            .any(|c| c.symbol == *name || c.name.is_meant_by(&c.demangled, name));
        if !used {
            let known: BTreeSet<&str> = found.iter().map(|c| c.name.name()).collect();
            let known = known.into_iter().collect::<Vec<_>>().join(", ");
            let message = format!(
                "--return names `{name}`, which is not an entry point of the input (entry points: {known})"
            );
            let hint = format!("name one of the entry points: {known}");
            return Err(Diagnostics::from(Diagnostic::error(message).hint(hint)).into());
        }
    }
    Ok(())
}

fn describe(
    module: &Module<'_>,
    symbol: &str,
    demangled: &Demangled,
    name: &PythonName,
    stated: &Stated<'_>,
) -> Result<Entry, Box<Diagnostic>> {
    let qualname = &name.qualname;
    let fail = |message: String| Diagnostic::error(message).function(qualname).symbol(symbol);
    let f = module.get_function(symbol).expect("candidate is defined");
    if !has_numba_callconv(f) {
        return Err(fail(format!(
            "`{qualname}` ({symbol}) does not use Numba's nopython calling convention"
        ))
        .into());
    }
    // The dump tools' argument types add what mangled names leave out (the
    // field names of named tuples); they must agree with the name otherwise.
    let annotated_text: Vec<String> = stated
        .arg_types
        .get(symbol)
        .and_then(|json| serde_json::from_str::<Vec<String>>(json).ok())
        .filter(|v| v.len() == demangled.args.len())
        .unwrap_or_default();
    let annotated: Vec<Option<NumbaType>> = annotated_text
        .iter()
        .map(|t| NumbaType::parse(t).ok())
        .collect();
    let mut args = Vec::new();
    for (i, a) in demangled.args.iter().enumerate() {
        let stated_type = annotated.get(i).cloned().flatten();
        match (a, stated_type) {
            (Ok(t), Some(s)) if s.erased() == t.erased() => args.push(s),
            (Ok(t), _) => args.push(t.clone()),
            // Mangled names leave out field names and record layouts, and
            // do not spell reflected lists.
            (Err(_), Some(s)) if spelled_by_dump_only(&s) => args.push(s),
            (Err(text), _) if text == "pyobject" => {
                return Err(fail(format!(
                    "`{qualname}` takes a Python object (argument {}): it was compiled in object \
                     mode; only nopython (@njit) functions can run in wasm",
                    i + 1
                ))
                .hint("compile it in nopython mode (@njit)")
                .into());
            }
            (Err(text), _) => {
                // Numba's own spelling, when the dump tool gave it, says more
                // than the mangled name (which only numbers records).
                let text = annotated_text.get(i).unwrap_or(text);
                if text.contains(" generator(func=") {
                    // A generator's `next` function takes the generator state.
                    let owner = qualname.strip_suffix(".next").unwrap_or(qualname);
                    return Err(fail(format!(
                        "`{owner}` is a generator (it uses `yield`): numba-wasm does not support \
                         generators; return an array or a tuple instead"
                    ))
                    .into());
                }
                let why = if text.contains("Record(") {
                    " (records cross with scalar fields, not sub-arrays or other types)"
                } else {
                    ""
                };
                return Err(fail(format!(
                    "`{qualname}` takes an argument of type `{text}` (argument {}), which cannot \
                     cross the wasm boundary yet{why}",
                    i + 1
                ))
                .into());
            }
        }
    }
    let evidence = Evidence::read(module, symbol);
    let declared = returns::declared(
        qualname,
        stated.return_types.get(symbol).map(String::as_str),
        stated.return_option(symbol, demangled, name),
    )
    .map_err(|e| fail(format!("{e:#}")))?;
    let (ret, ret_source) = match declared {
        Some((t, source)) => {
            if let Err(why) = evidence.check(&t) {
                return Err(fail(format!(
                    "`{qualname}`: the {source} says it returns `{t}`, but {why}"
                ))
                .into());
            }
            (t, source)
        }
        None => match evidence.infer() {
            Ok(t) => (t, ReturnSource::Ir),
            Err(why) => {
                let hint = format!(
                    "Dump the IR with numba-wasm's dump tool (scripts/numba_dump.py or the \
                     numba_wasm Python package), which records it, or pass `--return {}={}`",
                    name.name(),
                    evidence.placeholder()
                );
                return Err(fail(format!(
                    "cannot tell what `{qualname}` returns: {why}. {hint}"
                ))
                .hint(hint)
                .into());
            }
        },
    };
    if let Some(t) = args.iter().find_map(unsupported_container_argument) {
        return Err(fail(format!(
            "`{qualname}` takes an argument of type `{t}`, which cannot cross the wasm boundary \
             yet (as arguments, lists and typed.Lists of real numbers or booleans, and \
             typed.Dicts with integer, bool or str keys and real number, bool or str values, \
             not in tuples)"
        ))
        .into());
    }
    if let Some(t) = container_with_unsupported_items(&ret) {
        return Err(fail(format!(
            "`{qualname}` returns `{ret}`, whose `{t}` cannot cross the wasm boundary yet: \
             lists and dicts cross holding scalars or str"
        ))
        .into());
    }
    if let Some(t) = args.iter().find(|t| t.has_optional()) {
        return Err(fail(format!(
            "`{qualname}` takes an argument of type `{t}`, which cannot cross the wasm boundary yet"
        ))
        .into());
    }
    // A nested optional is read as one value behind its `valid` byte.
    if let NumbaType::Tuple { items } | NumbaType::NamedTuple { items, .. } = &ret
        && let Some(t) = items.iter().find(|t| {
            fn nested_tuple_optional(t: &NumbaType) -> bool {
                match t {
                    NumbaType::Optional { item } => item.leaf_count() != 1 || item.has_optional(),
                    NumbaType::Tuple { items } | NumbaType::NamedTuple { items, .. } => {
                        items.iter().any(nested_tuple_optional)
                    }
                    _ => false,
                }
            }
            nested_tuple_optional(t)
        })
    {
        return Err(fail(format!(
            "`{qualname}` returns `{ret}`, whose item `{t}` (an optional tuple or None inside a \
             tuple) cannot cross the wasm boundary yet"
        ))
        .into());
    }
    if ret.has_omitted() {
        return Err(fail(format!(
            "`{qualname}`: return type `{ret}` holds an omitted argument's type"
        ))
        .into());
    }
    let mut params = Vec::new();
    for (i, p) in f
        .get_params()
        .iter()
        .map(|p| p.get_type())
        .enumerate()
        .skip(2)
    {
        params.push(param_kind(p).ok_or_else(|| {
            fail(format!(
                "`{qualname}`: parameter {i} has LLVM type `{p}`, which the wasm export cannot pass"
            ))
        })?);
    }
    let expected: usize = args.iter().map(NumbaType::flat_param_count).sum();
    if expected != params.len() {
        return Err(fail(format!(
            "`{qualname}`: its arguments {:?} flatten to {expected} parameters but the IR has {}",
            args.iter().map(ToString::to_string).collect::<Vec<_>>(),
            params.len()
        ))
        .into());
    }
    // Numba names the flattened parameters `arg.<name>` or `arg.<name>.<i>`.
    let mut arg_names = Vec::new();
    let mut index = 2;
    for (i, a) in args.iter().enumerate() {
        // An omitted argument has no parameter to name it.
        if a.flat_param_count() == 0 {
            arg_names.push(format!("arg{i}"));
            continue;
        }
        let llvm_name = f
            .get_nth_param(index as u32)
            .and_then(|p| p.get_name().to_str().ok().map(str::to_string))
            .unwrap_or_default();
        let name = llvm_name
            .strip_prefix("arg.")
            .map(|n| n.split('.').next().unwrap_or(n).to_string())
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or_else(|| format!("arg{i}"));
        arg_names.push(name);
        index += a.flat_param_count();
    }
    Ok(Entry {
        symbol: symbol.to_string(),
        qualname: qualname.clone(),
        name_source: name.source,
        args,
        arg_names,
        ret,
        ret_source,
        params,
    })
}

/// Is `t` (or a tuple item of it) a type that only the dump tools'
/// spelling describes: named tuples, records and arrays of them, reflected
/// lists, dicts?
fn spelled_by_dump_only(t: &NumbaType) -> bool {
    match t {
        NumbaType::NamedTuple { .. }
        | NumbaType::Records { .. }
        | NumbaType::Record { .. }
        | NumbaType::List { .. }
        | NumbaType::Dict { .. } => true,
        NumbaType::Tuple { items } => items.iter().any(spelled_by_dump_only),
        _ => false,
    }
}

fn param_kind(t: BasicTypeEnum<'_>) -> Option<Param> {
    match t {
        BasicTypeEnum::IntType(i) => match i.get_bit_width() {
            1 => Some(Param::I1),
            8 => Some(Param::I8),
            16 => Some(Param::I16),
            32 => Some(Param::I32),
            64 => Some(Param::I64),
            _ => None,
        },
        BasicTypeEnum::FloatType(f) => match f.print_to_string().to_str() {
            Ok("float") => Some(Param::F32),
            Ok("double") => Some(Param::F64),
            _ => None,
        },
        BasicTypeEnum::PointerType(_) => Some(Param::Ptr),
        _ => None,
    }
}

/// A list or dict inside `t` whose items (keys, values) are not scalars or
/// `str`, which is all the hosts read.
fn container_with_unsupported_items(t: &NumbaType) -> Option<&NumbaType> {
    let plain = |t: &NumbaType| matches!(t, NumbaType::Scalar { .. } | NumbaType::Unicode);
    match t {
        NumbaType::List { item, .. } if !plain(item) => Some(t),
        NumbaType::Dict { key, value } if !plain(key) || !plain(value) => Some(t),
        NumbaType::Tuple { items } | NumbaType::NamedTuple { items, .. } => {
            items.iter().find_map(container_with_unsupported_items)
        }
        NumbaType::Optional { item } => container_with_unsupported_items(item),
        _ => None,
    }
}

/// A list or dict inside argument type `t` that hosts cannot pass: all but
/// lists (reflected or typed) of real numbers and booleans, and typed dicts
/// with integer, bool or str keys and real number, bool or str values, not
/// inside a tuple (a JS Array or Map, a Python list, typed.List, dict or
/// typed.Dict, whose changes are written back; Numba does not reflect a
/// list inside a tuple). Float keys are left out: the shim compares keys
/// of a host-built dict byte for byte, which `0.0 == -0.0` and NaN defeat.
fn unsupported_container_argument(t: &NumbaType) -> Option<&NumbaType> {
    let plain =
        |item: &NumbaType| matches!(item, NumbaType::Scalar { dtype } if !dtype.is_complex());
    let key = |k: &NumbaType| match k {
        NumbaType::Scalar { dtype } => dtype.is_integer() || *dtype == Dtype::Bool,
        NumbaType::Unicode => true,
        _ => false,
    };
    match t {
        NumbaType::List { item, .. } if plain(item) => None,
        NumbaType::Dict { key: k, value }
            if key(k) && (plain(value) || **value == NumbaType::Unicode) =>
        {
            None
        }
        NumbaType::List { .. } | NumbaType::Dict { .. } => Some(t),
        NumbaType::Tuple { .. } | NumbaType::NamedTuple { .. } => t.has_container().then_some(t),
        _ => None,
    }
}
