//! Numba "dynamic exceptions" (`raise E(f"... {i}")`, `raise E("x", i)`,
//! and Numba >= 0.59's own shape and axis checks): make the kernel's
//! `__excinfo_unwrap_args*` functions run in wasm.
//!
//! Natively the CPython wrapper calls that function (through the address the
//! kernel stores in its excinfo) to box the raised run-time values with the
//! Python C API into a tuple, then swaps them into the exception's pickle
//! (numba/core/callconv.py `emit_unwrap_dynamic_exception_fn`,
//! serialize.py `runtime_build_excinfo_struct`). Here each boxing call is
//! redirected to a shim function of the same LLVM signature that returns a
//! pickle fragment of the value (`shims/src/exc.rs`), and the varargs
//! `PyTuple_Pack(n, ...)` becomes `nw_exc_pack_new(n)` plus one
//! `nw_exc_pack_add` per value. The export wrapper then calls
//! `nw_exc_finish` after a user exception, which builds the final pickle, so
//! hosts see an ordinary excinfo.
//!
//! The environment check at the top (a `NumbaEnv` global null in wasm, with
//! a `PyErr_SetString` path) is dropped: the function uses nothing of the
//! environment. Tuples (`PyTuple_New` + `PyTuple_SetItem`, e.g. a dict's
//! missing tuple key in `KeyError(key)`) become `nw_exc_tuple_new/set`, and
//! the constants inside them (`numba_unpickle` of a literal) `nw_exc_unpickle`.
//! A boxing call not listed here (complex, lists, arrays, ...)
//! is left alone; `check` refuses it, naming the type.

use inkwell::module::{Linkage, Module};
use inkwell::types::{BasicMetadataTypeEnum, BasicType as _};
use inkwell::values::{
    BasicMetadataValueEnum, BasicValueEnum, CallSiteValue, FunctionValue, InstructionOpcode,
    InstructionValue, ValueKind,
};

use crate::ir::is_defined;

/// Prefix of the functions Numba emits to box a dynamic exception's values.
pub const UNWRAP_PREFIX: &str = "__excinfo_unwrap_args";

/// Python C API boxing calls with a wasm form: (C API, shim function, its
/// parameters: `p` pointer, `i` i32, `l` i64, `d` double). The shim returns
/// what the C API does (a pointer; `PyTuple_SetItem` an i32 status). Integer
/// arguments are widened or narrowed to the shim's: Numba <= 0.60 passes
/// `PyTuple_New`'s size and `PyTuple_SetItem`'s index as i32, later ones
/// as i64.
const BOXERS: [(&str, &str, &str); 12] = [
    ("PyUnicode_FromKindAndData", "nw_exc_str", "ipl"),
    ("PyLong_FromLongLong", "nw_exc_i64", "l"),
    ("PyLong_FromLong", "nw_exc_i64", "l"),
    ("PyLong_FromSsize_t", "nw_exc_i64", "l"),
    ("PyLong_FromUnsignedLongLong", "nw_exc_u64", "l"),
    ("PyLong_FromUnsignedLong", "nw_exc_u64", "l"),
    ("PyLong_FromSize_t", "nw_exc_u64", "l"),
    ("PyFloat_FromDouble", "nw_exc_f64", "d"),
    ("PyBool_FromLong", "nw_exc_bool", "l"),
    ("PyTuple_New", "nw_exc_tuple_new", "l"),
    ("PyTuple_SetItem", "nw_exc_tuple_set", "plp"),
    ("numba_unpickle", "nw_exc_unpickle", "pip"),
];

/// The Numba type behind a C API call an unwrap function may make that has
/// no wasm form, for the refusal message.
pub fn unboxable_type(symbol: &str) -> Option<&'static str> {
    Some(match symbol {
        "PyComplex_FromDoubles" | "PyComplex_FromCComplex" => "complex",
        "PyList_New" | "PyList_SetItem" | "PyList_Append" => "list",
        "PyBytes_FromStringAndSize" => "bytes",
        "PyArray_NewFromDescr" | "PyArray_New" | "NRT_adapt_ndarray_to_python_acqref" => "array",
        "PyObject_CallFunctionObjArgs" | "PyObject_GetAttrString" | "PyImport_ImportModule" => {
            "a Python object built by a call (e.g. a NumPy scalar, an enum or a record)"
        }
        _ => return None,
    })
}

pub fn is_unwrap(name: &str) -> bool {
    name.starts_with(UNWRAP_PREFIX)
}

/// Whether the module defines any unwrap function (then its exports need
/// `nw_exc_finish`).
pub fn has_dynamic_exceptions(module: &Module<'_>) -> bool {
    module
        .get_functions()
        .any(|f| is_defined(f) && f.get_name().to_str().is_ok_and(is_unwrap))
}

pub fn lower(module: &Module<'_>) {
    let unwraps: Vec<FunctionValue<'_>> = module
        .get_functions()
        .filter(|f| is_defined(*f) && f.get_name().to_str().is_ok_and(is_unwrap))
        .collect();
    for f in unwraps {
        lower_one(module, f);
    }
}

fn callee_name(inst: InstructionValue<'_>) -> Option<String> {
    if inst.get_opcode() != InstructionOpcode::Call {
        return None;
    }
    let call = CallSiteValue::try_from(inst).ok()?;
    let f = call.get_called_fn_value()?;
    f.get_name().to_str().ok().map(str::to_string)
}

fn declare<'ctx>(
    module: &Module<'ctx>,
    name: &str,
    ty: inkwell::types::FunctionType<'ctx>,
) -> FunctionValue<'ctx> {
    module
        .get_function(name)
        .unwrap_or_else(|| module.add_function(name, ty, Some(Linkage::External)))
}

fn lower_one<'ctx>(module: &Module<'ctx>, f: FunctionValue<'ctx>) {
    let ctx = module.get_context();
    let ptr = ctx.ptr_type(Default::default());
    let i64t = ctx.i64_type();
    let builder = ctx.create_builder();
    let insts: Vec<InstructionValue<'ctx>> = f
        .get_basic_blocks()
        .iter()
        .flat_map(|bb| bb.get_instructions())
        .collect();
    for inst in insts {
        // The environment check: `load ptr @NumbaEnv...` compared with null.
        if inst.get_opcode() == InstructionOpcode::Load {
            let from_env = inst
                .get_operand(0)
                .and_then(|o| o.value())
                .is_some_and(|o| {
                    o.is_pointer_value()
                        && o.into_pointer_value()
                            .get_name()
                            .to_str()
                            .is_ok_and(|n| n.starts_with("_ZN08NumbaEnv"))
                });
            if from_env && inst.get_type().is_pointer_type() {
                // Any non-null pointer: the function only tests it.
                let non_null = i64t.const_int(1, false).const_to_pointer(ptr);
                replace_value(inst, non_null.into());
                inst.erase_from_basic_block();
            }
            continue;
        }
        let Some(name) = callee_name(inst) else {
            continue;
        };
        let call = CallSiteValue::try_from(inst).expect("a call");
        let args: Vec<BasicMetadataValueEnum<'ctx>> = (0..call.count_arguments())
            .filter_map(|i| inst.get_operand(i).and_then(|o| o.value()))
            .map(Into::into)
            .collect();
        builder.position_before(&inst);
        match name.as_str() {
            "PyErr_SetString" | "Py_DecRef" | "Py_IncRef" => inst.erase_from_basic_block(),
            "PyObject_Hash" => {
                replace_value(inst, i64t.const_zero().into());
                inst.erase_from_basic_block();
            }
            "PyTuple_Pack" => {
                let new = declare(
                    module,
                    "nw_exc_pack_new",
                    ptr.fn_type(&[i64t.into()], false),
                );
                let add = declare(
                    module,
                    "nw_exc_pack_add",
                    ctx.void_type().fn_type(&[ptr.into(), ptr.into()], false),
                );
                let pack = builder
                    .build_call(new, &args[..1], "nw.pack")
                    .expect("builder positioned")
                    .try_as_basic_value();
                let ValueKind::Basic(pack) = pack else {
                    unreachable!("nw_exc_pack_new returns a pointer")
                };
                for item in &args[1..] {
                    builder
                        .build_call(add, &[pack.into(), *item], "")
                        .expect("builder positioned");
                }
                replace_value(inst, pack);
                inst.erase_from_basic_block();
            }
            other => {
                let Some((_, shim_fn, params)) = BOXERS.iter().find(|(c, _, _)| *c == other) else {
                    continue;
                };
                redirect(module, inst, shim_fn, params);
            }
        }
    }
}

/// Replace the call `inst` by a call of the shim function `shim_fn` with
/// parameters `params` (`p` pointer, `i` i32, `l` i64, `d` double) and the
/// call's own return type, integer arguments widened or narrowed to the
/// shim's. False (the call left alone) if the argument count differs.
pub(crate) fn redirect<'ctx>(
    module: &Module<'ctx>,
    inst: InstructionValue<'ctx>,
    shim_fn: &str,
    params: &str,
) -> bool {
    let ctx = module.get_context();
    let ptr = ctx.ptr_type(Default::default());
    let builder = ctx.create_builder();
    let Ok(call) = CallSiteValue::try_from(inst) else {
        return false;
    };
    let Some(callee) = call.get_called_fn_value() else {
        return false;
    };
    let args: Vec<BasicMetadataValueEnum<'ctx>> = (0..call.count_arguments())
        .filter_map(|i| inst.get_operand(i).and_then(|o| o.value()))
        .map(Into::into)
        .collect();
    if args.len() != params.len() {
        return false; // not the C API's signature: `check` refuses it
    }
    let param_types: Vec<BasicMetadataTypeEnum<'ctx>> = params
        .chars()
        .map(|c| match c {
            'p' => ptr.into(),
            'i' => ctx.i32_type().into(),
            'l' => ctx.i64_type().into(),
            _ => ctx.f64_type().into(),
        })
        .collect();
    let ty = match callee.get_type().get_return_type() {
        Some(ret) => ret.fn_type(&param_types, false),
        None => ctx.void_type().fn_type(&param_types, false),
    };
    let target = declare(module, shim_fn, ty);
    builder.position_before(&inst);
    let coerced: Vec<BasicMetadataValueEnum<'ctx>> = args
        .iter()
        .zip(&param_types)
        .map(|(arg, want)| match (arg, want) {
            (BasicMetadataValueEnum::IntValue(v), BasicMetadataTypeEnum::IntType(w))
                if v.get_type() != *w =>
            {
                builder
                    .build_int_cast_sign_flag(*v, *w, true, "nw.int")
                    .expect("builder positioned")
                    .into()
            }
            _ => *arg,
        })
        .collect();
    let new = builder
        .build_call(target, &coerced, "")
        .expect("builder positioned")
        .try_as_basic_value();
    if let ValueKind::Basic(new) = new {
        replace_value(inst, new);
    }
    inst.erase_from_basic_block();
    true
}

fn replace_value<'ctx>(inst: InstructionValue<'ctx>, with: BasicValueEnum<'ctx>) {
    use inkwell::llvm_sys::core::LLVMReplaceAllUsesWith;
    use inkwell::values::AsValueRef as _;
    // SAFETY: both are live values of the same type in one module.
    unsafe { LLVMReplaceAllUsesWith(inst.as_value_ref(), with.as_value_ref()) };
}
