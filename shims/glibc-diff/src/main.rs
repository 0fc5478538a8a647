//! The shim's glibc-derived float64 functions (shims/src/math/{aor,fdlibm}.rs)
//! against the host's libm, bit for bit. Meaningful on x86-64 with glibc 2.36
//! and FMA (the native Numba the tests compare with):
//!
//!     cd shims/glibc-diff
//!     cargo run --release --target x86_64-unknown-linux-gnu -- [points per function]
//!
//! (The shim's `.cargo/config.toml` targets wasm32: add
//! `--target x86_64-unknown-linux-gnu`.) Each function gets uniform points on
//! its interesting range and points with random bits; the exit status is 1 if
//! any result differs.

#[allow(dead_code)]
#[path = "../../src/math/aor.rs"]
mod aor;
#[allow(dead_code)]
#[path = "../../src/math/aor_data.rs"]
mod aor_data;
#[allow(dead_code)]
#[path = "../../src/math/aorf.rs"]
mod aorf;
#[allow(dead_code)]
#[path = "../../src/math/aorf_data.rs"]
mod aorf_data;
#[path = "../../src/math/fdlibm.rs"]
mod fdlibm;

mod c {
    unsafe extern "C" {
        pub fn exp(x: f64) -> f64;
        pub fn exp2(x: f64) -> f64;
        pub fn expm1(x: f64) -> f64;
        pub fn log(x: f64) -> f64;
        pub fn log2(x: f64) -> f64;
        pub fn log10(x: f64) -> f64;
        pub fn log1p(x: f64) -> f64;
        pub fn cosh(x: f64) -> f64;
        pub fn sinh(x: f64) -> f64;
        pub fn tanh(x: f64) -> f64;
        pub fn acosh(x: f64) -> f64;
        pub fn asinh(x: f64) -> f64;
        pub fn atanh(x: f64) -> f64;
        pub fn pow(x: f64, y: f64) -> f64;
        pub fn expf(x: f32) -> f32;
        pub fn exp2f(x: f32) -> f32;
        pub fn logf(x: f32) -> f32;
        pub fn log2f(x: f32) -> f32;
    }
}

struct Rng(u64);

impl Rng {
    fn bits(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.bits() >> 11) as f64 / 9_007_199_254_740_992.0)
    }
}

fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .map_or(1_000_000, |a| a.parse().expect("a count"));
    let mut rng = Rng(88_172_645_463_325_252);
    type Unary = (
        &'static str,
        unsafe extern "C" fn(f64) -> f64,
        fn(f64) -> f64,
        f64,
        f64,
    );
    let unary: [Unary; 13] = [
        ("exp", c::exp, aor::exp, -746.0, 710.0),
        ("exp2", c::exp2, aor::exp2, -1080.0, 1030.0),
        ("expm1", c::expm1, fdlibm::expm1, -40.0, 710.0),
        ("log", c::log, aor::log, 0.9, 1.1),
        ("log2", c::log2, aor::log2, 0.9, 1.1),
        ("log10", c::log10, aor::log10, 0.0, 1000.0),
        ("log1p", c::log1p, fdlibm::log1p, -1.0, 1.0),
        ("cosh", c::cosh, fdlibm::cosh, -720.0, 720.0),
        ("sinh", c::sinh, fdlibm::sinh, -30.0, 30.0),
        ("tanh", c::tanh, fdlibm::tanh, -30.0, 30.0),
        ("acosh", c::acosh, fdlibm::acosh, -2.0, 30.0),
        ("asinh", c::asinh, fdlibm::asinh, -30.0, 30.0),
        ("atanh", c::atanh, fdlibm::atanh, -1.0, 1.0),
    ];
    let mut failed = false;
    for (name, native, ours, lo, hi) in unary {
        let mut differ = 0u64;
        let mut example = None;
        for _ in 0..n {
            for x in [rng.uniform(lo, hi), f64::from_bits(rng.bits())] {
                // SAFETY: the host libm's pure functions.
                if !same(unsafe { native(x) }, ours(x)) {
                    differ += 1;
                    example.get_or_insert(x);
                }
            }
        }
        println!(
            "{name:6} {differ} of {} differ{}",
            2 * n,
            example.map_or(String::new(), |x| format!(" (e.g. {x:e})"))
        );
        failed |= differ > 0;
    }
    let mut differ = 0u64;
    for _ in 0..n {
        let b = rng.uniform(-400.0, 400.0);
        for (x, y) in [
            (rng.uniform(0.0, 10.0), b),
            (rng.uniform(-10.0, 10.0), b.round()),
            (f64::from_bits(rng.bits()), f64::from_bits(rng.bits())),
        ] {
            // SAFETY: the host libm's pure function.
            if !same(unsafe { c::pow(x, y) }, aor::pow(x, y)) {
                differ += 1;
                if differ <= 3 {
                    println!("pow({x:e}, {y:e}) differs");
                }
            }
        }
    }
    println!("pow    {differ} of {} differ", 3 * n);
    failed |= differ > 0;
    type UnaryF = (
        &'static str,
        unsafe extern "C" fn(f32) -> f32,
        fn(f32) -> f32,
        f64,
        f64,
    );
    let unary_f: [UnaryF; 4] = [
        ("expf", c::expf, aorf::expf, -110.0, 90.0),
        ("exp2f", c::exp2f, aorf::exp2f, -160.0, 130.0),
        ("logf", c::logf, aorf::logf, 0.0, 100.0),
        ("log2f", c::log2f, aorf::log2f, 0.0, 100.0),
    ];
    for (name, native, ours, lo, hi) in unary_f {
        let mut differ = 0u64;
        let mut example = None;
        for _ in 0..n {
            for x in [
                rng.uniform(lo, hi) as f32,
                f32::from_bits(rng.bits() as u32),
            ] {
                // SAFETY: the host libm's pure functions.
                let (a, b) = (unsafe { native(x) }, ours(x));
                if a.to_bits() != b.to_bits() && !(a.is_nan() && b.is_nan()) {
                    differ += 1;
                    example.get_or_insert(x);
                }
            }
        }
        println!(
            "{name:6} {differ} of {} differ{}",
            2 * n,
            example.map_or(String::new(), |x| format!(" (e.g. {x:e})"))
        );
        failed |= differ > 0;
    }
    std::process::exit(i32::from(failed));
}
