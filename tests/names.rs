//! Python names round-trip through Numba's mangling: 300 qualified names
//! (the hard cases and seeded random ones) mangled by Numba's own mangler
//! (`scripts/gen_names_fixture.py` writes `fixtures/names/mangled.json`)
//! and read back by numba-wasm.

use numba_wasm::numba::mangle::{demangle, escape_part};
use numba_wasm::numba::names::{NameSource, resolve};

struct Record {
    module: String,
    qualname: String,
    symbol: String,
    ambiguous: bool,
}

fn records() -> Vec<Record> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/names/mangled.json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let names = json["names"].as_array().unwrap();
    assert!(
        names.len() >= 300,
        "the fixture holds {} names",
        names.len()
    );
    names
        .iter()
        .map(|r| Record {
            module: r["module"].as_str().unwrap().into(),
            qualname: r["qualname"].as_str().unwrap().into(),
            symbol: r["symbol"].as_str().unwrap().into(),
            ambiguous: r["ambiguous"].as_bool().unwrap(),
        })
        .collect()
}

#[test]
fn numba_mangled_names_round_trip() {
    let mut exact_fallback = 0;
    let all = records();
    for r in &all {
        let full = format!("{}.{}", r.module, r.qualname);
        let d = demangle(&r.symbol).unwrap_or_else(|e| panic!("{full}: {e:#}"));
        let last = r.qualname.rsplit('.').next().unwrap();

        // numba-wasm escapes exactly as Numba did.
        let escaped: Vec<String> = full.split('.').map(escape_part).collect();
        assert_eq!(d.parts, escaped, "{full}");

        // Matching by name (`--return`, wrapper recognition) is exact.
        for name in [full.as_str(), r.qualname.as_str(), last] {
            assert!(d.is_named(name), "{full} does not match `{name}`");
        }
        for other in [format!("{last}x"), format!("x{last}"), format!("{full}.x")] {
            assert!(!d.is_named(&other), "{full} matches `{other}`");
        }

        // A stated name (dump tool: module.qualname; CPython wrapper and
        // banners: qualname) gives the Python name exactly.
        let stated = resolve(&d, &[(NameSource::DumpTool, full.clone())]);
        assert_eq!(stated.qualname, full);
        assert_eq!(stated.name(), last);
        let wrapper = resolve(&d, &[(NameSource::Wrapper, r.qualname.clone())]);
        assert!(wrapper.qualname.ends_with(&format!(".{}", r.qualname)));
        assert_eq!(wrapper.source, NameSource::Wrapper);
        // A stated name that does not escape to the symbol is not used.
        let wrong = resolve(&d, &[(NameSource::Wrapper, format!("{last}_x"))]);
        assert_eq!(wrong.source, NameSource::Symbol);

        // The symbol alone: exact whenever only one Python name mangles to
        // it; otherwise one of the names that do.
        let decoded = d.decoded_qualname();
        let decoded_parts: Vec<String> = decoded.split('.').map(escape_part).collect();
        assert_eq!(decoded_parts, d.parts, "{full} decoded as {decoded}");
        if !r.ambiguous {
            assert_eq!(decoded, full);
        }
        if r.qualname.contains('<') {
            // `<locals>`, `<lambda>` are always read as such.
            let want: Vec<&str> = r.qualname.split('.').collect();
            let got: Vec<&str> = decoded.split('.').collect();
            for (w, g) in want.iter().rev().zip(got.iter().rev()) {
                if w.starts_with('<') {
                    assert_eq!(w, g, "{full}");
                }
            }
        }
        exact_fallback += usize::from(decoded == full);
    }
    // The rule prefers identifier characters over look-alike text; most
    // ambiguous names in the corpus are read right even without a stated name.
    eprintln!(
        "{exact_fallback}/{} names read exactly from the symbol alone",
        all.len()
    );
}
