//! Numba's CPU calling convention (`numba/core/callconv.py`, `CPUCallConv`):
//! `i32 fn(<ret>* retptr, excinfo** excinfo, <flattened args>...)`.

/// Status codes returned by every Numba function.
pub const RETCODE_OK: i32 = 0;
pub const RETCODE_EXC: i32 = -1;
pub const RETCODE_NONE: i32 = -2;
pub const RETCODE_STOPIT: i32 = -3;

/// Name of the CPython wrapper Numba generates for an entry point: the
/// entry's mangled name with `cpython` prepended to its namespace.
pub fn cpython_wrapper_name(symbol: &str) -> Option<String> {
    symbol
        .strip_prefix("_ZN")
        .map(|rest| format!("_ZN7cpython{rest}"))
}

/// Name of the C-callable wrapper (`@cfunc`-style) Numba also emits.
pub fn cfunc_wrapper_name(symbol: &str) -> String {
    format!("cfunc.{symbol}")
}

/// Is this function one of the wrappers that only make sense inside CPython?
pub fn is_python_wrapper(name: &str) -> bool {
    name.starts_with("_ZN7cpython") || name.starts_with("cfunc.")
}

/// Symbols of the CPython C API and of Numba's CPython glue. A nopython
/// kernel must not reach any of them once the wrappers are removed.
pub fn is_cpython_symbol(name: &str) -> bool {
    name.starts_with("Py")
        || name.starts_with("_Py")
        || name.starts_with("numba_gil_")
        || name.starts_with("NRT_adapt_")
        || matches!(
            name,
            "numba_unpickle"
                | "numba_runtime_build_excinfo_struct"
                | "numba_do_raise"
                | "numba_complex_adaptor"
                | "numba_extract_record_data"
                | "numba_get_buffer"
                | "numba_adapt_buffer"
                | "numba_release_buffer"
                | "numba_adapt_ndarray"
                | "numba_ndarray_new"
        )
}

/// Whether `function` (an entry export, after optimization) can return a
/// status other than OK or NONE, i.e. raise. Follows returned values through
/// phis, selects and calls of defined functions; anything else might be any
/// status. A kernel that cannot raise gets glue without the exception decoder.
pub fn may_raise(function: inkwell::values::FunctionValue<'_>) -> bool {
    let mut seen = Vec::new();
    returned_statuses(function, &mut seen)
        .is_none_or(|s| s.iter().any(|&c| c != RETCODE_OK && c != RETCODE_NONE))
}

/// Every constant status `function` returns, or `None` if one is not a
/// constant this can see.
fn returned_statuses<'ctx>(
    function: inkwell::values::FunctionValue<'ctx>,
    seen: &mut Vec<inkwell::values::FunctionValue<'ctx>>,
) -> Option<Vec<i32>> {
    use inkwell::values::InstructionOpcode;
    if seen.contains(&function) {
        return Some(Vec::new()); // recursion: the other returns decide
    }
    seen.push(function);
    if function.count_basic_blocks() == 0 {
        return None; // a declaration: unknown
    }
    let mut out = Vec::new();
    for block in function.get_basic_blocks() {
        for inst in block.get_instructions() {
            if inst.get_opcode() == InstructionOpcode::Return {
                let value = inst.get_operand(0)?.value()?;
                out.extend(statuses_of(value, seen, 0)?);
            }
        }
    }
    Some(out)
}

fn statuses_of<'ctx>(
    value: inkwell::values::BasicValueEnum<'ctx>,
    seen: &mut Vec<inkwell::values::FunctionValue<'ctx>>,
    depth: usize,
) -> Option<Vec<i32>> {
    use inkwell::values::{BasicValueEnum, InstructionOpcode};
    let BasicValueEnum::IntValue(int) = value else {
        return None;
    };
    if int.is_const() {
        return Some(vec![int.get_sign_extended_constant()? as i32]);
    }
    let inst = int.as_instruction()?;
    if depth > 64 {
        return None;
    }
    let operands = |range: std::ops::Range<u32>, seen: &mut Vec<_>| {
        let mut out = Vec::new();
        for i in range {
            let v = inst.get_operand(i)?.value()?;
            out.extend(statuses_of(v, seen, depth + 1)?);
        }
        Some(out)
    };
    match inst.get_opcode() {
        InstructionOpcode::Phi => operands(0..inst.get_num_operands(), seen),
        InstructionOpcode::Select => operands(1..3, seen),
        InstructionOpcode::Call => {
            let callee = inkwell::values::CallSiteValue::try_from(inst)
                .ok()?
                .get_called_fn_value()?;
            returned_statuses(callee, seen)
        }
        _ => None,
    }
}
