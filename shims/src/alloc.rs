//! Power-of-two size-class allocator over wasm linear memory.
//!
//! Every block is `2^k` bytes, `k` in `MIN_CLASS..=MAX_CLASS` (16 B .. 2 GiB).
//! Blocks are carved from a bump region that runs from `__heap_base` to the
//! end of memory; when it runs out, `memory.grow` adds just enough 64 KiB
//! pages. Blocks are never split or merged: a freed block goes to the
//! (intrusive, LIFO) free list of its class and is the next one handed out
//! for that class, so repeating an allocation pattern reuses the same blocks
//! and memory stops growing after the first round.
//!
//! Block layout (`start` is 16-aligned, `ptr` is what the caller gets):
//!
//! ```text
//! start                                  ptr = start + offset
//! | padding (aligned requests only) | Header (8 B) | payload (size B) ... |
//! ```
//!
//! `Header { size: u32, offset: u16, class: u8, tag: u8 }` sits right before
//! `ptr`; `offset` (8 ..= align) leads back to `start`, `class` gives the
//! block size, `tag` is `TAG_LIVE` while allocated (catches double frees and
//! foreign pointers). With `ptr = align_up(start + 8, align)` the payload
//! needs at most `size + max(align, 8)` bytes of block. A free block keeps
//! the next free block's address in its first 4 bytes; that may overlap the
//! header's `size`, never its `tag`, which is cleared on free.

use core::arch::wasm32;

use crate::{Global, stats, trap};

const PAGE: u64 = 65536;
const MIN_CLASS: u32 = 4;
const MAX_CLASS: u32 = 31;
const HEADER: u64 = 8;
const TAG_LIVE: u8 = 0xA5;

/// Alignment of `NRT_Allocate` and of `nw_alloc` with `align <= 8` (enough
/// for every scalar; wasm never traps on misaligned access anyway).
pub const MIN_ALIGN: u32 = 8;
/// Largest alignment `alloc` honours (Numba asks for 32/64 on arrays).
pub const MAX_ALIGN: u32 = 4096;

#[repr(C)]
struct Header {
    /// Requested size, for `live_bytes` and `realloc`.
    size: u32,
    /// `ptr - start`.
    offset: u16,
    /// Size class: the block is `1 << class` bytes.
    class: u8,
    tag: u8,
}

const _: () = assert!(core::mem::size_of::<Header>() == HEADER as usize);

struct Heap {
    /// Next free byte of the bump region (16-aligned); 0 until `init`.
    next: u64,
    /// End of the bump region = end of linear memory (u64: may be 4 GiB).
    end: u64,
    /// Free-list heads (block start addresses) per class; 0 = empty.
    free: [u32; MAX_CLASS as usize + 1],
}

static HEAP: Global<Heap> = Global::new(Heap {
    next: 0,
    end: 0,
    free: [0; MAX_CLASS as usize + 1],
});

unsafe extern "C" {
    /// First byte after the stack and static data, defined by wasm-ld.
    static __heap_base: u8;
}

fn align_up(x: u64, align: u64) -> u64 {
    (x + align - 1) & !(align - 1)
}

/// Smallest class whose blocks hold `need` bytes (`need <= 1 << MAX_CLASS`).
fn class_for(need: u64) -> u32 {
    let bits = 64 - need.saturating_sub(1).leading_zeros();
    bits.max(MIN_CLASS)
}

impl Heap {
    fn init(&mut self) {
        let base = &raw const __heap_base as u64;
        self.next = align_up(base, 16);
        self.end = wasm32::memory_size(0) as u64 * PAGE;
    }

    /// Carve `bytes` (a class size, so a multiple of 16) from the bump region.
    fn bump(&mut self, bytes: u64) -> Option<u64> {
        if self.next == 0 {
            self.init();
        }
        let room = self.end.saturating_sub(self.next);
        if room < bytes {
            let pages = (bytes - room).div_ceil(PAGE);
            let prev = wasm32::memory_grow(0, pages as usize);
            if prev == usize::MAX {
                return None;
            }
            let prev_end = prev as u64 * PAGE;
            let new_end = prev_end + pages * PAGE;
            if prev_end != self.end {
                // Someone else grew memory since: our tail is not contiguous
                // with the new pages, so restart the region on them.
                self.next = prev_end;
                self.end = new_end;
                return self.bump(bytes);
            }
            self.end = new_end;
        }
        let start = self.next;
        self.next += bytes;
        Some(start)
    }

    fn pop(&mut self, class: u32) -> Option<u64> {
        let head = self.free[class as usize];
        if head == 0 {
            return None;
        }
        // SAFETY: `head` is a free block of ours; its first word is the link.
        self.free[class as usize] = unsafe { *(head as usize as *const u32) };
        Some(head as u64)
    }

    fn push(&mut self, class: u32, start: u64) {
        // SAFETY: `start` is a block of ours that was just freed.
        unsafe { *(start as usize as *mut u32) = self.free[class as usize] };
        self.free[class as usize] = start as u32;
    }
}

fn heap() -> &'static mut Heap {
    // SAFETY: see `Global`; no caller holds two of these at once.
    unsafe { &mut *HEAP.get() }
}

/// Header of a live block, or a trap for anything else.
///
/// # Safety
/// `ptr` must be non-null and readable 8 bytes back.
unsafe fn header(ptr: *mut u8) -> &'static mut Header {
    // SAFETY: caller guarantees the 8 bytes before `ptr` are ours to read.
    let h = unsafe { &mut *(ptr.sub(HEADER as usize) as *mut Header) };
    if h.tag != TAG_LIVE || !(MIN_CLASS..=MAX_CLASS).contains(&(h.class as u32)) {
        trap();
    }
    h
}

/// Allocate `size` bytes aligned to `align` (a power of two <= 4096; 0 means
/// 1). Returns null if out of memory or the request is invalid.
pub fn alloc(size: u64, align: u32) -> *mut u8 {
    let align = align.max(1);
    if !align.is_power_of_two() || align > MAX_ALIGN {
        return core::ptr::null_mut();
    }
    let align = align.max(MIN_ALIGN) as u64;
    let need = match size.checked_add(align) {
        Some(n) if n <= 1 << MAX_CLASS => n,
        _ => return core::ptr::null_mut(),
    };
    let class = class_for(need);
    let heap = heap();
    let start = match heap.pop(class) {
        Some(s) => s,
        None => match heap.bump(1 << class) {
            Some(s) => s,
            None => return core::ptr::null_mut(),
        },
    };
    let ptr = align_up(start + HEADER, align);
    let hdr = Header {
        size: size as u32,
        offset: (ptr - start) as u16,
        class: class as u8,
        tag: TAG_LIVE,
    };
    let ptr = ptr as usize as *mut u8;
    // SAFETY: the header lies inside the block, between `start` and `ptr`.
    unsafe { (ptr.sub(HEADER as usize) as *mut Header).write(hdr) };
    stats::on_alloc(size);
    ptr
}

/// Return a block to its class list. Null is a no-op; a pointer that is not
/// a live block traps.
///
/// # Safety
/// `ptr` must be null or come from `alloc`/`realloc`.
pub unsafe fn free(ptr: *mut u8) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: caller passes one of our blocks.
    let h = unsafe { header(ptr) };
    h.tag = 0;
    let (size, class, offset) = (h.size as u64, h.class as u32, h.offset as u64);
    stats::on_free(size);
    heap().push(class, ptr as u64 - offset);
}

/// C `realloc` for `MIN_ALIGN` blocks: grows in place while the block has
/// room, else moves the data to a new block. Null `ptr` allocates. On
/// failure returns null and leaves `ptr` valid.
///
/// # Safety
/// `ptr` must be null or come from `alloc`/`realloc`.
pub unsafe fn realloc(ptr: *mut u8, size: u64) -> *mut u8 {
    if ptr.is_null() {
        return alloc(size, MIN_ALIGN);
    }
    // SAFETY: caller passes one of our blocks.
    let h = unsafe { header(ptr) };
    let old = h.size as u64;
    let room = (1u64 << h.class) - h.offset as u64;
    if size <= room {
        stats::on_resize(old, size);
        h.size = size as u32;
        return ptr;
    }
    let new = alloc(size, MIN_ALIGN);
    if !new.is_null() {
        // SAFETY: both blocks hold at least `min(old, size)` = `old` bytes.
        unsafe {
            core::ptr::copy_nonoverlapping(ptr, new, old as usize);
            free(ptr);
        }
    }
    new
}

/// JS: raw buffer of `size` bytes aligned to `align`; 0 on failure.
#[unsafe(no_mangle)]
pub extern "C" fn nw_alloc(size: u32, align: u32) -> *mut u8 {
    alloc(size as u64, align)
}

/// JS: free a `nw_alloc` buffer (null is a no-op).
///
/// # Safety
/// `ptr` must be null or a live `nw_alloc` buffer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nw_free(ptr: *mut u8) {
    // SAFETY: forwarded contract.
    unsafe { free(ptr) }
}

/// JS: current size of linear memory in 64 KiB pages.
#[unsafe(no_mangle)]
pub extern "C" fn nw_memory_pages() -> u32 {
    wasm32::memory_size(0) as u32
}
