//! Numba's typed list (`numba/cext/listobject.c`), behind `numba.typed.List`
//! in kernels: a growable array of `item_size`-byte items with CPython's
//! over-allocation policy, and an item incref/decref method table holding
//! `void (ptr)` functions Numba defines in the IR.

use crate::dict::{RefcountFn, aligned_size, as_fn};
use crate::{Slot, alloc};

type Ssize = i64;

// `ListStatus` of listobject.c.
const LIST_OK: i32 = 0;
const LIST_ERR_INDEX: i32 = -1;
const LIST_ERR_NO_MEMORY: i32 = -2;
const LIST_ERR_MUTATED: i32 = -3;
const LIST_ERR_ITER_EXHAUSTED: i32 = -4;
const LIST_ERR_IMMUTABLE: i32 = -5;

/// `list_type_based_methods_table`: two 8-byte pointer slots.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct MethodTable {
    pub item_incref: Slot<u8>,
    pub item_decref: Slot<u8>,
}

/// `NB_List`. The IR reads `size` through `numba_list_size_address` and
/// the items through `numba_list_base_ptr`, nothing else.
#[repr(C)]
pub struct List {
    size: Ssize,
    item_size: Ssize,
    allocated: Ssize,
    is_mutable: i32,
    methods: MethodTable,
    items: Slot<u8>,
}

/// `NB_ListIter`: the IR reserves `numba_list_iter_sizeof()` bytes measured
/// on the 64-bit host (24).
#[repr(C)]
pub struct ListIter {
    parent: Slot<List>,
    size: Ssize,
    pos: Ssize,
}

const _: () = assert!(core::mem::size_of::<ListIter>() == 24);

// Hosts read returned lists through these offsets (the metadata's `abi.list`).
const _: () = {
    use crate::layout::*;
    use core::mem::offset_of;
    assert!(offset_of!(List, size) == NB_LIST_SIZE);
    assert!(offset_of!(List, item_size) == NB_LIST_ITEM_SIZE);
    assert!(offset_of!(List, items) == NB_LIST_ITEMS);
};

impl List {
    fn item(&self, i: Ssize) -> *mut u8 {
        // SAFETY: callers pass `i <= allocated`.
        unsafe { self.items.0.add((self.item_size * i) as usize) }
    }

    fn call(f: Slot<u8>, p: *const u8) {
        // SAFETY: the IR installed a `RefcountFn` (or nothing) in this slot.
        if let Some(f) = unsafe { as_fn::<RefcountFn>(f.0) } {
            // SAFETY: `p` points to an item of the list.
            unsafe { f(p) }
        }
    }

    fn incref(&self, p: *const u8) {
        Self::call(self.methods.item_incref, p)
    }

    fn decref(&self, p: *const u8) {
        Self::call(self.methods.item_decref, p)
    }
}

fn valid_index(i: Ssize, limit: Ssize) -> bool {
    (i as u64) < (limit as u64)
}

/// `void numba_list_set_method_table(NB_List *, list_type_based_methods_table *)`.
///
/// # Safety
/// `lp` a live list, `methods` a readable table.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_list_set_method_table(lp: *mut List, methods: *const MethodTable) {
    // SAFETY: per the contract.
    unsafe { (*lp).methods = *methods };
}

/// `int numba_list_new(NB_List **out, Py_ssize_t item_size, Py_ssize_t allocated)`.
///
/// # Safety
/// `out` must be a writable pointer slot.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_list_new(
    out: *mut *mut List,
    item_size: Ssize,
    allocated: Ssize,
) -> i32 {
    let lp = alloc::alloc(
        aligned_size(core::mem::size_of::<List>() as Ssize) as u64,
        8,
    ) as *mut List;
    if lp.is_null() {
        return LIST_ERR_NO_MEMORY;
    }
    let mut items = core::ptr::null_mut();
    if allocated != 0 {
        let bytes = item_size.checked_mul(allocated).filter(|b| *b >= 0);
        items = match bytes {
            Some(b) => alloc::alloc(aligned_size(b) as u64, 8),
            None => core::ptr::null_mut(),
        };
        if items.is_null() {
            // SAFETY: allocated above.
            unsafe { alloc::free(lp as *mut u8) };
            return LIST_ERR_NO_MEMORY;
        }
    }
    // SAFETY: a fresh block; `out` per the contract.
    unsafe {
        lp.write(List {
            size: 0,
            item_size,
            allocated,
            is_mutable: 1,
            methods: MethodTable {
                item_incref: Slot::NULL,
                item_decref: Slot::NULL,
            },
            items: Slot(items),
        });
        out.write(lp);
    }
    LIST_OK
}

/// `void numba_list_free(NB_List *lp)`: decref the items, free the list.
///
/// # Safety
/// `lp` must be a live list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_list_free(lp: *mut List) {
    // SAFETY: a live list.
    let l = unsafe { &mut *lp };
    if !l.methods.item_decref.0.is_null() {
        for i in 0..l.size {
            l.decref(l.item(i));
        }
    }
    // SAFETY: both blocks came from the allocator.
    unsafe {
        alloc::free(l.items.0);
        alloc::free(lp as *mut u8);
    }
}

/// `char *numba_list_base_ptr(NB_List *lp)`.
///
/// # Safety
/// `lp` must be a live list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_list_base_ptr(lp: *mut List) -> *mut u8 {
    // SAFETY: a live list.
    unsafe { (*lp).items.0 }
}

/// `Py_ssize_t numba_list_size_address(NB_List *lp)`: where the IR reads
/// the length.
///
/// # Safety
/// `lp` must be a live list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_list_size_address(lp: *mut List) -> Ssize {
    // SAFETY: a live list.
    unsafe { &raw mut (*lp).size as usize as Ssize }
}

/// `Py_ssize_t numba_list_length(NB_List *lp)`.
///
/// # Safety
/// `lp` must be a live list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_list_length(lp: *mut List) -> Ssize {
    // SAFETY: a live list.
    unsafe { (*lp).size }
}

/// `Py_ssize_t numba_list_allocated(NB_List *lp)`.
///
/// # Safety
/// `lp` must be a live list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_list_allocated(lp: *mut List) -> Ssize {
    // SAFETY: a live list.
    unsafe { (*lp).allocated }
}

/// `int numba_list_is_mutable(NB_List *lp)`.
///
/// # Safety
/// `lp` must be a live list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_list_is_mutable(lp: *mut List) -> i32 {
    // SAFETY: a live list.
    unsafe { (*lp).is_mutable }
}

/// `void numba_list_set_is_mutable(NB_List *lp, int is_mutable)`.
///
/// # Safety
/// `lp` must be a live list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_list_set_is_mutable(lp: *mut List, is_mutable: i32) {
    // SAFETY: a live list.
    unsafe { (*lp).is_mutable = is_mutable };
}

/// `int numba_list_setitem(NB_List *lp, Py_ssize_t index, const char *item)`.
///
/// # Safety
/// `lp` a live list, `item` an item.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_list_setitem(lp: *mut List, index: Ssize, item: *const u8) -> i32 {
    // SAFETY: a live list.
    let l = unsafe { &mut *lp };
    if l.is_mutable == 0 {
        return LIST_ERR_IMMUTABLE;
    }
    if !valid_index(index, l.size) {
        return LIST_ERR_INDEX;
    }
    let loc = l.item(index);
    l.decref(loc);
    // SAFETY: `loc` holds an item; `item` per the contract.
    unsafe { core::ptr::copy(item, loc, l.item_size as usize) };
    l.incref(loc);
    LIST_OK
}

/// `int numba_list_getitem(NB_List *lp, Py_ssize_t index, char *out)`.
///
/// # Safety
/// `lp` a live list, `out` room for an item.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_list_getitem(lp: *mut List, index: Ssize, out: *mut u8) -> i32 {
    // SAFETY: a live list.
    let l = unsafe { &*lp };
    if !valid_index(index, l.size) {
        return LIST_ERR_INDEX;
    }
    // SAFETY: a valid item; `out` per the contract.
    unsafe { core::ptr::copy(l.item(index), out, l.item_size as usize) };
    LIST_OK
}

/// `int numba_list_append(NB_List *lp, const char *item)`.
///
/// # Safety
/// `lp` a live list, `item` an item.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_list_append(lp: *mut List, item: *const u8) -> i32 {
    // SAFETY: a live list.
    let l = unsafe { &mut *lp };
    if l.is_mutable == 0 {
        return LIST_ERR_IMMUTABLE;
    }
    // SAFETY: a live list.
    let result = unsafe { numba_list_resize(lp, l.size + 1) };
    if result < LIST_OK {
        return result;
    }
    let loc = l.item(l.size - 1);
    // SAFETY: the new last slot; `item` per the contract.
    unsafe { core::ptr::copy(item, loc, l.item_size as usize) };
    l.incref(loc);
    LIST_OK
}

/// `int numba_list_resize(NB_List *lp, Py_ssize_t newsize)`: CPython's
/// `list_resize` growth pattern (0, 4, 8, 16, 25, 35, 46, ...).
///
/// # Safety
/// `lp` must be a live list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_list_resize(lp: *mut List, newsize: Ssize) -> i32 {
    // SAFETY: a live list.
    let l = unsafe { &mut *lp };
    if l.is_mutable == 0 {
        return LIST_ERR_IMMUTABLE;
    }
    if l.allocated >= newsize && newsize >= (l.allocated >> 1) {
        l.size = newsize;
        return LIST_OK;
    }
    let mut new_allocated =
        (newsize as u64) + ((newsize >> 3) as u64) + if newsize < 9 { 3 } else { 6 };
    if new_allocated > (i64::MAX as u64) / (l.item_size.max(1) as u64) {
        return LIST_ERR_NO_MEMORY;
    }
    if newsize == 0 {
        new_allocated = 0;
    }
    let bytes = new_allocated * l.item_size as u64;
    // SAFETY: `items` is null or one of our blocks.
    let items = unsafe { alloc::realloc(l.items.0, aligned_size(bytes as Ssize) as u64) };
    if bytes != 0 && items.is_null() {
        return LIST_ERR_NO_MEMORY;
    }
    l.items = Slot(items);
    l.size = newsize;
    l.allocated = new_allocated as Ssize;
    LIST_OK
}

/// `int numba_list_delitem(NB_List *lp, Py_ssize_t index)`.
///
/// # Safety
/// `lp` must be a live list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_list_delitem(lp: *mut List, index: Ssize) -> i32 {
    // SAFETY: a live list.
    let l = unsafe { &mut *lp };
    if l.is_mutable == 0 {
        return LIST_ERR_IMMUTABLE;
    }
    if !valid_index(index, l.size) {
        return LIST_ERR_INDEX;
    }
    let loc = l.item(index);
    l.decref(loc);
    if index != l.size - 1 {
        let leftover = (l.size - 1 - index) * l.item_size;
        // SAFETY: both ranges lie inside the items.
        unsafe { core::ptr::copy(l.item(index + 1), loc, leftover as usize) };
    }
    // SAFETY: a live list.
    let result = unsafe { numba_list_resize(lp, l.size - 1) };
    if result < LIST_OK {
        return result;
    }
    LIST_OK
}

/// `int numba_list_delete_slice(NB_List *lp, Py_ssize_t start, Py_ssize_t
/// stop, Py_ssize_t step)`: bounds already normalised by the caller.
///
/// # Safety
/// `lp` must be a live list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_list_delete_slice(
    lp: *mut List,
    mut start: Ssize,
    mut stop: Ssize,
    mut step: Ssize,
) -> i32 {
    // SAFETY: a live list.
    let l = unsafe { &mut *lp };
    if l.is_mutable == 0 {
        return LIST_ERR_IMMUTABLE;
    }
    let slicelength = if step > 0 {
        if start < stop {
            (stop - start - 1) / step + 1
        } else {
            0
        }
    } else if stop < start {
        (start - stop - 1) / -step + 1
    } else {
        0
    };
    if slicelength <= 0 {
        return LIST_OK;
    }
    let new_length = l.size - slicelength;
    // Walk a negative step forwards over the same items.
    if step < 0 {
        stop = start + 1;
        start = stop + step * (slicelength - 1) - 1;
        step = -step;
    }
    let isz = l.item_size;
    if step == 1 {
        for i in start..stop {
            l.decref(l.item(i));
        }
        let leftover = (l.size - stop) * isz;
        // SAFETY: both ranges lie inside the items.
        unsafe { core::ptr::copy(l.item(stop), l.item(start), leftover as usize) };
    } else {
        let (mut cur, mut i) = (start, 0);
        while cur < stop {
            // Items between this deleted one and the next move down by `i`.
            let mut lim = step - 1;
            if cur + step >= l.size {
                lim = l.size - cur - 1;
            }
            l.decref(l.item(cur));
            // SAFETY: both ranges lie inside the items.
            unsafe { core::ptr::copy(l.item(cur + 1), l.item(cur - i), (lim * isz) as usize) };
            cur += step;
            i += 1;
        }
        cur = start + slicelength * step;
        if cur < l.size {
            // SAFETY: both ranges lie inside the items.
            unsafe {
                core::ptr::copy(
                    l.item(cur),
                    l.item(cur - slicelength),
                    ((l.size - cur) * isz) as usize,
                )
            };
        }
    }
    // SAFETY: a live list.
    let result = unsafe { numba_list_resize(lp, new_length) };
    if result < LIST_OK {
        return result;
    }
    LIST_OK
}

/// `size_t numba_list_iter_sizeof(void)`.
#[unsafe(no_mangle)]
pub extern "C" fn numba_list_iter_sizeof() -> u64 {
    core::mem::size_of::<ListIter>() as u64
}

/// `void numba_list_iter(NB_ListIter *it, NB_List *lp)`.
///
/// # Safety
/// `it` writable (24 bytes), `lp` a live list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_list_iter(it: *mut ListIter, lp: *mut List) {
    // SAFETY: per the contract.
    unsafe {
        it.write(ListIter {
            parent: Slot(lp),
            size: (*lp).size,
            pos: 0,
        })
    }
}

/// `int numba_list_iter_next(NB_ListIter *it, const char **item_ptr)`.
///
/// # Safety
/// `it` from `numba_list_iter` on a live list; `item_ptr` a pointer slot.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_list_iter_next(it: *mut ListIter, item_ptr: *mut *mut u8) -> i32 {
    // SAFETY: per the contract.
    let it = unsafe { &mut *it };
    let l = unsafe { &*it.parent.0 };
    if l.size != it.size {
        return LIST_ERR_MUTATED;
    }
    if it.pos < l.size {
        // SAFETY: `item_ptr` per the contract.
        unsafe { item_ptr.write(l.item(it.pos)) };
        it.pos += 1;
        LIST_OK
    } else {
        LIST_ERR_ITER_EXHAUSTED
    }
}
