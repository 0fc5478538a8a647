//! The runtime shim (`shims/`), built for wasm32 by build.rs and embedded.

use crate::codegen::SimdLevel;

/// The shim's own object (its code, libm, core) at each SIMD level, as a
/// one-member archive (build.rs says why there are three), and what every
/// level shares (compiler-builtins): both are handed to wasm-ld.
const SIMD128: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libnumba_wasm_shim_simd128.a"));
const NO_SIMD: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libnumba_wasm_shim_none.a"));
const RELAXED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libnumba_wasm_shim_relaxed.a"));
pub const RUNTIME: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libnumba_wasm_rt.a"));

/// The shim archive for modules built at `simd` (link it with [`RUNTIME`]).
pub fn archive(simd: SimdLevel) -> &'static [u8] {
    match simd {
        SimdLevel::None => NO_SIMD,
        SimdLevel::Simd128 => SIMD128,
        SimdLevel::Relaxed => RELAXED,
    }
}

/// Every symbol the shim defines (its own functions, libm, compiler builtins),
/// the same at every SIMD level.
pub const SYMBOLS: &[&str] = include!(concat!(env!("OUT_DIR"), "/shim_symbols.rs"));

pub fn provides(symbol: &str) -> bool {
    SYMBOLS.binary_search(&symbol).is_ok()
}

/// Exports the host glue calls directly (see docs/ABI.md).
pub const HOST_EXPORTS: [&str; 1] = ["nw_stats"];

/// The allocator's host exports, for modules whose hosts allocate (arrays,
/// strings, containers, random seeding) or whose call block does not fit
/// the static one.
pub const HEAP_HOST_EXPORTS: [&str; 2] = ["nw_alloc", "nw_free"];

/// The static call block's export, for the other modules (scalar ones):
/// they link no allocator.
pub const SCRATCH_HOST_EXPORT: &str = "nw_scratch";

/// Exports the hosts of a module with arrays, strings, lists or dicts call
/// (the metadata's ABI table then has `meminfo`).
pub const NRT_HOST_EXPORTS: [&str; 3] = ["NRT_MemInfo_alloc_aligned", "NRT_incref", "NRT_decref"];

/// Host exports only a module that needs them gets, each with the symbols
/// whose presence in the compiled kernels calls for it: seeding the random
/// states (which take 7.5 KB of memory) and freeing a dynamic excinfo.
pub const HOST_EXPORTS_IF_USED: [(&str, &[&str]); 2] = [
    (
        "nw_random_init",
        &[
            "numba_get_py_random_state",
            "numba_get_np_random_state",
            "numba_get_internal_random_state",
        ],
    ),
    // Dynamic excinfos: the kernel's own (`rewrite::dynexc`), or a parfor
    // body's (`rewrite::parallel`).
    (
        "nw_exc_clear",
        &["nw_exc_finish", "nw_parfor_take", "nw_parfor_raise"],
    ),
];

/// The host exports that build list arguments (a reflected list's payload,
/// a typed list), for modules with such an argument.
pub const LIST_ARGUMENT_EXPORTS: [&str; 2] = ["NRT_MemInfo_new_varsize_dtor", "nw_list_from"];

/// The host export that builds typed dict arguments, for modules with one.
pub const DICT_ARGUMENT_EXPORTS: [&str; 1] = ["nw_dict_from"];
