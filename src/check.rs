//! Stage 3: refuse, before any code generation, what cannot run in wasm:
//! calls into CPython, host-only intrinsics, symbols the runtime shim does
//! not provide, and constructs the wasm32 backend cannot lower (x87 and
//! PowerPC long doubles, ifuncs), which would otherwise stop LLVM with a
//! fatal error. Each problem names the Python function and the symbol.

use std::collections::BTreeSet;

use inkwell::module::Module;

use crate::diagnostic::Diagnostic;
use crate::ir::{is_defined, reachable_functions, referenced_symbols};
use crate::numba::callconv::is_cpython_symbol;
use crate::shim;

/// Globals Numba initializes with an address in its own process
/// (`BaseContext.add_dynamic_addr`).
const HOST_ADDRESS_PREFIX: &str = "numba.dynamic.globals.";

/// A reason one entry point cannot be built.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub symbol: String,
    /// Completes a sentence that starts with the symbol.
    pub reason: String,
    /// The fix, when there is one; already part of `reason`.
    pub hint: Option<String>,
}

impl Problem {
    /// The problem as a diagnostic about `qualname`; `signature` as the
    /// human text shows it, when known.
    pub fn diagnostic(&self, qualname: &str, signature: Option<&str>) -> Diagnostic {
        let subject = match signature {
            Some(sig) => format!("`{qualname}` ({sig})"),
            None => format!("`{qualname}`"),
        };
        let d = Diagnostic::error(format!("{subject}: `{}` {}", self.symbol, self.reason))
            .function(qualname)
            .symbol(&self.symbol);
        match &self.hint {
            Some(h) => d.hint(h),
            None => d,
        }
    }
}

/// A typed.Dict argument with `str` keys is built by the shim
/// (`nw_dict_from`), which hashes the keys as CPython 3.11 and later do
/// (SipHash-1-3). Numba compiles the hash of the Python it runs under, and
/// its SipHash-2-4 (Python 3.10 and older) leaves a reference to
/// `hashing._DOUBLE_ROUND`'s environment in the IR: with it, lookups in such
/// a dict would silently miss, so the build stops.
pub fn str_hash_problem(
    module: &Module<'_>,
    args: &[crate::numba::types::NumbaType],
) -> Option<Problem> {
    use crate::numba::types::NumbaType;
    fn str_keyed(t: &NumbaType) -> bool {
        match t {
            NumbaType::Dict { key, .. } => matches!(**key, NumbaType::Unicode),
            NumbaType::Tuple { items } | NumbaType::NamedTuple { items, .. } => {
                items.iter().any(str_keyed)
            }
            _ => false,
        }
    }
    if !args.iter().any(str_keyed) {
        return None;
    }
    let symbol = module
        .get_globals()
        .filter_map(|g| g.get_name().to_str().ok().map(str::to_string))
        .chain(
            module
                .get_functions()
                .filter_map(|f| f.get_name().to_str().ok().map(str::to_string)),
        )
        .find(|n| n.contains("7hashing13_DOUBLE_ROUND"))?;
    let hint = "dump the IR with Python 3.11 or later";
    Some(Problem {
        symbol,
        reason: format!(
            "shows that this IR hashes `str` with SipHash-2-4 (compiled under Python 3.10 or \
             older), but numba-wasm builds typed.Dict arguments with `str` keys for the \
             SipHash-1-3 of Python 3.11 and later; {hint}"
        ),
        hint: Some(hint.to_string()),
    })
}

/// Problems of the function reachable from `root` (an export wrapper or an
/// entry symbol), in a stable order.
pub fn problems(module: &Module<'_>, root: &str) -> Vec<Problem> {
    let mut out = BTreeSet::new();
    let reachable = reachable_functions(module, root);
    // An unwrap function left with a boxing call that has no wasm form is
    // reported once, naming the type; the C API calls behind it would only
    // bury that under symbols the user never wrote.
    let refused: Vec<(String, Problem)> = reachable
        .iter()
        .filter(|n| is_dynamic_exception_unwrap(n))
        .filter_map(|n| Some((n.clone(), unboxable(module, n)?)))
        .collect();
    let behind_unwrap = if refused.is_empty() {
        BTreeSet::new()
    } else {
        behind_dynamic_exceptions(module, &reachable)
    };
    for (_, p) in refused.iter() {
        out.insert(p.clone());
    }
    for name in reachable {
        if behind_unwrap.contains(&name) || refused.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let Some(f) = module.get_function(&name) else {
            continue;
        };
        if !is_defined(f) {
            if let Some((reason, hint)) = unsupported(&name) {
                out.insert(Problem {
                    symbol: name,
                    reason,
                    hint,
                });
            }
            continue;
        }
        if let Some(ty) = host_only_type(f) {
            out.insert(Problem {
                symbol: name.clone(),
                reason: format!(
                    "computes with the `{ty}` type (a host CPU's long double), which wasm32 cannot"
                ),
                hint: None,
            });
        }
        for sym in referenced_symbols(f) {
            if is_ifunc(module, &sym) {
                out.insert(Problem {
                    symbol: sym,
                    reason: "is an ifunc (resolved by the host's loader), which wasm cannot have"
                        .to_string(),
                    hint: None,
                });
                continue;
            }
            if sym.starts_with(HOST_ADDRESS_PREFIX) && uses_host_address(module, f, &sym) {
                let hint = "call `numba.set_num_threads` or `numba.set_parallel_chunksize` \
                            outside the kernel; pass large or strided global arrays as arguments";
                out.insert(Problem {
                    symbol: sym,
                    reason: format!(
                        "holds an address in the compiling Python process (a ctypes or cffi \
                         function such as `numba.set_num_threads` or \
                         `numba.set_parallel_chunksize`, a function object, or a global array \
                         over 1 MB or not contiguous), which does not exist in wasm; {hint}"
                    ),
                    hint: Some(hint.to_string()),
                });
                continue;
            }
            let Some(g) = module.get_global(&sym) else {
                continue;
            };
            // A declared variable the shim defines (e.g. the hash secret) links.
            if g.get_initializer().is_none() && !shim::provides(&sym) {
                let reason = if is_cpython_symbol(&sym) {
                    "is a CPython object, which does not exist in wasm".to_string()
                } else {
                    "is an external variable that numba-wasm's runtime does not provide".to_string()
                };
                out.insert(Problem {
                    symbol: sym,
                    reason,
                    hint: None,
                });
            }
        }
    }
    out.into_iter().collect()
}

/// Does `f` use the value of the host-address global `name`? Unoptimized
/// IR loads the address of a called dispatcher and drops it: harmless.
fn uses_host_address(
    module: &Module<'_>,
    f: inkwell::values::FunctionValue<'_>,
    name: &str,
) -> bool {
    use inkwell::values::{AnyValueEnum, BasicValue as _, InstructionOpcode};
    let Some(g) = module.get_global(name) else {
        return false;
    };
    let mut next = g.as_pointer_value().get_first_use();
    while let Some(u) = next {
        next = u.get_next_use();
        let inst = match u.get_user() {
            AnyValueEnum::InstructionValue(i) => Some(i),
            AnyValueEnum::PointerValue(p) => p.as_instruction(),
            _ => None,
        };
        // Not an instruction (a constant expression): assume it is used.
        let Some(inst) = inst else {
            return true;
        };
        if inst.get_parent().and_then(|b| b.get_parent()) != Some(f) {
            continue;
        }
        let dropped =
            inst.get_opcode() == InstructionOpcode::Load && inst.get_first_use().is_none();
        if !dropped {
            return true;
        }
    }
    false
}

fn is_dynamic_exception_unwrap(name: &str) -> bool {
    crate::rewrite::dynexc::is_unwrap(name)
}

/// Why a dynamic-exception unwrap function (`rewrite/dynexc.rs` lowered the
/// boxing it can) still cannot run: a value it boxes with the Python C API.
fn unboxable(module: &Module<'_>, name: &str) -> Option<Problem> {
    let f = module.get_function(name).filter(|f| is_defined(*f))?;
    let cpython: Vec<String> = referenced_symbols(f)
        .into_iter()
        .filter(|s| is_cpython_symbol(s))
        .collect();
    let first = cpython.first()?;
    let ty = cpython
        .iter()
        .find_map(|s| crate::rewrite::dynexc::unboxable_type(s))
        .map(|t| format!("a `{t}` value"))
        .unwrap_or_else(|| format!("a value (through `{first}`)"));
    let hint = "raise with str, int, float or bool values (or tuples of them) instead";
    Some(Problem {
        symbol: name.to_string(),
        reason: format!(
            "boxes the run-time values of a Numba \"dynamic exception\" (`raise` with run-time \
             values), here {ty}, which numba-wasm cannot turn into a Python object; {hint}"
        ),
        hint: Some(hint.to_string()),
    })
}

/// Functions reachable only through dynamic-exception unwrap functions.
fn behind_dynamic_exceptions(module: &Module<'_>, reachable: &[String]) -> BTreeSet<String> {
    let unwraps: Vec<&String> = reachable
        .iter()
        .filter(|n| is_dynamic_exception_unwrap(n))
        .collect();
    if unwraps.is_empty() {
        return BTreeSet::new();
    }
    // What the roots reach without entering an unwrap function.
    let mut direct = BTreeSet::new();
    let mut stack: Vec<String> = reachable
        .first()
        .into_iter()
        .filter(|n| !is_dynamic_exception_unwrap(n))
        .cloned()
        .collect();
    while let Some(name) = stack.pop() {
        if !direct.insert(name.clone()) {
            continue;
        }
        let Some(f) = module.get_function(&name) else {
            continue;
        };
        for r in referenced_symbols(f) {
            if module.get_function(&r).is_some() && !is_dynamic_exception_unwrap(&r) {
                stack.push(r);
            }
        }
    }
    reachable
        .iter()
        .filter(|n| !direct.contains(*n) && !is_dynamic_exception_unwrap(n))
        .cloned()
        .collect()
}

/// A floating-point type of `f` that only a host CPU has (LLVM's wasm32
/// backend stops with "unsupported library call operation" on them).
fn host_only_type(f: inkwell::values::FunctionValue<'_>) -> Option<&'static str> {
    use inkwell::values::AnyValue as _;
    let text = f.print_to_string().to_string();
    ["x86_fp80", "ppc_fp128", "x86_amx"]
        .into_iter()
        .find(|ty| text.contains(ty))
}

fn is_ifunc(module: &Module<'_>, name: &str) -> bool {
    let Ok(cname) = std::ffi::CString::new(name) else {
        return false;
    };
    // SAFETY: a read-only lookup in a live module.
    unsafe {
        !inkwell::llvm_sys::core::LLVMGetNamedGlobalIFunc(
            module.as_mut_ptr(),
            cname.as_ptr(),
            name.len(),
        )
        .is_null()
    }
}

/// Why a declared function cannot be called in wasm, and the fix if any.
fn unsupported(name: &str) -> Option<(String, Option<String>)> {
    if let Some(intrinsic) = name.strip_prefix("llvm.") {
        let host_only = ["x86.", "aarch64.", "arm.", "ppc.", "nvvm.", "amdgcn."];
        return host_only.iter().any(|p| intrinsic.starts_with(p)).then(|| {
            let hint = "use IR taken with NUMBA_OPT=0 or file an issue";
            (
                format!("is a host-CPU-only LLVM intrinsic; {hint}"),
                Some(hint.to_string()),
            )
        });
    }
    if shim::provides(name) {
        return None;
    }
    if is_cpython_symbol(name) {
        return Some((
            "belongs to the Python C API: the function uses Python objects (object mode or an \
             unsupported feature), which cannot run in wasm"
                .to_string(),
            None,
        ));
    }
    Some(("is not provided by numba-wasm's runtime".to_string(), None))
}
