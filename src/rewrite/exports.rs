//! One exported function per entry point, with a host-friendly signature:
//! `i32 nw_entry_K(ptr args, ptr retptr, ptr excinfo)`. The host writes the
//! flattened arguments into 8-byte slots at `args`; the wrapper loads each
//! with the entry's own parameter type and calls the Numba function, so
//! no 64-bit value crosses the JS boundary as a BigInt.

use anyhow::{Context as _, Result};
use inkwell::module::{Linkage, Module};
use inkwell::values::{
    BasicMetadataValueEnum, BasicValue, BasicValueEnum, FunctionValue, PointerValue, ValueKind,
};

use crate::ir::is_defined;
use crate::numba::entry::Entry;

pub const EXPORT_PREFIX: &str = "nw_entry_";

pub fn add_entry_exports(module: &Module<'_>, entries: &[Entry]) -> Result<Vec<String>> {
    let ctx = module.get_context();
    let ptr = ctx.ptr_type(Default::default());
    let i32t = ctx.i32_type();
    let i64t = ctx.i64_type();
    let wrapper_ty = i32t.fn_type(&[ptr.into(), ptr.into(), ptr.into()], false);
    let builder = ctx.create_builder();
    // After a user exception (status >= 1), a dynamic excinfo becomes an
    // ordinary one (see `dynexc.rs`); only modules that can raise one pay.
    let finish = super::dynexc::has_dynamic_exceptions(module).then(|| {
        let ty = ctx.void_type().fn_type(&[ptr.into()], false);
        module
            .get_function("nw_exc_finish")
            .unwrap_or_else(|| module.add_function("nw_exc_finish", ty, Some(Linkage::External)))
    });
    let mut names = Vec::new();
    for (k, entry) in entries.iter().enumerate() {
        let callee = module
            .get_function(&entry.symbol)
            .with_context(|| format!("entry `{}` vanished from the module", entry.qualname))?;
        let name = format!("{EXPORT_PREFIX}{k}");
        let wrapper = module.add_function(&name, wrapper_ty, Some(Linkage::External));
        let [args, retptr, excinfo] = [0, 1, 2].map(|i| {
            wrapper
                .get_nth_param(i)
                .expect("3 params")
                .into_pointer_value()
        });
        builder.position_at_end(ctx.append_basic_block(wrapper, "entry"));
        let mut call_args: Vec<BasicMetadataValueEnum<'_>> = vec![retptr.into(), excinfo.into()];
        for (i, ty) in callee
            .get_params()
            .iter()
            .map(|p| p.get_type())
            .enumerate()
            .skip(2)
        {
            let offset = i64t.const_int(8 * (i as u64 - 2), false);
            // SAFETY: byte GEP inside the host-allocated argument buffer.
            let slot = unsafe { builder.build_gep(ctx.i8_type(), args, &[offset], "slot")? };
            let value = builder.build_load(ty, slot, "arg")?;
            value
                .as_instruction_value()
                .expect("load")
                .set_alignment(8)
                .ok();
            call_args.push(value.into());
        }
        let status = builder.build_call(callee, &call_args, "status")?;
        let ValueKind::Basic(status) = status.try_as_basic_value() else {
            anyhow::bail!("Numba entry `{}` returns no status", entry.qualname);
        };
        let status = if super::parallel::runs_parfors(module, &entry.symbol) {
            let taken = take_parfor_exception(module, wrapper, entry, status, retptr, excinfo)?;
            builder.position_at_end(wrapper.get_last_basic_block().expect("a block"));
            taken
        } else {
            status
        };
        if let Some(finish) = finish {
            let raised = ctx.append_basic_block(wrapper, "raised");
            let done = ctx.append_basic_block(wrapper, "done");
            let user = builder.build_int_compare(
                inkwell::IntPredicate::SGT,
                status.into_int_value(),
                i32t.const_zero(),
                "user_exc",
            )?;
            builder.build_conditional_branch(user, raised, done)?;
            builder.position_at_end(raised);
            builder.build_call(finish, &[excinfo.into()], "")?;
            builder.build_unconditional_branch(done)?;
            builder.position_at_end(done);
        }
        builder.build_return(Some(&status))?;
        names.push(name);
    }
    Ok(names)
}

/// After an entry that runs parfors: an exception raised in a parfor body
/// (kept by the shim, see `parallel.rs`) becomes the call's exception when
/// the kernel returned normally; the value it returned is then released
/// (its arrays' and strings' references dropped), as the host will not
/// read it. Returns the status to report.
fn take_parfor_exception<'ctx>(
    module: &Module<'ctx>,
    wrapper: FunctionValue<'ctx>,
    entry: &Entry,
    status: BasicValueEnum<'ctx>,
    retptr: PointerValue<'ctx>,
    excinfo: PointerValue<'ctx>,
) -> Result<BasicValueEnum<'ctx>> {
    let ctx = module.get_context();
    let ptr = ctx.ptr_type(Default::default());
    let i32t = ctx.i32_type();
    let builder = ctx.create_builder();
    builder.position_at_end(wrapper.get_last_basic_block().expect("entry block"));
    let take = module.get_function("nw_parfor_take").unwrap_or_else(|| {
        let ty = i32t.fn_type(&[i32t.into(), ptr.into()], false);
        module.add_function("nw_parfor_take", ty, Some(Linkage::External))
    });
    let taken = builder.build_call(take, &[status.into(), excinfo.into()], "taken")?;
    let ValueKind::Basic(taken) = taken.try_as_basic_value() else {
        unreachable!("nw_parfor_take returns the status")
    };
    let refs = crate::abi::owned_references(&entry.ret);
    if refs.is_empty() {
        return Ok(taken);
    }
    let decref = module.get_function("NRT_decref").unwrap_or_else(|| {
        let ty = ctx.void_type().fn_type(&[ptr.into()], false);
        module.add_function("NRT_decref", ty, Some(Linkage::External))
    });
    let ok = builder.build_int_compare(
        inkwell::IntPredicate::EQ,
        status.into_int_value(),
        i32t.const_zero(),
        "returned",
    )?;
    let raised = builder.build_int_compare(
        inkwell::IntPredicate::NE,
        taken.into_int_value(),
        i32t.const_zero(),
        "raised",
    )?;
    let drop_value = builder.build_and(ok, raised, "drop_value")?;
    let release = ctx.append_basic_block(wrapper, "release");
    let done = ctx.append_basic_block(wrapper, "released");
    builder.build_conditional_branch(drop_value, release, done)?;
    builder.position_at_end(release);
    let i8t = ctx.i8_type();
    let at = |offset: u64| -> Result<PointerValue<'ctx>> {
        let off = ctx.i64_type().const_int(offset, false);
        // SAFETY: byte GEP inside the returned value behind `retptr`.
        Ok(unsafe { builder.build_gep(i8t, retptr, &[off], "field")? })
    };
    for (meminfo, valid) in refs {
        let next = ctx.append_basic_block(wrapper, "release_next");
        if let Some(valid) = valid {
            let flag = builder
                .build_load(i8t, at(valid)?, "valid")?
                .into_int_value();
            let present = builder.build_int_compare(
                inkwell::IntPredicate::NE,
                flag,
                i8t.const_zero(),
                "present",
            )?;
            let one = ctx.append_basic_block(wrapper, "release_one");
            builder.build_conditional_branch(present, one, next)?;
            builder.position_at_end(one);
        }
        let mi = builder.build_load(ptr, at(meminfo)?, "meminfo")?;
        builder.build_call(decref, &[mi.into()], "")?;
        builder.build_unconditional_branch(next)?;
        builder.position_at_end(next);
    }
    builder.build_unconditional_branch(done)?;
    if let Some(last) = wrapper.get_last_basic_block() {
        done.move_after(last).ok();
    }
    Ok(taken)
}

/// Give every definition except the exports internal linkage, so the
/// optimizer can inline the Numba functions into the exports and drop all
/// that no export reaches (CPython glue, environment globals, helpers).
pub fn internalize_all_but(module: &Module<'_>, exports: &[String]) {
    for f in module.get_functions() {
        let keep = f
            .get_name()
            .to_str()
            .is_ok_and(|n| exports.iter().any(|e| e == n));
        if is_defined(f) && !keep {
            f.set_linkage(Linkage::Internal);
        }
    }
    for g in module.get_globals() {
        if g.get_initializer().is_some() {
            g.set_linkage(Linkage::Internal);
        }
    }
}
