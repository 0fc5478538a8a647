//! The `numba_wasm` custom section: everything a host needs to call the
//! module's exports, as UTF-8 JSON (encoding in docs/ABI.md). The module-wide
//! ABI table ([`Abi`]) and, per export, its Python name, Numba signature,
//! argument slots and the places of its result. The glue is generated from
//! this section alone, so any module numba-wasm built can be re-wrapped
//! later; the JS glue and the Python runtime read it the same way.
//!
//! `format` changes whenever a reader of an older format would misread the
//! section; every reader checks it and names both versions when they differ.

use anyhow::{Context as _, Result, bail};
use serde::{Deserialize, Serialize};

use crate::abi::{self, Abi, ParamSlot, ReturnLeaf};
use crate::numba::entry::Entry;
use crate::numba::types::NumbaType;

pub const SECTION: &str = "numba_wasm";
/// Version of the section's encoding. 2: the ABI table, argument slots and
/// return leaves (format 1 had bare LLVM parameter types).
pub const FORMAT: u32 = 2;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Metadata {
    pub format: u32,
    pub abi: Abi,
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
    /// One per 8-byte slot of the `args` buffer, in order.
    pub params: Vec<ParamSlot>,
    pub ret: NumbaType,
    /// Bytes to allocate behind `retptr` (8-byte aligned).
    pub ret_size: u64,
    /// Where the scalars and arrays of the result lie behind `retptr`.
    pub ret_leaves: Vec<ReturnLeaf>,
}

impl Metadata {
    pub fn new(entries: &[Entry], wasm_exports: &[String]) -> Result<Metadata> {
        let exports = entries
            .iter()
            .zip(wasm_exports)
            .map(|(e, w)| {
                let params = abi::param_slots(&e.args, &e.params).with_context(|| {
                    format!(
                        "internal error: `{}`'s arguments do not flatten to its {} parameters",
                        e.qualname,
                        e.params.len()
                    )
                })?;
                Ok(Export {
                    name: e.name().to_string(),
                    qualname: e.qualname.clone(),
                    symbol: e.symbol.clone(),
                    wasm_export: w.clone(),
                    signature: e.signature(),
                    args: e.args.clone(),
                    arg_names: e.arg_names.clone(),
                    params,
                    ret: e.ret.clone(),
                    ret_size: abi::return_size(&e.ret),
                    ret_leaves: abi::return_leaves(&e.ret),
                })
            })
            .collect::<Result<_>>()?;
        Ok(Metadata {
            format: FORMAT,
            abi: Abi::current(),
            exports,
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("metadata serializes")
    }

    /// The section's JSON, indented, for review (the reference tests).
    pub fn to_pretty_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("metadata serializes")
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
        // Check the version before the rest, which may have changed shape.
        #[derive(Deserialize)]
        struct Version {
            format: u32,
        }
        let version: Version = serde_json::from_slice(&section)
            .context("the numba_wasm section is not valid metadata")?;
        if version.format != FORMAT {
            bail!(
                "the module's numba_wasm section has format {}, this numba-wasm reads format {FORMAT}: \
                 rebuild the module with this numba-wasm",
                version.format
            );
        }
        serde_json::from_slice(&section).context("the numba_wasm section is not valid metadata")
    }
}
