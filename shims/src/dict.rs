//! Numba's typed dictionary (`numba/cext/dictobject.c`, itself CPython 3.7's
//! compact ordered dict), behind `numba.typed.Dict` and `dict` in kernels.
//!
//! Same table sizes, index widths, probing (`i = 5*i + 1 + perturb`),
//! resize policy and entry layout as the C code, so that lookups, `popitem`
//! and iteration order equal native Numba's. Keys and values are opaque
//! byte blobs of `key_size`/`val_size` bytes (sizes the host computed; with
//! `p:32:64` they are the wasm sizes too). The method table holds functions
//! Numba defines in the IR, called through wasm indirect calls with the
//! exact signatures the IR gives them (`typedobjectutils.py`):
//! `i32 equal(ptr, ptr)` and `void incref/decref(ptr)`.

use crate::{Slot, alloc};

/// `Py_ssize_t`: Numba keeps 64-bit sizes.
type Ssize = i64;

const D_MINSIZE: Ssize = 8;
const PERTURB_SHIFT: u32 = 5;
const DKIX_EMPTY: Ssize = -1;
const DKIX_DUMMY: Ssize = -2;
const DKIX_ERROR: Ssize = -3;

// `Status` of dictobject.c.
const OK: i32 = 0;
const OK_REPLACED: i32 = 1;
const ERR_NO_MEMORY: i32 = -1;
const ERR_DICT_MUTATED: i32 = -2;
const ERR_ITER_EXHAUSTED: i32 = -3;
const ERR_DICT_EMPTY: i32 = -4;
const ERR_CMP_FAILED: i32 = -5;

/// `dict_key_comparator_t`: 1 equal, 0 not, < 0 error.
type KeyEqualFn = unsafe extern "C" fn(*const u8, *const u8) -> i32;
/// `dict_refcount_op_t`.
pub(crate) type RefcountFn = unsafe extern "C" fn(*const u8);

/// `type_based_methods_table`: five pointers, 8-byte slots as on x86-64
/// (the IR fills a `{ptr, ptr, ptr, ptr, ptr}` on its stack).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct MethodTable {
    pub key_equal: Slot<u8>,
    pub key_incref: Slot<u8>,
    pub key_decref: Slot<u8>,
    pub value_incref: Slot<u8>,
    pub value_decref: Slot<u8>,
}

const _: () = assert!(core::mem::size_of::<MethodTable>() == 40);

/// `NB_DictKeys`; the indices, then the entries, follow the header.
#[repr(C)]
pub struct DictKeys {
    size: Ssize,
    usable: Ssize,
    nentries: Ssize,
    key_size: Ssize,
    val_size: Ssize,
    entry_size: Ssize,
    entry_offset: Ssize,
    methods: MethodTable,
}

/// `NB_Dict`.
#[repr(C)]
pub struct Dict {
    used: Ssize,
    keys: Slot<DictKeys>,
}

/// `NB_DictIter`: the IR reserves `numba_dict_iter_sizeof()` bytes measured
/// on the 64-bit host (32), so the layout must fit in them.
#[repr(C)]
pub struct DictIter {
    parent: Slot<Dict>,
    parent_keys: Slot<DictKeys>,
    size: Ssize,
    pos: Ssize,
}

const _: () = assert!(core::mem::size_of::<DictIter>() == 32);

// Hosts read returned dicts through these offsets (the metadata's `abi.dict`).
const _: () = {
    use crate::layout::*;
    use core::mem::{offset_of, size_of};
    assert!(offset_of!(Dict, keys) == NB_DICT_KEYS);
    assert!(offset_of!(DictKeys, nentries) == NB_DICTKEYS_NENTRIES);
    assert!(offset_of!(DictKeys, key_size) == NB_DICTKEYS_KEY_SIZE);
    assert!(offset_of!(DictKeys, entry_size) == NB_DICTKEYS_ENTRY_SIZE);
    assert!(offset_of!(DictKeys, entry_offset) == NB_DICTKEYS_ENTRY_OFFSET);
    assert!(size_of::<DictKeys>() == NB_DICTKEYS_INDICES);
    assert!(ENTRY_HEADER as usize == NB_DICT_ENTRY_KEY);
    assert!(aligned_size(1) as usize == NB_DICT_VALUE_ALIGN);
};

/// `NB_DictEntry`: `{ Py_ssize_t hash; char keyvalue[]; }`.
const ENTRY_HEADER: Ssize = 8;

/// `aligned_size` of cext/utils.c, with the host's `sizeof(void*)` (8).
pub(crate) const fn aligned_size(sz: Ssize) -> Ssize {
    const ALIGNMENT: Ssize = 8;
    sz + (ALIGNMENT - sz % ALIGNMENT) % ALIGNMENT
}

fn malloc(size: Ssize) -> *mut u8 {
    if size < 0 {
        return core::ptr::null_mut();
    }
    alloc::alloc(size as u64, 8)
}

/// # Safety
/// `p` must be null or the table index of a function of type `F`.
pub(crate) unsafe fn as_fn<F: Copy>(p: *mut u8) -> Option<F> {
    if p.is_null() {
        return None;
    }
    // SAFETY: fn pointers and data pointers are both a u32 on wasm32.
    Some(unsafe { core::mem::transmute_copy(&p) })
}

fn ix_size(size: Ssize) -> Ssize {
    if size < 0xff {
        1
    } else if size < 0xffff {
        2
    } else if size < 0xffff_ffff {
        4
    } else {
        8
    }
}

impl DictKeys {
    fn indices(&mut self) -> *mut u8 {
        // SAFETY: the indices start right after the header, in the same block.
        unsafe { (self as *mut DictKeys).add(1) as *mut u8 }
    }

    fn mask(&self) -> u64 {
        (self.size - 1) as u64
    }

    fn get_index(&mut self, i: u64) -> Ssize {
        let s = self.size;
        let p = self.indices();
        // SAFETY: `i < size`; the index array has `size` items of this width.
        unsafe {
            if s <= 0xff {
                *(p as *const i8).add(i as usize) as Ssize
            } else if s <= 0xffff {
                *(p as *const i16).add(i as usize) as Ssize
            } else if s > 0xffff_ffff {
                *(p as *const i64).add(i as usize)
            } else {
                *(p as *const i32).add(i as usize) as Ssize
            }
        }
    }

    fn set_index(&mut self, i: u64, ix: Ssize) {
        let s = self.size;
        let p = self.indices();
        // SAFETY: as in `get_index`.
        unsafe {
            if s <= 0xff {
                *(p as *mut i8).add(i as usize) = ix as i8;
            } else if s <= 0xffff {
                *(p as *mut i16).add(i as usize) = ix as i16;
            } else if s > 0xffff_ffff {
                *(p as *mut i64).add(i as usize) = ix;
            } else {
                *(p as *mut i32).add(i as usize) = ix as i32;
            }
        }
    }

    /// The entry at `idx`; its first 8 bytes are the hash.
    fn entry(&mut self, idx: Ssize) -> *mut u8 {
        let offset = self.entry_offset + idx * self.entry_size;
        // SAFETY: `idx < usable`; entries follow the indices in the block.
        unsafe { self.indices().add(offset as usize) }
    }

    fn entry_hash(&mut self, idx: Ssize) -> *mut Ssize {
        self.entry(idx) as *mut Ssize
    }

    fn entry_key(&mut self, idx: Ssize) -> *mut u8 {
        // SAFETY: the key follows the hash inside the entry.
        unsafe { self.entry(idx).add(ENTRY_HEADER as usize) }
    }

    fn entry_val(&mut self, idx: Ssize) -> *mut u8 {
        let k = aligned_size(self.key_size) as usize;
        // SAFETY: the value follows the aligned key inside the entry.
        unsafe { self.entry_key(idx).add(k) }
    }

    fn key_equal(&self, lhs: *const u8, rhs: *const u8) -> i32 {
        // SAFETY: the IR installed a `KeyEqualFn` (or nothing).
        match unsafe { as_fn::<KeyEqualFn>(self.methods.key_equal.0) } {
            // SAFETY: both point to `key_size` bytes of a key.
            Some(f) => unsafe { f(lhs, rhs) },
            None => {
                let n = self.key_size as usize;
                // SAFETY: both point to `key_size` bytes.
                let (a, b) = unsafe {
                    (
                        core::slice::from_raw_parts(lhs, n),
                        core::slice::from_raw_parts(rhs, n),
                    )
                };
                (a == b) as i32
            }
        }
    }

    fn call(f: Slot<u8>, p: *const u8) {
        // SAFETY: the IR installed a `RefcountFn` (or nothing) in this slot.
        if let Some(f) = unsafe { as_fn::<RefcountFn>(f.0) } {
            // SAFETY: `p` points to a key or value of the table.
            unsafe { f(p) }
        }
    }

    fn incref_key(&self, k: *const u8) {
        Self::call(self.methods.key_incref, k)
    }
    fn decref_key(&self, k: *const u8) {
        Self::call(self.methods.key_decref, k)
    }
    fn incref_val(&self, v: *const u8) {
        Self::call(self.methods.value_incref, v)
    }
    fn decref_val(&self, v: *const u8) {
        Self::call(self.methods.value_decref, v)
    }
}

fn copy(dst: *mut u8, src: *const u8, n: Ssize) {
    // SAFETY: callers pass buffers of at least `n` bytes.
    unsafe { core::ptr::copy(src, dst, n as usize) }
}

fn zero(dst: *mut u8, n: Ssize) {
    // SAFETY: callers pass a buffer of at least `n` bytes.
    unsafe { core::ptr::write_bytes(dst, 0, n as usize) }
}

/// `numba_dictkeys_free`: drop the references held, then the block.
///
/// # Safety
/// `dk` must be a live keys object.
unsafe fn dictkeys_free(dk: *mut DictKeys) {
    // SAFETY: caller passes a live keys object.
    let k = unsafe { &mut *dk };
    for i in 0..k.nentries {
        // SAFETY: `i < nentries`.
        if unsafe { *k.entry_hash(i) } != DKIX_EMPTY {
            let (key, val) = (k.entry_key(i), k.entry_val(i));
            k.decref_key(key);
            k.decref_val(val);
        }
    }
    // SAFETY: allocated by `dictkeys_new`.
    unsafe { alloc::free(dk as *mut u8) }
}

/// `numba_dictkeys_new`.
fn dictkeys_new(size: Ssize, key_size: Ssize, val_size: Ssize) -> *mut DictKeys {
    let usable = (size << 1) / 3;
    let index_size = ix_size(size);
    let entry_size = aligned_size(ENTRY_HEADER + aligned_size(key_size) + aligned_size(val_size));
    let entry_offset = aligned_size(index_size * size);
    let alloc_size = core::mem::size_of::<DictKeys>() as Ssize + entry_offset + entry_size * usable;
    let dk = malloc(aligned_size(alloc_size)) as *mut DictKeys;
    if dk.is_null() {
        return dk;
    }
    // SAFETY: a fresh block of `alloc_size` bytes.
    unsafe {
        dk.write(DictKeys {
            size,
            usable,
            nentries: 0,
            key_size,
            val_size,
            entry_size,
            entry_offset,
            methods: MethodTable {
                key_equal: Slot::NULL,
                key_incref: Slot::NULL,
                key_decref: Slot::NULL,
                value_incref: Slot::NULL,
                value_decref: Slot::NULL,
            },
        });
        // Empty indices are -1, and so is the hash of an empty entry.
        core::ptr::write_bytes(
            (*dk).indices(),
            0xff,
            (entry_offset + entry_size * usable) as usize,
        );
    }
    dk
}

/// `int numba_dict_new(NB_Dict **out, Py_ssize_t size, Py_ssize_t key_size,
/// Py_ssize_t val_size)`.
///
/// # Safety
/// `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_dict_new(
    out: *mut *mut Dict,
    size: Ssize,
    key_size: Ssize,
    val_size: Ssize,
) -> i32 {
    let dk = dictkeys_new(size, key_size, val_size);
    if dk.is_null() {
        return ERR_NO_MEMORY;
    }
    let d = malloc(core::mem::size_of::<Dict>() as Ssize) as *mut Dict;
    if d.is_null() {
        // SAFETY: fresh and empty.
        unsafe { dictkeys_free(dk) };
        return ERR_NO_MEMORY;
    }
    // SAFETY: fresh block; `out` per the contract.
    unsafe {
        d.write(Dict {
            used: 0,
            keys: Slot(dk),
        });
        out.write(d);
    }
    OK
}

/// `int numba_dict_new_sized(NB_Dict **out, Py_ssize_t n_keys, ...)`: room
/// for `n_keys` without a resize.
///
/// # Safety
/// `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_dict_new_sized(
    out: *mut *mut Dict,
    n_keys: Ssize,
    key_size: Ssize,
    val_size: Ssize,
) -> i32 {
    if n_keys <= (D_MINSIZE << 1) / 3 {
        // SAFETY: forwarded contract.
        return unsafe { numba_dict_new(out, D_MINSIZE, key_size, val_size) };
    }
    // INV_USABLE_FRACTION, then round up to a power of two.
    let mut size = n_keys + (n_keys >> 1) + 1 - 1;
    let mut shift = 1;
    while shift < 64 {
        size |= size >> shift;
        shift <<= 1;
    }
    size = size.wrapping_add(1);
    if size <= 0 {
        return ERR_NO_MEMORY;
    }
    // SAFETY: forwarded contract.
    unsafe { numba_dict_new(out, size, key_size, val_size) }
}

/// `void numba_dict_free(NB_Dict *d)`.
///
/// # Safety
/// `d` must be a live dict.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_dict_free(d: *mut Dict) {
    // SAFETY: a live dict and its keys.
    unsafe {
        dictkeys_free((*d).keys.0);
        alloc::free(d as *mut u8);
    }
}

/// `Py_ssize_t numba_dict_length(NB_Dict *d)`.
///
/// # Safety
/// `d` must be a live dict.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_dict_length(d: *mut Dict) -> Ssize {
    // SAFETY: a live dict.
    unsafe { (*d).used }
}

/// `void numba_dict_set_method_table(NB_Dict *d, type_based_methods_table *)`.
///
/// # Safety
/// `d` must be a live dict, `methods` a readable table.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_dict_set_method_table(d: *mut Dict, methods: *const MethodTable) {
    // SAFETY: per the contract.
    unsafe { (*(*d).keys.0).methods = *methods };
}

/// `lookdict_index`: the hash-table slot that holds entry `index`.
fn lookdict_index(dk: &mut DictKeys, hash: Ssize, index: Ssize) -> Ssize {
    let mask = dk.mask();
    let mut perturb = hash as u64;
    let mut i = hash as u64 & mask;
    loop {
        let ix = dk.get_index(i);
        if ix == index {
            return i as Ssize;
        }
        if ix == DKIX_EMPTY {
            return DKIX_EMPTY;
        }
        perturb >>= PERTURB_SHIFT;
        i = mask & (i.wrapping_mul(5).wrapping_add(perturb).wrapping_add(1));
    }
}

/// `Py_ssize_t numba_dict_lookup(NB_Dict *d, const char *key, Py_hash_t hash,
/// char *oldval)`: the entry index (value copied to `oldval`), DKIX_EMPTY
/// or DKIX_ERROR.
///
/// # Safety
/// `d` a live dict; `key` a key, `oldval` room for a value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_dict_lookup(
    d: *mut Dict,
    key: *const u8,
    hash: Ssize,
    oldval: *mut u8,
) -> Ssize {
    // SAFETY: a live dict.
    let dk = unsafe { &mut *(*d).keys.0 };
    let mask = dk.mask();
    let mut perturb = hash as u64;
    let mut i = hash as u64 & mask;
    loop {
        let ix = dk.get_index(i);
        if ix == DKIX_EMPTY {
            zero(oldval, dk.val_size);
            return ix;
        }
        // SAFETY: `ix` is a live entry index.
        if ix >= 0 && unsafe { *dk.entry_hash(ix) } == hash {
            let start = dk.entry_key(ix);
            let cmp = dk.key_equal(start, key);
            if cmp < 0 {
                zero(oldval, dk.val_size);
                return DKIX_ERROR;
            }
            if cmp > 0 {
                copy(oldval, dk.entry_val(ix), dk.val_size);
                return ix;
            }
        }
        perturb >>= PERTURB_SHIFT;
        i = mask & (i.wrapping_mul(5).wrapping_add(perturb).wrapping_add(1));
    }
}

/// `find_empty_slot`: for a key known to be absent.
fn find_empty_slot(dk: &mut DictKeys, hash: Ssize) -> u64 {
    let mask = dk.mask();
    let mut i = hash as u64 & mask;
    let mut perturb = hash as u64;
    while dk.get_index(i) >= 0 {
        perturb >>= PERTURB_SHIFT;
        i = mask & (i.wrapping_mul(5).wrapping_add(perturb).wrapping_add(1));
    }
    i
}

/// `int numba_dict_insert(NB_Dict *d, const char *key, Py_hash_t hash,
/// const char *val, char *oldval)`: OK, OK_REPLACED (old value in
/// `oldval`, already decref'd) or an error.
///
/// # Safety
/// `d` a live dict; `key`/`val` a key and a value, `oldval` room for one.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_dict_insert(
    d: *mut Dict,
    key: *const u8,
    hash: Ssize,
    val: *const u8,
    oldval: *mut u8,
) -> i32 {
    // SAFETY: forwarded contract.
    let ix = unsafe { numba_dict_lookup(d, key, hash, oldval) };
    if ix == DKIX_ERROR {
        return ERR_CMP_FAILED;
    }
    // SAFETY: a live dict.
    let d = unsafe { &mut *d };
    if ix == DKIX_EMPTY {
        // SAFETY: live keys.
        if unsafe { (*d.keys.0).usable } <= 0 {
            // GROWTH_RATE: used * 3.
            // SAFETY: a live dict.
            if unsafe { numba_dict_resize(d, d.used * 3) } != OK {
                return ERR_NO_MEMORY;
            }
        }
        // SAFETY: live keys (reloaded after a resize).
        let dk = unsafe { &mut *d.keys.0 };
        let hashpos = find_empty_slot(dk, hash);
        let n = dk.nentries;
        dk.set_index(hashpos, n);
        copy(dk.entry_key(n), key, dk.key_size);
        // SAFETY: entry `n` is inside the table (`usable > 0`).
        unsafe { *dk.entry_hash(n) = hash };
        copy(dk.entry_val(n), val, dk.val_size);
        dk.incref_key(key);
        dk.incref_val(val);
        d.used += 1;
        dk.usable -= 1;
        dk.nentries += 1;
        OK
    } else {
        // SAFETY: live keys.
        let dk = unsafe { &mut *d.keys.0 };
        dk.decref_val(oldval);
        copy(dk.entry_val(ix), val, dk.val_size);
        dk.incref_val(val);
        OK_REPLACED
    }
}

/// `int numba_dict_insert_ez(NB_Dict *d, const char *key, Py_hash_t hash,
/// const char *val)`.
///
/// # Safety
/// As `numba_dict_insert`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_dict_insert_ez(
    d: *mut Dict,
    key: *const u8,
    hash: Ssize,
    val: *const u8,
) -> i32 {
    // SAFETY: a live dict.
    let val_size = unsafe { (*(*d).keys.0).val_size };
    let old = malloc(val_size.max(1));
    if old.is_null() {
        return ERR_NO_MEMORY;
    }
    // SAFETY: forwarded contract; `old` holds a value.
    let status = unsafe { numba_dict_insert(d, key, hash, val, old) };
    // SAFETY: allocated above.
    unsafe { alloc::free(old) };
    status
}

/// `build_indices`: index the first `n` entries of a fresh table.
fn build_indices(dk: &mut DictKeys, n: Ssize) {
    let mask = dk.mask();
    for ix in 0..n {
        // SAFETY: `ix < n <= nentries` of the copied entries.
        let hash = unsafe { *dk.entry_hash(ix) };
        let mut i = hash as u64 & mask;
        let mut perturb = hash as u64;
        while dk.get_index(i) != DKIX_EMPTY {
            perturb >>= PERTURB_SHIFT;
            i = mask & (i.wrapping_mul(5).wrapping_add(perturb).wrapping_add(1));
        }
        dk.set_index(i, ix);
    }
}

/// `int numba_dict_resize(NB_Dict *d, Py_ssize_t minsize)`: a new table of
/// the smallest power of two >= `minsize`, entries compacted in order.
///
/// # Safety
/// `d` must be a live dict.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_dict_resize(d: *mut Dict, minsize: Ssize) -> i32 {
    // SAFETY: a live dict.
    let d = unsafe { &mut *d };
    let mut newsize = D_MINSIZE;
    while newsize < minsize && newsize > 0 {
        newsize <<= 1;
    }
    if newsize <= 0 {
        return ERR_NO_MEMORY;
    }
    let oldkeys = d.keys.0;
    // SAFETY: live keys.
    let old = unsafe { &mut *oldkeys };
    let newkeys = dictkeys_new(newsize, old.key_size, old.val_size);
    if newkeys.is_null() {
        return ERR_NO_MEMORY;
    }
    // SAFETY: fresh keys.
    let new = unsafe { &mut *newkeys };
    new.methods = old.methods;
    let numentries = d.used;
    if old.nentries == numentries {
        let n = numentries * old.entry_size;
        copy(new.entry(0), old.entry(0), n);
        // Marked empty so that freeing the old table decrefs nothing.
        // SAFETY: the old entries span `n` bytes.
        unsafe { core::ptr::write_bytes(old.entry(0), 0xff, n as usize) };
    } else {
        let mut epi = 0;
        for i in 0..numentries {
            // SAFETY: `epi < nentries`: `used` live entries remain ahead.
            while unsafe { *old.entry_hash(epi) } == DKIX_EMPTY {
                epi += 1;
            }
            copy(new.entry(i), old.entry(epi), old.entry_size);
            // SAFETY: as above.
            unsafe { *old.entry_hash(epi) = DKIX_EMPTY };
            epi += 1;
        }
    }
    // SAFETY: its live entries now belong to the new table.
    unsafe { dictkeys_free(oldkeys) };
    d.keys = Slot(newkeys);
    build_indices(new, numentries);
    new.usable -= numentries;
    new.nentries = numentries;
    OK
}

/// `int numba_dict_delitem(NB_Dict *d, Py_hash_t hash, Py_ssize_t ix)`: `ix`
/// from `numba_dict_lookup`.
///
/// # Safety
/// `d` a live dict, `ix` a live entry with this hash.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_dict_delitem(d: *mut Dict, hash: Ssize, ix: Ssize) -> i32 {
    // SAFETY: a live dict and keys.
    let d = unsafe { &mut *d };
    let dk = unsafe { &mut *d.keys.0 };
    let hashpos = lookdict_index(dk, hash, ix);
    d.used -= 1;
    dk.set_index(hashpos as u64, DKIX_DUMMY);
    let (key, val) = (dk.entry_key(ix), dk.entry_val(ix));
    dk.decref_key(key);
    dk.decref_val(val);
    zero(key, dk.key_size);
    zero(val, dk.val_size);
    // SAFETY: a live entry.
    unsafe { *dk.entry_hash(ix) = DKIX_EMPTY };
    OK
}

/// `int numba_dict_popitem(NB_Dict *d, char *key, char *val)`: the last
/// entry, its references passed to the caller.
///
/// # Safety
/// `d` a live dict; `key`/`val` room for a key and a value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_dict_popitem(d: *mut Dict, key: *mut u8, val: *mut u8) -> i32 {
    // SAFETY: a live dict and keys.
    let d = unsafe { &mut *d };
    if d.used == 0 {
        return ERR_DICT_EMPTY;
    }
    let dk = unsafe { &mut *d.keys.0 };
    let mut i = dk.nentries - 1;
    // SAFETY: `used > 0`, so a live entry exists at or below `i`.
    while i >= 0 && unsafe { *dk.entry_hash(i) } == DKIX_EMPTY {
        i -= 1;
    }
    // SAFETY: a live entry.
    let hash = unsafe { *dk.entry_hash(i) };
    let j = lookdict_index(dk, hash, i);
    dk.set_index(j as u64, DKIX_DUMMY);
    let (kp, vp) = (dk.entry_key(i), dk.entry_val(i));
    copy(key, kp, dk.key_size);
    copy(val, vp, dk.val_size);
    zero(kp, dk.key_size);
    zero(vp, dk.val_size);
    // No `usable += 1`: the index keeps a DKIX_DUMMY.
    dk.nentries = i;
    d.used -= 1;
    OK
}

/// `size_t numba_dict_iter_sizeof(void)`.
#[unsafe(no_mangle)]
pub extern "C" fn numba_dict_iter_sizeof() -> u64 {
    core::mem::size_of::<DictIter>() as u64
}

/// `void numba_dict_iter(NB_DictIter *it, NB_Dict *d)`.
///
/// # Safety
/// `it` writable (32 bytes), `d` a live dict.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_dict_iter(it: *mut DictIter, d: *mut Dict) {
    // SAFETY: per the contract.
    unsafe {
        it.write(DictIter {
            parent: Slot(d),
            parent_keys: Slot((*d).keys.0),
            size: (*d).used,
            pos: 0,
        })
    }
}

/// `int numba_dict_iter_next(NB_DictIter *it, const char **key,
/// const char **val)`: pointers into the table, in insertion order.
///
/// # Safety
/// `it` from `numba_dict_iter` on a live dict; `key`/`val` writable slots.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_dict_iter_next(
    it: *mut DictIter,
    key: *mut *mut u8,
    val: *mut *mut u8,
) -> i32 {
    // SAFETY: per the contract.
    let it = unsafe { &mut *it };
    let parent = unsafe { &*it.parent.0 };
    if parent.keys.0 != it.parent_keys.0 || parent.used != it.size {
        return ERR_DICT_MUTATED;
    }
    // SAFETY: live keys.
    let dk = unsafe { &mut *it.parent_keys.0 };
    while it.pos < dk.nentries {
        let i = it.pos;
        it.pos += 1;
        // SAFETY: `i < nentries`; `key`/`val` per the contract.
        unsafe {
            if *dk.entry_hash(i) != DKIX_EMPTY {
                key.write(dk.entry_key(i));
                val.write(dk.entry_val(i));
                return OK;
            }
        }
    }
    ERR_ITER_EXHAUSTED
}

// ------------------------------------------------------------------ for hosts

// How [`nw_dict_from`] hashes and compares the keys (`layout.rs`, which
// hosts read through the metadata's `abi.dict.key_kinds`).
use crate::layout::{
    DICT_KEY_SIGNED as KEY_SIGNED, DICT_KEY_STR as KEY_STR, DICT_KEY_UNSIGNED as KEY_UNSIGNED,
};

/// Python's `hash()` of an integer, as Numba's `int_hash` computes it
/// (`numba/cpython/hashing.py`): the value modulo 2**61 - 1, keeping the
/// sign; -1 becomes -2, and `-2**63` hashes to -4.
fn int_hash(v: i128) -> Ssize {
    const MODULUS: i128 = (1 << 61) - 1;
    if v == i64::MIN as i128 {
        return -4;
    }
    let h = (v.abs() % MODULUS) * v.signum();
    if h == -1 { -2 } else { h as Ssize }
}

/// SipHash-1-3 with the module's hash secret (CPython >= 3.11's
/// `_Py_HashBytes`, which Numba's `unicode_hash` translates: the str's raw
/// code point bytes; 0 for no bytes; -1 becomes -2).
fn bytes_hash(src: &[u8]) -> Ssize {
    if src.is_empty() {
        return 0;
    }
    let k0 = crate::hashsecret::_numba_hashsecret_siphash_k0;
    let k1 = crate::hashsecret::_numba_hashsecret_siphash_k1;
    let mut v = [
        k0 ^ 0x736f_6d65_7073_6575,
        k1 ^ 0x646f_7261_6e64_6f6d,
        k0 ^ 0x6c79_6765_6e65_7261,
        k1 ^ 0x7465_6462_7974_6573,
    ];
    let round = |v: &mut [u64; 4]| {
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13) ^ v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16) ^ v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21) ^ v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17) ^ v[2];
        v[2] = v[2].rotate_left(32);
    };
    let mut chunks = src.chunks_exact(8);
    for c in &mut chunks {
        let m = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        v[3] ^= m;
        round(&mut v);
        v[0] ^= m;
    }
    let mut b = (src.len() as u64) << 56;
    for (i, byte) in chunks.remainder().iter().enumerate() {
        b |= (*byte as u64) << (8 * i);
    }
    v[3] ^= b;
    round(&mut v);
    v[0] ^= b;
    v[2] ^= 0xff;
    for _ in 0..3 {
        round(&mut v);
    }
    let h = ((v[0] ^ v[1]) ^ (v[2] ^ v[3])) as Ssize;
    if h == -1 { -2 } else { h }
}

/// A `str` (Numba's unicode struct at `s`): its code point bytes, its
/// length and kind (bytes per code point).
///
/// # Safety
/// `s` must point to a valid unicode struct.
unsafe fn str_parts<'a>(s: *const u8) -> (&'a [u8], usize, usize) {
    use crate::layout::*;
    // SAFETY: the struct's fields, and the code points they describe.
    unsafe {
        let data = *(s.add(UNICODE_DATA) as *const *const u8);
        let len = *(s.add(UNICODE_LENGTH) as *const i64) as usize;
        let kind = *(s.add(UNICODE_KIND) as *const i32) as usize;
        (core::slice::from_raw_parts(data, len * kind), len, kind)
    }
}

fn code_point(bytes: &[u8], kind: usize, i: usize) -> u32 {
    let b = &bytes[i * kind..];
    match kind {
        1 => b[0] as u32,
        2 => u16::from_le_bytes([b[0], b[1]]) as u32,
        _ => u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
    }
}

/// Key equality of `str` keys: the same code points (whatever the kinds),
/// as Numba's `unicode_eq`.
unsafe extern "C" fn str_equal(a: *const u8, b: *const u8) -> i32 {
    // SAFETY: the dict passes two of its keys.
    let ((da, la, ka), (db, lb, kb)) = unsafe { (str_parts(a), str_parts(b)) };
    (la == lb && (0..la).all(|i| code_point(da, ka, i) == code_point(db, kb, i))) as i32
}

/// Reference counting of a `str` key or value: its meminfo (null for a
/// literal).
unsafe extern "C" fn str_incref(s: *const u8) {
    // SAFETY: the dict passes one of its keys or values.
    unsafe {
        let mi = *(s.add(crate::layout::UNICODE_MEMINFO) as *const *mut crate::nrt::MemInfo);
        if !mi.is_null() {
            crate::nrt::NRT_incref(mi);
        }
    }
}

unsafe extern "C" fn str_decref(s: *const u8) {
    // SAFETY: as `str_incref`.
    unsafe {
        let mi = *(s.add(crate::layout::UNICODE_MEMINFO) as *const *mut crate::nrt::MemInfo);
        if !mi.is_null() {
            crate::nrt::NRT_decref(mi);
        }
    }
}

/// For hosts: a typed dict of `n` entries inserted in order, the keys
/// (`key_size` bytes each, of `key_kind`) from `keys`, the values
/// (`val_size` bytes each; Numba's unicode struct when `value_str` is 1)
/// from `vals`, owned by a new meminfo whose data holds the `NB_Dict*` and
/// whose destructor frees the dict, as Numba's `_make_dict` builds one (a
/// `numba.typed.Dict` argument). The shim hashes the keys as the kernels
/// do, and for `str` keys or values installs the equality and reference
/// counting the kernels' own dicts get from the IR; the dict takes a
/// reference to each `str`. Null when out of memory, for a key kind it
/// does not know, or when two keys are equal (hosts refuse those first).
///
/// # Safety
/// `keys` and `vals` must point to `n` keys and `n` values; `str` keys
/// and values must be valid unicode structs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nw_dict_from(
    key_kind: i32,
    value_str: i32,
    key_size: Ssize,
    val_size: Ssize,
    n: Ssize,
    keys: *const u8,
    vals: *const u8,
) -> *mut crate::nrt::MemInfo {
    let null = core::ptr::null_mut();
    let int_key =
        matches!(key_kind, KEY_SIGNED | KEY_UNSIGNED) && matches!(key_size, 1 | 2 | 4 | 8);
    if n < 0 || !(int_key || key_kind == KEY_STR) {
        return null;
    }
    let mut d: *mut Dict = null as *mut Dict;
    // SAFETY: `d` is a writable slot.
    if unsafe { numba_dict_new_sized(&mut d, n, key_size, val_size) } != OK {
        return null;
    }
    let f = |p: unsafe extern "C" fn(*const u8)| Slot(p as *mut u8);
    let (str_key, str_val) = (key_kind == KEY_STR, value_str == 1);
    let methods = MethodTable {
        key_equal: if str_key {
            Slot(str_equal as *mut u8)
        } else {
            Slot::NULL
        },
        key_incref: if str_key { f(str_incref) } else { Slot::NULL },
        key_decref: if str_key { f(str_decref) } else { Slot::NULL },
        value_incref: if str_val { f(str_incref) } else { Slot::NULL },
        value_decref: if str_val { f(str_decref) } else { Slot::NULL },
    };
    let old = malloc(val_size.max(1));
    let mut ok = !old.is_null();
    // SAFETY: a live dict; keys and values per the contract.
    unsafe {
        numba_dict_set_method_table(d, &methods);
        for i in 0..n {
            if !ok {
                break;
            }
            let key = keys.add((i * key_size) as usize);
            let hash = if str_key {
                bytes_hash(str_parts(key).0)
            } else {
                let mut raw = [0u8; 8];
                core::ptr::copy_nonoverlapping(key, raw.as_mut_ptr(), key_size as usize);
                let bits = key_size as u32 * 8;
                let v = u64::from_le_bytes(raw);
                int_hash(if key_kind == KEY_SIGNED {
                    ((v << (64 - bits)) as i64 >> (64 - bits)) as i128
                } else {
                    v as i128
                })
            };
            let val = vals.add((i * val_size) as usize);
            ok = numba_dict_insert(d, key, hash, val, old) == OK;
        }
        alloc::free(old);
    }
    let mi = if ok {
        crate::nrt::NRT_MemInfo_alloc_dtor(
            core::mem::size_of::<Slot<Dict>>() as u64,
            dict_meminfo_dtor as *mut u8,
        )
    } else {
        null
    };
    // SAFETY: a fresh meminfo's data holds a pointer slot; `d` is live.
    unsafe {
        if mi.is_null() {
            numba_dict_free(d);
            return mi;
        }
        (crate::nrt::NRT_MemInfo_data(mi) as *mut Slot<Dict>).write(Slot(d));
    }
    mi
}

/// The destructor of [`nw_dict_from`]'s meminfo: frees the dict it holds.
unsafe extern "C" fn dict_meminfo_dtor(ptr: *mut u8, _size: u64, _info: *mut u8) {
    // SAFETY: the meminfo's data is the pointer slot `nw_dict_from` wrote.
    unsafe { numba_dict_free((*(ptr as *mut Slot<Dict>)).0) };
}
