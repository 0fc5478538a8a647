//! `@njit(parallel=True)`: the parfor gufunc wrappers.
//!
//! Parfor lowering (`parfors/parfor_lowering.py`) compiles each parallel
//! loop nest into a gufunc and wraps it (`np/ufunc/wrappers.py`,
//! `__gufunc__.<mangled>`); the kernel launches the wrapper through
//! `numba_parallel_for`, which the shim runs on one thread
//! (`shims/src/parallel.rs`). When the gufunc body returns an error status
//! (a `raise` in the body or in a function it calls, Numba's own checks,
//! an allocation failing), the wrapper takes the GIL, turns the excinfo into
//! a Python exception and raises it, and leaves the loop; the kernel runs on
//! and the pending error surfaces when it returns to Python. Here those
//! calls go to the shim (`shims/src/exc.rs`, `nw_parfor_*`), which keeps the
//! first exception raised; the export wrapper makes it the call's exception
//! (`exports.rs`). Any other Python C API call left on those paths (the
//! error raised when a dynamic exception's values cannot be boxed, which
//! only an allocation failure causes) becomes a trap.

use inkwell::llvm_sys::core::{LLVMGetPoison, LLVMReplaceAllUsesWith, LLVMTypeOf};
use inkwell::module::Module;
use inkwell::values::BasicValue as _;
use inkwell::values::{
    AnyValueEnum, AsValueRef as _, CallSiteValue, FunctionValue, InstructionOpcode,
    InstructionValue,
};

use crate::ir::{is_defined, reachable_functions};
use crate::numba::callconv::is_cpython_symbol;

/// The threading-layer call every parallel region goes through.
pub const PARALLEL_FOR: &str = "numba_parallel_for";

/// Does the function `root` (an entry symbol or its export) run parfors?
pub fn runs_parfors(module: &Module<'_>, root: &str) -> bool {
    reachable_functions(module, root)
        .iter()
        .any(|n| n == PARALLEL_FOR)
}

/// `__gufunc__.` + the mangled name of a `__numba_parfor_gufunc_<id>`.
fn is_parfor_wrapper(name: &str) -> bool {
    name.starts_with("__gufunc__.") && name.contains("__numba_parfor_gufunc_")
}

/// The gufunc wrapper's error path: (C API, shim function, parameters as in
/// `dynexc::redirect`); `None`: the call goes (no GIL, no error indicator).
const ERROR_PATH: [(&str, Option<(&str, &str)>); 8] = [
    ("numba_gil_ensure", None),
    ("numba_gil_release", None),
    ("PyErr_Clear", None),
    ("numba_unpickle", Some(("nw_parfor_unpickle", "pip"))),
    ("PyBytes_FromStringAndSize", Some(("nw_parfor_bytes", "pl"))),
    (
        "numba_runtime_build_excinfo_struct",
        Some(("nw_parfor_build_excinfo", "pp")),
    ),
    ("numba_do_raise", Some(("nw_parfor_raise", "p"))),
    ("Py_DecRef", None),
];

pub fn lower(module: &Module<'_>) {
    for f in module.get_functions() {
        let name = f.get_name().to_str().unwrap_or("");
        if is_defined(f) && name.contains("__numba_parfor_gufunc_") && !is_parfor_wrapper(name) {
            drop_dead_global_pushes(f);
        }
    }
    let wrappers: Vec<FunctionValue<'_>> = module
        .get_functions()
        .filter(|f| is_defined(*f) && f.get_name().to_str().is_ok_and(is_parfor_wrapper))
        .collect();
    for f in wrappers {
        raise_through_shim(module, f);
        trap_python_errors(module, f);
    }
}

/// Unoptimized IR of a parfor body that calls another `@njit` function
/// (`NUMBA_OPT=0`) loads the callee's dispatcher, a Python object whose
/// address is a `numba.dynamic.globals.*` global, into a stack slot
/// (`$push_global_to_block`) that nothing reads. Drop those loads and
/// slots, so that `check` judges only what the body uses.
fn drop_dead_global_pushes(f: FunctionValue<'_>) {
    let insts: Vec<InstructionValue<'_>> = f
        .get_basic_blocks()
        .iter()
        .flat_map(|bb| bb.get_instructions())
        .filter(|i| i.get_opcode() == InstructionOpcode::Load)
        .filter(|load| {
            load.get_operand(0)
                .and_then(|o| o.value())
                .is_some_and(|o| {
                    o.is_pointer_value()
                        && o.into_pointer_value()
                            .get_name()
                            .to_str()
                            .is_ok_and(|n| n.starts_with("numba.dynamic.globals."))
                })
        })
        .collect();
    for load in insts {
        // Every use: `store %load, %slot` into an alloca whose other uses
        // are stores and loads that nothing uses.
        let mut slots = Vec::new();
        let mut dead = true;
        let mut use_ = load.get_first_use();
        while let Some(u) = use_ {
            let user = as_inst(u.get_user());
            let slot = user.filter(|s| {
                s.get_opcode() == InstructionOpcode::Store
                    && s.get_operand(0)
                        .and_then(|o| o.value())
                        .map(|v| v.as_value_ref())
                        == Some(load.as_value_ref())
            });
            let slot = slot
                .and_then(|s| s.get_operand(1).and_then(|o| o.value()))
                .and_then(|v| v.as_instruction_value())
                .filter(|a| a.get_opcode() == InstructionOpcode::Alloca);
            match slot {
                Some(a) if slot_is_dead(a) => slots.push(a),
                _ => dead = false,
            }
            use_ = u.get_next_use();
        }
        if !dead {
            continue;
        }
        for slot in slots {
            let mut users = Vec::new();
            let mut use_ = slot.get_first_use();
            while let Some(u) = use_ {
                users.extend(as_inst(u.get_user()));
                use_ = u.get_next_use();
            }
            for u in users {
                u.erase_from_basic_block();
            }
            if slot.get_first_use().is_none() {
                slot.erase_from_basic_block();
            }
        }
        if load.get_first_use().is_none() {
            load.erase_from_basic_block();
        }
    }
}

/// The instruction behind a use's user, if it is one.
fn as_inst(v: AnyValueEnum<'_>) -> Option<InstructionValue<'_>> {
    match v {
        AnyValueEnum::InstructionValue(i) => Some(i),
        AnyValueEnum::IntValue(x) => x.as_instruction(),
        AnyValueEnum::PointerValue(x) => x.as_instruction(),
        AnyValueEnum::FloatValue(x) => x.as_instruction(),
        AnyValueEnum::StructValue(x) => x.as_instruction(),
        AnyValueEnum::ArrayValue(x) => x.as_instruction(),
        AnyValueEnum::VectorValue(x) => x.as_instruction(),
        AnyValueEnum::PhiValue(x) => Some(x.as_instruction()),
        _ => None,
    }
}

/// An alloca used only by stores into it and by loads nothing uses.
fn slot_is_dead(slot: InstructionValue<'_>) -> bool {
    let mut use_ = slot.get_first_use();
    while let Some(u) = use_ {
        let ok = as_inst(u.get_user()).is_some_and(|i| match i.get_opcode() {
            InstructionOpcode::Store => {
                i.get_operand(1)
                    .and_then(|o| o.value())
                    .map(|v| v.as_value_ref())
                    == Some(slot.as_value_ref())
            }
            InstructionOpcode::Load => i.get_first_use().is_none(),
            _ => false,
        });
        if !ok {
            return false;
        }
        use_ = u.get_next_use();
    }
    true
}

/// Redirect the error path's calls (`ERROR_PATH`) to the shim.
fn raise_through_shim<'ctx>(module: &Module<'ctx>, f: FunctionValue<'ctx>) {
    let insts: Vec<_> = f
        .get_basic_blocks()
        .iter()
        .flat_map(|bb| bb.get_instructions())
        .filter(|i| i.get_opcode() == InstructionOpcode::Call)
        .collect();
    for inst in insts {
        let Ok(call) = CallSiteValue::try_from(inst) else {
            continue;
        };
        let Some(name) = call
            .get_called_fn_value()
            .and_then(|c| c.get_name().to_str().ok().map(str::to_string))
        else {
            continue;
        };
        match ERROR_PATH.iter().find(|(c, _)| *c == name) {
            Some((_, Some((shim_fn, params)))) => {
                super::dynexc::redirect(module, inst, shim_fn, params);
            }
            Some((_, None)) if inst.get_first_use().is_none() => inst.erase_from_basic_block(),
            _ => {}
        }
    }
}

/// Replace each call into the Python C API (GIL, `PyErr_*`, Numba's raise
/// helpers: only the error path has them) by a trap.
fn trap_python_errors<'ctx>(module: &Module<'ctx>, f: FunctionValue<'ctx>) {
    let ctx = module.get_context();
    let builder = ctx.create_builder();
    let insts: Vec<_> = f
        .get_basic_blocks()
        .iter()
        .flat_map(|bb| bb.get_instructions())
        .filter(|i| i.get_opcode() == InstructionOpcode::Call)
        .collect();
    for inst in insts {
        let Ok(call) = CallSiteValue::try_from(inst) else {
            continue;
        };
        let python = call
            .get_called_fn_value()
            .and_then(|c| c.get_name().to_str().ok().map(is_cpython_symbol))
            .unwrap_or(false);
        if !python {
            continue;
        }
        let trap = module.get_function("llvm.trap").unwrap_or_else(|| {
            module.add_function("llvm.trap", ctx.void_type().fn_type(&[], false), None)
        });
        builder.position_before(&inst);
        builder
            .build_call(trap, &[], "")
            .expect("builder positioned");
        // SAFETY: a live instruction; poison of its own type stands for a
        // value that is never computed (the trap comes first).
        unsafe {
            let v = inst.as_value_ref();
            LLVMReplaceAllUsesWith(v, LLVMGetPoison(LLVMTypeOf(v)));
        }
        inst.erase_from_basic_block();
    }
}
