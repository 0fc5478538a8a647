//! Numba "dynamic exceptions": a `raise` whose arguments hold run-time
//! values (`raise ValueError(f"bad {i}")`, `raise IndexError("x", i)`).
//!
//! Natively (numba/core/callconv.py `set_dynamic_user_exc`) the kernel
//! stores an excinfo `{pickle_buf, bufsz, args, unwrap_fn, alloc_flag > 0}`:
//! a constant pickle of `(class, args, loc)` in which each run-time argument
//! is a placeholder (a pickled llvmlite `ir.Constant`), an `NRT_Allocate`d
//! struct of the native values, and `__excinfo_unwrap_args*`, which boxes
//! them into a tuple of Python objects. The CPython wrapper then swaps each
//! placeholder for the next object (`serialize.runtime_build_excinfo_struct`).
//!
//! Here the pipeline (`src/rewrite/dynexc.rs`) redirects the unwrap
//! function's boxing calls to `nw_exc_str/i64/u64/f64/bool`, which return
//! pickle fragments of the values, and its `PyTuple_Pack` to
//! `nw_exc_pack_new` + `nw_exc_pack_add`. Each export calls `nw_exc_finish`
//! after a user exception: it runs the unwrap function and writes an
//! ordinary (static-looking) excinfo whose pickle has the fragments in place
//! of the placeholders, so the hosts decode it like any other exception.
//! That excinfo is kept until the host calls `nw_exc_clear` (or the next
//! dynamic exception).

use crate::nrt::ExcInfo;
use crate::{Global, Slot, alloc};

/// A pickle fragment: `len` bytes follow the header.
#[repr(C)]
struct Frag {
    len: u32,
    _pad: u32,
}

const FRAG_HDR: usize = core::mem::size_of::<Frag>();

/// The boxed arguments: `n` expected, `count` added, then `n` fragment
/// pointers (null: a value could not be boxed).
#[repr(C)]
pub struct Pack {
    n: u32,
    count: u32,
}

const PACK_HDR: usize = core::mem::size_of::<Pack>();

fn frag(cap: usize) -> *mut u8 {
    alloc::alloc((FRAG_HDR + cap) as u64, 8)
}

/// # Safety
/// `f` from `frag`, with at least `len` bytes written.
unsafe fn frag_set_len(f: *mut u8, len: usize) -> *mut u8 {
    // SAFETY: caller contract.
    unsafe { (*(f as *mut Frag)).len = len as u32 };
    f
}

/// # Safety
/// `f` a fragment.
unsafe fn frag_bytes<'a>(f: *mut u8) -> &'a [u8] {
    // SAFETY: caller contract.
    unsafe { core::slice::from_raw_parts(f.add(FRAG_HDR), (*(f as *const Frag)).len as usize) }
}

fn frag_from(bytes: &[u8]) -> *mut u8 {
    let f = frag(bytes.len());
    if f.is_null() {
        return f;
    }
    // SAFETY: `f` has room for `bytes`.
    unsafe {
        core::ptr::copy_nonoverlapping(bytes.as_ptr(), f.add(FRAG_HDR), bytes.len());
        frag_set_len(f, bytes.len())
    }
}

/// A Python `int` (BININT when it fits 32 bits, else LONG1 two's complement).
fn int_frag(v: i128) -> *mut u8 {
    if let Ok(small) = i32::try_from(v) {
        let mut b = [0u8; 5];
        b[0] = 0x4a;
        b[1..].copy_from_slice(&small.to_le_bytes());
        return frag_from(&b);
    }
    let mut b = [0u8; 11];
    b[0] = 0x8a;
    b[1] = 9;
    b[2..].copy_from_slice(&v.to_le_bytes()[..9]);
    frag_from(&b)
}

/// `PyLong_FromLongLong(i64)`.
#[unsafe(no_mangle)]
pub extern "C" fn nw_exc_i64(v: i64) -> *mut u8 {
    int_frag(v as i128)
}

/// `PyLong_FromUnsignedLongLong(u64)`.
#[unsafe(no_mangle)]
pub extern "C" fn nw_exc_u64(v: i64) -> *mut u8 {
    int_frag(v as u64 as i128)
}

/// `PyFloat_FromDouble(double)`: BINFLOAT, big endian.
#[unsafe(no_mangle)]
pub extern "C" fn nw_exc_f64(v: f64) -> *mut u8 {
    let mut b = [0u8; 9];
    b[0] = 0x47;
    b[1..].copy_from_slice(&v.to_be_bytes());
    frag_from(&b)
}

/// `PyBool_FromLong(long)`.
#[unsafe(no_mangle)]
pub extern "C" fn nw_exc_bool(v: i64) -> *mut u8 {
    frag_from(&[if v != 0 { 0x88 } else { 0x89 }])
}

/// `PyUnicode_FromKindAndData(kind, data, len)`: `len` code units of
/// `kind` bytes (1 Latin-1, 2 UCS-2, 4 UCS-4) -> BINUNICODE in UTF-8, lone
/// surrogates encoded as pickle does (`surrogatepass`). Copies: the caller
/// drops its string right after.
///
/// # Safety
/// `data` must hold `len * kind` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nw_exc_str(kind: i32, data: *const u8, len: i64) -> *mut u8 {
    if !matches!(kind, 1 | 2 | 4) || !(0..=0x0fff_ffff).contains(&len) {
        return core::ptr::null_mut();
    }
    let (n, k) = (len as usize, kind as usize);
    let f = frag(5 + 4 * n);
    if f.is_null() {
        return f;
    }
    // SAFETY: `f` has room for 5 + 4n bytes; `data` for n * kind (caller).
    unsafe {
        let out = f.add(FRAG_HDR);
        let mut w = 5;
        for i in 0..n {
            let p = data.add(i * k);
            let c = match k {
                1 => *p as u32,
                2 => u16::from_le_bytes([*p, *p.add(1)]) as u32,
                _ => u32::from_le_bytes([*p, *p.add(1), *p.add(2), *p.add(3)]),
            };
            let mut buf = [0u8; 4];
            let bytes: &[u8] = match c {
                0..=0x7f => {
                    buf[0] = c as u8;
                    &buf[..1]
                }
                0x80..=0x7ff => {
                    buf[0] = 0xc0 | (c >> 6) as u8;
                    buf[1] = 0x80 | (c & 0x3f) as u8;
                    &buf[..2]
                }
                0x800..=0xffff => {
                    buf[0] = 0xe0 | (c >> 12) as u8;
                    buf[1] = 0x80 | ((c >> 6) & 0x3f) as u8;
                    buf[2] = 0x80 | (c & 0x3f) as u8;
                    &buf[..3]
                }
                0x1_0000..=0x10_ffff => {
                    buf[0] = 0xf0 | (c >> 18) as u8;
                    buf[1] = 0x80 | ((c >> 12) & 0x3f) as u8;
                    buf[2] = 0x80 | ((c >> 6) & 0x3f) as u8;
                    buf[3] = 0x80 | (c & 0x3f) as u8;
                    &buf[..4]
                }
                _ => {
                    alloc::free(f);
                    return core::ptr::null_mut();
                }
            };
            core::ptr::copy_nonoverlapping(bytes.as_ptr(), out.add(w), bytes.len());
            w += bytes.len();
        }
        *out = 0x58;
        core::ptr::copy_nonoverlapping(((w - 5) as u32).to_le_bytes().as_ptr(), out.add(1), 4);
        frag_set_len(f, w)
    }
}

/// Start the argument tuple of `n` values (`PyTuple_Pack(n, ...)`).
#[unsafe(no_mangle)]
pub extern "C" fn nw_exc_pack_new(n: i64) -> *mut Pack {
    if !(0..=1 << 20).contains(&n) {
        return core::ptr::null_mut();
    }
    let p = alloc::alloc((PACK_HDR + 4 * n as usize) as u64, 8) as *mut Pack;
    if !p.is_null() {
        // SAFETY: fresh block of the header's size at least.
        unsafe {
            p.write(Pack {
                n: n as u32,
                count: 0,
            })
        };
    }
    p
}

/// # Safety
/// `p` from `nw_exc_pack_new`.
unsafe fn pack_items<'a>(p: *mut Pack) -> &'a mut [*mut u8] {
    // SAFETY: caller contract; `count <= n` items were written.
    unsafe {
        core::slice::from_raw_parts_mut(
            (p as *mut u8).add(PACK_HDR) as *mut *mut u8,
            (*p).count as usize,
        )
    }
}

/// Add the next value (a fragment, or null if boxing failed) to the tuple.
///
/// # Safety
/// `p` null or from `nw_exc_pack_new`; `item` null or from an `nw_exc_*`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nw_exc_pack_add(p: *mut Pack, item: *mut u8) {
    // SAFETY: caller contract.
    unsafe {
        if p.is_null() || (*p).count >= (*p).n {
            alloc::free(item);
            return;
        }
        let slot = (p as *mut u8).add(PACK_HDR) as *mut *mut u8;
        *slot.add((*p).count as usize) = item;
        (*p).count += 1;
    }
}

/// # Safety
/// `p` null or from `nw_exc_pack_new`.
unsafe fn pack_free(p: *mut Pack) {
    if p.is_null() {
        return;
    }
    // SAFETY: caller contract.
    unsafe {
        for &f in pack_items(p).iter() {
            alloc::free(f);
        }
        alloc::free(p as *mut u8);
    }
}

/// The excinfo (and its pickle) kept for the host since the last exception.
static KEPT: Global<*mut ExcInfo> = Global::new(core::ptr::null_mut());

/// Free the excinfo `nw_exc_finish` wrote last; hosts call it once they
/// have decoded the exception.
#[unsafe(no_mangle)]
pub extern "C" fn nw_exc_clear() {
    // SAFETY: KEPT is null or a block from `finish` with a pickle block.
    unsafe {
        let e = *KEPT.get();
        if !e.is_null() {
            alloc::free((*e).pickle_buf.0);
            alloc::free(e as *mut u8);
            *KEPT.get() = core::ptr::null_mut();
        }
    }
}

type UnwrapFn = unsafe extern "C" fn(*mut u8) -> *mut Pack;

/// After a user exception (status >= 1): turn a dynamic excinfo in `*slot`
/// into an ordinary one (see the module doc). On any failure the slot is
/// set to null: the host then reports the status alone.
///
/// # Safety
/// `slot` is the excinfo out slot the Numba function filled.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nw_exc_finish(slot: *mut Slot<ExcInfo>) {
    // SAFETY: caller contract; a dynamic excinfo is Numba's, as described.
    unsafe {
        let exc = (*slot).0;
        if exc.is_null() || (*exc).alloc_flag <= 0 || (*exc).unwrap_fn.0.is_null() {
            return;
        }
        nw_exc_clear();
        let unwrap: UnwrapFn = core::mem::transmute::<*mut u8, UnwrapFn>((*exc).unwrap_fn.0);
        let pack = unwrap((*exc).hash_buf_or_args.0);
        let n = (*exc).alloc_flag as u32;
        let ok = !pack.is_null()
            && (*pack).count == n
            && (*pack).n == n
            && pack_items(pack).iter().all(|f| !f.is_null());
        let pickle = core::slice::from_raw_parts((*exc).pickle_buf.0, (*exc).bufsz.max(0) as usize);
        let built = if ok {
            substitute(pickle, pack_items(pack))
        } else {
            None
        };
        pack_free(pack);
        // The dynamic excinfo is NRT_Allocate'd; its pickle is a constant.
        alloc::free(exc as *mut u8);
        (*slot).0 = core::ptr::null_mut();
        let Some((buf, len)) = built else {
            return;
        };
        let e = alloc::alloc(core::mem::size_of::<ExcInfo>() as u64, 8) as *mut ExcInfo;
        if e.is_null() {
            alloc::free(buf);
            return;
        }
        e.write(ExcInfo {
            pickle_buf: Slot(buf),
            bufsz: len as i32,
            hash_buf_or_args: Slot::NULL,
            unwrap_fn: Slot::NULL,
            alloc_flag: 0,
        });
        *KEPT.get() = e;
        (*slot).0 = e;
    }
}

// ---------------------------------------------------------------------------
// Pickle rewriting

/// What the walk knows of a stack or memo item.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Other,
    /// A string at `[off, off + len)` of the input.
    Str(u32, u32),
    /// The class `llvmlite.ir.values.Constant`.
    PlaceholderClass,
    /// An instance of it: a run-time argument.
    Placeholder,
    Mark,
}

#[derive(Clone, Copy)]
struct Item {
    start: u32,
    kind: Kind,
}

const MAX_STACK: usize = 64;
const MAX_SPANS: usize = 64;

/// Byte length of the argument of `op` at `p` (after the opcode), or None
/// for an opcode this walk does not know.
fn arg_len(b: &[u8], op: u8, p: usize) -> Option<usize> {
    let u32_at = |p: usize| -> Option<usize> {
        Some(u32::from_le_bytes(b.get(p..p + 4)?.try_into().ok()?) as usize)
    };
    Some(match op {
        0x80 | 0x4b | 0x68 | 0x71 => 1,
        0x4d => 2,
        0x4a | 0x6a | 0x72 => 4,
        0x95 | 0x47 => 8,
        0x8c | 0x43 | 0x8a => 1 + *b.get(p)? as usize,
        0x58 | 0x42 | 0x8b => 4 + u32_at(p)?,
        0x94 | 0x93 | 0x85 | 0x86 | 0x87 | 0x29 | 0x28 | 0x74 | 0x4e | 0x88 | 0x89 | 0x7d
        | 0x5d | 0x75 | 0x73 | 0x65 | 0x61 | 0x81 | 0x92 | 0x52 | 0x62 | 0x30 | 0x31 | 0x32
        | 0x2e => 0,
        _ => return None,
    })
}

const PLACEHOLDER_MODULE: &[u8] = b"llvmlite.ir.values";
const PLACEHOLDER_NAME: &[u8] = b"Constant";

/// Placeholder spans `[start, end)` of `pickle`, in order; None if the walk
/// meets something it does not follow.
fn placeholder_spans(b: &[u8], spans: &mut [(u32, u32); MAX_SPANS]) -> Option<usize> {
    let mut stack = [Item {
        start: 0,
        kind: Kind::Other,
    }; MAX_STACK];
    let mut sp = 0usize;
    // Memo kinds: at most one entry per byte of pickle.
    let memo = alloc::alloc((b.len() * core::mem::size_of::<Kind>()) as u64, 8) as *mut Kind;
    if memo.is_null() {
        return None;
    }
    let mut nmemo = 0usize;
    let mut nspans = 0usize;
    let mut p = 0usize;
    let result = (|| -> Option<usize> {
        loop {
            let at = p;
            let op = *b.get(p)?;
            p += 1;
            let n = arg_len(b, op, p)?;
            let arg = b.get(p..p + n)?;
            p += n;
            macro_rules! pop {
                () => {{
                    sp = sp.checked_sub(1)?;
                    stack[sp]
                }};
            }
            macro_rules! push {
                ($start:expr, $kind:expr) => {{
                    if sp == MAX_STACK {
                        return None;
                    }
                    stack[sp] = Item {
                        start: $start as u32,
                        kind: $kind,
                    };
                    sp += 1;
                }};
            }
            macro_rules! pop_mark {
                () => {{
                    let m = stack[..sp].iter().rposition(|i| i.kind == Kind::Mark)?;
                    sp = m;
                    stack[m]
                }};
            }
            // Extend the span of a placeholder on top of the stack.
            macro_rules! extend {
                () => {{
                    if sp > 0 && stack[sp - 1].kind == Kind::Placeholder && nspans > 0 {
                        spans[nspans - 1].1 = p as u32;
                    }
                }};
            }
            match op {
                0x80 | 0x95 => {}
                0x2e => return (p == b.len() && sp == 1).then_some(nspans),
                0x8c | 0x58 => {
                    let skip = if op == 0x8c { 1 } else { 4 };
                    push!(at, Kind::Str((at + 1 + skip) as u32, (n - skip) as u32))
                }
                0x43 | 0x42 | 0x8b | 0x8a | 0x4a | 0x4b | 0x4d | 0x47 | 0x4e | 0x88 | 0x89
                | 0x29 | 0x7d | 0x5d => push!(at, Kind::Other),
                0x28 => push!(at, Kind::Mark),
                0x94 | 0x71 | 0x72 => {
                    let top = stack[..sp].last()?.kind;
                    let idx = match op {
                        0x94 => nmemo,
                        0x71 => arg[0] as usize,
                        _ => u32::from_le_bytes(arg.try_into().ok()?) as usize,
                    };
                    if idx > nmemo || idx >= b.len() {
                        return None;
                    }
                    // SAFETY: idx < b.len(), the memo's capacity.
                    unsafe { memo.add(idx).write(top) };
                    if idx == nmemo {
                        nmemo += 1;
                    }
                    extend!();
                }
                0x68 | 0x6a => {
                    let idx = if op == 0x68 {
                        arg[0] as usize
                    } else {
                        u32::from_le_bytes(arg.try_into().ok()?) as usize
                    };
                    if idx >= nmemo {
                        return None;
                    }
                    // SAFETY: idx < nmemo, written above.
                    let kind = unsafe { *memo.add(idx) };
                    push!(at, kind);
                    if kind == Kind::Placeholder {
                        *spans.get_mut(nspans)? = (at as u32, p as u32);
                        nspans += 1;
                    }
                }
                0x93 => {
                    let name = pop!();
                    let module = pop!();
                    let is = |k: Kind, s: &[u8]| match k {
                        Kind::Str(o, l) => b.get(o as usize..(o + l) as usize) == Some(s),
                        _ => false,
                    };
                    let kind =
                        if is(module.kind, PLACEHOLDER_MODULE) && is(name.kind, PLACEHOLDER_NAME) {
                            Kind::PlaceholderClass
                        } else {
                            Kind::Other
                        };
                    push!(module.start, kind);
                }
                0x85..=0x87 => {
                    let k = (op - 0x84) as usize;
                    let mut first = Item {
                        start: at as u32,
                        kind: Kind::Other,
                    };
                    for _ in 0..k {
                        first = pop!();
                    }
                    push!(first.start, Kind::Other);
                }
                0x74 => {
                    let m = pop_mark!();
                    push!(m.start, Kind::Other);
                }
                0x75 | 0x65 => {
                    pop_mark!();
                    extend!();
                }
                0x73 => {
                    pop!();
                    pop!();
                }
                0x61 | 0x30 => {
                    pop!();
                }
                0x31 => {
                    pop_mark!();
                }
                0x32 => {
                    let top = *stack[..sp].last()?;
                    push!(top.start, top.kind);
                }
                0x81 | 0x52 => {
                    let _args = pop!();
                    let cls = pop!();
                    if cls.kind == Kind::PlaceholderClass {
                        push!(cls.start, Kind::Placeholder);
                        *spans.get_mut(nspans)? = (cls.start, p as u32);
                        nspans += 1;
                    } else {
                        push!(cls.start, Kind::Other);
                    }
                }
                0x92 => {
                    pop!();
                    pop!();
                    let cls = pop!();
                    push!(cls.start, Kind::Other);
                }
                0x62 => {
                    pop!();
                    extend!();
                }
                _ => return None,
            }
        }
    })();
    // SAFETY: from alloc above.
    unsafe { alloc::free(memo as *mut u8) };
    result
}

/// `pickle` with its placeholders replaced, in order, by `frags`, in a
/// fresh block: `(buf, len)`. Memo entries a placeholder defined are kept
/// (as None) so the indices of later BINGETs stay right; the FRAME length
/// is rewritten.
///
/// # Safety
/// Each of `frags` a fragment.
unsafe fn substitute(b: &[u8], frags: &[*mut u8]) -> Option<(*mut u8, usize)> {
    let mut spans = [(0u32, 0u32); MAX_SPANS];
    let nspans = placeholder_spans(b, &mut spans)?;
    if nspans != frags.len() {
        return None;
    }
    // A protocol-4 pickle this small is one frame: PROTO, FRAME, body.
    let framed = b.len() >= 11 && b[0] == 0x80 && b[2] == 0x95;
    if framed && u64::from_le_bytes(b[3..11].try_into().ok()?) != (b.len() - 11) as u64 {
        return None;
    }
    // Size: kept bytes + fragments + 3 bytes per memo op inside a span
    // (bounded by the span's length times 3).
    let mut cap = b.len();
    for (i, &(s, e)) in spans[..nspans].iter().enumerate() {
        // SAFETY: caller contract.
        cap += unsafe { frag_bytes(frags[i]) }.len() + 3 * (e - s) as usize;
    }
    let out = alloc::alloc(cap as u64, 8);
    if out.is_null() {
        return None;
    }
    let mut w = 0usize;
    let mut put = |bytes: &[u8]| {
        // SAFETY: `cap` bounds everything written.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), out.add(w), bytes.len()) };
        w += bytes.len();
    };
    let mut p = 0usize;
    for (i, &(s, e)) in spans[..nspans].iter().enumerate() {
        let (s, e) = (s as usize, e as usize);
        put(&b[p..s]);
        // SAFETY: caller contract.
        put(unsafe { frag_bytes(frags[i]) });
        // Keep the memo numbering: NONE, the same memo op, POP.
        let mut q = s;
        while q < e {
            let op = b[q];
            let n = arg_len(b, op, q + 1)?;
            if matches!(op, 0x94 | 0x71 | 0x72) {
                put(&[0x4e]);
                put(&b[q..q + 1 + n]);
                put(&[0x30]);
            }
            q += 1 + n;
        }
        p = e;
    }
    put(&b[p..]);
    if framed {
        // SAFETY: w >= 11, inside `out`.
        unsafe {
            core::ptr::copy_nonoverlapping(((w - 11) as u64).to_le_bytes().as_ptr(), out.add(3), 8)
        };
    }
    Some((out, w))
}
