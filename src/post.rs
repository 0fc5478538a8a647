//! Stage 6: post-process the linked module with walrus: record the
//! metadata section and drop what wasm-ld left that no host needs.

use anyhow::{Context as _, Result};
use walrus::RawCustomSection;
use wasmparser::{Validator, WasmFeatures};

use crate::codegen::SimdLevel;
use crate::metadata::{Metadata, SECTION};

pub fn finish(linked: &[u8], metadata: &Metadata) -> Result<Vec<u8>> {
    let mut module =
        walrus::Module::from_buffer(linked).context("wasm-ld produced an unreadable module")?;
    // Producers and target-features sections only describe the toolchain.
    let drop: Vec<_> = module
        .customs
        .iter()
        .filter(|(_, s)| s.name() == "target_features")
        .map(|(id, _)| id)
        .collect();
    for id in drop {
        module.customs.delete(id);
    }
    module.producers.clear();
    module.customs.add(RawCustomSection {
        name: SECTION.to_string(),
        data: metadata.to_json().into_bytes(),
    });
    Ok(module.emit_wasm())
}

/// The module for `--minify`: without its `name` section (function names
/// for stack traces and debuggers) and with `section` as its metadata;
/// byte for byte otherwise the same.
pub fn minified(wasm: &[u8], section: &[u8]) -> Vec<u8> {
    fn leb(bytes: &[u8], at: &mut usize) -> Option<usize> {
        let (mut value, mut shift) = (0usize, 0);
        loop {
            let b = *bytes.get(*at)?;
            *at += 1;
            value |= usize::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(value);
            }
            shift += 7;
        }
    }
    fn put_leb(out: &mut Vec<u8>, mut v: usize) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }
    let Some(header) = wasm.get(..8) else {
        return wasm.to_vec();
    };
    let mut out = header.to_vec();
    let mut at = 8;
    while at < wasm.len() {
        let start = at;
        let id = wasm[at];
        at += 1;
        let Some(size) = leb(wasm, &mut at) else {
            return wasm.to_vec();
        };
        let body = at;
        let Some(end) = body.checked_add(size).filter(|&e| e <= wasm.len()) else {
            return wasm.to_vec();
        };
        let name = if id == 0 {
            let mut p = body;
            leb(wasm, &mut p).and_then(|n| wasm.get(p..p + n))
        } else {
            None
        };
        if name == Some(b"name".as_slice()) {
        } else if name == Some(SECTION.as_bytes()) {
            let mut payload = Vec::new();
            put_leb(&mut payload, SECTION.len());
            payload.extend_from_slice(SECTION.as_bytes());
            payload.extend_from_slice(section);
            out.push(0);
            put_leb(&mut out, payload.len());
            out.extend_from_slice(&payload);
        } else {
            out.extend_from_slice(&wasm[start..end]);
        }
        at = end;
    }
    out
}

/// The SIMD level of the instructions a module built at `built` holds: the
/// lowest at which it validates.
pub fn simd_held(wasm: &[u8], built: SimdLevel) -> SimdLevel {
    let validates_without = |off: WasmFeatures| {
        Validator::new_with_features(WasmFeatures::default().difference(off))
            .validate_all(wasm)
            .is_ok()
    };
    match built {
        SimdLevel::None => SimdLevel::None,
        _ if validates_without(WasmFeatures::SIMD | WasmFeatures::RELAXED_SIMD) => SimdLevel::None,
        SimdLevel::Relaxed if validates_without(WasmFeatures::RELAXED_SIMD) => SimdLevel::Simd128,
        level => level,
    }
}
