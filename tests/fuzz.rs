//! Mutation fuzzing of the CLI over the fixture corpus: every input, however
//! mangled, must end in a build or a clean `numba-wasm: error:` with exit 1,
//! never a panic, an LLVM abort or a hang.
//!
//! Seeded (NW_FUZZ_SEED, printed) and sized (NW_FUZZ_CASES, default 3000):
//! a failure names its case number, mutation and seed, and the mutated
//! input is kept in the printed directory. The last line counts the outcome
//! classes.

mod common;

// These tests call LLVM through inkwell: the library crate's build script
// links LLVM (statically), so name the crate to have it linked in.
use numba_wasm as _;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::*;

/// xorshift64*: small, seedable, the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Return types and names a hostile or mistaken dump may carry.
const NASTY_TYPES: [&str; 12] = [
    "array(float64, 1d, C, é)",
    "UniTuple(int64 x 18446744073709551615)",
    "UniTuple(int64 x 100000000000)",
    "UniTuple(UniTuple(int8 x 4096) x 4096)",
    "array(float64, 4000000000d, C)",
    "Tuple(",
    "Tuple(Tuple(Tuple(Tuple(Tuple(Tuple(Tuple(Tuple(Tuple(int8)))))))))",
    "",
    "λ",
    "array(float64, 2d, X)",
    "none none",
    "readonly readonly array(int8, 1d, A)",
];

const NUMBERS: [&str; 6] = [
    "18446744073709551615",
    "99999999999",
    "4294967296",
    "-1",
    "0",
    "340282366920938463463374607431768211456",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Built,
    CleanError,
    Panic,
    Abort,
    Hang,
    Other,
}

fn mutate(rng: &mut Rng, text: &[u8], other: &[u8]) -> (Vec<u8>, &'static str) {
    let lines: Vec<&[u8]> = text.split(|b| *b == b'\n').collect();
    let join = |ls: Vec<&[u8]>| ls.join(&b'\n');
    match rng.below(11) {
        0 => {
            let mut out = text.to_vec();
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            (out, "flip bits")
        }
        1 => {
            let mut ls = lines;
            ls.remove(rng.below(ls.len()));
            (join(ls), "delete a line")
        }
        2 => {
            let mut ls = lines;
            let i = rng.below(ls.len());
            ls.insert(i, ls[i]);
            (join(ls), "duplicate a line")
        }
        3 => {
            let cut = rng.below(text.len());
            (text[..cut].to_vec(), "truncate")
        }
        4 => {
            // A number token replaced by an extreme one.
            let s = String::from_utf8_lossy(text).into_owned();
            let digits: Vec<usize> = s
                .char_indices()
                .filter(|(i, c)| {
                    c.is_ascii_digit() && (*i == 0 || !s.as_bytes()[i - 1].is_ascii_digit())
                })
                .map(|(i, _)| i)
                .collect();
            if digits.is_empty() {
                return (text.to_vec(), "no number");
            }
            let at = *rng.pick(&digits);
            let end = s[at..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(s.len(), |e| at + e);
            let out = format!("{}{}{}", &s[..at], rng.pick(&NUMBERS), &s[end..]);
            (out.into_bytes(), "extreme number")
        }
        5 => {
            // A return annotation with a hostile type.
            let s = String::from_utf8_lossy(text).into_owned();
            let out: Vec<String> = s
                .lines()
                .map(|l| match l.strip_prefix("; numba-wasm-return: ") {
                    Some(rest) => format!(
                        "; numba-wasm-return: {} {}",
                        rest.split(' ').next().unwrap_or(""),
                        rng.pick(&NASTY_TYPES)
                    ),
                    None => l.to_string(),
                })
                .collect();
            (out.join("\n").into_bytes(), "hostile return annotation")
        }
        6 => {
            // Mangled names: digits inserted after `_ZN`.
            let s = String::from_utf8_lossy(text).into_owned();
            let out = s.replacen(
                "@_ZN",
                &format!("@_ZN{}", rng.pick(&NUMBERS)),
                1 + rng.below(3),
            );
            (out.into_bytes(), "mangled length")
        }
        7 => {
            // Deep nesting in a mangled name.
            let s = String::from_utf8_lossy(text).into_owned();
            let out = s.replacen("E5ArrayI", &"5ArrayI".repeat(2000), 1);
            (out.into_bytes(), "deep mangled nesting")
        }
        8 => {
            // Lines of another dump spliced in.
            let theirs: Vec<&[u8]> = other.split(|b| *b == b'\n').collect();
            let mut ls = lines;
            let at = rng.below(ls.len());
            let from = rng.below(theirs.len());
            let n = 1 + rng.below(40);
            for (k, l) in theirs[from..(from + n).min(theirs.len())]
                .iter()
                .enumerate()
            {
                ls.insert(at + k, l);
            }
            (join(ls), "splice another dump")
        }
        9 => {
            // One enormous line.
            let mut out = text.to_vec();
            out.extend(b"\n@junk = global [3 x i8] c\"");
            out.extend(std::iter::repeat_n(b'A', 1 << 20));
            (out, "8 MB-ish line")
        }
        _ => {
            // A type the wasm backend cannot lower, put into a function.
            let s = String::from_utf8_lossy(text).into_owned();
            let ty = *rng.pick(&["x86_fp80", "ppc_fp128", "fp128", "half", "bfloat"]);
            let out = s.replacen(" double ", &format!(" {ty} "), 1 + rng.below(4));
            (out.into_bytes(), "exotic float type")
        }
    }
}

fn run(args: &[&str], timeout: Duration) -> (Outcome, String) {
    let mut child = cli()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run numba-wasm");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            use std::io::Read;
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            use std::os::unix::process::ExitStatusExt;
            let outcome = if status.signal().is_some() {
                Outcome::Abort
            } else if stderr.contains("panicked") || status.code() == Some(101) {
                Outcome::Panic
            } else if status.success() {
                Outcome::Built
            } else if status.code() == Some(1)
                && stderr.starts_with("numba-wasm: error: ")
                && !stderr.contains("LLVM ERROR")
                && stderr.len() < 64 * 1024
            {
                Outcome::CleanError
            } else {
                Outcome::Other
            };
            return (outcome, stderr);
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return (Outcome::Hang, String::new());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Every fixture dump (text), and bitcode made from a few of them.
fn corpus(tmp: &Path) -> Vec<(PathBuf, bool)> {
    let mut out = Vec::new();
    for v in numba_versions() {
        for form in ["opt", "noopt"] {
            out.extend(
                ll_files(&v.join(form))
                    .into_iter()
                    .map(|p| (PathBuf::from(p), false)),
            );
        }
        out.push((v.join("captures/dump_llvm.txt"), false));
    }
    use inkwell::context::Context;
    use inkwell::memory_buffer::MemoryBuffer;
    let ctx = Context::create();
    for (i, name) in ["sq", "axpy", "argmax2d"].iter().enumerate() {
        let text =
            std::fs::read_to_string(root().join(format!("fixtures/numba-0.68.1/opt/{name}.ll")))
                .unwrap();
        // The first module of the dump (one per overload).
        let first = format!("; ModuleID{}", text.split("; ModuleID").nth(1).unwrap());
        let buf = MemoryBuffer::create_from_memory_range_copy(first.as_bytes(), name);
        let module = ctx.create_module_from_ir(buf).unwrap();
        let path = tmp.join(format!("corpus{i}.bc"));
        assert!(module.write_bitcode_to_path(&path));
        out.push((path, true));
    }
    out
}

#[test]
fn mutated_dumps_never_panic_abort_or_hang() {
    let seed: u64 = std::env::var("NW_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261129);
    let cases: usize = std::env::var("NW_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000);
    let keep = tempfile::Builder::new()
        .prefix("nw-fuzz-")
        .tempdir()
        .unwrap()
        .keep();
    eprintln!(
        "fuzz: seed {seed}, {cases} cases, inputs in {} (rerun: NW_FUZZ_SEED={seed} NW_FUZZ_CASES={cases})",
        keep.display()
    );
    let corpus = corpus(&keep);
    let texts: Vec<Vec<u8>> = corpus
        .iter()
        .map(|(p, _)| std::fs::read(p).unwrap())
        .collect();
    let counts = Mutex::new(std::collections::BTreeMap::<String, usize>::new());
    let failures = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(4);
    std::thread::scope(|scope| {
        for w in 0..workers {
            let (corpus, texts, counts, failures, keep) =
                (&corpus, &texts, &counts, &failures, &keep);
            scope.spawn(move || {
                for case in (w..cases).step_by(workers) {
                    let mut rng = Rng(seed ^ (case as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
                    let i = rng.below(corpus.len());
                    let other = &texts[rng.below(texts.len())];
                    let (bytes, what) = if corpus[i].1 {
                        let mut b = texts[i].clone();
                        for _ in 0..1 + rng.below(6) {
                            let k = rng.below(b.len());
                            b[k] ^= 1 << rng.below(8);
                        }
                        (b, "flip bits in bitcode")
                    } else {
                        mutate(&mut rng, &texts[i], other)
                    };
                    let ext = if corpus[i].1 { "bc" } else { "ll" };
                    let input = keep.join(format!("case{case}.{ext}"));
                    std::fs::write(&input, &bytes).unwrap();
                    let out_dir = keep.join(format!("out{case}"));
                    let build = rng.below(10) == 0;
                    let args: Vec<&str> = if build {
                        vec![
                            "build",
                            input.to_str().unwrap(),
                            "-o",
                            out_dir.to_str().unwrap(),
                        ]
                    } else {
                        vec!["inspect", input.to_str().unwrap()]
                    };
                    let (outcome, stderr) = run(&args, Duration::from_secs(30));
                    let bad = matches!(
                        outcome,
                        Outcome::Panic | Outcome::Abort | Outcome::Hang | Outcome::Other
                    );
                    if bad {
                        failures.lock().unwrap().push(format!(
                            "case {case} ({what}, {}): {outcome:?}: {}",
                            input.display(),
                            stderr.lines().take(3).collect::<Vec<_>>().join(" | ")
                        ));
                    } else {
                        let _ = std::fs::remove_file(&input);
                    }
                    let _ = std::fs::remove_dir_all(&out_dir);
                    *counts
                        .lock()
                        .unwrap()
                        .entry(format!("{outcome:?}"))
                        .or_default() += 1;
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    let counts = counts.into_inner().unwrap();
    for f in failures.iter().take(20) {
        eprintln!("FAIL {f}");
    }
    if failures.is_empty() {
        let _ = std::fs::remove_dir_all(&keep);
    }
    let line: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    eprintln!("fuzz: {cases} cases, seed {seed}: {}", line.join(", "));
    assert!(
        failures.is_empty(),
        "{} inputs were not handled cleanly",
        failures.len()
    );
}
