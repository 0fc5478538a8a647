//! Runtime shim for numba-wasm modules.
//!
//! Linked by wasm-ld next to the object compiled from Numba's LLVM IR, it
//! provides what that IR calls but does not define: the NRT (Numba's
//! reference-counted memory, `nrt.rs`), a size-class allocator (`alloc.rs`),
//! libm and Numba's C math helpers (`math.rs`), Numba's array helpers
//! (`arrays.rs`), random states (`random.rs`), BLAS for `np.dot` & co
//! (`blas.rs`), LAPACK for `np.linalg` (`lapack.rs`), a one-thread
//! threading layer for `parallel=True` (`parallel.rs`), Numba's typed dict
//! and list (`dict.rs`, `list.rs`), the hash secret of `str` hashing
//! (`hashsecret.rs`), the Unicode character database of `str` methods
//! (`unicode.rs`), and the `nw_*` exports the JS glue uses. Layouts follow
//! `docs/ABI.md` (data layout `p:32:64`).
#![no_std]

pub mod alloc;
pub mod arrays;
pub mod blas;
pub mod dict;
pub mod exc;
pub mod fatal;
pub mod hashsecret;
pub mod lapack;
pub mod list;
pub mod math;
pub mod nrt;
pub mod parallel;
pub mod random;
pub mod simd;
pub mod stats;
pub mod unicode;

/// Struct offsets shared with the CLI, which reports them to the hosts.
#[path = "../../src/abi/layout.rs"]
#[allow(dead_code)]
pub mod layout;

/// 8-byte aligned pointer slot: with `p:32:64` a pointer inside a struct is 4
/// bytes wide but takes 8 bytes (low 4 bytes hold it), as on x86-64.
#[repr(C, align(8))]
#[derive(Clone, Copy)]
pub struct Slot<T>(pub *mut T);

const _: () = assert!(core::mem::size_of::<Slot<u8>>() == 8);
const _: () = assert!(core::mem::align_of::<Slot<u8>>() == 8);

impl<T> Slot<T> {
    pub const NULL: Slot<T> = Slot(core::ptr::null_mut());
}

/// Stop the module: wasm `unreachable` traps, the host sees a RuntimeError.
#[inline(always)]
pub(crate) fn trap() -> ! {
    core::arch::wasm32::unreachable()
}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    trap()
}

/// Mutable global state. wasm32 modules run on one thread and the shim never
/// re-enters itself while holding a `&mut` from one of these, so plain access
/// is sound.
pub(crate) struct Global<T>(core::cell::UnsafeCell<T>);

// SAFETY: single-threaded target (no `atomics` feature, no shared memory).
unsafe impl<T> Sync for Global<T> {}

impl<T> Global<T> {
    pub(crate) const fn new(value: T) -> Self {
        Global(core::cell::UnsafeCell::new(value))
    }

    pub(crate) fn get(&self) -> *mut T {
        self.0.get()
    }
}
