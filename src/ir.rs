//! Small helpers over the LLVM module shared by the stages.

use std::collections::{BTreeSet, HashSet};
use std::ffi::CStr;

use inkwell::llvm_sys::core::{
    LLVMGetNumOperands, LLVMGetOperand, LLVMGetValueName2, LLVMIsAConstantExpr, LLVMIsAGlobalValue,
    LLVMIsAInstruction,
};
use inkwell::llvm_sys::prelude::LLVMValueRef;
use inkwell::module::Module;
use inkwell::values::{AsValueRef, FunctionValue};

pub(crate) fn value_name(v: LLVMValueRef) -> Option<String> {
    let mut len = 0usize;
    // SAFETY: `v` is a live value of the module being inspected.
    let ptr = unsafe { LLVMGetValueName2(v, &mut len) };
    if ptr.is_null() || len == 0 {
        return None;
    }
    // SAFETY: LLVM returns a NUL-terminated name of `len` bytes.
    Some(
        unsafe { CStr::from_ptr(ptr) }
            .to_string_lossy()
            .into_owned(),
    )
}

/// Collect the globals (functions and variables) `v` refers to, looking
/// through constant expressions. Operands that are instructions are not
/// followed: the caller visits every instruction itself, and following them
/// walks the def-use graph once per path (exponential in loops full of phis).
fn collect_globals(v: LLVMValueRef, out: &mut BTreeSet<String>, depth: u32) {
    // SAFETY: read-only queries on live values.
    unsafe {
        if !LLVMIsAGlobalValue(v).is_null() {
            out.extend(value_name(v));
            return;
        }
        if depth > 8
            || (depth == 0 && LLVMIsAInstruction(v).is_null())
            || (depth > 0 && LLVMIsAConstantExpr(v).is_null())
        {
            return;
        }
        for i in 0..LLVMGetNumOperands(v).max(0) as u32 {
            let op = LLVMGetOperand(v, i);
            if !op.is_null() {
                collect_globals(op, out, depth + 1);
            }
        }
    }
}

/// Names of the functions and globals the body of `f` refers to.
pub fn referenced_symbols(f: FunctionValue<'_>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for bb in f.get_basic_blocks() {
        for inst in bb.get_instructions() {
            collect_globals(inst.as_value_ref(), &mut out, 0);
        }
    }
    out
}

/// Every function reachable from `root` through direct references, `root`
/// included, in a stable order.
pub fn reachable_functions(module: &Module<'_>, root: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut order = Vec::new();
    let mut stack = vec![root.to_string()];
    while let Some(name) = stack.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let Some(f) = module.get_function(&name) else {
            continue;
        };
        order.push(name);
        for r in referenced_symbols(f) {
            if module.get_function(&r).is_some() && !seen.contains(&r) {
                stack.push(r);
            }
        }
    }
    order
}

/// Does the module hold `f`'s body (not just its declaration)?
pub fn is_defined(f: FunctionValue<'_>) -> bool {
    f.count_basic_blocks() > 0
}

/// Turn a definition into an external declaration, keeping every use of
/// the function valid: the body goes, the symbol stays for the linker.
pub fn make_declaration(f: FunctionValue<'_>) {
    for bb in f.get_basic_blocks() {
        // SAFETY: deleting all of a function's blocks leaves a declaration;
        // nothing outside the function refers to its blocks.
        let _ = unsafe { bb.delete() };
    }
    f.set_linkage(inkwell::module::Linkage::External);
}
