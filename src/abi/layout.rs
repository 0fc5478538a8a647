//! Byte layouts of Numba's runtime structs in a numba-wasm module's memory.
//!
//! The data layout is wasm32 with `p:32:64`: a pointer is 4 bytes wide (low
//! half, little endian) in an 8-byte aligned slot, so these are the x86-64
//! offsets Numba computed. This file is the one copy: the CLI uses it
//! (`src/abi/mod.rs`, which also checks it against LLVM's own layout) and
//! the runtime shim includes it (`shims/src/lib.rs`) and asserts its
//! `#[repr(C)]` structs against it. Hosts get it through the metadata section.
//! Plain constants only: the shim is `no_std`.

/// Bytes a pointer occupies inside a struct.
pub const POINTER_SLOT: usize = 8;

/// Numba's array struct (`ArrayModel`): `meminfo, parent, nitems (i64),
/// itemsize (i64), data, shape[ndim] (i64), strides[ndim] (i64)`.
pub const ARRAY_MEMINFO: usize = 0;
pub const ARRAY_PARENT: usize = 8;
pub const ARRAY_NITEMS: usize = 16;
pub const ARRAY_ITEMSIZE: usize = 24;
pub const ARRAY_DATA: usize = 32;
pub const ARRAY_SHAPE: usize = 40;

/// Offset of `strides[0]` in the array struct of `ndim` dimensions.
pub const fn array_strides(ndim: usize) -> usize {
    ARRAY_SHAPE + 8 * ndim
}

/// Size of the array struct of `ndim` dimensions.
pub const fn array_size(ndim: usize) -> usize {
    ARRAY_SHAPE + 16 * ndim
}

/// NRT's `MemInfo` (`numba/core/runtime/nrt.cpp`).
pub const MEMINFO_REFCT: usize = 0;
pub const MEMINFO_DTOR: usize = 8;
pub const MEMINFO_DTOR_INFO: usize = 16;
pub const MEMINFO_DATA: usize = 24;
pub const MEMINFO_SIZE: usize = 32;
pub const MEMINFO_EXTERNAL_ALLOCATOR: usize = 40;
pub const MEMINFO_SIZE_OF: usize = 48;

/// Numba's `excinfo` struct (`callconv.py`: `{i8*, i32, i8*, i8*, i32}`).
pub const EXCINFO_PICKLE_BUF: usize = 0;
pub const EXCINFO_BUFSZ: usize = 8;
pub const EXCINFO_HASH_BUF_OR_ARGS: usize = 16;
pub const EXCINFO_UNWRAP_FN: usize = 24;
pub const EXCINFO_ALLOC_FLAG: usize = 32;
pub const EXCINFO_SIZE_OF: usize = 40;

/// Numba's Mersenne Twister state `rnd_state_t` (`numba/_random.c`; the IR
/// of `cpython/randomimpl.py` reads and writes its fields): `{i32 index,
/// [624 x i32] mt, i32 has_gauss, double gauss, i32 is_initialized}`.
pub const RND_STATE_MT_N: usize = 624;
pub const RND_STATE_INDEX: usize = 0;
pub const RND_STATE_MT: usize = 4;
pub const RND_STATE_HAS_GAUSS: usize = 2500;
pub const RND_STATE_GAUSS: usize = 2504;
pub const RND_STATE_IS_INITIALIZED: usize = 2512;
pub const RND_STATE_SIZE_OF: usize = 2520;

/// `nw_stats(out)` writes these counters as little-endian u64, in order.
pub const STATS: [&str; 4] = [
    "live_allocations",
    "live_bytes",
    "total_allocations",
    "total_frees",
];

/// Bytes of the shim's static call block (`nw_scratch`): the stats
/// counters, the argument slots, the result and the excinfo pointer of one
/// call. A module whose block fits and whose hosts allocate nothing else
/// uses it instead of linking the allocator's host exports.
pub const SCRATCH_BYTES: usize = 1024;

/// Numba's typed list `NB_List` (`numba/cext/listobject.h`): `size`,
/// `item_size`, `allocated` (Py_ssize_t), `is_mutable` (int), a table of
/// two method pointers, then `items`, the item buffer.
pub const NB_LIST_SIZE: usize = 0;
pub const NB_LIST_ITEM_SIZE: usize = 8;
pub const NB_LIST_ITEMS: usize = 48;

/// Numba's typed dict `NB_Dict` (`numba/cext/dictobject.h`): `used`, then
/// `keys`, the `NB_DictKeys` header: `size`, `usable`, `nentries`,
/// `key_size`, `val_size`, `entry_size`, `entry_offset` (Py_ssize_t) and
/// five method pointers. The index table follows the header; the entries
/// start `entry_offset` bytes after the index table, `entry_size` apart:
/// each a hash (Py_ssize_t; -1 once deleted), the key, then the value at
/// the key's size rounded up to 8.
pub const NB_DICT_KEYS: usize = 8;
pub const NB_DICTKEYS_NENTRIES: usize = 16;
pub const NB_DICTKEYS_KEY_SIZE: usize = 24;
pub const NB_DICTKEYS_ENTRY_SIZE: usize = 40;
pub const NB_DICTKEYS_ENTRY_OFFSET: usize = 48;
pub const NB_DICTKEYS_INDICES: usize = 96;
pub const NB_DICT_ENTRY_KEY: usize = 8;
/// The key's size is rounded up to this to place the value (`aligned_size`
/// of cext/utils.c).
pub const NB_DICT_VALUE_ALIGN: usize = 8;

/// `nw_dict_from`'s `key_kind` argument: how the shim hashes and compares
/// the keys, as a signed or an unsigned integer of `key_size` bytes (`bool`
/// is unsigned), or as Numba's unicode struct (a `str`).
pub const DICT_KEY_SIGNED: i32 = 0;
pub const DICT_KEY_UNSIGNED: i32 = 1;
pub const DICT_KEY_STR: i32 = 2;

/// Numba's unicode struct (`UnicodeModel`, a `str`): `data, length (i64),
/// kind (i32: bytes per code point), is_ascii (u32), hash (i64), meminfo,
/// parent`. The shim reads it to hash, compare and count references to
/// the `str` keys and values of a typed dict argument.
pub const UNICODE_DATA: usize = 0;
pub const UNICODE_LENGTH: usize = 8;
pub const UNICODE_KIND: usize = 16;
pub const UNICODE_MEMINFO: usize = 32;
pub const UNICODE_SIZE_OF: usize = 48;

/// A reflected list's payload, the data of its meminfo (`ListPayloadModel`:
/// `{i64 size, i64 allocated, i1 dirty, T data}`, with `allocated` items
/// from `data` on): the items start at 17 rounded up to the item's
/// alignment.
pub const LIST_PAYLOAD_SIZE: usize = 0;
pub const LIST_PAYLOAD_ALLOCATED: usize = 8;
pub const LIST_PAYLOAD_DIRTY: usize = 16;
pub const LIST_PAYLOAD_DIRTY_END: usize = 17;
