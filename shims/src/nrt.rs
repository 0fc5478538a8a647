//! Numba's NRT (`core/runtime/nrt.cpp`, `nrtdynmod.py`) for wasm32.
//!
//! Signatures mirror the LLVM declarations Numba emits (`context.py`):
//! `size_t`/`intp` is i64 (`u64` here), `unsigned align` is i32, pointers are
//! i32. A function pointer stored in memory is a wasm table index; it is
//! called through the exact wasm signature Numba defines for it.
//! wasm is single-threaded, so Numba's atomics become plain arithmetic.

use crate::{Global, Slot, alloc, trap};

/// `NRT_dtor_function`: `void (void *data, size_t size, void *info)`.
type DtorFn = unsafe extern "C" fn(*mut u8, u64, *mut u8);
/// Element dtor of varsize objects (`nrt_varsize_dtor`): `void (void *)`.
type ElemDtorFn = unsafe extern "C" fn(*mut u8);
/// `NRT_managed_dtor`: `void (void *data)`.
type ManagedDtorFn = unsafe extern "C" fn(*mut u8);
/// `NRT_ExternalAllocator` members.
type ExtMallocFn = unsafe extern "C" fn(u64, *mut u8) -> *mut u8;
type ExtFreeFn = unsafe extern "C" fn(*mut u8, *mut u8);

/// `struct MemInfo` of nrt.cpp with x86-64 offsets (see docs/ABI.md); the IR
/// sees the first five fields.
#[repr(C)]
pub struct MemInfo {
    pub refct: u64,
    pub dtor: Slot<u8>,
    pub dtor_info: Slot<u8>,
    pub data: Slot<u8>,
    pub size: u64,
    pub external_allocator: Slot<ExternalAllocator>,
}

/// `NRT_ExternalAllocator`: `{ malloc, realloc, free, opaque_data }`.
#[repr(C)]
pub struct ExternalAllocator {
    pub malloc: Slot<u8>,
    pub realloc: Slot<u8>,
    pub free: Slot<u8>,
    pub opaque_data: Slot<u8>,
}

const _: () = {
    use crate::layout::*;
    use core::mem::{offset_of, size_of};
    assert!(size_of::<MemInfo>() == MEMINFO_SIZE_OF);
    assert!(offset_of!(MemInfo, refct) == MEMINFO_REFCT);
    assert!(offset_of!(MemInfo, dtor) == MEMINFO_DTOR);
    assert!(offset_of!(MemInfo, dtor_info) == MEMINFO_DTOR_INFO);
    assert!(offset_of!(MemInfo, data) == MEMINFO_DATA);
    assert!(offset_of!(MemInfo, size) == MEMINFO_SIZE);
    assert!(offset_of!(MemInfo, external_allocator) == MEMINFO_EXTERNAL_ALLOCATOR);
    assert!(size_of::<ExternalAllocator>() == 4 * POINTER_SLOT);
};

const MEMINFO_SIZE: u64 = core::mem::size_of::<MemInfo>() as u64;

/// Function pointer -> the pointer-sized value stored in a slot.
fn fn_slot(f: DtorFn) -> Slot<u8> {
    Slot(f as *mut u8)
}

/// # Safety
/// `p` must be a table index of a function with signature `F`.
unsafe fn as_fn<F: Copy>(p: *mut u8) -> F {
    debug_assert!(core::mem::size_of::<F>() == core::mem::size_of::<*mut u8>());
    // SAFETY: fn pointers and data pointers are both a u32 on wasm32.
    unsafe { core::mem::transmute_copy(&p) }
}

// ---------------------------------------------------------------------------
// Low-level allocation (NRT_Allocate & co)

/// `void *NRT_Allocate(size_t)`: malloc-like, 8-aligned.
#[unsafe(no_mangle)]
pub extern "C" fn NRT_Allocate(size: u64) -> *mut u8 {
    alloc::alloc(size, alloc::MIN_ALIGN)
}

/// `void *NRT_Allocate_External(size_t, NRT_ExternalAllocator *)`.
///
/// # Safety
/// `allocator` must be null or a valid `NRT_ExternalAllocator`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn NRT_Allocate_External(
    size: u64,
    allocator: *mut ExternalAllocator,
) -> *mut u8 {
    if allocator.is_null() {
        return NRT_Allocate(size);
    }
    // SAFETY: caller passes a valid allocator whose `malloc` has this type.
    unsafe {
        let a = &*allocator;
        as_fn::<ExtMallocFn>(a.malloc.0)(size, a.opaque_data.0)
    }
}

/// `void *NRT_Reallocate(void *, size_t)`.
///
/// # Safety
/// `ptr` must be null or come from `NRT_Allocate`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn NRT_Reallocate(ptr: *mut u8, size: u64) -> *mut u8 {
    // SAFETY: forwarded contract.
    unsafe { alloc::realloc(ptr, size) }
}

/// `void NRT_Free(void *)`.
///
/// # Safety
/// `ptr` must be null or come from `NRT_Allocate`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn NRT_Free(ptr: *mut u8) {
    // SAFETY: forwarded contract.
    unsafe { alloc::free(ptr) }
}

// ---------------------------------------------------------------------------
// MemInfo construction

/// `NRT_MemInfo_init`: refct starts at 1.
///
/// # Safety
/// `mi` must point to 48 writable bytes.
unsafe fn meminfo_init(
    mi: *mut MemInfo,
    data: *mut u8,
    size: u64,
    dtor: Slot<u8>,
    dtor_info: *mut u8,
    external_allocator: *mut ExternalAllocator,
) {
    // SAFETY: caller guarantees `mi` is writable.
    unsafe {
        mi.write(MemInfo {
            refct: 1,
            dtor,
            dtor_info: Slot(dtor_info),
            data: Slot(data),
            size,
            external_allocator: Slot(external_allocator),
        })
    };
}

/// One block holding the MemInfo, then the data aligned to `align`
/// (`nrt_allocate_meminfo_and_data[_align]`): freeing the MemInfo frees
/// the data with it.
fn alloc_meminfo_and_data(size: u64, align: u32) -> (*mut MemInfo, *mut u8) {
    let null = (core::ptr::null_mut(), core::ptr::null_mut());
    let align = align.max(1);
    if align.is_power_of_two() && align <= alloc::MAX_ALIGN {
        // Block aligned to `align`, data at the first aligned offset >= 48.
        let head = MEMINFO_SIZE.next_multiple_of(align as u64);
        let Some(total) = size.checked_add(head) else {
            return null;
        };
        let base = alloc::alloc(total, align.max(8));
        if base.is_null() {
            return null;
        }
        // SAFETY: `head < total`, inside the block.
        (base as *mut MemInfo, unsafe { base.add(head as usize) })
    } else {
        // Odd alignments: pad by `align` and round up, as nrt.cpp does.
        let Some(total) = size.checked_add(MEMINFO_SIZE + align as u64) else {
            return null;
        };
        let base = alloc::alloc(total, alloc::MIN_ALIGN);
        if base.is_null() {
            return null;
        }
        let first = base as u64 + MEMINFO_SIZE;
        let data = first.next_multiple_of(align as u64);
        (base as *mut MemInfo, data as usize as *mut u8)
    }
}

fn meminfo_alloc(size: u64, align: u32, dtor: Slot<u8>, dtor_info: *mut u8) -> *mut MemInfo {
    let (mi, data) = alloc_meminfo_and_data(size, align);
    if !mi.is_null() {
        // SAFETY: `mi` is a fresh block of at least 48 bytes.
        unsafe { meminfo_init(mi, data, size, dtor, dtor_info, core::ptr::null_mut()) };
    }
    mi
}

/// `nrt_internal_dtor_safe`: poison freed data (debug allocations).
unsafe extern "C" fn nrt_internal_dtor_safe(ptr: *mut u8, size: u64, _info: *mut u8) {
    // SAFETY: `ptr` is the MemInfo's data, `size` bytes long.
    unsafe { core::ptr::write_bytes(ptr, 0xDE, size as usize) };
}

/// `nrt_internal_custom_dtor`: `info` is the user dtor, called as
/// `dtor(data, size, NULL)`.
unsafe extern "C" fn nrt_internal_custom_dtor(ptr: *mut u8, size: u64, info: *mut u8) {
    if !info.is_null() {
        // SAFETY: `info` was stored from a `NRT_dtor_function`.
        unsafe { as_fn::<DtorFn>(info)(ptr, size, core::ptr::null_mut()) };
    }
}

/// `nrt_internal_custom_dtor_safe`: user dtor, then poison.
unsafe extern "C" fn nrt_internal_custom_dtor_safe(ptr: *mut u8, size: u64, info: *mut u8) {
    // SAFETY: as for the two dtors above.
    unsafe {
        nrt_internal_custom_dtor(ptr, size, info);
        nrt_internal_dtor_safe(ptr, size, core::ptr::null_mut());
    }
}

/// `NRT_MemInfo *NRT_MemInfo_alloc(size_t)`.
#[unsafe(no_mangle)]
pub extern "C" fn NRT_MemInfo_alloc(size: u64) -> *mut MemInfo {
    meminfo_alloc(size, alloc::MIN_ALIGN, Slot::NULL, core::ptr::null_mut())
}

/// `NRT_MemInfo *NRT_MemInfo_alloc_aligned(size_t, unsigned)`.
#[unsafe(no_mangle)]
pub extern "C" fn NRT_MemInfo_alloc_aligned(size: u64, align: u32) -> *mut MemInfo {
    meminfo_alloc(size, align, Slot::NULL, core::ptr::null_mut())
}

/// `NRT_MemInfo *NRT_MemInfo_alloc_dtor(size_t, NRT_dtor_function)`.
#[unsafe(no_mangle)]
pub extern "C" fn NRT_MemInfo_alloc_dtor(size: u64, dtor: *mut u8) -> *mut MemInfo {
    meminfo_alloc(
        size,
        alloc::MIN_ALIGN,
        fn_slot(nrt_internal_custom_dtor),
        dtor,
    )
}

/// `NRT_MemInfo_alloc_safe` (NUMBA_DEBUG_NRT): data filled with 0xCB.
#[unsafe(no_mangle)]
pub extern "C" fn NRT_MemInfo_alloc_safe(size: u64) -> *mut MemInfo {
    NRT_MemInfo_alloc_dtor_safe(size, core::ptr::null_mut())
}

/// `NRT_MemInfo_alloc_dtor_safe(size_t, NRT_dtor_function)`.
#[unsafe(no_mangle)]
pub extern "C" fn NRT_MemInfo_alloc_dtor_safe(size: u64, dtor: *mut u8) -> *mut MemInfo {
    let mi = meminfo_alloc(
        size,
        alloc::MIN_ALIGN,
        fn_slot(nrt_internal_custom_dtor_safe),
        dtor,
    );
    fill_debug(mi, size);
    mi
}

/// `NRT_MemInfo_alloc_safe_aligned(size_t, unsigned)`: `dtor_info` holds
/// the size, as in nrt.cpp.
#[unsafe(no_mangle)]
pub extern "C" fn NRT_MemInfo_alloc_safe_aligned(size: u64, align: u32) -> *mut MemInfo {
    let mi = meminfo_alloc(
        size,
        align,
        fn_slot(nrt_internal_dtor_safe),
        size as usize as *mut u8,
    );
    fill_debug(mi, size);
    mi
}

fn fill_debug(mi: *mut MemInfo, size: u64) {
    if !mi.is_null() {
        // SAFETY: a fresh MemInfo with `size` bytes of data.
        unsafe { core::ptr::write_bytes((*mi).data.0, 0xCB, size as usize) };
    }
}

/// `NRT_MemInfo *NRT_MemInfo_new(void *data, size_t size,
/// NRT_dtor_function dtor, void *dtor_info)`: MemInfo for foreign data.
///
/// # Safety
/// `dtor` must be null or a `NRT_dtor_function` that accepts `data`,
/// `size` and `dtor_info`; it runs when the refct drops to 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn NRT_MemInfo_new(
    data: *mut u8,
    size: u64,
    dtor: *mut u8,
    dtor_info: *mut u8,
) -> *mut MemInfo {
    let mi = NRT_Allocate(MEMINFO_SIZE) as *mut MemInfo;
    if !mi.is_null() {
        // SAFETY: a fresh 48-byte block.
        unsafe { meminfo_init(mi, data, size, Slot(dtor), dtor_info, core::ptr::null_mut()) };
    }
    mi
}

/// `NRT_MemInfo *NRT_MemInfo_alloc_external(size_t, NRT_ExternalAllocator *)`.
///
/// # Safety
/// `allocator` must be null or a valid `NRT_ExternalAllocator`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn NRT_MemInfo_alloc_external(
    size: u64,
    allocator: *mut ExternalAllocator,
) -> *mut MemInfo {
    let Some(total) = size.checked_add(MEMINFO_SIZE) else {
        return core::ptr::null_mut();
    };
    // SAFETY: forwarded contract.
    let mi = unsafe { NRT_Allocate_External(total, allocator) } as *mut MemInfo;
    if !mi.is_null() {
        // SAFETY: a fresh block of `48 + size` bytes.
        unsafe {
            let data = (mi as *mut u8).add(MEMINFO_SIZE as usize);
            meminfo_init(mi, data, size, Slot::NULL, core::ptr::null_mut(), allocator);
        }
    }
    mi
}

// ---------------------------------------------------------------------------
// MemInfo lifetime

/// `NRT_dealloc` + `NRT_MemInfo_destroy`: free the MemInfo block.
///
/// # Safety
/// `mi` must be a live MemInfo.
unsafe fn meminfo_destroy(mi: *mut MemInfo) {
    // SAFETY: caller passes a live MemInfo.
    unsafe {
        let ext = (*mi).external_allocator.0;
        if ext.is_null() {
            alloc::free(mi as *mut u8);
        } else {
            as_fn::<ExtFreeFn>((*ext).free.0)(mi as *mut u8, (*ext).opaque_data.0);
        }
    }
}

/// `void NRT_MemInfo_call_dtor(NRT_MemInfo *)`: run the dtor on the data,
/// then free the MemInfo (and the data, when allocated with it).
///
/// # Safety
/// `mi` must be a live MemInfo whose refct just reached 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn NRT_MemInfo_call_dtor(mi: *mut MemInfo) {
    // SAFETY: caller passes a live MemInfo; `dtor` is a `NRT_dtor_function`.
    unsafe {
        let m = &*mi;
        if !m.dtor.0.is_null() {
            as_fn::<DtorFn>(m.dtor.0)(m.data.0, m.size, m.dtor_info.0);
        }
        meminfo_destroy(mi);
    }
}

/// `void NRT_MemInfo_acquire(NRT_MemInfo *)`.
///
/// # Safety
/// `mi` must be a live MemInfo.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn NRT_MemInfo_acquire(mi: *mut MemInfo) {
    // SAFETY: caller passes a live MemInfo.
    unsafe { (*mi).refct += 1 };
}

/// `void NRT_MemInfo_release(NRT_MemInfo *)`: decref, dtor at 0.
///
/// # Safety
/// `mi` must be a live MemInfo.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn NRT_MemInfo_release(mi: *mut MemInfo) {
    // SAFETY: caller passes a live MemInfo.
    unsafe {
        (*mi).refct -= 1;
        if (*mi).refct == 0 {
            NRT_MemInfo_call_dtor(mi);
        }
    }
}

/// `void *NRT_MemInfo_data(NRT_MemInfo *)`.
///
/// # Safety
/// `mi` must be a live MemInfo.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn NRT_MemInfo_data(mi: *mut MemInfo) -> *mut u8 {
    // SAFETY: caller passes a live MemInfo.
    unsafe { (*mi).data.0 }
}

/// `size_t NRT_MemInfo_size(NRT_MemInfo *)`.
///
/// # Safety
/// `mi` must be a live MemInfo.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn NRT_MemInfo_size(mi: *mut MemInfo) -> u64 {
    // SAFETY: caller passes a live MemInfo.
    unsafe { (*mi).size }
}

/// `size_t NRT_MemInfo_refcount(NRT_MemInfo *)`: `(size_t)-1` for null or
/// data-less MemInfos.
///
/// # Safety
/// `mi` must be null or a live MemInfo.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn NRT_MemInfo_refcount(mi: *mut MemInfo) -> u64 {
    // SAFETY: checked for null; otherwise a live MemInfo.
    unsafe {
        if !mi.is_null() && !(*mi).data.0.is_null() {
            (*mi).refct
        } else {
            u64::MAX
        }
    }
}

/// `void *NRT_MemInfo_parent(NRT_MemInfo *)`.
///
/// # Safety
/// `mi` must be a live MemInfo.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn NRT_MemInfo_parent(mi: *mut MemInfo) -> *mut u8 {
    // SAFETY: caller passes a live MemInfo.
    unsafe { (*mi).dtor_info.0 }
}

/// `void *NRT_MemInfo_external_allocator(NRT_MemInfo *)`.
///
/// # Safety
/// `mi` must be a live MemInfo.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn NRT_MemInfo_external_allocator(mi: *mut MemInfo) -> *mut u8 {
    // SAFETY: caller passes a live MemInfo.
    unsafe { (*mi).external_allocator.0 as *mut u8 }
}

// ---------------------------------------------------------------------------
// Resizable (varsize) buffers: MemInfo and data are two blocks, so the data
// can move while the MemInfo stays put.

/// `nrt_varsize_dtor`: `info` is an optional element dtor `void (void *)`.
unsafe extern "C" fn nrt_varsize_dtor(ptr: *mut u8, _size: u64, info: *mut u8) {
    // SAFETY: `info` was stored from an element dtor; `ptr` from NRT_Allocate.
    unsafe {
        if !info.is_null() {
            as_fn::<ElemDtorFn>(info)(ptr);
        }
        alloc::free(ptr);
    }
}

/// Traps like `nrt_fatal_error` unless `mi` is a varsize MemInfo.
///
/// # Safety
/// `mi` must be a live MemInfo.
unsafe fn check_varsize(mi: *mut MemInfo) {
    // SAFETY: caller passes a live MemInfo.
    if unsafe { (*mi).dtor.0 } != fn_slot(nrt_varsize_dtor).0 {
        trap();
    }
}

/// `NRT_MemInfo *NRT_MemInfo_new_varsize(size_t)`.
#[unsafe(no_mangle)]
pub extern "C" fn NRT_MemInfo_new_varsize(size: u64) -> *mut MemInfo {
    let data = NRT_Allocate(size);
    if data.is_null() {
        return core::ptr::null_mut();
    }
    // SAFETY: `nrt_varsize_dtor` frees `data`, which came from NRT_Allocate.
    let mi = unsafe {
        NRT_MemInfo_new(
            data,
            size,
            fn_slot(nrt_varsize_dtor).0,
            core::ptr::null_mut(),
        )
    };
    if mi.is_null() {
        // SAFETY: `data` was just allocated and is not referenced elsewhere.
        unsafe { alloc::free(data) };
    }
    mi
}

/// `NRT_MemInfo *NRT_MemInfo_new_varsize_dtor(size_t, NRT_dtor_function)`:
/// `dtor` is called on the data as `void (void *)` before it is freed.
#[unsafe(no_mangle)]
pub extern "C" fn NRT_MemInfo_new_varsize_dtor(size: u64, dtor: *mut u8) -> *mut MemInfo {
    let mi = NRT_MemInfo_new_varsize(size);
    if !mi.is_null() {
        // SAFETY: a fresh MemInfo.
        unsafe { (*mi).dtor_info = Slot(dtor) };
    }
    mi
}

/// `void *NRT_MemInfo_varsize_alloc(NRT_MemInfo *, size_t)`: new data area,
/// no copy; the old one must be freed with `NRT_MemInfo_varsize_free`.
///
/// # Safety
/// `mi` must be a live varsize MemInfo.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn NRT_MemInfo_varsize_alloc(mi: *mut MemInfo, size: u64) -> *mut u8 {
    // SAFETY: caller passes a live MemInfo (checked to be varsize).
    unsafe {
        check_varsize(mi);
        let data = NRT_Allocate(size);
        (*mi).data = Slot(data);
        if data.is_null() {
            return data;
        }
        (*mi).size = size;
        data
    }
}

/// `void *NRT_MemInfo_varsize_realloc(NRT_MemInfo *, size_t)`.
///
/// # Safety
/// `mi` must be a live varsize MemInfo.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn NRT_MemInfo_varsize_realloc(mi: *mut MemInfo, size: u64) -> *mut u8 {
    // SAFETY: caller passes a live MemInfo (checked to be varsize).
    unsafe {
        check_varsize(mi);
        let data = alloc::realloc((*mi).data.0, size);
        (*mi).data = Slot(data);
        if data.is_null() {
            return data;
        }
        (*mi).size = size;
        data
    }
}

/// `void NRT_MemInfo_varsize_free(NRT_MemInfo *, void *)`.
///
/// # Safety
/// `mi` must be a live MemInfo and `ptr` null or one of its data areas.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn NRT_MemInfo_varsize_free(mi: *mut MemInfo, ptr: *mut u8) {
    // SAFETY: forwarded contract.
    unsafe {
        alloc::free(ptr);
        if ptr == (*mi).data.0 {
            (*mi).data = Slot::NULL;
        }
    }
}

// ---------------------------------------------------------------------------
// NRT_get_api (nrt_external.h): a table of six function pointers.

/// `nrt_manage_memory_dtor`: `info` is a `NRT_managed_dtor`.
unsafe extern "C" fn nrt_manage_memory_dtor(data: *mut u8, _size: u64, info: *mut u8) {
    // SAFETY: `info` was stored from a `NRT_managed_dtor`.
    unsafe { as_fn::<ManagedDtorFn>(info)(data) };
}

/// `nrt_manage_memory(void *data, NRT_managed_dtor dtor)`.
extern "C" fn nrt_manage_memory(data: *mut u8, dtor: *mut u8) -> *mut MemInfo {
    // SAFETY: `nrt_manage_memory_dtor` calls `dtor(data)` as nrt.cpp does.
    unsafe { NRT_MemInfo_new(data, 0, fn_slot(nrt_manage_memory_dtor).0, dtor) }
}

/// `NRT_api_functions`, pointer slots in declaration order.
#[repr(C)]
pub struct ApiFunctions {
    pub allocate: Slot<u8>,
    pub allocate_external: Slot<u8>,
    pub manage_memory: Slot<u8>,
    pub acquire: Slot<u8>,
    pub release: Slot<u8>,
    pub get_data: Slot<u8>,
}

static API: Global<ApiFunctions> = Global::new(ApiFunctions {
    allocate: Slot::NULL,
    allocate_external: Slot::NULL,
    manage_memory: Slot::NULL,
    acquire: Slot::NULL,
    release: Slot::NULL,
    get_data: Slot::NULL,
});

/// `const NRT_api_functions *NRT_get_api(void)`; filled on first use
/// (function addresses are table indices, not constants).
#[unsafe(no_mangle)]
pub extern "C" fn NRT_get_api() -> *mut ApiFunctions {
    let api = API.get();
    // SAFETY: see `Global`.
    unsafe {
        if (*api).allocate.0.is_null() {
            api.write(ApiFunctions {
                allocate: Slot(NRT_MemInfo_alloc as *mut u8),
                allocate_external: Slot(NRT_MemInfo_alloc_external as *mut u8),
                manage_memory: Slot(nrt_manage_memory as *mut u8),
                acquire: Slot(NRT_MemInfo_acquire as *mut u8),
                release: Slot(NRT_MemInfo_release as *mut u8),
                get_data: Slot(NRT_MemInfo_data as *mut u8),
            });
        }
    }
    api
}

// ---------------------------------------------------------------------------
// Functions Numba defines in IR (nrtdynmod.py); the pipeline leaves them
// declared, so the shim provides them with the same semantics.

/// `void NRT_incref(i8*)`: null is a no-op.
///
/// # Safety
/// `mi` must be null or a live MemInfo.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn NRT_incref(mi: *mut MemInfo) {
    if !mi.is_null() {
        // SAFETY: caller passes a live MemInfo.
        unsafe { nrt_atomic_add(mi as *mut u64) };
    }
}

/// `void NRT_decref(i8*)`: null is a no-op; at refct 0 calls
/// `NRT_MemInfo_call_dtor`.
///
/// # Safety
/// `mi` must be null or a live MemInfo.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn NRT_decref(mi: *mut MemInfo) {
    if mi.is_null() {
        return;
    }
    // SAFETY: caller passes a live MemInfo.
    unsafe {
        if nrt_atomic_sub(mi as *mut u64) == 0 {
            NRT_MemInfo_call_dtor(mi);
        }
    }
}

/// `i64 nrt_atomic_add(i64*)`: returns the new value.
///
/// # Safety
/// `ptr` must be valid for read and write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nrt_atomic_add(ptr: *mut u64) -> u64 {
    // SAFETY: caller passes a valid word.
    unsafe {
        *ptr = (*ptr).wrapping_add(1);
        *ptr
    }
}

/// `i64 nrt_atomic_sub(i64*)`: returns the new value.
///
/// # Safety
/// `ptr` must be valid for read and write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nrt_atomic_sub(ptr: *mut u64) -> u64 {
    // SAFETY: caller passes a valid word.
    unsafe {
        *ptr = (*ptr).wrapping_sub(1);
        *ptr
    }
}

/// `i32 nrt_atomic_cas(i64* ptr, i64 cmp, i64 repl, i64* oldptr)`: stores
/// the old value to `oldptr`, returns 1 if it was swapped.
///
/// # Safety
/// `ptr` and `oldptr` must be valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nrt_atomic_cas(
    ptr: *mut u64,
    cmp: u64,
    repl: u64,
    oldptr: *mut u64,
) -> i32 {
    // SAFETY: caller passes valid words.
    unsafe {
        let old = *ptr;
        *oldptr = old;
        if old == cmp {
            *ptr = repl;
            1
        } else {
            0
        }
    }
}

/// `i8* NRT_MemInfo_data_fast(i8*)`.
///
/// # Safety
/// `mi` must be a live MemInfo.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn NRT_MemInfo_data_fast(mi: *mut MemInfo) -> *mut u8 {
    // SAFETY: caller passes a live MemInfo.
    unsafe { (*mi).data.0 }
}

/// Numba's `excinfo_t` (docs/ABI.md): `{ i8*, i32, i8*, i8*, i32 }`.
#[repr(C)]
pub struct ExcInfo {
    pub pickle_buf: Slot<u8>,
    pub bufsz: i32,
    pub hash_buf_or_args: Slot<u8>,
    pub unwrap_fn: Slot<u8>,
    pub alloc_flag: i32,
}

const _: () = {
    use crate::layout::*;
    use core::mem::{offset_of, size_of};
    assert!(size_of::<ExcInfo>() == EXCINFO_SIZE_OF);
    assert!(offset_of!(ExcInfo, pickle_buf) == EXCINFO_PICKLE_BUF);
    assert!(offset_of!(ExcInfo, bufsz) == EXCINFO_BUFSZ);
    assert!(offset_of!(ExcInfo, hash_buf_or_args) == EXCINFO_HASH_BUF_OR_ARGS);
    assert!(offset_of!(ExcInfo, unwrap_fn) == EXCINFO_UNWRAP_FN);
    assert!(offset_of!(ExcInfo, alloc_flag) == EXCINFO_ALLOC_FLAG);
};

/// `numba.core.serialize.dumps((RuntimeError, (msg,), None))`, byte for
/// byte what Numba 0.68 embeds for `nrt_unresolved_abort`, and its SHA-1.
static UNRESOLVED_PICKLE: [u8; 102] = *b"\x80\x04\x95[\x00\x00\x00\x00\x00\x00\x00\
\x8c\x08builtins\x94\x8c\x0cRuntimeError\x94\x93\x94\
\x8c6numba jitted function aborted due to unresolved symbol\x94\x85\x94N\x87\x94.";
static UNRESOLVED_SHA1: [u8; 20] =
    *b"\x97\xbe\xdc\xdf\xec\x8e\x80\xb7\x09>P\xce%\xedV\xf7r\x0e\x0c\x9c";

struct SyncExcInfo(ExcInfo);
// SAFETY: immutable, and the target is single-threaded.
unsafe impl Sync for SyncExcInfo {}

static UNRESOLVED_EXC: SyncExcInfo = SyncExcInfo(ExcInfo {
    pickle_buf: Slot(UNRESOLVED_PICKLE.as_ptr() as *mut u8),
    bufsz: UNRESOLVED_PICKLE.len() as i32,
    hash_buf_or_args: Slot(UNRESOLVED_SHA1.as_ptr() as *mut u8),
    unwrap_fn: Slot::NULL,
    alloc_flag: 0,
});

/// `i32 nrt_unresolved_abort(i8** retptr, excinfo_t** excinfo)`: a Numba
/// function (CPUCallConv) that raises
/// `RuntimeError("numba jitted function aborted due to unresolved symbol")`
/// as a static user exception (status 1).
///
/// # Safety
/// `excinfo` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nrt_unresolved_abort(
    _retptr: *mut u8,
    excinfo: *mut *const ExcInfo,
) -> i32 {
    // SAFETY: caller passes its excinfo out slot.
    unsafe { *excinfo = &UNRESOLVED_EXC.0 };
    1
}
