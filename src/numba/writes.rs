//! Which array arguments an entry point never writes to. A host that copies
//! an array into wasm memory for the call (a TypedArray in JS, a NumPy
//! array in the Python runtime) copies it back afterwards only if the kernel
//! may have written it: for kernels that only read their inputs, this halves
//! the copying per call.
//!
//! The export wrapper (`rewrite::exports`) loads argument slot `s` from
//! `args + 8 * s`; after optimization the kernel is usually inlined into it.
//! A data pointer loaded from its slot is only read when every value derived
//! from it (GEPs, casts, phis, selects, and integers from `ptrtoint` through
//! arithmetic) is only loaded from, compared or passed as the source of a
//! `memcpy`/`memmove`. A store through it, a store of it, a call that takes
//! it, a return of it or any other use counts as a write: unknown uses are
//! writes, so the answer errs only towards copying back.

use std::collections::HashSet;

use inkwell::llvm_sys::LLVMOpcode;
use inkwell::llvm_sys::LLVMTypeKind;
use inkwell::llvm_sys::core::{
    LLVMConstIntGetSExtValue, LLVMGetCalledValue, LLVMGetFirstUse, LLVMGetGEPSourceElementType,
    LLVMGetInstructionOpcode, LLVMGetIntTypeWidth, LLVMGetNextUse, LLVMGetNumOperands,
    LLVMGetOperand, LLVMGetTypeKind, LLVMGetUser, LLVMIsAConstantInt, LLVMIsAFunction,
    LLVMIsAInstruction,
};
use inkwell::llvm_sys::prelude::LLVMValueRef;
use inkwell::values::{AsValueRef, FunctionValue};

/// Whether the export wrapper `wrapper` (after optimization) only reads
/// through the pointer in argument slot `slot`.
pub fn slot_only_read(wrapper: FunctionValue<'_>, slot: usize) -> bool {
    let Some(args) = wrapper.get_nth_param(0) else {
        return false;
    };
    let Some(loads) = slot_loads(args.as_value_ref(), 8 * slot as i64) else {
        return false;
    };
    let mut walk = Walk::default();
    loads.into_iter().all(|l| walk.pointer(l))
}

fn users(v: LLVMValueRef) -> Vec<LLVMValueRef> {
    let mut out = Vec::new();
    // SAFETY: `v` is a live value; its use list is walked read-only.
    unsafe {
        let mut u = LLVMGetFirstUse(v);
        while !u.is_null() {
            out.push(LLVMGetUser(u));
            u = LLVMGetNextUse(u);
        }
    }
    out
}

fn opcode(inst: LLVMValueRef) -> Option<LLVMOpcode> {
    // SAFETY: checked to be an instruction first.
    unsafe { (!LLVMIsAInstruction(inst).is_null()).then(|| LLVMGetInstructionOpcode(inst)) }
}

fn operand(inst: LLVMValueRef, i: u32) -> LLVMValueRef {
    // SAFETY: callers index below the operand count.
    unsafe { LLVMGetOperand(inst, i) }
}

fn operand_count(inst: LLVMValueRef) -> u32 {
    // SAFETY: `inst` is a live user.
    unsafe { LLVMGetNumOperands(inst) as u32 }
}

/// The loads of the slot at byte `offset` of the argument buffer `args`:
/// `load args` for offset 0, `load (gep i8, args, offset)` otherwise. None
/// if `args` has a use this cannot place (then no slot is judged read-only).
fn slot_loads(args: LLVMValueRef, offset: i64) -> Option<Vec<LLVMValueRef>> {
    let mut out = Vec::new();
    for user in users(args) {
        match opcode(user)? {
            LLVMOpcode::LLVMLoad if offset == 0 => out.push(user),
            LLVMOpcode::LLVMLoad => {}
            LLVMOpcode::LLVMGetElementPtr => {
                if operand(user, 0) != args || gep_byte_offset(user)? != offset {
                    continue;
                }
                for load in users(user) {
                    if opcode(load)? != LLVMOpcode::LLVMLoad {
                        return None;
                    }
                    out.push(load);
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

/// The constant byte offset of `gep i8, ptr, C`, else None.
fn gep_byte_offset(gep: LLVMValueRef) -> Option<i64> {
    // SAFETY: `gep` is a GetElementPtr instruction; its operands are live.
    unsafe {
        let ty = LLVMGetGEPSourceElementType(gep);
        let byte = LLVMGetTypeKind(ty) == LLVMTypeKind::LLVMIntegerTypeKind
            && LLVMGetIntTypeWidth(ty) == 8;
        let index = operand(gep, 1);
        (byte && operand_count(gep) == 2 && !LLVMIsAConstantInt(index).is_null())
            .then(|| LLVMConstIntGetSExtValue(index))
    }
}

/// Intrinsics that read through a pointer argument or only describe it;
/// `memcpy`/`memmove` are judged by operand.
const HARMLESS_INTRINSICS: [&str; 8] = [
    "llvm.lifetime.",
    "llvm.assume",
    "llvm.prefetch",
    "llvm.experimental.noalias.scope.decl",
    "llvm.invariant.",
    "llvm.objectsize.",
    "llvm.masked.load.",
    "llvm.masked.gather.",
];

fn called_name(call: LLVMValueRef) -> Option<String> {
    // SAFETY: `call` is a call instruction.
    let callee = unsafe { LLVMGetCalledValue(call) };
    // SAFETY: checked to be a function before naming it.
    if unsafe { LLVMIsAFunction(callee) }.is_null() {
        return None;
    }
    crate::ir::value_name(callee)
}

#[derive(Default)]
struct Walk {
    seen: HashSet<LLVMValueRef>,
}

impl Walk {
    /// Whether pointer `p` (derived from a slot's data pointer) is only read.
    fn pointer(&mut self, p: LLVMValueRef) -> bool {
        if !self.seen.insert(p) {
            return true;
        }
        users(p).into_iter().all(|u| {
            let Some(op) = opcode(u) else {
                return false; // a constant expression or metadata: unknown
            };
            match op {
                LLVMOpcode::LLVMLoad | LLVMOpcode::LLVMICmp => true,
                LLVMOpcode::LLVMGetElementPtr => operand(u, 0) != p || self.pointer(u),
                LLVMOpcode::LLVMBitCast
                | LLVMOpcode::LLVMAddrSpaceCast
                | LLVMOpcode::LLVMPHI
                | LLVMOpcode::LLVMFreeze
                | LLVMOpcode::LLVMInsertElement
                | LLVMOpcode::LLVMExtractElement
                | LLVMOpcode::LLVMShuffleVector => self.pointer(u),
                LLVMOpcode::LLVMSelect => operand(u, 0) != p && self.pointer(u),
                LLVMOpcode::LLVMPtrToInt => self.integer(u),
                LLVMOpcode::LLVMCall => self.call_reads(u, p),
                _ => false,
            }
        })
    }

    /// Whether integer `v` (an address of a slot's data) never becomes a
    /// pointer that is written, nor leaves through memory, calls or returns.
    fn integer(&mut self, v: LLVMValueRef) -> bool {
        if !self.seen.insert(v) {
            return true;
        }
        users(v).into_iter().all(|u| {
            let Some(op) = opcode(u) else {
                return false;
            };
            use LLVMOpcode::*;
            match op {
                LLVMICmp | LLVMSwitch | LLVMBr => true,
                LLVMIntToPtr => self.pointer(u),
                LLVMAdd | LLVMSub | LLVMMul | LLVMAnd | LLVMOr | LLVMXor | LLVMShl | LLVMLShr
                | LLVMAShr | LLVMUDiv | LLVMSDiv | LLVMURem | LLVMSRem | LLVMTrunc | LLVMZExt
                | LLVMSExt | LLVMPHI | LLVMSelect | LLVMFreeze => self.integer(u),
                _ => false,
            }
        })
    }

    /// Whether `call` only reads through `p`, one of its arguments.
    fn call_reads(&mut self, call: LLVMValueRef, p: LLVMValueRef) -> bool {
        let Some(name) = called_name(call) else {
            return false;
        };
        if HARMLESS_INTRINSICS.iter().any(|h| name.starts_with(h)) {
            return true;
        }
        if name.starts_with("llvm.memcpy.") || name.starts_with("llvm.memmove.") {
            return operand(call, 0) != p; // the destination is written
        }
        false
    }
}
