//! Stage 7: the JavaScript module and TypeScript declarations, generated
//! from the metadata section alone.

mod dts;

pub use dts::declarations;

use crate::metadata::Metadata;

/// The static runtime; `"__NW_WASM_FILE__"` and `__NW_METADATA__` are
/// replaced per module.
const RUNTIME: &str = include_str!("runtime.js");

pub fn javascript(metadata: &Metadata, wasm_file: &str) -> String {
    let file = serde_json::to_string(wasm_file).expect("string serializes");
    RUNTIME.replacen("\"__NW_WASM_FILE__\"", &file, 1).replacen(
        "__NW_METADATA__",
        &metadata.to_json(),
        1,
    )
}
