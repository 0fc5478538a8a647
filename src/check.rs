//! Stage 3: refuse, before any code generation, what cannot run in wasm:
//! calls into CPython, host-only intrinsics, and symbols the runtime shim
//! does not provide. Each problem names the Python function and the symbol.

use std::collections::BTreeSet;

use inkwell::module::Module;

use crate::ir::{reachable_functions, referenced_symbols};
use crate::numba::callconv::is_cpython_symbol;
use crate::shim;

/// A reason one entry point cannot be built.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub symbol: String,
    pub reason: String,
}

/// Problems of the function reachable from `root` (an export wrapper or an
/// entry symbol), in a stable order.
pub fn problems(module: &Module<'_>, root: &str) -> Vec<Problem> {
    let mut out = BTreeSet::new();
    for name in reachable_functions(module, root) {
        let Some(f) = module.get_function(&name) else {
            continue;
        };
        if f.count_basic_blocks() == 0 {
            if let Some(reason) = unsupported(&name) {
                out.insert(Problem {
                    symbol: name,
                    reason,
                });
            }
            continue;
        }
        for sym in referenced_symbols(f) {
            let Some(g) = module.get_global(&sym) else {
                continue;
            };
            if g.get_initializer().is_none() {
                let reason = if is_cpython_symbol(&sym) {
                    "is a CPython object, which does not exist in wasm".to_string()
                } else {
                    "is an external variable that numba-wasm's runtime does not provide".to_string()
                };
                out.insert(Problem {
                    symbol: sym,
                    reason,
                });
            }
        }
    }
    out.into_iter().collect()
}

fn unsupported(name: &str) -> Option<String> {
    if let Some(intrinsic) = name.strip_prefix("llvm.") {
        let host_only = ["x86.", "aarch64.", "arm.", "ppc.", "nvvm.", "amdgcn."];
        return host_only.iter().any(|p| intrinsic.starts_with(p)).then(|| {
            "is a host-CPU-only LLVM intrinsic; use IR taken with NUMBA_OPT=0 or file an issue"
                .to_string()
        });
    }
    if shim::provides(name) {
        return None;
    }
    if is_cpython_symbol(name) {
        return Some(
            "belongs to the Python C API: the function uses Python objects (object mode or an \
             unsupported feature), which cannot run in wasm"
                .to_string(),
        );
    }
    Some("is not provided by numba-wasm's runtime".to_string())
}
