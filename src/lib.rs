//! numba-wasm: Numba's LLVM IR in, a standalone WebAssembly module with a
//! JS/TS wrapper out. The pipeline, one stage per module, in order:
//!
//! 1. [`input`]    dumps (text, bitcode, banners, stdin) -> one LLVM module
//! 2. [`numba`]    entry points: Python names, Numba signatures, return types
//! 3. [`rewrite`]  retarget to wasm32, strip CPython wrappers, NRT -> shim, exports
//! 4. [`check`]    refuse what cannot run in wasm, naming function and symbol
//! 5. [`codegen`]  LLVM O3 for wasm32 + simd128 (or none, or relaxed) -> object
//!    file (kept `p:32:64` by `emit_object.cpp`)
//! 6. [`link`]     wasm-ld with the embedded runtime shim ([`shim`])
//! 7. [`post`]     walrus: the `numba_wasm` metadata section ([`metadata`])
//! 8. [`glue`]     `.js` and `.d.ts` from that section
//!
//! Beside the stages: [`abi`] (layouts, status codes, argument slots: the
//! ABI the hosts read from the metadata), [`diagnostic`] (errors as data),
//! `ir` (small helpers over LLVM modules), [`package`] (`--package`: the
//! outputs as an npm package).

pub mod abi;
pub mod check;
pub mod codegen;
pub mod diagnostic;
pub mod glue;
pub mod input;
mod ir;
pub mod link;
pub mod metadata;
pub mod numba;
pub mod package;
pub mod post;
pub mod rewrite;
pub mod shim;

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use diagnostic::{Diagnostic, Diagnostics};
use inkwell::context::Context;

use input::{Dumps, Source};
use metadata::Metadata;
use numba::entry::{self, Candidate, Entry, Stated};
use numba::names::NameSource;
use numba::returns::ReturnSource;

/// What `inspect` and the `.d.ts` say of a kernel compiled with
/// `parallel=True`.
pub const PARALLEL_NOTE: &str =
    "compiled with parallel=True; runs on one thread in wasm (prange loops run in order)";

/// What `inspect` reports for one entry point.
pub struct EntryReport {
    pub qualname: String,
    /// Where the Python name was read.
    pub name_source: NameSource,
    pub symbol: String,
    /// The Numba signature and where its return type came from, or why it
    /// could not be recovered.
    pub signature: Result<(String, ReturnSource), Diagnostic>,
    /// References that would stop a build.
    pub problems: Vec<check::Problem>,
    /// Compiled with `parallel=True` into parfors, which run on one thread.
    pub parallel: bool,
}

/// Entry points of the parsed dumps; `--return` options must each name one.
fn candidates(
    module: &inkwell::module::Module<'_>,
    dumps: Dumps,
    banner_names: std::collections::HashMap<String, String>,
    returns: &ReturnTypes,
) -> Result<Vec<Candidate>> {
    let stated = Stated {
        return_types: dumps.return_types,
        arg_types: dumps.arg_types,
        names: dumps.names,
        banner_names,
        returns,
    };
    let found = entry::find(module, &stated);
    if found.is_empty() {
        bail!(
            "no Numba entry point found in the input: expected functions compiled by @njit in \
             nopython mode (IR from `dispatcher.inspect_llvm()` or NUMBA_DUMP_LLVM)"
        );
    }
    entry::check_return_options(&found, returns)?;
    Ok(found)
}

/// Return types given by the user, `(name, numba type)`: the name is a
/// Python function name, a qualified name or a mangled symbol.
pub type ReturnTypes = [(String, String)];

/// List entry points with their signatures and blocking references.
pub fn inspect(sources: &[Source], returns: &ReturnTypes) -> Result<Vec<EntryReport>> {
    let dumps = Dumps::split(sources)?;
    let ctx = Context::create();
    let parsed = dumps.parse(&ctx)?;
    let module = parsed.module;
    let found = candidates(&module, dumps, parsed.banner_names, returns)?;
    rewrite::prepare(&module, &codegen::target_machine()?);
    Ok(found
        .into_iter()
        .map(|c| EntryReport {
            qualname: c.name.qualname.clone(),
            name_source: c.name.source,
            parallel: rewrite::parallel::runs_parfors(&module, &c.symbol),
            problems: check::problems(&module, &c.symbol)
                .into_iter()
                .filter(|p| !numba::callconv::is_python_wrapper(&p.symbol))
                .collect(),
            symbol: c.symbol,
            signature: c
                .entry
                .map(|e| (e.signature(), e.ret_source))
                .map_err(|d| *d),
        })
        .collect())
}

/// Choices of a build that do not come from the dumps.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Which SIMD instructions the module may hold (kernels and shim).
    pub simd: codegen::SimdLevel,
}

/// Compile the dumps into a finished `.wasm` (metadata section included).
pub fn compile(sources: &[Source], returns: &ReturnTypes) -> Result<(Vec<u8>, Metadata)> {
    compile_with(sources, returns, &Options::default())
}

/// [`compile`] with build [`Options`].
pub fn compile_with(
    sources: &[Source],
    returns: &ReturnTypes,
    options: &Options,
) -> Result<(Vec<u8>, Metadata)> {
    let dumps = Dumps::split(sources)?;
    let ctx = Context::create();
    let parsed = dumps.parse(&ctx)?;
    let module = parsed.module;
    let found = candidates(&module, dumps, parsed.banner_names, returns)?;

    let mut entries: Vec<Entry> = Vec::new();
    let mut errors = Vec::new();
    for c in found {
        match c.entry {
            Ok(e) => entries.push(e),
            Err(d) => errors.push(*d),
        }
    }
    for e in &entries {
        if let Some(p) = check::str_hash_problem(&module, &e.args) {
            errors.push(p.diagnostic(&e.qualname, Some(&e.signature())));
        }
    }
    if !errors.is_empty() {
        return Err(Diagnostics::new(errors).into());
    }

    let machine = codegen::target_machine_for(options.simd)?;
    rewrite::prepare(&module, &machine);
    let exports = rewrite::add_exports(&module, &entries)?;
    for (entry, export) in entries.iter().zip(&exports) {
        for p in check::problems(&module, export) {
            errors.push(p.diagnostic(&entry.qualname, Some(&entry.signature())));
        }
    }
    if !errors.is_empty() {
        return Err(Diagnostics::under("cannot build:", errors).into());
    }

    let parallel: Vec<bool> = exports
        .iter()
        .map(|x| rewrite::parallel::runs_parfors(&module, x))
        .collect();
    codegen::optimize(&module, &machine)?;
    let facts: Vec<metadata::Facts> = exports
        .iter()
        .zip(parallel)
        .zip(&entries)
        .map(|((x, parallel), entry)| {
            let wrapper = module.get_function(x);
            let slots = entry.params.len();
            metadata::Facts {
                parallel,
                may_raise: wrapper.is_none_or(numba::callconv::may_raise),
                read_only_slots: (0..slots)
                    .map(|s| wrapper.is_some_and(|w| numba::writes::slot_only_read(w, s)))
                    .collect(),
            }
        })
        .collect();
    let object = codegen::emit_object(&module, &machine)?;
    // Host exports a kernel's symbols call for (the random states, dynamic
    // excinfos); a module without them does not carry that code or data.
    let mut linked_exports = exports.clone();
    for (export, users) in shim::HOST_EXPORTS_IF_USED {
        if users.iter().any(|u| module.get_function(u).is_some()) {
            linked_exports.push(export.to_string());
        }
    }
    let args = || entries.iter().flat_map(|e| e.args.iter());
    if args().any(|t| matches!(t, numba::types::NumbaType::List { .. })) {
        linked_exports.extend(shim::LIST_ARGUMENT_EXPORTS.map(String::from));
    }
    if args().any(|t| matches!(t, numba::types::NumbaType::Dict { .. })) {
        linked_exports.extend(shim::DICT_ARGUMENT_EXPORTS.map(String::from));
    }
    let seeds_random = linked_exports.iter().any(|e| e == "nw_random_init");
    let mut metadata = Metadata::new(&entries, &exports, &facts, options.simd, seeds_random)?;
    if metadata.exports.iter().any(|e| !e.never_raises) {
        let (exceptions, undecoded) = numba::pickles::static_exceptions(&module);
        metadata.exceptions = exceptions;
        // Excinfos made at run time: dynamic messages and parfor bodies
        // (the users of nw_exc_clear), the shim's unresolved-symbol abort.
        metadata.runtime_pickles = undecoded
            || linked_exports.iter().any(|e| e == "nw_exc_clear")
            || module.get_function("nrt_unresolved_abort").is_some();
    }
    // Hosts allocate and release arrays, strings and containers through NRT.
    if metadata.abi.meminfo.is_some() {
        linked_exports.extend(shim::NRT_HOST_EXPORTS.map(String::from));
    }
    // Hosts that allocate (or whose call block is too large for the
    // static one) get the allocator; the others, scalar modules, the
    // static block alone and no allocator.
    if metadata.abi.meminfo.is_some() || seeds_random || !metadata.call_block.fits_scratch() {
        linked_exports.extend(shim::HEAP_HOST_EXPORTS.map(String::from));
    } else {
        linked_exports.push(shim::SCRATCH_HOST_EXPORT.to_string());
    }
    let linked = link::link(&object, &linked_exports, options.simd)?;
    // A module without SIMD instructions runs on engines without SIMD, and
    // its hosts need no hint for those that lack it.
    metadata.simd = post::simd_held(&linked, options.simd);
    let wasm = post::finish(&linked, &metadata)?;
    Ok((wasm, metadata))
}

/// Paths of the files `build` wrote.
pub struct Artifacts {
    pub wasm: PathBuf,
    pub js: PathBuf,
    pub dts: PathBuf,
}

/// Compile and write `OUTDIR/NAME.wasm`, `NAME.js` and `NAME.d.ts`.
pub fn build(
    sources: &[Source],
    returns: &ReturnTypes,
    out_dir: &Path,
    name: &str,
    minify: bool,
) -> Result<Artifacts> {
    let (wasm, _) = compile(sources, returns)?;
    write_outputs(&wasm, out_dir, name, minify)
}

/// Write `NAME.wasm` and the wrapper generated from its metadata section
/// alone, so any module numba-wasm built can be re-wrapped. `minify`: the
/// `.js` without comments and layout and with short local names, the
/// `.wasm` without names for debuggers.
pub fn write_outputs(wasm: &[u8], out_dir: &Path, name: &str, minify: bool) -> Result<Artifacts> {
    let mut metadata = Metadata::from_wasm(wasm)?;
    // Minified: no names for debuggers (the name section, and the IR's
    // symbols and qualified names in the metadata, which no host reads).
    let minified = minify.then(|| {
        metadata.drop_debug_names();
        post::minified(wasm, metadata.to_json().as_bytes())
    });
    let wasm = minified.as_deref().unwrap_or(wasm);
    let section = Metadata::section(wasm)?;
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create `{}`", out_dir.display()))?;
    let artifacts = Artifacts {
        wasm: out_dir.join(format!("{name}.wasm")),
        js: out_dir.join(format!("{name}.js")),
        dts: out_dir.join(format!("{name}.d.ts")),
    };
    // Relative, so that bundlers resolve it as a file, not a package.
    let wasm_file = format!("./{name}.wasm");
    let write = |path: &Path, bytes: &[u8]| {
        std::fs::write(path, bytes).with_context(|| format!("cannot write `{}`", path.display()))
    };
    write(&artifacts.wasm, wasm)?;
    write(
        &artifacts.js,
        glue::javascript(&section, &metadata, &wasm_file, minify).as_bytes(),
    )?;
    write(&artifacts.dts, glue::declarations(&metadata).as_bytes())?;
    Ok(artifacts)
}
