//! Element destructors handed to `NRT_MemInfo_new_varsize_dtor`.
//!
//! NRT calls them as `void (void *data)` (nrt.cpp `nrt_varsize_dtor`), and
//! the reflected list's `.dtor.list.*` has that type. Numba's set
//! (cpython/setobj.py `_imp_dtor`) defines `.dtor.set.*` as
//! `void (void *, size_t, void *)` instead and passes it all the same: on
//! x86-64 the two extra arguments are whatever is in their registers and the
//! function ignores them, but a wasm `call_indirect` checks the type and
//! traps. Each such destructor is given a `void (ptr)` thunk that calls it
//! with the data pointer, zero and null, and the thunk is passed instead.

use inkwell::llvm_sys::core::{
    LLVMGetConstOpcode, LLVMGetOperand, LLVMIsAConstantExpr, LLVMIsAFunction,
};
use inkwell::llvm_sys::prelude::LLVMValueRef;
use inkwell::module::{Linkage, Module};
use inkwell::types::{BasicMetadataTypeEnum, BasicTypeEnum};
use inkwell::values::{
    AsValueRef, BasicMetadataValueEnum, BasicValue, CallSiteValue, FunctionValue, InstructionValue,
};

const NEW_VARSIZE_DTOR: &str = "NRT_MemInfo_new_varsize_dtor";

pub fn element_dtors(module: &Module<'_>) {
    let calls: Vec<InstructionValue<'_>> = module
        .get_functions()
        .flat_map(|f| f.get_basic_blocks())
        .flat_map(|bb| bb.get_instructions())
        .filter(|inst| {
            CallSiteValue::try_from(*inst)
                .ok()
                .and_then(|c| c.get_called_fn_value())
                .is_some_and(|f| f.get_name().to_bytes() == NEW_VARSIZE_DTOR.as_bytes())
        })
        .collect();
    for call in calls {
        fix_call(module, call);
    }
}

/// The function `v` is, through pointer casts (typed-pointer IR passes
/// `bitcast (void (i8*, i64, i8*)* @f to i8*)`).
fn function_behind<'ctx>(
    module: &Module<'ctx>,
    mut v: LLVMValueRef,
) -> Option<FunctionValue<'ctx>> {
    use inkwell::llvm_sys::LLVMOpcode;
    // SAFETY: read-only queries on live values of `module`.
    unsafe {
        while !LLVMIsAConstantExpr(v).is_null()
            && matches!(
                LLVMGetConstOpcode(v),
                LLVMOpcode::LLVMBitCast | LLVMOpcode::LLVMAddrSpaceCast
            )
        {
            v = LLVMGetOperand(v, 0);
        }
        if LLVMIsAFunction(v).is_null() {
            return None;
        }
    }
    // SAFETY: `v` is a function of `module` (checked above).
    let f = unsafe { FunctionValue::new(v) }?;
    let name = f.get_name().to_str().ok()?;
    module.get_function(name)
}

fn fix_call<'ctx>(module: &Module<'ctx>, call: InstructionValue<'ctx>) {
    // Operands: size, dtor, callee.
    let Some(arg) = call.get_operand(1).and_then(|o| o.value()) else {
        return;
    };
    let Some(dtor) = function_behind(module, arg.as_value_ref()) else {
        return;
    };
    let ty = dtor.get_type();
    let params = ty.get_param_types();
    if params.len() == 1 && ty.get_return_type().is_none() {
        return; // already `void (ptr)`
    }
    let Some(first) = params.first().copied() else {
        return;
    };
    let thunk = thunk_for(module, dtor, first, &params);
    let ptr = thunk
        .as_global_value()
        .as_pointer_value()
        .const_cast(arg.into_pointer_value().get_type());
    call.set_operand(1, ptr.as_basic_value_enum());
}

/// `void <name>.nw_elem(ptr p) { <name>(p, 0, null...); }`, made once.
fn thunk_for<'ctx>(
    module: &Module<'ctx>,
    dtor: FunctionValue<'ctx>,
    first: BasicMetadataTypeEnum<'ctx>,
    params: &[BasicMetadataTypeEnum<'ctx>],
) -> FunctionValue<'ctx> {
    let name = format!("{}.nw_elem", dtor.get_name().to_string_lossy());
    if let Some(f) = module.get_function(&name) {
        return f;
    }
    let ctx = module.get_context();
    let thunk = module.add_function(
        &name,
        ctx.void_type().fn_type(&[first], false),
        Some(Linkage::Internal),
    );
    let builder = ctx.create_builder();
    builder.position_at_end(ctx.append_basic_block(thunk, "entry"));
    let mut args: Vec<BasicMetadataValueEnum<'ctx>> =
        vec![thunk.get_nth_param(0).expect("one parameter").into()];
    for p in &params[1..] {
        let ty = BasicTypeEnum::try_from(*p).expect("a first-class parameter type");
        args.push(ty.const_zero().into());
    }
    builder
        .build_call(dtor, &args, "")
        .expect("builder positioned");
    builder.build_return(None).expect("builder positioned");
    thunk
}

#[cfg(test)]
mod tests {
    use inkwell::context::Context;
    use inkwell::memory_buffer::MemoryBuffer;
    use inkwell::values::AnyValue;

    /// The shape of setobj.py's IR: a three-parameter dtor passed as an
    /// element dtor, next to a list's one-parameter dtor.
    const IR: &str = r#"
declare ptr @NRT_MemInfo_new_varsize_dtor(i64, ptr)
define linkonce_odr void @.dtor.set.int64(ptr %p, i64 %s, ptr %i) { ret void }
define linkonce_odr void @.dtor.list.int64(ptr %p) { ret void }
define ptr @make_set() {
  %m = call ptr @NRT_MemInfo_new_varsize_dtor(i64 64, ptr @.dtor.set.int64)
  %n = call ptr @NRT_MemInfo_new_varsize_dtor(i64 64, ptr @.dtor.set.int64)
  ret ptr %m
}
define ptr @make_list() {
  %m = call ptr @NRT_MemInfo_new_varsize_dtor(i64 64, ptr @.dtor.list.int64)
  ret ptr %m
}
"#;

    #[test]
    fn set_dtor_is_called_through_a_one_parameter_thunk() {
        let ctx = Context::create();
        let buf = MemoryBuffer::create_from_memory_range_copy(IR.as_bytes(), "t");
        let module = ctx.create_module_from_ir(buf).unwrap();
        super::element_dtors(&module);
        module.verify().unwrap();
        let thunk = module
            .get_function(".dtor.set.int64.nw_elem")
            .expect("a thunk");
        assert_eq!(thunk.count_params(), 1);
        assert!(thunk.get_type().get_return_type().is_none());
        let body = thunk.print_to_string().to_string();
        assert!(
            body.contains("call void @.dtor.set.int64(ptr %0, i64 0, ptr null)"),
            "{body}"
        );
        let text = module.print_to_string().to_string();
        assert_eq!(
            text.matches("ptr @.dtor.set.int64.nw_elem)").count(),
            2,
            "{text}"
        );
        // Already the right type: left alone, no thunk.
        assert!(text.contains("(i64 64, ptr @.dtor.list.int64)"), "{text}");
        assert!(module.get_function(".dtor.list.int64.nw_elem").is_none());
    }
}
