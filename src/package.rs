//! Beside the stages: `build --package DIR` writes the built module as a
//! publishable npm package: `NAME.wasm`, `NAME.js`, `NAME.d.ts` (as
//! [`crate::write_outputs`] writes them), a `package.json` whose `exports`
//! map works in Node, browsers and bundlers as shipped, and a README listing
//! the kernels' signatures, generated from the metadata section.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use serde::Serialize;
use serde::ser::SerializeMap as _;

use crate::glue::{RESERVED, call_signature};
use crate::metadata::Metadata;

/// The package's name and version, checked as npm checks them.
pub struct PackageInfo {
    pub name: String,
    pub version: String,
}

/// Node's built-in modules (`module.builtinModules` of Node 20, less the
/// `_`-prefixed and `/` ones the other rules refuse): npm refuses new
/// packages named like one.
const NODE_BUILTINS: [&str; 42] = [
    "assert",
    "async_hooks",
    "buffer",
    "child_process",
    "cluster",
    "console",
    "constants",
    "crypto",
    "dgram",
    "diagnostics_channel",
    "dns",
    "domain",
    "events",
    "fs",
    "http",
    "http2",
    "https",
    "inspector",
    "module",
    "net",
    "os",
    "path",
    "perf_hooks",
    "process",
    "punycode",
    "querystring",
    "readline",
    "repl",
    "stream",
    "string_decoder",
    "sys",
    "timers",
    "tls",
    "trace_events",
    "tty",
    "url",
    "util",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
    "zlib",
];

impl PackageInfo {
    /// Check the name against npm's rules for new packages
    /// (validate-npm-package-name) and the version against SemVer 2.0.
    pub fn new(name: &str, version: &str) -> Result<PackageInfo> {
        if let Err(why) = check_name(name) {
            bail!(
                "`{name}` is not a valid npm package name: {why}; choose one with --package-name"
            );
        }
        if !is_semver(version) {
            bail!(
                "`{version}` is not a valid package version: npm wants SemVer \
                 MAJOR.MINOR.PATCH, e.g. 0.1.0 or 1.2.0-beta.1; choose one with --package-version"
            );
        }
        Ok(PackageInfo {
            name: name.to_string(),
            version: version.to_string(),
        })
    }
}

fn check_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("it is empty");
    }
    if name.len() > 214 {
        return Err("it is longer than 214 characters");
    }
    if name.trim() != name {
        return Err("it has leading or trailing spaces");
    }
    if name.chars().any(|c| c.is_uppercase()) {
        return Err("it has capital letters");
    }
    let bare = match name.strip_prefix('@') {
        Some(scoped) => {
            let (scope, bare) = scoped
                .split_once('/')
                .ok_or("a scoped name is `@scope/name`")?;
            check_part(scope)?;
            bare
        }
        None => name,
    };
    check_part(bare)?;
    if ["node_modules", "favicon.ico"].contains(&name) {
        return Err("the name is reserved");
    }
    if NODE_BUILTINS.contains(&name) {
        return Err("it is the name of a Node built-in module");
    }
    Ok(())
}

/// One `/`-free part of a name: it appears in URLs unescaped.
fn check_part(part: &str) -> Result<(), &'static str> {
    if part.is_empty() {
        return Err("a scoped name is `@scope/name`");
    }
    if part.starts_with(['.', '_']) {
        return Err("it starts with `.` or `_`");
    }
    // The characters encodeURIComponent keeps, less `~'!()*`.
    if !part
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-._".contains(c))
    {
        return Err("it may only contain a-z, 0-9, `-`, `.` and `_` (and one `@scope/`)");
    }
    Ok(())
}

/// SemVer 2.0: `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`.
fn is_semver(version: &str) -> bool {
    let (rest, build) = match version.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (version, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (rest, None),
    };
    let numeric = |s: &str| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
    };
    let ident =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| numeric(p))
        && pre.is_none_or(|p| {
            p.split('.')
                .all(|i| ident(i) && (!i.bytes().all(|b| b.is_ascii_digit()) || numeric(i)))
        })
        && build.is_none_or(|b| b.split('.').all(ident))
}

/// `package.json`, its keys in the order npm writes them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PackageJson<'a> {
    name: &'a str,
    version: &'a str,
    description: String,
    keywords: [&'static str; 3],
    #[serde(rename = "type")]
    kind: &'static str,
    main: String,
    types: String,
    exports: Exports<'a>,
    files: [String; 3],
    side_effects: bool,
}

/// The `exports` map: the module (declarations first, as TypeScript reads
/// conditions in order), the `.wasm` for bundlers that need its URL
/// imported (esbuild's `file` loader, Vite's `?url`), and package.json.
struct Exports<'a> {
    base: &'a str,
}

#[derive(Serialize)]
struct Conditions {
    types: String,
    default: String,
}

impl Serialize for Exports<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let base = self.base;
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry(
            ".",
            &Conditions {
                types: format!("./{base}.d.ts"),
                default: format!("./{base}.js"),
            },
        )?;
        let wasm = format!("./{base}.wasm");
        map.serialize_entry(&wasm, &wasm)?;
        map.serialize_entry("./package.json", "./package.json")?;
        map.end()
    }
}

/// Python function names in the order of first appearance (one per
/// kernel, whatever its number of overloads).
fn kernel_names(metadata: &Metadata) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for e in &metadata.exports {
        if !names.contains(&e.name.as_str()) {
            names.push(&e.name);
        }
    }
    names
}

pub fn package_json(metadata: &Metadata, base: &str, info: &PackageInfo) -> String {
    let package = PackageJson {
        name: &info.name,
        version: &info.version,
        description: format!(
            "Numba @njit kernels compiled to WebAssembly by numba-wasm: {}",
            kernel_names(metadata).join(", ")
        ),
        keywords: ["numba", "webassembly", "wasm"],
        kind: "module",
        main: format!("./{base}.js"),
        types: format!("./{base}.d.ts"),
        exports: Exports { base },
        files: [
            format!("{base}.js"),
            format!("{base}.d.ts"),
            format!("{base}.wasm"),
        ],
        side_effects: false,
    };
    let mut json = serde_json::to_string_pretty(&package).expect("package.json serializes");
    json.push('\n');
    json
}

/// `text` as a Markdown code span, whatever backticks it holds.
fn code(text: &str) -> String {
    let mut fence = String::from("`");
    while text.contains(fence.as_str()) {
        fence.push('`');
    }
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// How JS reaches a kernel: `kernels.name`, `kernels["<lambda>"]` for a
/// name that is not an identifier, `kernels.kernels["memory"]` for one a
/// runtime member holds.
fn access(name: &str) -> String {
    let quoted = serde_json::to_string(name).expect("strings serialize");
    let mut chars = name.chars();
    let ident = chars
        .next()
        .is_some_and(|c| c == '_' || c == '$' || unicode_ident::is_xid_start(c))
        && chars.all(|c| c == '$' || unicode_ident::is_xid_continue(c));
    if RESERVED.contains(&name) {
        format!("kernels.kernels[{quoted}]")
    } else if ident {
        format!("kernels.{name}")
    } else {
        format!("kernels[{quoted}]")
    }
}

pub fn readme(metadata: &Metadata, base: &str, info: &PackageInfo) -> String {
    let name = &info.name;
    let names = kernel_names(metadata);
    let mut out = String::new();
    let _ = writeln!(out, "# {name}\n");
    let _ = writeln!(
        out,
        "Numba `@njit` kernels compiled ahead of time to WebAssembly by numba-wasm.\n\
         The package holds the module ({}), its ES-module wrapper ({}) and\n\
         TypeScript declarations ({}). It has no dependencies and needs no\n\
         Python: it runs in Node, browsers, Web Workers and bundled pages.\n",
        code(&format!("{base}.wasm")),
        code(&format!("{base}.js")),
        code(&format!("{base}.d.ts")),
    );
    let _ = writeln!(out, "## Usage\n");
    let first = metadata.exports.first().map(|e| {
        let args = (0..e.args.len())
            .map(|i| e.arg_names.get(i).cloned().unwrap_or(format!("arg{i}")))
            .collect::<Vec<_>>()
            .join(", ");
        format!("const result = {}({args});\n", access(&e.name))
    });
    let _ = writeln!(
        out,
        "```js\nimport {{ load }} from {};\n\nconst kernels = await load();\n{}```\n",
        serde_json::to_string(name).expect("strings serialize"),
        first.unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "`load()` finds {wasm} beside {js} through\n\
         `new URL(\"./{base}.wasm\", import.meta.url)`: Node reads the file, browsers\n\
         fetch it, and bundlers that know this pattern (Vite, in builds and its dev\n\
         server; webpack 5 and Parcel document it) emit the `.wasm` as an asset.\n\
         esbuild does not; import the file's URL instead (with\n\
         `--loader:.wasm=file`) and pass it to `load`:\n\n\
         ```js\nimport {{ load }} from {quoted};\nimport wasmUrl from {wasm_path};\n\n\
         const kernels = await load(wasmUrl);\n```\n\n\
         `load` also takes a URL, a `Response` or `fetch()` promise, an\n\
         `ArrayBuffer`/`Uint8Array` or a compiled `WebAssembly.Module`.\n",
        wasm = code(&format!("{base}.wasm")),
        js = code(&format!("{base}.js")),
        quoted = serde_json::to_string(name).expect("strings serialize"),
        wasm_path =
            serde_json::to_string(&format!("{name}/{base}.wasm")).expect("strings serialize"),
    );
    let _ = writeln!(
        out,
        "Values: `int64`/`uint64` are `bigint` (a safe-integer `number` is accepted as\n\
         an argument), other numbers are `number`, complex numbers `{{re, im}}`, tuples\n\
         arrays. Array arguments are TypedArrays or `{{data, shape, strides}}` and are\n\
         copied in and out; arrays made with `kernels.empty` live in wasm memory and\n\
         are passed without copying. Returned arrays are `{{data, shape, strides}}`.\n"
    );
    let _ = writeln!(out, "## Kernels\n");
    for kernel in names {
        let _ = writeln!(out, "### {}\n", code(kernel));
        for e in metadata.exports.iter().filter(|e| e.name == kernel) {
            let _ = writeln!(
                out,
                "- {}: Numba signature {}",
                code(&format!("{}{}", access(kernel), call_signature(e))),
                code(&e.signature)
            );
        }
        out.push('\n');
    }
    out.pop();
    out
}

/// The `.wasm` and its wrapper (see [`crate::write_outputs`]), then
/// `package.json` and `README.md`, in `dir`.
pub fn write_package(
    wasm: &[u8],
    dir: &Path,
    base: &str,
    info: &PackageInfo,
    minify: bool,
) -> Result<()> {
    crate::write_outputs(wasm, dir, base, minify)?;
    let metadata = Metadata::from_wasm(wasm)?;
    for (file, text) in [
        ("package.json", package_json(&metadata, base, info)),
        ("README.md", readme(&metadata, base, info)),
    ] {
        let path = dir.join(file);
        std::fs::write(&path, text)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_names() {
        for good in [
            "kernels",
            "my-kernels",
            "@scope/kernels",
            "a.b_c-1",
            "fs-extra2",
        ] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "Kernels",
            ".hidden",
            "_private",
            "has space",
            " kernels",
            "é",
            "a/b",
            "@scope",
            "@/x",
            "@scope/",
            "fs",
            "node_modules",
            "a~b",
            "a!",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_name(&"a".repeat(215)).is_err());
    }

    #[test]
    fn semver() {
        for good in ["0.1.0", "1.2.3-beta.1", "1.0.0+build.5", "10.20.30-rc.1+x"] {
            assert!(is_semver(good), "{good}");
        }
        for bad in [
            "1", "1.2", "01.2.3", "1.2.3-", "1.2.3-01", "v1.2.3", "1.2.3.4", "",
        ] {
            assert!(!is_semver(bad), "{bad}");
        }
    }

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
    }
}
