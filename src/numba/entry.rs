//! Finding Numba entry points in a merged module and recovering their
//! signatures: argument types from the mangled name, the return type from
//! the dump tools' annotation or, failing that, from Numba's wrappers.

use std::collections::{BTreeSet, HashMap};

use anyhow::{Result, bail};
use inkwell::module::{Linkage, Module};
use inkwell::types::{AnyType, AnyTypeEnum, BasicTypeEnum};
use inkwell::values::FunctionValue;
use serde::{Deserialize, Serialize};

use super::callconv::{cfunc_wrapper_name, cpython_wrapper_name};
use super::mangle::{Demangled, demangle};
use super::types::{Dtype, NumbaType};
use crate::ir::referenced_symbols;

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
    pub qualname: String,
    pub args: Vec<NumbaType>,
    pub arg_names: Vec<String>,
    pub ret: NumbaType,
    pub params: Vec<Param>,
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
    pub entry: Result<Entry>,
}

fn is_defined(f: FunctionValue<'_>) -> bool {
    f.count_basic_blocks() > 0
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
pub fn find(module: &Module<'_>, return_types: &HashMap<String, String>) -> Vec<Candidate> {
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
                demangle(n).is_ok_and(|d| {
                    !d.qualname.starts_with("numba.") && !d.qualname.starts_with("<dynamic>")
                })
            })
            .collect();
    }
    symbols
        .into_iter()
        .filter(|s| !s.starts_with("_ZN7cpython"))
        .filter_map(|symbol| {
            let demangled = demangle(&symbol).ok()?;
            let entry = describe(module, &symbol, &demangled, return_types);
            Some(Candidate {
                symbol,
                demangled,
                entry,
            })
        })
        .collect()
}

fn describe(
    module: &Module<'_>,
    symbol: &str,
    demangled: &Demangled,
    return_types: &HashMap<String, String>,
) -> Result<Entry> {
    let qualname = &demangled.qualname;
    let f = module.get_function(symbol).expect("candidate is defined");
    if !has_numba_callconv(f) {
        bail!("`{qualname}` ({symbol}) does not use Numba's nopython calling convention");
    }
    let mut args = Vec::new();
    for (i, a) in demangled.args.iter().enumerate() {
        match a {
            Ok(t) => args.push(t.clone()),
            Err(text) if text == "pyobject" => bail!(
                "`{qualname}` takes a Python object (argument {}): it was compiled in object mode; \
                 only nopython (@njit) functions can run in wasm",
                i + 1
            ),
            Err(text) => bail!(
                "`{qualname}` takes an argument of type `{text}` (argument {}), which cannot cross the wasm boundary yet",
                i + 1
            ),
        }
    }
    // Recorded by symbol (dump tools) or given by name (`--return name=type`).
    let recorded = [symbol, qualname.as_str(), demangled.name()]
        .into_iter()
        .find_map(|k| return_types.get(k));
    let ret = match recorded {
        Some(text) => {
            NumbaType::parse(text).map_err(|e| anyhow::anyhow!("`{qualname}` returns {e}"))?
        }
        None => infer_return_type(module, symbol, qualname)?,
    };
    let mut params = Vec::new();
    for (i, p) in f
        .get_params()
        .iter()
        .map(|p| p.get_type())
        .enumerate()
        .skip(2)
    {
        params.push(param_kind(p).ok_or_else(|| {
            anyhow::anyhow!(
                "`{qualname}`: parameter {i} has LLVM type `{p}`, which the wasm export cannot pass"
            )
        })?);
    }
    let expected: usize = args.iter().map(NumbaType::flat_param_count).sum();
    if expected != params.len() {
        bail!(
            "`{qualname}`: its arguments {:?} flatten to {expected} parameters but the IR has {}",
            args.iter().map(ToString::to_string).collect::<Vec<_>>(),
            params.len()
        );
    }
    // Numba names the flattened parameters `arg.<name>` or `arg.<name>.<i>`.
    let mut arg_names = Vec::new();
    let mut index = 2;
    for (i, a) in args.iter().enumerate() {
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
        args,
        arg_names,
        ret,
        params,
    })
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

/// Recover the return type from the wrappers Numba emitted next to the
/// entry: the `cfunc.` wrapper returns the value itself (its LLVM type),
/// and the CPython wrapper's boxing call tells signed from unsigned.
/// Array dtypes are not recoverable this way (the wrapper reads them from
/// the runtime environment), so those need the dump tools' annotation.
fn infer_return_type(module: &Module<'_>, symbol: &str, qualname: &str) -> Result<NumbaType> {
    let name = qualname.rsplit('.').next().unwrap_or(qualname);
    let need_annotation = |why: &str| {
        anyhow::anyhow!(
            "cannot tell what `{qualname}` returns: {why}. Dump the IR with numba-wasm's dump tool \
             (scripts/numba_dump.py or the numba_wasm Python package), which records it, or pass \
             `--return {name}=<numba type>`"
        )
    };
    let Some(cfunc) = module.get_function(&cfunc_wrapper_name(symbol)) else {
        return Err(need_annotation(
            "the input has neither an annotation nor Numba's cfunc wrapper for it",
        ));
    };
    let boxing = cpython_wrapper_name(symbol)
        .and_then(|w| module.get_function(&w))
        .map(referenced_symbols)
        .unwrap_or_default();
    let unsigned = boxing.contains("PyLong_FromUnsignedLongLong");
    let signed = boxing.contains("PyLong_FromLongLong") || boxing.contains("PyLong_FromSsize_t");
    let int = |width: u32| -> Result<NumbaType> {
        let dtype = match (width, unsigned, signed) {
            (1, _, _) => Dtype::Bool,
            (_, true, true) | (_, false, false) => {
                return Err(need_annotation(
                    "the signedness of its integers is not visible in the IR",
                ));
            }
            (8, u, _) => {
                if u {
                    Dtype::Uint8
                } else {
                    Dtype::Int8
                }
            }
            (16, u, _) => {
                if u {
                    Dtype::Uint16
                } else {
                    Dtype::Int16
                }
            }
            (32, u, _) => {
                if u {
                    Dtype::Uint32
                } else {
                    Dtype::Int32
                }
            }
            (64, u, _) => {
                if u {
                    Dtype::Uint64
                } else {
                    Dtype::Int64
                }
            }
            _ => return Err(need_annotation("it returns an integer of unusual width")),
        };
        Ok(NumbaType::Scalar { dtype })
    };
    fn scalar(t: &AnyTypeEnum<'_>) -> Option<Dtype> {
        match t.print_to_string().to_str().ok()? {
            "double" => Some(Dtype::Float64),
            "float" => Some(Dtype::Float32),
            "{ double, double }" => Some(Dtype::Complex128),
            "{ float, float }" => Some(Dtype::Complex64),
            _ => None,
        }
    }
    let Some(ret) = cfunc.get_type().get_return_type() else {
        return Ok(NumbaType::None);
    };
    let any = ret.as_any_type_enum();
    if let Some(dtype) = scalar(&any) {
        return Ok(NumbaType::Scalar { dtype });
    }
    match ret {
        BasicTypeEnum::IntType(i) => int(i.get_bit_width()),
        BasicTypeEnum::StructType(s)
            if s.count_fields() >= 7
                && s.get_field_type_at_index(0)
                    .is_some_and(|t| t.is_pointer_type()) =>
        {
            Err(need_annotation(
                "it returns an array, whose dtype Numba keeps only in the runtime environment",
            ))
        }
        BasicTypeEnum::StructType(s) => {
            let items = s
                .get_field_types()
                .into_iter()
                .map(|t| match scalar(&t.as_any_type_enum()) {
                    Some(dtype) => Ok(NumbaType::Scalar { dtype }),
                    None => match t {
                        BasicTypeEnum::IntType(i) => int(i.get_bit_width()),
                        _ => Err(need_annotation("it returns a nested value")),
                    },
                })
                .collect::<Result<_>>()?;
            Ok(NumbaType::Tuple { items })
        }
        BasicTypeEnum::ArrayType(a) => {
            let item = match a.get_element_type() {
                BasicTypeEnum::IntType(i) => int(i.get_bit_width())?,
                t => NumbaType::Scalar {
                    dtype: scalar(&t.as_any_type_enum())
                        .ok_or_else(|| need_annotation("it returns a nested value"))?,
                },
            };
            Ok(NumbaType::Tuple {
                items: vec![item; a.len() as usize],
            })
        }
        _ => Err(need_annotation("its return type is not a plain value")),
    }
}
