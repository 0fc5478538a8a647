//! What numba-wasm knows of Numba: its types, symbol mangling, calling
//! convention and how entry points are recognised in a module.

pub mod callconv;
pub mod entry;
pub mod mangle;
pub mod names;
pub mod pickles;
pub mod returns;
pub mod types;
pub mod writes;
