//! The runtime shim (`shims/`), built for wasm32 by build.rs and embedded.

/// The shim as a wasm32 static library, handed to wasm-ld.
pub const ARCHIVE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libnumba_wasm_shim.a"));

/// Every symbol the shim defines (its own functions, libm, compiler builtins).
pub const SYMBOLS: &[&str] = include!(concat!(env!("OUT_DIR"), "/shim_symbols.rs"));

pub fn provides(symbol: &str) -> bool {
    SYMBOLS.binary_search(&symbol).is_ok()
}

/// Exports the host glue calls directly (see docs/ABI.md).
pub const HOST_EXPORTS: [&str; 8] = [
    "nw_alloc",
    "nw_exc_clear",
    "nw_free",
    "nw_stats",
    "nw_random_init",
    "NRT_MemInfo_alloc_aligned",
    "NRT_incref",
    "NRT_decref",
];
