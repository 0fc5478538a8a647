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
//! pickle fragments of the values, its tuples (`PyTuple_New`,
//! `PyTuple_SetItem`: a tuple value such as a dict's missing tuple key) to
//! `nw_exc_tuple_new/set`, and its `PyTuple_Pack` to
//! `nw_exc_pack_new` + `nw_exc_pack_add`. Each export calls `nw_exc_finish`
//! after a user exception: it runs the unwrap function and writes an
//! ordinary (static-looking) excinfo whose pickle has the fragments in place
//! of the placeholders, so the hosts decode it like any other exception.
//! That excinfo is kept until the host calls `nw_exc_clear` (or the next
//! dynamic exception).

use crate::nrt::ExcInfo;
use crate::{Global, Slot, alloc};

/// A pickle fragment: `len` bytes follow the header (`kind` FRAG_BYTES),
/// or a tuple under construction (`kind` FRAG_TUPLE): `len` item slots
/// follow, each null or a bytes fragment.
#[repr(C)]
struct Frag {
    len: u32,
    kind: u32,
}

const FRAG_BYTES: u32 = 0;
const FRAG_TUPLE: u32 = 1;

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
    unsafe {
        f.cast::<Frag>().write(Frag {
            len: len as u32,
            kind: FRAG_BYTES,
        })
    };
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

/// `numba_unpickle(buf, len, hash)`: a constant inside a boxed value (a
/// string literal in a tuple) is unpickled from Numba's own pickle of it.
/// Its fragment is that pickle without PROTO, FRAME, MEMOIZE and STOP, so
/// that it adds no memo entries to the exception's pickle; null if it uses
/// the memo or an opcode the walk does not know.
///
/// # Safety
/// `buf` must hold `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nw_exc_unpickle(buf: *const u8, len: i32, _hash: *const u8) -> *mut u8 {
    if buf.is_null() || len <= 0 {
        return core::ptr::null_mut();
    }
    // SAFETY: caller contract.
    let b = unsafe { core::slice::from_raw_parts(buf, len as usize) };
    let f = frag(b.len());
    if f.is_null() {
        return f;
    }
    let mut w = 0usize;
    let mut p = 0usize;
    loop {
        let op = b.get(p).copied();
        let next = op.and_then(|op| arg_len(b, op, p + 1)).map(|n| p + 1 + n);
        match (op, next) {
            (Some(0x2e), Some(end)) if end == b.len() => break,
            (Some(0x80 | 0x95 | 0x94), Some(end)) => p = end,
            (Some(op), Some(end))
                if end <= b.len() && !matches!(op, 0x2e | 0x68 | 0x6a | 0x71 | 0x72) =>
            {
                // SAFETY: `f` has room for `b.len()` bytes; `w + (end - p)` stays within.
                unsafe {
                    core::ptr::copy_nonoverlapping(b.as_ptr().add(p), f.add(FRAG_HDR + w), end - p)
                };
                w += end - p;
                p = end;
            }
            _ => {
                // SAFETY: `f` came from `frag` and is not used again.
                unsafe { alloc::free(f) };
                return core::ptr::null_mut();
            }
        }
    }
    // SAFETY: `w` bytes written.
    unsafe { frag_set_len(f, w) }
}

/// `PyTuple_New(n)`: a tuple value, filled by `nw_exc_tuple_set`.
#[unsafe(no_mangle)]
pub extern "C" fn nw_exc_tuple_new(n: i64) -> *mut u8 {
    if !(0..=1 << 20).contains(&n) {
        return core::ptr::null_mut();
    }
    let slots = n as usize * core::mem::size_of::<*mut u8>();
    let f = frag(slots);
    if !f.is_null() {
        // SAFETY: `f` has room for the header and `n` slots.
        unsafe {
            f.cast::<Frag>().write(Frag {
                len: n as u32,
                kind: FRAG_TUPLE,
            });
            core::ptr::write_bytes(f.add(FRAG_HDR), 0, slots);
        }
    }
    f
}

/// # Safety
/// `t` a tuple from `nw_exc_tuple_new`.
unsafe fn tuple_slots<'a>(t: *mut u8) -> &'a mut [*mut u8] {
    // SAFETY: caller contract.
    unsafe {
        core::slice::from_raw_parts_mut(t.add(FRAG_HDR).cast(), (*t.cast::<Frag>()).len as usize)
    }
}

/// `PyTuple_SetItem(t, i, item)`: stores (steals) `item`; 0, or -1 (and
/// `item` freed) when `t` is null or `i` out of range.
///
/// # Safety
/// `t` null or from `nw_exc_tuple_new`; `item` null or from an `nw_exc_*`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nw_exc_tuple_set(t: *mut u8, i: i64, item: *mut u8) -> i32 {
    // SAFETY: caller contract.
    unsafe {
        let item = finish_item(item);
        if t.is_null() || (*t.cast::<Frag>()).kind != FRAG_TUPLE {
            free_item(item);
            return -1;
        }
        let slots = tuple_slots(t);
        let Some(slot) = usize::try_from(i).ok().and_then(|i| slots.get_mut(i)) else {
            free_item(item);
            return -1;
        };
        free_item(*slot);
        *slot = item;
        0
    }
}

/// Free a fragment or a tuple under construction (with its items).
///
/// # Safety
/// `f` null or from an `nw_exc_*`.
unsafe fn free_item(f: *mut u8) {
    if f.is_null() {
        return;
    }
    // SAFETY: caller contract.
    unsafe {
        if (*f.cast::<Frag>()).kind == FRAG_TUPLE {
            for &s in tuple_slots(f).iter() {
                free_item(s);
            }
        }
        alloc::free(f);
    }
}

/// `f` as a bytes fragment: a tuple becomes its pickle (the items', then
/// TUPLE1/2/3, or MARK ... TUPLE) and is freed; null if any item is.
///
/// # Safety
/// `f` null or from an `nw_exc_*`.
unsafe fn finish_item(f: *mut u8) -> *mut u8 {
    // SAFETY: caller contract; tuple items are bytes fragments (they were
    // finished when set).
    unsafe {
        if f.is_null() || (*f.cast::<Frag>()).kind != FRAG_TUPLE {
            return f;
        }
        let items = tuple_slots(f);
        let n = items.len();
        if items.iter().any(|s| s.is_null()) {
            free_item(f);
            return core::ptr::null_mut();
        }
        let body: usize = items.iter().map(|&s| frag_bytes(s).len()).sum();
        let out = frag(body + 2);
        if out.is_null() {
            free_item(f);
            return out;
        }
        let mut w = FRAG_HDR;
        let mut put = |bytes: &[u8]| {
            core::ptr::copy_nonoverlapping(bytes.as_ptr(), out.add(w), bytes.len());
            w += bytes.len();
        };
        match n {
            0 => put(&[0x29]),
            1..=3 => {
                for &s in items.iter() {
                    put(frag_bytes(s));
                }
                put(&[0x84 + n as u8]);
            }
            _ => {
                put(&[0x28]);
                for &s in items.iter() {
                    put(frag_bytes(s));
                }
                put(&[0x74]);
            }
        }
        free_item(f);
        frag_set_len(out, w - FRAG_HDR)
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

/// Add the next value (a fragment or tuple, or null if boxing failed) to
/// the argument tuple.
///
/// # Safety
/// `p` null or from `nw_exc_pack_new`; `item` null or from an `nw_exc_*`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nw_exc_pack_add(p: *mut Pack, item: *mut u8) {
    // SAFETY: caller contract.
    unsafe {
        let item = finish_item(item);
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
//
// Numba pickles a run-time argument as the llvmlite object that stood for
// it: Numba >= 0.61 a dummy `ir.Constant` (later arguments are BINGETs of
// the same memoized object), Numba 0.57-0.60 the instruction that produced
// the value, with its block, function and module (tens of KiB). Any object
// built from an `llvmlite.ir*` class is a placeholder; those nested in
// another placeholder are part of it. A walk over the opcodes, keeping for
// each stack item where its bytes start, finds the outermost placeholders.

/// What the walk knows of a stack or memo item.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Other,
    /// A string at `[off, off + len)` of the input.
    Str(u32, u32),
    /// A class from `llvmlite.ir*`.
    PlaceholderClass,
    /// An instance of one, whose span is `spans[i]`.
    Placeholder(u32),
    Mark,
}

#[derive(Clone, Copy)]
struct Item {
    start: u32,
    kind: Kind,
}

/// Byte length of the argument of `op` at `p` (after the opcode), or None
/// for an opcode this walk does not know.
fn arg_len(b: &[u8], op: u8, p: usize) -> Option<usize> {
    let u32_at = |p: usize| -> Option<usize> {
        Some(u32::from_le_bytes(b.get(p..p + 4)?.try_into().ok()?) as usize)
    };
    let u64_at = |p: usize| -> Option<usize> {
        usize::try_from(u64::from_le_bytes(b.get(p..p + 8)?.try_into().ok()?)).ok()
    };
    Some(match op {
        0x80 | 0x4b | 0x68 | 0x71 => 1,
        0x4d => 2,
        0x4a | 0x6a | 0x72 => 4,
        0x95 | 0x47 => 8,
        0x8c | 0x43 | 0x8a => 1 + *b.get(p)? as usize,
        0x58 | 0x42 | 0x8b => 4usize.checked_add(u32_at(p)?)?,
        0x8d | 0x8e | 0x96 => 8usize.checked_add(u64_at(p)?)?,
        0x94
        | 0x93
        | 0x85..=0x87
        | 0x29
        | 0x28
        | 0x74
        | 0x4e
        | 0x88
        | 0x89
        | 0x7d
        | 0x5d
        | 0x75
        | 0x73
        | 0x65
        | 0x61
        | 0x81
        | 0x92
        | 0x52
        | 0x62
        | 0x30
        | 0x31
        | 0x32
        | 0x8f
        | 0x90
        | 0x91
        | 0x2e => 0,
        _ => return None,
    })
}

const PLACEHOLDER_MODULE: &[u8] = b"llvmlite.ir";

/// A block of `n` values of `T` from the shim's allocator, freed on drop.
struct Scratch<T: Copy> {
    ptr: *mut T,
    n: usize,
}

impl<T: Copy> Scratch<T> {
    fn new(n: usize) -> Option<Self> {
        let bytes = n.checked_mul(core::mem::size_of::<T>())?.max(8);
        let ptr = alloc::alloc(bytes as u64, 8) as *mut T;
        (!ptr.is_null()).then_some(Scratch { ptr, n })
    }

    fn get(&self, i: usize) -> Option<T> {
        // SAFETY: in bounds, and only read after `set` (the callers keep
        // their own count of written entries).
        (i < self.n).then(|| unsafe { self.ptr.add(i).read() })
    }

    fn set(&mut self, i: usize, v: T) -> Option<()> {
        // SAFETY: in bounds.
        (i < self.n).then(|| unsafe { self.ptr.add(i).write(v) })
    }
}

impl<T: Copy> Drop for Scratch<T> {
    fn drop(&mut self) {
        // SAFETY: from `alloc::alloc`.
        unsafe { alloc::free(self.ptr as *mut u8) }
    }
}

/// Every placeholder span `[start, end)` of pickle `b`, nested ones
/// included, in `spans`; returns their count, or None if the walk meets
/// something it does not follow.
fn placeholder_spans(b: &[u8], spans: &mut Scratch<(u32, u32)>) -> Option<usize> {
    // Every push takes at least one opcode byte.
    let mut stack: Scratch<Item> = Scratch::new(b.len() + 1)?;
    let mut sp = 0usize;
    // Memo kinds: at most one entry per byte of pickle.
    let mut memo: Scratch<Kind> = Scratch::new(b.len())?;
    let mut nmemo = 0usize;
    let mut nspans = 0usize;
    let mut p = 0usize;
    loop {
        let at = p;
        let op = *b.get(p)?;
        p += 1;
        let n = arg_len(b, op, p)?;
        let arg = b.get(p..p.checked_add(n)?)?;
        p += n;
        macro_rules! pop {
            () => {{
                sp = sp.checked_sub(1)?;
                stack.get(sp)?
            }};
        }
        macro_rules! push {
            ($start:expr, $kind:expr) => {{
                stack.set(
                    sp,
                    Item {
                        start: $start as u32,
                        kind: $kind,
                    },
                )?;
                sp += 1;
            }};
        }
        macro_rules! pop_mark {
            () => {{
                loop {
                    let it = pop!();
                    if it.kind == Kind::Mark {
                        break it;
                    }
                }
            }};
        }
        macro_rules! top {
            () => {
                stack.get(sp.checked_sub(1)?)?
            };
        }
        // A placeholder from `start` to here.
        macro_rules! placeholder {
            ($start:expr) => {{
                spans.set(nspans, ($start as u32, p as u32))?;
                push!($start, Kind::Placeholder(nspans as u32));
                nspans += 1;
            }};
        }
        // The placeholder on top of the stack now ends here.
        macro_rules! extend {
            () => {{
                if sp > 0 {
                    if let Kind::Placeholder(i) = top!().kind {
                        let (s, _) = spans.get(i as usize)?;
                        spans.set(i as usize, (s, p as u32))?;
                    }
                }
            }};
        }
        match op {
            0x80 | 0x95 => {}
            0x2e => return (p == b.len() && sp == 1).then_some(nspans),
            0x8c | 0x58 | 0x8d => {
                let skip = match op {
                    0x8c => 1,
                    0x58 => 4,
                    _ => 8,
                };
                push!(at, Kind::Str((at + 1 + skip) as u32, (n - skip) as u32))
            }
            0x43 | 0x42 | 0x8e | 0x96 | 0x8b | 0x8a | 0x4a | 0x4b | 0x4d | 0x47 | 0x4e | 0x88
            | 0x89 | 0x29 | 0x7d | 0x5d | 0x8f => push!(at, Kind::Other),
            0x28 => push!(at, Kind::Mark),
            0x94 | 0x71 | 0x72 => {
                let t = top!().kind;
                let idx = match op {
                    0x94 => nmemo,
                    0x71 => arg[0] as usize,
                    _ => u32::from_le_bytes(arg.try_into().ok()?) as usize,
                };
                if idx > nmemo {
                    return None;
                }
                memo.set(idx, t)?;
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
                match memo.get(idx)? {
                    Kind::Placeholder(_) => placeholder!(at),
                    kind => push!(at, kind),
                }
            }
            0x93 => {
                let _name = pop!();
                let module = pop!();
                let llvmlite = match module.kind {
                    Kind::Str(o, l) => b.get(o as usize..(o + l) as usize).is_some_and(|m| {
                        m.strip_prefix(PLACEHOLDER_MODULE)
                            .is_some_and(|rest| rest.is_empty() || rest[0] == b'.')
                    }),
                    _ => false,
                };
                let kind = if llvmlite {
                    Kind::PlaceholderClass
                } else {
                    Kind::Other
                };
                push!(module.start, kind);
            }
            0x85..=0x87 => {
                let mut first = Item {
                    start: at as u32,
                    kind: Kind::Other,
                };
                for _ in 0..(op - 0x84) {
                    first = pop!();
                }
                push!(first.start, Kind::Other);
            }
            0x74 | 0x91 => {
                let m = pop_mark!();
                push!(m.start, Kind::Other);
            }
            0x75 | 0x65 | 0x90 => {
                pop_mark!();
                extend!();
            }
            0x73 => {
                pop!();
                pop!();
                extend!();
            }
            0x61 => {
                pop!();
                extend!();
            }
            0x30 => {
                pop!();
            }
            0x31 => {
                pop_mark!();
            }
            0x32 => {
                let t = top!();
                push!(t.start, t.kind);
            }
            0x81 | 0x52 | 0x92 => {
                if op == 0x92 {
                    pop!();
                }
                let _args = pop!();
                let cls = pop!();
                if cls.kind == Kind::PlaceholderClass {
                    placeholder!(cls.start);
                } else {
                    push!(cls.start, Kind::Other);
                }
            }
            0x62 => {
                pop!();
                extend!();
            }
            _ => return None,
        }
    }
}

/// Keep the outermost of `spans[..n]` (placeholders nest properly: a
/// span lies inside another or apart from it), in order; returns how many.
fn outermost(spans: &mut Scratch<(u32, u32)>, n: usize) -> usize {
    // SAFETY: the first `n` entries were written by the walk.
    let all = unsafe { core::slice::from_raw_parts_mut(spans.ptr, n.min(spans.n)) };
    all.sort_unstable_by_key(|&(s, e)| (s, core::cmp::Reverse(e)));
    let mut k = 0;
    let mut end = 0;
    for i in 0..all.len() {
        let (s, e) = all[i];
        if k == 0 || s >= end {
            all[k] = (s, e);
            k += 1;
            end = e;
        }
    }
    k
}

/// `pickle` with its placeholders replaced, in order, by `frags`, in a
/// fresh block: `(buf, len)`. The memo entries a placeholder defined keep
/// their indices for later BINGETs: a memoized string is re-pushed and
/// memoized (strings may be shared with the rest of the pickle), anything
/// else becomes None. The FRAME length is rewritten.
///
/// # Safety
/// Each of `frags` a fragment.
unsafe fn substitute(b: &[u8], frags: &[*mut u8]) -> Option<(*mut u8, usize)> {
    // Each span ends after at least one opcode byte of its own.
    let mut spans: Scratch<(u32, u32)> = Scratch::new(b.len() + 1)?;
    let all = placeholder_spans(b, &mut spans)?;
    let nspans = outermost(&mut spans, all);
    if nspans != frags.len() {
        return None;
    }
    // Kept bytes + fragments + at most 2 extra bytes per memo op. FRAME
    // opcodes are dropped: framing is optional and the sizes change.
    let mut cap = b.len();
    for (i, &f) in frags.iter().enumerate() {
        let (s, e) = spans.get(i)?;
        // SAFETY: caller contract.
        cap += unsafe { frag_bytes(f) }.len() + 2 * (e - s) as usize;
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
    let mut q = 0usize;
    let mut span = 0usize;
    let mut last_str: Option<(usize, usize)> = None;
    while q < b.len() {
        let op = b[q];
        let Some(next) = arg_len(b, op, q + 1).map(|n| q + 1 + n) else {
            // SAFETY: from alloc above.
            unsafe { alloc::free(out) };
            return None;
        };
        let cur = (span < nspans).then(|| spans.get(span)).flatten();
        match cur {
            Some((s, e)) if (s as usize) <= q && q < e as usize => {
                if q == s as usize {
                    // SAFETY: caller contract.
                    put(unsafe { frag_bytes(frags[span]) });
                }
                if matches!(op, 0x94 | 0x71 | 0x72) {
                    match last_str {
                        Some((a, z)) => put(&b[a..z]),
                        None => put(&[0x4e]),
                    }
                    put(&b[q..next]);
                    put(&[0x30]);
                }
                if next >= e as usize {
                    span += 1;
                }
            }
            _ if op == 0x95 => {}
            _ => put(&b[q..next]),
        }
        last_str = matches!(op, 0x8c | 0x58 | 0x8d).then_some((q, next));
        q = next;
    }
    Some((out, w))
}

// ---------------------------------------------------------------------------
// Exceptions raised inside a parfor body
//
// Natively the parfor gufunc wrapper (numba/np/ufunc/wrappers.py,
// `gen_loop_body`) turns the body's error status into a Python error under
// the GIL: it unpickles a static exception (`numba_unpickle`) or builds a
// dynamic one (`PyBytes_FromStringAndSize` of the pickle, the unwrap
// function, `numba_runtime_build_excinfo_struct`), raises it
// (`numba_do_raise`) and leaves the loop; the kernel then runs on and the
// pending error surfaces when control returns to Python.
// `src/rewrite/parallel.rs` redirects those calls here: each builds an
// excinfo owning a copy of its pickle, `nw_parfor_raise` keeps the first as
// pending, and the export wrapper's `nw_parfor_take` makes it the call's
// exception once the kernel has returned.

/// The exception raised in a parfor body, until the export wrapper takes it.
static PARFOR_PENDING: Global<*mut ExcInfo> = Global::new(core::ptr::null_mut());

/// An excinfo owning a copy of `pickle` (freed by `free_excinfo`, or by
/// `nw_exc_clear` once kept).
fn owned_excinfo(pickle: &[u8]) -> *mut ExcInfo {
    let buf = alloc::alloc(pickle.len().max(1) as u64, 8);
    if buf.is_null() {
        return core::ptr::null_mut();
    }
    let e = alloc::alloc(core::mem::size_of::<ExcInfo>() as u64, 8) as *mut ExcInfo;
    if e.is_null() {
        // SAFETY: from alloc above.
        unsafe { alloc::free(buf) };
        return e;
    }
    // SAFETY: fresh blocks of the right sizes.
    unsafe {
        core::ptr::copy_nonoverlapping(pickle.as_ptr(), buf, pickle.len());
        e.write(ExcInfo {
            pickle_buf: Slot(buf),
            bufsz: pickle.len() as i32,
            hash_buf_or_args: Slot::NULL,
            unwrap_fn: Slot::NULL,
            alloc_flag: 0,
        });
    }
    e
}

/// # Safety
/// `e` null or from `owned_excinfo`.
unsafe fn free_excinfo(e: *mut ExcInfo) {
    if !e.is_null() {
        // SAFETY: caller contract.
        unsafe {
            alloc::free((*e).pickle_buf.0);
            alloc::free(e as *mut u8);
        }
    }
}

/// # Safety
/// `buf` null or holding `len` bytes.
unsafe fn pickle_excinfo(buf: *const u8, len: i64) -> *mut ExcInfo {
    if buf.is_null() || !(1..=i32::MAX as i64).contains(&len) {
        return core::ptr::null_mut();
    }
    // SAFETY: caller contract.
    owned_excinfo(unsafe { core::slice::from_raw_parts(buf, len as usize) })
}

/// `numba_unpickle(buf, len, hash)` of a static exception: its excinfo.
///
/// # Safety
/// `buf` must hold `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nw_parfor_unpickle(buf: *const u8, len: i32, _hash: *const u8) -> *mut u8 {
    // SAFETY: caller contract.
    unsafe { pickle_excinfo(buf, len as i64) as *mut u8 }
}

/// `PyBytes_FromStringAndSize(buf, len)` of a dynamic exception's pickle
/// (with its placeholders): an excinfo holding it.
///
/// # Safety
/// `buf` must hold `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nw_parfor_bytes(buf: *const u8, len: i64) -> *mut u8 {
    // SAFETY: caller contract.
    unsafe { pickle_excinfo(buf, len) as *mut u8 }
}

/// `numba_runtime_build_excinfo_struct(bytes, args)`: the pickle with the
/// unwrap function's values (`args`, from `nw_exc_pack_new`) in place of
/// its placeholders; null if they do not fit. Frees both inputs.
///
/// # Safety
/// `bytes` null or from `nw_parfor_bytes`; `pack` null or from
/// `nw_exc_pack_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nw_parfor_build_excinfo(bytes: *mut u8, pack: *mut Pack) -> *mut u8 {
    // SAFETY: caller contract.
    unsafe {
        let e = bytes as *mut ExcInfo;
        let mut out = core::ptr::null_mut();
        if !e.is_null()
            && !pack.is_null()
            && (*pack).count == (*pack).n
            && pack_items(pack).iter().all(|f| !f.is_null())
        {
            let pickle = core::slice::from_raw_parts((*e).pickle_buf.0, (*e).bufsz as usize);
            if let Some((buf, len)) = substitute(pickle, pack_items(pack)) {
                out = owned_excinfo(core::slice::from_raw_parts(buf, len));
                alloc::free(buf);
            }
        }
        pack_free(pack);
        free_excinfo(e);
        out as *mut u8
    }
}

/// `numba_do_raise(exc)` in a parfor body: the first exception raised is
/// kept for `nw_parfor_take`, later ones dropped (native Numba's Python
/// error indicator, too, holds one).
///
/// # Safety
/// `exc` null or from `nw_parfor_unpickle` / `nw_parfor_build_excinfo`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nw_parfor_raise(exc: *mut u8) {
    // SAFETY: single-threaded; caller contract.
    unsafe {
        let pending = PARFOR_PENDING.get();
        if (*pending).is_null() {
            *pending = exc as *mut ExcInfo;
        } else {
            free_excinfo(exc as *mut ExcInfo);
        }
    }
}

/// After an entry point that runs parfors returns `status`: an exception
/// raised in a parfor body becomes the call's exception (status 1, excinfo
/// in `*slot`, kept until `nw_exc_clear`) when the kernel itself returned
/// normally (0, or -2 for None); an exception the kernel raised afterwards
/// wins, as natively (raising clears the pending Python error first).
///
/// # Safety
/// `slot` is the excinfo out slot of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nw_parfor_take(status: i32, slot: *mut Slot<ExcInfo>) -> i32 {
    // SAFETY: single-threaded; caller contract.
    unsafe {
        let pending = PARFOR_PENDING.get();
        let e = *pending;
        *pending = core::ptr::null_mut();
        if e.is_null() {
            return status;
        }
        if status != 0 && status != -2 {
            free_excinfo(e);
            return status;
        }
        nw_exc_clear();
        *KEPT.get() = e;
        (*slot).0 = e;
        1
    }
}
