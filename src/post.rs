//! Stage 6: post-process the linked module with walrus: record the
//! metadata section and drop what wasm-ld left that no host needs.

use anyhow::{Context as _, Result};
use walrus::RawCustomSection;

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
