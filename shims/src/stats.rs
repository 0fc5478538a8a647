//! Allocation statistics, kept by the allocator and read by the host.
//!
//! Every block handed out counts, whatever asked for it (`nw_alloc`,
//! `NRT_Allocate`, a MemInfo): NRT tests compare allocations with frees, so
//! a MemInfo and its separately allocated varsize data count as two.

use crate::Global;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Stats {
    /// Blocks allocated and not yet freed.
    pub live_allocs: u64,
    /// Sum of the requested sizes of the live blocks.
    pub live_bytes: u64,
    /// Blocks ever allocated.
    pub total_allocs: u64,
    /// Blocks ever freed.
    pub total_frees: u64,
}

static STATS: Global<Stats> = Global::new(Stats {
    live_allocs: 0,
    live_bytes: 0,
    total_allocs: 0,
    total_frees: 0,
});

pub(crate) fn on_alloc(size: u64) {
    // SAFETY: see `Global`.
    let s = unsafe { &mut *STATS.get() };
    s.live_allocs += 1;
    s.live_bytes += size;
    s.total_allocs += 1;
}

pub(crate) fn on_free(size: u64) {
    // SAFETY: see `Global`.
    let s = unsafe { &mut *STATS.get() };
    s.live_allocs -= 1;
    s.live_bytes -= size;
    s.total_frees += 1;
}

/// `live_bytes` moves when a block is resized in place.
pub(crate) fn on_resize(old: u64, new: u64) {
    // SAFETY: see `Global`.
    let s = unsafe { &mut *STATS.get() };
    s.live_bytes = s.live_bytes - old + new;
}

pub fn snapshot() -> Stats {
    // SAFETY: see `Global`.
    unsafe { *STATS.get() }
}

/// Writes 4 x u64 to `out`: live allocations, live bytes, total allocations,
/// total frees.
///
/// # Safety
/// `out` must point to 32 writable bytes (8-byte alignment not required).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nw_stats(out: *mut u64) {
    let s = snapshot();
    let vals = [s.live_allocs, s.live_bytes, s.total_allocs, s.total_frees];
    for (i, v) in vals.iter().enumerate() {
        // SAFETY: caller provides 32 bytes; JS may pass any byte address.
        unsafe { out.add(i).write_unaligned(*v) };
    }
}

#[repr(C, align(16))]
struct Scratch([u8; crate::layout::SCRATCH_BYTES]);

static SCRATCH: Global<Scratch> = Global::new(Scratch([0; crate::layout::SCRATCH_BYTES]));

/// JS: the static call block, `SCRATCH_BYTES` long, for hosts of modules
/// that link no allocator exports (scalar kernels). Zeroed memory (bss):
/// it adds nothing to the `.wasm`.
#[unsafe(no_mangle)]
pub extern "C" fn nw_scratch() -> *mut u8 {
    SCRATCH.get().cast()
}
