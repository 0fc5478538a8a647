#!/usr/bin/env bash
# Every test of numba-wasm: formatting and lints, the Rust unit and
# integration tests (the fixture corpus built from both IR forms and run in
# Node against Numba's results), the runtime shim's own test, the Python
# helper's suite (native Numba vs wasm through verify, the wheel), the same
# corpus in headless Chromium, the reliability checks, the TypeScript
# declarations and hostile arguments against the JS wrapper.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

steps=0
step() { steps=$((steps + 1)); printf '\n== %s\n' "$*"; }

step "cargo fmt --check, clippy, ruff"
.venv/bin/ruff check .
cargo fmt --check
cargo clippy --release --all-targets --quiet -- -D warnings
(cd shims && cargo fmt --check && cargo clippy --release --quiet -- -D warnings)
# The shim's scalar stand-ins for simd128 (shims/src/simd.rs, --no-simd).
(cd shims && CARGO_ENCODED_RUSTFLAGS=-Ctarget-feature=-simd128 \
  cargo clippy --release --quiet --target-dir target/no-simd -- -D warnings)

step "runtime shim (wasm32) smoke test, simd128 and --no-simd builds"
(cd shims && cargo build --release --quiet && node tests/smoke.mjs)
(cd shims && CARGO_ENCODED_RUSTFLAGS=-Ctarget-feature=-simd128 \
  cargo build --release --quiet --target-dir target/no-simd &&
  SHIM_LIB=target/no-simd/wasm32-unknown-unknown/release/libnumba_wasm_shim.a node tests/smoke.mjs)

step "cargo test (fixtures in Node, error paths, names, reference output)"
cargo test --release -- --skip mutated_dumps

step "mutation fuzzing of the CLI (seeded; outcome classes on the last line)"
cargo test --release --test fuzz -- --nocapture 2>&1 | grep -E '^(fuzz|FAIL|test result)' 

step "Python helper numba_wasm (pytest: runtime, build, verify, CLI, widget in Chromium, wheel)"
NUMBA_WASM_TEST_WHEEL=1 .venv/bin/python -m pytest tests/python -q

step "runtime corpora in every host (Python runtime, Node, Chromium) vs native Numba; feature table"
.venv/bin/python scripts/corpus_hosts.py
.venv/bin/python scripts/feature_table.py --check
step "runtime corpora from Numba's unoptimized IR (NUMBA_OPT=0) in Node"
NUMBA_OPT=0 .venv/bin/python scripts/corpus_hosts.py --hosts node

# Versions tagged `full` in fixtures/numba-versions.txt run in Python and
# Chromium too; every version's fixtures ran in Node in `cargo test`. The
# oldest runs every runtime corpus; the ones between the oldest and the
# newest run the corpora whose IR changed across Numba releases (array
# library, exceptions, random, boundary types): BLAS, LAPACK, containers and
# parallel loops reach the same shim helpers from the oldest and the newest.
full=$(grep -v '^#' fixtures/numba-versions.txt | awk '$2 == "full" {print $1}')
newest=$(grep -v '^#' fixtures/numba-versions.txt | awk 'NF' | tail -1 | awk '{print $1}')
oldest=$(echo "$full" | head -1)
for v in $full; do
  [ "$v" = "$newest" ] && continue
  venv=.venv-numba-${v%.*}
  if [ "$v" = "$oldest" ]; then
    corpora=(tests/python/test_corpus_*.py)
  else
    corpora=(tests/python/test_corpus_{arrays,dynexc,random,boundary}.py)
  fi
  step "Python helper with $("$venv/bin/python" -c 'import numba; print("Numba", numba.__version__)') (verify, build, ${#corpora[@]} runtime corpora)"
  "$venv/bin/python" -m pytest tests/python/test_verify.py tests/python/test_build.py "${corpora[@]}" -q -p no:cacheprovider
done

out=build/test
for version in $full; do
  v=fixtures/numba-$version
  for form in opt noopt; do
    dir=$out/$(basename "$v")/$form
    target/release/numba-wasm build "$v"/$form/*.ll -o "$dir" --name kernels
    step "headless Chromium: $v/$form"
    node tests/js/run_chromium.mjs "$dir" kernels "$v/cases.json"
    step "reliability (memory, growth, zero-copy, TypeErrors): $v/$form"
    node tests/js/reliability.mjs "$dir/kernels.js" "$v/cases.json"
    step "TypeScript declarations (tsc --strict): $v/$form"
    cp tests/js/types_check.ts "$dir/"
    npx tsc --noEmit --strict --target es2022 --module nodenext --moduleResolution nodenext \
      --lib es2022,dom "$dir/types_check.ts"
  done
done

# The SIMD levels in a browser (tests/simd.rs runs them in Node): relaxed
# SIMD without any flag, within the fixtures' bounds of native.
for level in no-simd relaxed-simd; do
  dir=$out/simd/$level
  target/release/numba-wasm build fixtures/simd/kernels.ll -o "$dir" --name kernels --$level
  step "headless Chromium: fixtures/simd built with --$level"
  node tests/js/run_chromium.mjs "$dir" kernels fixtures/simd/cases.json
done

step "hostile arguments against the JS wrapper (canaries, read-once, brands): numba-$newest"
node tests/js/hostile.mjs "$out/numba-$newest/opt/kernels.js"

step "support table (every version, both forms, in Node) matches README.md and docs/support.md"
.venv/bin/python scripts/support_table.py --check

# Every step above stops the script on failure (set -e); reaching here means all passed.
printf '\ntest.sh: %d passed, 0 failed\n' "$steps"
