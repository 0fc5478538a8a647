//! Stage 1: raw dumps -> LLVM modules.
//!
//! Accepts `inspect_llvm()` text, `NUMBA_OPT=0` IR, captures of
//! `NUMBA_DUMP_LLVM` / `NUMBA_DUMP_OPTIMIZED` (banner lines, many modules in
//! one stream), bitcode, and any number of these at once. The result is one
//! merged module plus the return types recorded by numba-wasm's dump tools.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use anyhow::Result;
use inkwell::context::Context;
use inkwell::memory_buffer::MemoryBuffer;
use inkwell::module::{Linkage, Module};

use crate::diagnostic::{Diagnostic, Diagnostics, excerpt_lines};
use crate::ir::{is_defined, make_declaration};

/// Comment line written by numba-wasm's dump tools before a module:
/// `; numba-wasm-return: <mangled symbol> <str(return type)>`. Numba's IR
/// does not record an entry's return type anywhere else.
pub const RETURN_ANNOTATION: &str = "; numba-wasm-return:";

/// Comment line written by numba-wasm's dump tools beside the return
/// annotation: `; numba-wasm-args: <mangled symbol> <JSON list of types>`,
/// the argument types in the spelling of [`crate::numba::types`], which
/// (unlike the mangled name) carries the field names of named tuples.
pub const ARGS_ANNOTATION: &str = "; numba-wasm-args:";

/// One input as given on the command line (`-` is standard input).
pub struct Source {
    pub origin: String,
    pub bytes: Vec<u8>,
}

/// An error about one input, naming its origin.
fn input_error(origin: &str, message: String) -> anyhow::Error {
    Diagnostics::from(Diagnostic::error(message).input(origin)).into()
}

impl Source {
    pub fn read(arg: &str) -> Result<Source> {
        if arg == "-" {
            let origin = "<stdin>";
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| input_error(origin, format!("cannot read standard input: {e}")))?;
            Ok(Source {
                origin: origin.into(),
                bytes,
            })
        } else {
            let bytes = std::fs::read(Path::new(arg))
                .map_err(|e| input_error(arg, format!("cannot read `{arg}`: {e}")))?;
            Ok(Source {
                origin: arg.into(),
                bytes,
            })
        }
    }
}

/// Banner line the dump tools write before each module:
/// `; ---- numba-wasm module: <module.qualname> <signature> ----`, right
/// after the module's [`RETURN_ANNOTATION`].
pub const MODULE_BANNER: &str = "; ---- numba-wasm module:";

/// A single LLVM module found in a source.
pub struct Chunk {
    pub origin: String,
    pub bitcode: bool,
    pub bytes: Vec<u8>,
    /// The Python qualname in the NUMBA_DUMP banner in front of it.
    pub banner: Option<String>,
}

/// Everything the sources hold, before parsing.
#[derive(Default)]
pub struct Dumps {
    pub chunks: Vec<Chunk>,
    /// Mangled symbol -> `str()` of its Numba return type.
    pub return_types: HashMap<String, String>,
    /// Mangled symbol -> its argument types (JSON list), from the dump tools.
    pub arg_types: HashMap<String, String>,
    /// Mangled symbol -> `module.qualname`, from the dump tools.
    pub names: HashMap<String, String>,
}

/// The merged module, and the function names NUMBA_DUMP banners state for
/// the symbols defined under them.
pub struct Parsed<'ctx> {
    pub module: Module<'ctx>,
    pub banner_names: HashMap<String, String>,
}

fn is_bitcode(bytes: &[u8]) -> bool {
    bytes.starts_with(b"BC\xC0\xDE") || bytes.starts_with(&[0xDE, 0xC0, 0x17, 0x0B])
}

/// A banner line of Numba's dump output (`----LLVM DUMP f----`, `=====`).
fn is_banner(line: &str) -> bool {
    let t = line.trim();
    (t.starts_with("---") && t.ends_with("---")) || (t.len() >= 8 && t.chars().all(|c| c == '='))
}

/// The function a Numba dump banner names: `LLVM DUMP <function descriptor
/// 'qualname$uid'>` (the lowered function), `OPTIMIZED DUMP qualname` and
/// `FUNCTION OPTIMIZED DUMP qualname` (its library).
fn numba_banner_name(line: &str) -> Option<String> {
    let title = line.trim().trim_matches('-').trim();
    let (_, rest) = title.split_once("DUMP ")?;
    let name = match rest.strip_prefix("<function descriptor '") {
        Some(d) => {
            let d = d.strip_suffix("'>")?;
            d.rsplit_once('$').map_or(d, |(n, _)| n)
        }
        None => rest.trim(),
    };
    (!name.is_empty() && !name.contains(char::is_whitespace)).then(|| name.to_string())
}

fn looks_like_ir(text: &str) -> bool {
    text.lines()
        .any(|l| l.starts_with("define ") || l.starts_with("declare "))
}

impl Dumps {
    pub fn split(sources: &[Source]) -> Result<Dumps> {
        let mut dumps = Dumps::default();
        for src in sources {
            if src.bytes.iter().all(u8::is_ascii_whitespace) {
                return Err(input_error(
                    &src.origin,
                    format!(
                        "input {} is empty: expected Numba LLVM IR (text or bitcode)",
                        src.origin
                    ),
                ));
            }
            if is_bitcode(&src.bytes) {
                dumps.chunks.push(Chunk {
                    origin: src.origin.clone(),
                    bitcode: true,
                    bytes: src.bytes.clone(),
                    banner: None,
                });
                continue;
            }
            let text = std::str::from_utf8(&src.bytes).map_err(|e| {
                input_error(
                    &src.origin,
                    format!(
                        "input {} is neither LLVM bitcode nor UTF-8 text: {e}",
                        src.origin
                    ),
                )
            })?;
            let before = dumps.chunks.len();
            dumps.split_text(&src.origin, text);
            if dumps.chunks.len() == before {
                return Err(input_error(
                    &src.origin,
                    format!(
                        "input {} holds no LLVM IR (no `define` or `declare` line); expected the \
                         text of `dispatcher.inspect_llvm()` or a NUMBA_DUMP_LLVM capture",
                        src.origin
                    ),
                ));
            }
        }
        Ok(dumps)
    }

    /// Split a text stream at banners and `; ModuleID` lines; keep the parts
    /// that hold IR.
    fn split_text(&mut self, origin: &str, text: &str) {
        let mut current = String::new();
        let mut start_line = 1;
        let mut banner = None;
        let mut annotated = None;
        let flush = |current: &mut String,
                     start: usize,
                     banner: &Option<String>,
                     chunks: &mut Vec<Chunk>| {
            if looks_like_ir(current) {
                // Blank lines in front keep LLVM's line numbers those of the input.
                let mut text = "\n".repeat(start - 1);
                text.push_str(current);
                chunks.push(Chunk {
                    origin: origin.to_string(),
                    bitcode: false,
                    bytes: text.into_bytes(),
                    banner: banner.clone(),
                });
            }
            current.clear();
        };
        for (i, line) in text.lines().enumerate() {
            if let Some(rest) = line.strip_prefix(ARGS_ANNOTATION) {
                let mut it = rest.trim().splitn(2, ' ');
                if let (Some(sym), Some(types)) = (it.next(), it.next()) {
                    self.arg_types
                        .insert(sym.to_string(), types.trim().to_string());
                }
                continue;
            }
            if let Some(rest) = line.strip_prefix(RETURN_ANNOTATION) {
                let mut it = rest.trim().splitn(2, ' ');
                if let (Some(sym), Some(ty)) = (it.next(), it.next()) {
                    self.return_types
                        .insert(sym.to_string(), ty.trim().to_string());
                    annotated = Some(sym.to_string());
                }
                continue;
            }
            if let Some(rest) = line.strip_prefix(MODULE_BANNER) {
                // `<module.qualname> <signature> ----`: the name has no spaces.
                if let (Some(sym), Some(name)) = (annotated.take(), rest.split_whitespace().next())
                {
                    self.names.insert(sym, name.to_string());
                }
            }
            let new_module = line.starts_with("; ModuleID") && looks_like_ir(&current);
            if is_banner(line) || line.starts_with(MODULE_BANNER) || new_module {
                flush(&mut current, start_line, &banner, &mut self.chunks);
                start_line = i + 1;
                if !new_module {
                    banner = numba_banner_name(line);
                    start_line += 1;
                    continue;
                }
            }
            current.push_str(line);
            current.push('\n');
        }
        flush(&mut current, start_line, &banner, &mut self.chunks);
    }

    /// Parse every chunk and link them into one module. A function defined
    /// in several inputs (the same kernel dumped twice, a callee compiled
    /// into its caller's library, `linkonce_odr` runtime helpers) is kept
    /// once: Numba's symbols are content-addressed, so equal names are
    /// equal code.
    pub fn parse<'ctx>(&self, ctx: &'ctx Context) -> Result<Parsed<'ctx>> {
        let merged = ctx.create_module("numba_wasm");
        let mut banner_names = HashMap::new();
        for chunk in &self.chunks {
            let buf = MemoryBuffer::create_from_memory_range_copy(&chunk.bytes, &chunk.origin);
            let _doing = crate::diagnostic::doing(format!("parsing the input {}", chunk.origin));
            let module = if chunk.bitcode {
                Module::parse_bitcode_from_buffer(&buf, ctx).map_err(|e| {
                    input_error(
                        &chunk.origin,
                        format!(
                            "{}: invalid LLVM bitcode: {}",
                            chunk.origin,
                            e.to_string_lossy()
                        ),
                    )
                })?
            } else {
                ctx.create_module_from_ir(buf).map_err(|e| {
                    input_error(
                        &chunk.origin,
                        format!(
                            "LLVM IR does not parse: {}",
                            excerpt_lines(e.to_string_lossy().trim_end())
                        ),
                    )
                })?
            };
            // IR can parse and still break LLVM's rules (a misplaced phi, a
            // use before its definition); that is the input's fault, said here
            // rather than as a crash later.
            module.verify().map_err(|e| {
                input_error(
                    &chunk.origin,
                    format!(
                        "{}: not valid LLVM IR: {}",
                        chunk.origin,
                        excerpt_lines(e.to_string_lossy().trim_end())
                    ),
                )
            })?;
            if let Some(name) = &chunk.banner {
                for f in module.get_functions().filter(|f| is_defined(*f)) {
                    if let Ok(sym) = f.get_name().to_str() {
                        banner_names.insert(sym.to_string(), name.clone());
                    }
                }
            }
            drop_duplicate_definitions(&merged, &module);
            merged.link_in_module(module).map_err(|e| {
                input_error(
                    &chunk.origin,
                    format!(
                        "{}: cannot merge with the other inputs: {}",
                        chunk.origin,
                        e.to_string_lossy()
                    ),
                )
            })?;
        }
        Ok(Parsed {
            module: merged,
            banner_names,
        })
    }
}

/// Turn definitions that `merged` already has into declarations, so that
/// linking does not report them as multiply defined.
fn drop_duplicate_definitions(merged: &Module<'_>, incoming: &Module<'_>) {
    for f in incoming.get_functions() {
        if !is_defined(f) {
            continue;
        }
        let Ok(name) = f.get_name().to_str() else {
            continue;
        };
        if merged.get_function(name).is_some_and(is_defined) {
            make_declaration(f);
        }
    }
    for g in incoming.get_globals() {
        let Ok(name) = g.get_name().to_str() else {
            continue;
        };
        if g.get_initializer().is_some()
            && !matches!(g.get_linkage(), Linkage::Internal | Linkage::Private)
            && merged
                .get_global(name)
                .is_some_and(|m| m.get_initializer().is_some())
        {
            g.set_linkage(Linkage::LinkOnceODR);
        }
    }
}
