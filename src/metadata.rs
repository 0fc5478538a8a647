//! The `numba_wasm` custom section: each export's Python name and Numba
//! signature (docs/ABI.md). The glue is generated from this section alone,
//! so any module numba-wasm built can be re-wrapped later.

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};

use crate::numba::entry::{Entry, Param};
use crate::numba::types::NumbaType;

pub const SECTION: &str = "numba_wasm";
pub const FORMAT: u32 = 1;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Metadata {
    pub format: u32,
    pub exports: Vec<Export>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Export {
    /// Python function name; the JS method name.
    pub name: String,
    pub qualname: String,
    pub symbol: String,
    pub wasm_export: String,
    pub signature: String,
    pub args: Vec<NumbaType>,
    /// Python parameter names, as Numba names the LLVM parameters.
    pub arg_names: Vec<String>,
    pub ret: NumbaType,
    pub params: Vec<Param>,
    pub ret_size: u64,
}

impl Metadata {
    pub fn new(entries: &[Entry], wasm_exports: &[String]) -> Metadata {
        let exports = entries
            .iter()
            .zip(wasm_exports)
            .map(|(e, w)| Export {
                name: e.name().to_string(),
                qualname: e.qualname.clone(),
                symbol: e.symbol.clone(),
                wasm_export: w.clone(),
                signature: e.signature(),
                args: e.args.clone(),
                arg_names: e.arg_names.clone(),
                ret: e.ret.clone(),
                params: e.params.clone(),
                ret_size: e.ret.data_layout().0.next_multiple_of(8).max(8),
            })
            .collect();
        Metadata {
            format: FORMAT,
            exports,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("metadata serializes")
    }

    /// Read the section back from a `.wasm` numba-wasm produced.
    pub fn from_wasm(wasm: &[u8]) -> Result<Metadata> {
        let module = walrus::Module::from_buffer(wasm).context("not a valid wasm module")?;
        let section = module
            .customs
            .iter()
            .find(|(_, s)| s.name() == SECTION)
            .map(|(_, s)| s.data(&Default::default()).into_owned())
            .with_context(|| {
                format!("the module has no `{SECTION}` section: it was not built by numba-wasm")
            })?;
        serde_json::from_slice(&section).context("the numba_wasm section is not valid metadata")
    }
}
