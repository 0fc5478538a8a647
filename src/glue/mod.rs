//! Stage 8: the JavaScript module and TypeScript declarations, generated
//! from the metadata section alone.
//!
//! Both are templates (`runtime.js`, `runtime.d.ts`) filled with per-module
//! data: the JS runtime gets the metadata (which carries the ABI) and the
//! few constants below, so no number is written twice. Each module gets the
//! template sections its kernels need ([`features`]); `--minify` drops
//! comments and layout and shortens local names ([`minify`]).

pub mod dts;
pub mod features;
pub mod minify;

pub(crate) use dts::call_signature;
pub use dts::declarations;

use crate::metadata::{FORMAT, Metadata};
use crate::numba::types::Dtype;

/// The static runtime; its `__NW_*__` tokens are replaced per module.
pub const RUNTIME: &str = include_str!("runtime.js");

/// Members of the module object that a kernel name cannot shadow; such a
/// kernel is reachable as `kernels[name]`.
pub const RESERVED: [&str; 7] = [
    "memory",
    "metadata",
    "exports",
    "empty",
    "fromArray",
    "stats",
    "kernels",
];

/// The module's JavaScript; `section`: the bytes of its metadata section
/// (which `load` reads from the module and checks against their
/// fingerprint); `minified`: the `--minify` form ([`minify`]).
pub fn javascript(section: &[u8], metadata: &Metadata, wasm_file: &str, minified: bool) -> String {
    let typed_arrays: std::collections::BTreeMap<&str, &str> = Dtype::ALL
        .into_iter()
        .filter(|d| metadata.abi.dtypes.contains_key(d.name()))
        .map(|d| (d.name(), dts::typed_array(d)))
        .collect();
    let features = features::Features::of(metadata);
    let template = features::select(RUNTIME, &features);
    let mut tokens = vec![
        ("\"__NW_WASM_FILE__\"", to_json(&wasm_file)),
        ("__NW_FINGERPRINT__", crate::abi::fnv1a(section).to_string()),
        ("__NW_FORMAT__", FORMAT.to_string()),
        ("__NW_RESERVED__", to_json(&RESERVED)),
        ("__NW_TYPED_ARRAYS__", to_json(&typed_arrays)),
    ];
    if features.has(features::Feature::Simd) {
        tokens.push(("__NW_SIMD__", to_json(metadata.simd.name())));
    }
    let js = fill(&template, &tokens);
    if minified { minify::minify(&js) } else { js }
}

/// JSON for a JS source file, with `<`, `>`, `&` and the line separators
/// escaped: the same value, but text from the metadata (Python names, from
/// any `.wasm` given to `wrap`) cannot close a `<script>` the file is
/// inlined into (the notebook view does that).
fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    let json = serde_json::to_string(value).expect("metadata serializes");
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// Replace each token, which occurs exactly once in the template, in one
/// pass over the template: a value (a kernel's name, the file name) may
/// itself contain a token's text and must stay as it is.
pub(crate) fn fill(template: &str, tokens: &[(&str, String)]) -> String {
    let mut at: Vec<(usize, &str, &str)> = tokens
        .iter()
        .map(|(token, value)| {
            let pos = template.find(token).expect("token in template");
            debug_assert_eq!(template.matches(token).count(), 1, "{token}");
            (pos, *token, value.as_str())
        })
        .collect();
    at.sort_by_key(|(pos, ..)| *pos);
    let mut out =
        String::with_capacity(template.len() + tokens.iter().map(|t| t.1.len()).sum::<usize>());
    let mut rest = 0;
    for (pos, token, value) in at {
        out.push_str(&template[rest..pos]);
        out.push_str(value);
        rest = pos + token.len();
    }
    out.push_str(&template[rest..]);
    out
}
