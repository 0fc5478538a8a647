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
