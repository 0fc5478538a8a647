//! TypeScript declarations for the generated ES module: the static API
//! lives in `runtime.d.ts` beside `runtime.js`; this fills in one property
//! per kernel.

use std::fmt::Write as _;

use super::{RESERVED, fill};
use crate::codegen::SimdLevel;
use crate::metadata::{Export, Metadata};
use crate::numba::types::{Dtype, NumbaType};

pub const TEMPLATE: &str = include_str!("runtime.d.ts");

/// The TypedArray that holds a dtype's elements; the JS runtime gets the
/// same table (`TYPED_ARRAYS` in runtime.js).
pub(super) fn typed_array(dtype: Dtype) -> &'static str {
    match dtype {
        Dtype::Bool | Dtype::Uint8 => "Uint8Array",
        Dtype::Int8 => "Int8Array",
        Dtype::Int16 => "Int16Array",
        Dtype::Uint16 => "Uint16Array",
        Dtype::Int32 => "Int32Array",
        Dtype::Uint32 => "Uint32Array",
        Dtype::Int64 => "BigInt64Array",
        Dtype::Uint64 => "BigUint64Array",
        Dtype::Float32 | Dtype::Complex64 => "Float32Array",
        Dtype::Float64 | Dtype::Complex128 => "Float64Array",
    }
}

fn arg_type(t: &NumbaType) -> String {
    match t {
        NumbaType::Scalar { dtype: Dtype::Bool } => "boolean".into(),
        NumbaType::Scalar {
            dtype: Dtype::Int64 | Dtype::Uint64,
        } => "bigint | number".into(),
        NumbaType::Scalar { dtype } if dtype.is_complex() => "Complex | number".into(),
        NumbaType::Scalar { .. } => "number".into(),
        // Records as their bytes (`Uint8Array`); the fields are in the metadata.
        NumbaType::Records { .. } => "Uint8Array | ArrayArg<Uint8Array>".into(),
        NumbaType::Array { dtype, .. } => {
            let ta = typed_array(*dtype);
            format!("{ta} | ArrayArg<{ta}> | WasmArray<{ta}>")
        }
        NumbaType::Tuple { items } => format!(
            "[{}]",
            items.iter().map(arg_type).collect::<Vec<_>>().join(", ")
        ),
        NumbaType::NamedTuple { fields, items, .. } => format!(
            "{} | [{}]",
            record(fields, items, arg_type),
            items.iter().map(arg_type).collect::<Vec<_>>().join(", ")
        ),
        NumbaType::None => "null | undefined".into(),
        // A record scalar: an object with its fields (changes written back).
        NumbaType::Record { record } => record_fields(record, arg_type),
        NumbaType::Optional { item } => format!("{} | null | undefined", arg_type(item)),
        NumbaType::StrLiteral { value } => serde_json::to_string(value).expect("strings serialize"),
        NumbaType::Unicode => "string".into(),
        // A reflected list: a JS Array, whose changes are written back.
        NumbaType::List { item, .. } => format!("Array<{}>", arg_type(item)),
        // A typed dict: a JS Map, whose changes are written back.
        NumbaType::Dict { key, value } => format!("Map<{}, {}>", arg_type(key), arg_type(value)),
        // Not a parameter of the overload (see `call_signature`).
        NumbaType::Omitted { .. } => "never".into(),
    }
}

/// `{ x: T; y: U }` for a record's fields.
fn record_fields(
    record: &crate::numba::types::Record,
    ty: impl Fn(&NumbaType) -> String,
) -> String {
    let members: Vec<String> = record
        .fields
        .iter()
        .map(|f| {
            let t = ty(&NumbaType::Scalar { dtype: f.dtype });
            format!("{}: {t}", property_name(&f.name))
        })
        .collect();
    format!("{{ {} }}", members.join("; "))
}

/// `{ x: T; y: U }` for a named tuple's fields.
fn record(fields: &[String], items: &[NumbaType], ty: fn(&NumbaType) -> String) -> String {
    let members: Vec<String> = fields
        .iter()
        .zip(items)
        .map(|(f, t)| format!("{}: {}", property_name(f), ty(t)))
        .collect();
    format!("{{ {} }}", members.join("; "))
}

fn return_type(t: &NumbaType) -> String {
    result_type(t, false)
}

/// The TypeScript type of a result; with `kept`, arrays are the WasmArrays
/// a kernel's `noCopy` returns.
fn result_type(t: &NumbaType, kept: bool) -> String {
    let item = |t: &NumbaType| result_type(t, kept);
    match t {
        NumbaType::Array { dtype, .. } if kept => format!("WasmArray<{}>", typed_array(*dtype)),
        NumbaType::Scalar { dtype: Dtype::Bool } => "boolean".into(),
        NumbaType::Scalar {
            dtype: Dtype::Int64 | Dtype::Uint64,
        } => "bigint".into(),
        NumbaType::Scalar { dtype } if dtype.is_complex() => "Complex".into(),
        NumbaType::Scalar { .. } => "number".into(),
        NumbaType::Array { dtype, .. } => format!("NdArray<{}>", typed_array(*dtype)),
        NumbaType::Records { .. } => "NdArray<Uint8Array>".into(),
        NumbaType::Record { record } => record_fields(record, item),
        NumbaType::Tuple { items } => format!(
            "[{}]",
            items.iter().map(item).collect::<Vec<_>>().join(", ")
        ),
        NumbaType::NamedTuple { fields, items, .. } if kept => {
            record(fields, items, |t| result_type(t, true))
        }
        NumbaType::NamedTuple { fields, items, .. } => record(fields, items, return_type),
        NumbaType::Unicode => "string".into(),
        NumbaType::Optional { item: inner } => format!("{} | undefined", item(inner)),
        // The value itself, as a TypeScript literal type.
        NumbaType::StrLiteral { value } => serde_json::to_string(value).expect("strings serialize"),
        NumbaType::None | NumbaType::Omitted { .. } => "void".into(),
        // Real numbers in their TypedArray; others (bool, complex, str) in an Array.
        NumbaType::List { item, .. } => match **item {
            NumbaType::Scalar { dtype } if dtype != Dtype::Bool && !dtype.is_complex() => {
                typed_array(dtype).into()
            }
            _ => format!("Array<{}>", result_type(item, kept)),
        },
        NumbaType::Dict { key, value } => {
            format!(
                "Map<{}, {}>",
                result_type(key, kept),
                result_type(value, kept)
            )
        }
    }
}

pub(crate) fn call_signature(e: &Export) -> String {
    signature(e, false)
}

fn signature(e: &Export, kept: bool) -> String {
    let params: Vec<String> = e
        .args
        .iter()
        .enumerate()
        // An omitted argument is not a parameter of this overload.
        .filter(|(_, t)| !matches!(t, NumbaType::Omitted { .. }))
        .map(|(i, t)| {
            let name = e
                .arg_names
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("arg{i}"));
            format!("{name}: {}", arg_type(t))
        })
        .collect();
    format!("({}): {}", params.join(", "), result_type(&e.ret, kept))
}

/// One property per Python function: a callable with one call signature
/// per overload, plus the overloads themselves.
fn kernel(out: &mut String, name: &str, overloads: &[&Export], arrays: bool) {
    let _ = writeln!(out, "  readonly {}: {{", property_name(name));
    for e in overloads {
        let parallel = if e.parallel {
            format!("; {}", crate::PARALLEL_NOTE)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "    /** `{}`: Numba signature `{}`{parallel} */",
            comment_text(&e.qualname),
            comment_text(&e.signature)
        );
        let _ = writeln!(out, "    {};", call_signature(e));
    }
    if arrays {
        let _ = writeln!(
            out,
            "    /** The same call, but returned arrays stay in wasm memory as WasmArrays (call free()). */"
        );
        let _ = writeln!(out, "    readonly noCopy: {{");
        for e in overloads {
            let _ = writeln!(out, "      {};", signature(e, true));
        }
        let _ = writeln!(out, "    }};");
    }
    let _ = writeln!(out, "    readonly overloads: ReadonlyArray<Overload>;");
    let _ = writeln!(out, "    readonly signatures: ReadonlyArray<string>;");
    let _ = writeln!(out, "  }};");
}

/// A property name as TypeScript reads it: the name itself when it is an
/// identifier, else a string literal (`"<lambda>"`). Names come from the
/// metadata, which `wrap` reads from any `.wasm`: untrusted text.
fn property_name(name: &str) -> String {
    let mut chars = name.chars();
    let is_ident = chars
        .next()
        .is_some_and(|c| c == '_' || c == '$' || unicode_ident::is_xid_start(c))
        && chars.all(|c| c == '$' || unicode_ident::is_xid_continue(c));
    if is_ident {
        name.to_string()
    } else {
        serde_json::to_string(name).expect("strings serialize")
    }
}

/// Text safe inside a `/** ... */` comment.
fn comment_text(text: &str) -> String {
    text.replace("*/", "*\\/")
}

pub fn declarations(metadata: &Metadata) -> String {
    let features = super::features::Features::of(metadata);
    let arrays = features.has(super::features::Feature::Arrays);
    let mut kernels = String::new();
    let mut names: Vec<&str> = Vec::new();
    for e in &metadata.exports {
        if !names.contains(&e.name.as_str()) {
            names.push(&e.name);
        }
    }
    for name in names {
        let overloads: Vec<&Export> = metadata.exports.iter().filter(|e| e.name == name).collect();
        // Runtime members keep their names; such a kernel is reachable as `kernels[name]`.
        if !RESERVED.contains(&name) {
            kernel(&mut kernels, name, &overloads, arrays);
        }
    }
    let template = super::features::select(TEMPLATE, &features);
    let dtypes: Vec<String> = metadata
        .abi
        .dtypes
        .keys()
        .map(|d| format!("{d:?}"))
        .collect();
    let dtypes = if dtypes.is_empty() {
        "never".to_string()
    } else {
        dtypes.join(" | ")
    };
    let text = fill(
        &template,
        &[("  __NW_KERNELS__\n", kernels), ("__NW_DTYPES__", dtypes)],
    );
    simd_note(text, metadata.simd)
}

/// A module built at another SIMD level than the default says so below the
/// header, with what it needs of the engine.
fn simd_note(text: String, simd: SimdLevel) -> String {
    let note = match simd {
        SimdLevel::Simd128 => return text,
        SimdLevel::None => "// No SIMD instructions: runs in engines without WebAssembly SIMD.\n",
        SimdLevel::Relaxed => {
            "// Built with --relaxed-simd: needs relaxed SIMD (Chrome 114+, Node 22+; Node 20 with\n\
             // --experimental-wasm-relaxed-simd); fused multiply-adds may round differently from native.\n"
        }
    };
    match text.find("\n\n") {
        Some(end) => format!("{}\n{note}{}", &text[..end], &text[end + 1..]),
        None => format!("{note}{text}"),
    }
}
