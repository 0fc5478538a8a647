//! The Python name of an entry point.
//!
//! A mangled symbol does not always decode to one Python name (see
//! [`decode_part`]), but the dumps usually state the name elsewhere: the
//! dump tools write `module.qualname`, Numba's CPython wrapper passes the
//! qualname to `PyArg_UnpackTuple`, and NUMBA_DUMP captures name the
//! function in their banners. A stated name is used when escaping it the
//! way Numba does gives the symbol's text; the symbol alone is the fallback.

use std::fmt;

use inkwell::module::Module;
use inkwell::values::{BasicValueEnum, InstructionOpcode};

use super::callconv::cpython_wrapper_name;
use super::mangle::{Demangled, decode_part};

/// Where an entry's Python name was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameSource {
    /// `; ---- numba-wasm module: <module.qualname> ...` from the dump tools.
    DumpTool,
    /// The qualname Numba's CPython wrapper passes to `PyArg_UnpackTuple`.
    Wrapper,
    /// The banner of a NUMBA_DUMP_LLVM / NUMBA_DUMP_OPTIMIZED capture.
    Banner,
    /// Decoded from the mangled symbol alone.
    Symbol,
}

impl fmt::Display for NameSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NameSource::DumpTool => "dump annotation",
            NameSource::Wrapper => "CPython wrapper",
            NameSource::Banner => "dump banner",
            NameSource::Symbol => "mangled symbol",
        })
    }
}

/// A Python qualified name (`module.qualname`) and where it was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PythonName {
    pub qualname: String,
    pub source: NameSource,
    /// How many trailing parts of `qualname` were stated, not decoded.
    pub stated_parts: usize,
}

impl PythonName {
    /// The function's own name, the last part of its qualified name.
    pub fn name(&self) -> &str {
        self.qualname.rsplit('.').next().unwrap_or(&self.qualname)
    }

    /// Does a name the user gave (`--return NAME=...`: a Python name,
    /// qualified or not) mean this function? It must mangle to the symbol
    /// (`d`), and where the Python name is known exactly it must be that
    /// name: `xé` does not mean a function stated to be `x_c3_a9`, although
    /// both mangle to `x_c3_a9`.
    pub fn is_meant_by(&self, d: &Demangled, user: &str) -> bool {
        if !d.is_named(user) {
            return false;
        }
        let ours: Vec<&str> = self.qualname.split('.').collect();
        let theirs: Vec<&str> = user.split('.').collect();
        let exact = self.stated_parts.min(theirs.len());
        ours[ours.len() - exact..] == theirs[theirs.len() - exact..]
    }
}

/// The first stated name that the symbol agrees with, else the symbol's
/// own decoding. A stated name may leave out the module (the wrapper and
/// the banners give `__qualname__` only); those parts are then decoded.
pub fn resolve(d: &Demangled, stated: &[(NameSource, String)]) -> PythonName {
    for (source, name) in stated {
        if d.is_named(name) {
            let given = name.split('.').count();
            let mut parts: Vec<String> = d.parts[..d.parts.len() - given]
                .iter()
                .map(|p| decode_part(p))
                .collect();
            parts.push(name.clone());
            return PythonName {
                qualname: parts.join("."),
                source: *source,
                stated_parts: given,
            };
        }
    }
    PythonName {
        qualname: d.decoded_qualname(),
        source: NameSource::Symbol,
        stated_parts: 0,
    }
}

/// The qualname Numba's CPython wrapper for `symbol` hands to
/// `PyArg_UnpackTuple` (`callwrapper.py`: `api.unpack_tuple(args,
/// self.fndesc.qualname, ...)`), if the input has that wrapper.
pub fn from_wrapper(module: &Module<'_>, symbol: &str) -> Option<String> {
    let wrapper = module.get_function(&cpython_wrapper_name(symbol)?)?;
    for bb in wrapper.get_basic_blocks() {
        for inst in bb.get_instructions() {
            if inst.get_opcode() != InstructionOpcode::Call {
                continue;
            }
            let n = inst.get_num_operands();
            let callee = inst.get_operand(n.checked_sub(1)?)?.value()?;
            if callee.get_name().to_str() != Ok("PyArg_UnpackTuple") {
                continue;
            }
            let Some(BasicValueEnum::PointerValue(name)) = inst.get_operand(1)?.value() else {
                return None;
            };
            let global = module.get_global(name.get_name().to_str().ok()?)?;
            let BasicValueEnum::ArrayValue(text) = global.get_initializer()? else {
                return None;
            };
            let bytes = text.as_const_string()?;
            let bytes = bytes.strip_suffix(b"\0").unwrap_or(bytes);
            return String::from_utf8(bytes.to_vec()).ok();
        }
    }
    None
}
