//! Which parts of the runtime a module's glue needs, from its metadata, and
//! the `//#if` sections of the templates that select them.
//!
//! `runtime.js` and `runtime.d.ts` mark optional code with lines
//! `//#if NAME` (`//#if A|B`: either; `//#if !NAME`: without it) and
//! `//#endif`; sections nest. A
//! module whose kernels take and return only scalars ships neither the array
//! code nor the exception decoder.

use crate::codegen::SimdLevel;
use crate::metadata::Metadata;
use crate::numba::types::NumbaType;

/// A part of the runtime; its name is what `//#if` lines say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    /// Arrays (and arrays of records) as arguments or results: copying in
    /// and out, `WasmArray`, `empty`, `fromArray`, `noCopy`.
    Arrays,
    /// Arrays of records (structured dtypes).
    Records,
    /// `str` arguments or results.
    Strings,
    /// Tuples, named tuples and optional values as arguments or results.
    Tuples,
    /// A kernel that can raise: reading its excinfo, and the static
    /// exceptions the build decoded (metadata `exceptions`).
    Raises,
    /// An exception known only at run time (metadata `runtime_pickles`):
    /// the excinfo pickle decoder and Python's `str(exc)` rules.
    Pickles,
    /// A Python function compiled for several signatures: the dispatcher.
    Overloads,
    /// Lists and dicts as results.
    Containers,
    /// A kernel that takes or returns more than scalars and arrays, or
    /// overloads: the general call path (snapshots of nested values,
    /// argument slots by path). Kernels of scalars, None and arrays alone
    /// have a direct path.
    General,
    /// The module holds SIMD instructions: an engine without them gets a
    /// hint naming the build it needs.
    Simd,
    /// The module draws random numbers: seeding its states from the
    /// platform's entropy.
    Random,
}

impl Feature {
    pub const ALL: [Feature; 11] = [
        Feature::Arrays,
        Feature::Records,
        Feature::Strings,
        Feature::Tuples,
        Feature::Raises,
        Feature::Pickles,
        Feature::Overloads,
        Feature::Containers,
        Feature::General,
        Feature::Simd,
        Feature::Random,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Feature::Arrays => "arrays",
            Feature::Records => "records",
            Feature::Strings => "strings",
            Feature::Tuples => "tuples",
            Feature::Raises => "raises",
            Feature::Pickles => "pickles",
            Feature::Overloads => "overloads",
            Feature::Containers => "containers",
            Feature::General => "general",
            Feature::Simd => "simd",
            Feature::Random => "random",
        }
    }
}

/// The features a module's glue includes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Features(Vec<Feature>);

impl Features {
    pub fn all() -> Features {
        Features(Feature::ALL.to_vec())
    }

    pub fn new(features: impl IntoIterator<Item = Feature>) -> Features {
        Features(features.into_iter().collect())
    }

    pub fn of(metadata: &Metadata) -> Features {
        let mut found = Vec::new();
        let mut add = |f: Feature| {
            if !found.contains(&f) {
                found.push(f);
            }
        };
        for e in &metadata.exports {
            for t in e.args.iter().chain([&e.ret]) {
                visit(t, &mut add);
            }
            if !e.never_raises {
                add(Feature::Raises);
            }
            if metadata.exports.iter().filter(|o| o.name == e.name).count() > 1 {
                add(Feature::Overloads);
            }
            // What the direct call path (`directCall`) takes and returns.
            let direct = |t: &NumbaType| {
                matches!(
                    t,
                    NumbaType::Scalar { .. }
                        | NumbaType::None
                        | NumbaType::Omitted { .. }
                        | NumbaType::Array { .. }
                        | NumbaType::Records { .. }
                )
            };
            if !e.args.iter().all(direct) || !direct(&e.ret) {
                add(Feature::General);
            }
        }
        if found.contains(&Feature::Overloads) && !found.contains(&Feature::General) {
            found.push(Feature::General);
        }
        if metadata.runtime_pickles && found.contains(&Feature::Raises) {
            found.push(Feature::Pickles);
        }
        if metadata.simd != SimdLevel::None {
            found.push(Feature::Simd);
        }
        if metadata.abi.random_entropy_bytes.is_some() {
            found.push(Feature::Random);
        }
        found.sort_by_key(|f| Feature::ALL.iter().position(|a| a == f));
        Features(found)
    }

    pub fn has(&self, f: Feature) -> bool {
        self.0.contains(&f)
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|f| f.name()).collect()
    }
}

fn visit(t: &NumbaType, add: &mut impl FnMut(Feature)) {
    match t {
        NumbaType::Array { .. } => add(Feature::Arrays),
        NumbaType::Records { .. } | NumbaType::Record { .. } => {
            add(Feature::Arrays);
            add(Feature::Records);
        }
        NumbaType::Unicode | NumbaType::StrLiteral { .. } => add(Feature::Strings),
        NumbaType::Tuple { items } | NumbaType::NamedTuple { items, .. } => {
            add(Feature::Tuples);
            items.iter().for_each(|i| visit(i, add));
        }
        NumbaType::Optional { item } => {
            add(Feature::Tuples);
            visit(item, add);
        }
        NumbaType::List { item, .. } => {
            add(Feature::Containers);
            visit(item, add);
        }
        NumbaType::Dict { key, value } => {
            add(Feature::Containers);
            visit(key, add);
            visit(value, add);
        }
        NumbaType::Scalar { .. } | NumbaType::Omitted { .. } | NumbaType::None => {}
    }
}

/// The template with the sections of absent features removed, and the
/// `//#if`/`//#endif` lines themselves.
pub fn select(template: &str, features: &Features) -> String {
    let mut out = String::with_capacity(template.len());
    // One entry per open section: whether it is kept.
    let mut open: Vec<bool> = Vec::new();
    for line in template.split_inclusive('\n') {
        let directive = line.trim();
        if let Some(cond) = directive.strip_prefix("//#if ") {
            let wanted = cond.split('|').any(|term| {
                let term = term.trim();
                let (negated, name) = match term.strip_prefix('!') {
                    Some(name) => (true, name),
                    None => (false, term),
                };
                let f = Feature::ALL
                    .into_iter()
                    .find(|f| f.name() == name)
                    .unwrap_or_else(|| panic!("unknown feature `{name}` in a glue template"));
                features.has(f) != negated
            });
            open.push(wanted);
        } else if directive == "//#endif" {
            open.pop()
                .expect("//#endif without //#if in a glue template");
        } else if open.iter().all(|&kept| kept) {
            out.push_str(line);
        }
    }
    assert!(open.is_empty(), "unclosed //#if in a glue template");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_nest_and_alternatives_match_either() {
        let t = "a\n//#if arrays\nb\n  //#if raises\nc\n  //#endif\n//#endif\n//#if strings|raises\nd\n//#endif\n//#if !arrays\nf\n//#endif\ne\n";
        let arrays = Features(vec![Feature::Arrays]);
        assert_eq!(select(t, &arrays), "a\nb\ne\n");
        let raises = Features(vec![Feature::Raises]);
        assert_eq!(select(t, &raises), "a\nd\nf\ne\n");
        assert_eq!(select(t, &Features::all()), "a\nb\nc\nd\ne\n");
    }

    #[test]
    fn every_template_section_is_balanced_and_named() {
        for t in [super::super::RUNTIME, super::super::dts::TEMPLATE] {
            select(t, &Features::all());
            select(t, &Features::default());
        }
    }
}
