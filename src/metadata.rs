//! The `numba_wasm` custom section: everything a host needs to call the
//! module's exports, as UTF-8 JSON (encoding in docs/ABI.md). The module-wide
//! ABI table ([`Abi`]) and, per export, its Python name, Numba signature,
//! argument slots and the places of its result. The glue is generated from
//! this section alone, so any module numba-wasm built can be re-wrapped
//! later; the JS glue and the Python runtime read it the same way.
//!
//! `format` changes whenever a reader of an older format would misread the
//! section; every reader checks it and names both versions when they differ.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result, bail};
use serde::{Deserialize, Serialize};

use crate::abi::{self, Abi, ParamSlot, ReturnLeaf};
use crate::codegen::SimdLevel;
use crate::numba::entry::Entry;
use crate::numba::pickles::StaticException;
use crate::numba::types::NumbaType;

pub const SECTION: &str = "numba_wasm";
/// Version of the section's encoding. 2: the ABI table, argument slots and
/// return leaves (format 1 had bare LLVM parameter types). 3: types of kind
/// `namedtuple`, `omitted` and `unicode` (`abi.unicode`), and `none` arguments take a (null) pointer slot.
/// 4: `abi` holds only the tables the module's types need (`Abi::for_module`);
/// types of kind `record` (a record scalar). 5: `exceptions`, the static
/// exceptions decoded at build time, `runtime_pickles`, and `call_block`.
pub const FORMAT: u32 = 5;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Metadata {
    pub format: u32,
    pub abi: Abi,
    /// The SIMD instructions the module holds (`--no-simd`, `--relaxed-simd`).
    /// Absent for the default, simd128, so readers of older sections see no
    /// change.
    #[serde(default, skip_serializing_if = "is_default_simd")]
    pub simd: SimdLevel,
    pub exports: Vec<Export>,
    /// Where a host's call block holds what each call needs.
    pub call_block: CallBlock,
    /// The module's static exceptions, decoded at build time
    /// (`numba::pickles`), by the FNV-1a hash of their pickle (decimal).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub exceptions: BTreeMap<String, StaticException>,
    /// Some exception's pickle is known only at run time (a dynamic
    /// message, a parfor body's, or one `exceptions` lacks): the hosts
    /// decode pickles.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub runtime_pickles: bool,
}

/// The block of memory a host keeps for the life of an instance: the
/// shim's static one (`nw_scratch`, when the module exports it) or one
/// allocated at load. Byte offsets: the counters `nw_stats` writes at 0,
/// the argument slots (`argp`), the result (`retp`, room for the largest
/// of any export) and the excinfo pointer (`excp`); `size` in all. Calls
/// never overlap: wasm code does not call back into the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallBlock {
    pub argp: u64,
    pub retp: u64,
    pub excp: u64,
    pub size: u64,
}

impl CallBlock {
    fn for_exports(exports: &[Export]) -> CallBlock {
        let slot = abi::layout::POINTER_SLOT as u64;
        let argp = 8 * abi::layout::STATS.len() as u64;
        let params = exports
            .iter()
            .map(|e| e.params.len() as u64)
            .max()
            .unwrap_or(0);
        let ret = exports.iter().map(|e| e.ret_size).max().unwrap_or(0);
        let retp = argp + slot * params;
        let excp = retp + ret.next_multiple_of(slot);
        CallBlock {
            argp,
            retp,
            excp,
            size: excp + slot,
        }
    }

    /// The block fits the shim's static one.
    pub fn fits_scratch(&self) -> bool {
        self.size <= abi::layout::SCRATCH_BYTES as u64
    }
}

fn is_default_simd(level: &SimdLevel) -> bool {
    *level == SimdLevel::default()
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Export {
    /// Python function name; the JS method name.
    pub name: String,
    /// The Python function's qualified name and its symbol in the IR: for
    /// people and debuggers, no host reads them (absent in `--minify`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub qualname: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
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
    /// Compiled with `parallel=True` into parfors; they run on one thread.
    /// Absent when false, so readers of older sections see no change.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub parallel: bool,
    /// The build proved the export returns only OK or NONE: it never
    /// raises. Absent when false (sections from before it was recorded
    /// are read as raising).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub never_raises: bool,
    /// Array arguments (indices into `args`) the kernel provably never
    /// writes to (`numba::writes`): a host that copied one in for the call
    /// need not copy it back. Absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub read_only_args: Vec<usize>,
}

/// What the build found out about one export beyond its Numba signature.
#[derive(Clone, Debug)]
pub struct Facts {
    /// It runs parfors (`rewrite::parallel`).
    pub parallel: bool,
    /// It can raise (`numba::callconv::may_raise`).
    pub may_raise: bool,
    /// Which argument slots hold pointers the kernel only reads through
    /// (`numba::writes::slot_only_read`), by slot index.
    pub read_only_slots: Vec<bool>,
}

impl Metadata {
    /// `facts[k]`: what the build found out about entry `k`; `simd`: the
    /// SIMD instructions the module holds; `seeds_random`: it exports
    /// `nw_random_init`.
    pub fn new(
        entries: &[Entry],
        wasm_exports: &[String],
        facts: &[Facts],
        simd: SimdLevel,
        seeds_random: bool,
    ) -> Result<Metadata> {
        let exports: Vec<Export> = entries
            .iter()
            .zip(wasm_exports)
            .zip(facts)
            .map(|((e, w), facts)| {
                let params = abi::param_slots(&e.args, &e.params).with_context(|| {
                    format!(
                        "internal error: `{}`'s arguments do not flatten to its {} parameters",
                        e.qualname,
                        e.params.len()
                    )
                })?;
                let read_only_args = params
                    .iter()
                    .enumerate()
                    .filter(|(s, p)| {
                        p.part == abi::Part::Data
                            && p.path.is_empty()
                            && matches!(
                                e.args[p.arg],
                                NumbaType::Array { .. } | NumbaType::Records { .. }
                            )
                            && facts.read_only_slots.get(*s).copied().unwrap_or(false)
                    })
                    .map(|(_, p)| p.arg)
                    .collect();
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
                    parallel: facts.parallel,
                    never_raises: !facts.may_raise,
                    read_only_args,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Metadata {
            format: FORMAT,
            abi: Abi::for_module(
                exports
                    .iter()
                    .flat_map(|e: &Export| e.args.iter().chain([&e.ret])),
                exports.iter().any(|e: &Export| !e.never_raises),
                seeds_random,
            ),
            simd,
            call_block: CallBlock::for_exports(&exports),
            exports,
            exceptions: BTreeMap::new(),
            runtime_pickles: false,
        })
    }

    /// Without what only people and debuggers read (`--minify`).
    pub fn drop_debug_names(&mut self) {
        for e in &mut self.exports {
            e.qualname.clear();
            e.symbol.clear();
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("metadata serializes")
    }

    /// The whole ABI table (not only this module's part) as text, one fact
    /// per line, for review (tests/reference).
    pub fn abi_text(&self) -> String {
        let a = &Abi::current();
        let mut out = format!("format {}\npointer_slot {}\n", self.format, a.pointer_slot);
        let s = &a.status;
        out += &format!(
            "status ok={} error={} none={} stop_iteration={} (user exceptions >= 1)\n",
            s.ok, s.error, s.none, s.stop_iteration
        );
        let r = a.array.as_ref().expect("whole table");
        out += &format!(
            "array meminfo@{} parent@{} nitems@{} itemsize@{} data@{} shape@{} strides@shape+8*ndim\n",
            r.meminfo, r.parent, r.nitems, r.itemsize, r.data, r.shape
        );
        let m = a.meminfo.as_ref().expect("whole table");
        out += &format!(
            "meminfo refct@{} data@{} size@{}\n",
            m.refct, m.data, m.size
        );
        let e = a.excinfo.as_ref().expect("whole table");
        out += &format!("excinfo pickle_buf@{} bufsz@{}\n", e.pickle_buf, e.bufsz);
        let u = a.unicode.as_ref().expect("whole table");
        out += &format!(
            "unicode data@{} length@{} kind@{} is_ascii@{} hash@{} meminfo@{} parent@{}\n",
            u.data, u.length, u.kind, u.is_ascii, u.hash, u.meminfo, u.parent
        );
        out += &format!("unicode size_of={} align={}\n", u.size_of, u.align);
        let l = a.list.as_ref().expect("whole table");
        out += &format!(
            "list (NB_List) size@{} item_size@{} items@{}\n",
            l.size, l.item_size, l.items
        );
        let d = a.dict.as_ref().expect("whole table");
        out += &format!(
            "dict (NB_Dict) keys@{}; keys nentries@{} key_size@{} entry_size@{} entry_offset@{} indices@{}; entry key@{}, value at key_size rounded up to {}\n",
            d.keys,
            d.nentries,
            d.key_size,
            d.entry_size,
            d.entry_offset,
            d.indices,
            d.entry_key,
            d.value_align
        );
        let k = &d.key_kinds;
        out += &format!(
            "dict argument key kinds (nw_dict_from) signed={} unsigned={} str={}\n",
            k.signed, k.unsigned, k.str
        );
        let p = a.list_payload.as_ref().expect("whole table");
        out += &format!(
            "reflected list payload size@{} allocated@{} dirty@{} items from {} rounded up to their alignment\n",
            p.size, p.allocated, p.dirty, p.dirty_end
        );
        out += &format!("stats {}\n", a.stats.join(" "));
        let r = a.random_entropy_bytes.expect("whole table");
        out += &format!("random_entropy_bytes {r}\n");
        for (name, d) in &a.dtypes {
            out += &format!(
                "dtype {name} {} size={} align={} lanes={}\n",
                d.kind, d.size, d.align, d.lanes
            );
        }
        out
    }

    /// The exports as text, one slot or result leaf per line, for review.
    pub fn exports_text(&self) -> String {
        let mut out = String::new();
        for e in &self.exports {
            out += &format!("{} = {} ({})\n", e.name, e.signature, e.qualname);
            out += &format!("  export {}  symbol {}\n", e.wasm_export, e.symbol);
            for (i, p) in e.params.iter().enumerate() {
                let name = e.arg_names.get(p.arg).map_or("?", String::as_str);
                let path: String = p.path.iter().map(|k| format!("[{k}]")).collect();
                let dim = p.dim.map(|d| format!("[{d}]")).unwrap_or_default();
                let part = serde_json::to_value(p.part).expect("part serializes");
                let ty = serde_json::to_value(p.ty).expect("param serializes");
                out += &format!(
                    "  slot {i:>2} {:<3} {name}{path}.{}{dim}\n",
                    ty.as_str().unwrap_or("?"),
                    part.as_str().unwrap_or("?")
                );
            }
            out += &format!("  ret_size {}\n", e.ret_size);
            if e.never_raises {
                out += "  never raises\n";
            }
            if !e.read_only_args.is_empty() {
                out += &format!("  read-only args {:?}\n", e.read_only_args);
            }
            for leaf in &e.ret_leaves {
                let path: String = leaf.path.iter().map(|k| format!("[{k}]")).collect();
                out += &format!("  ret{path} @{} {}\n", leaf.offset, leaf.ty);
            }
        }
        out
    }

    /// The section's bytes in a `.wasm` numba-wasm produced.
    pub fn section(wasm: &[u8]) -> Result<Vec<u8>> {
        let module = walrus::Module::from_buffer(wasm).context("not a valid wasm module")?;
        module
            .customs
            .iter()
            .find(|(_, s)| s.name() == SECTION)
            .map(|(_, s)| s.data(&Default::default()).into_owned())
            .with_context(|| {
                format!("the module has no `{SECTION}` section: it was not built by numba-wasm")
            })
    }

    /// Read the section back from a `.wasm` numba-wasm produced.
    pub fn from_wasm(wasm: &[u8]) -> Result<Metadata> {
        let section = Self::section(wasm)?;
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
