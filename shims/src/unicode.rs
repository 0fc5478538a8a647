//! Numba's Unicode character database helpers (its _helperlib.c), used by
//! `str` methods in kernels (`upper`, `lower`, `isspace`, `split()`, ...).

#[rustfmt::skip]
#[path = "unicodetype_db.rs"]
mod db;

/// `void numba_gettyperecord(Py_UCS4 code, int *upper, int *lower,
/// int *title, unsigned char *decimal, unsigned char *digit,
/// unsigned short *flags)`: CPython's `gettyperecord`. Numba declares it
/// returning `i8*` (the value type of its `void`), and wasm checks the
/// signature, so it returns a (null) pointer.
///
/// # Safety
/// Every pointer must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_gettyperecord(
    code: u32,
    upper: *mut i32,
    lower: *mut i32,
    title: *mut i32,
    decimal: *mut u8,
    digit: *mut u8,
    flags: *mut u16,
) -> *mut u8 {
    let index = if code >= 0x11_0000 {
        0
    } else {
        let i = db::INDEX1[(code >> db::SHIFT) as usize] as usize;
        db::INDEX2[(i << db::SHIFT) + (code & ((1 << db::SHIFT) - 1)) as usize] as usize
    };
    let rec = &db::TYPE_RECORDS[index];
    // SAFETY: per the contract.
    unsafe {
        *upper = rec.upper;
        *lower = rec.lower;
        *title = rec.title;
        *decimal = rec.decimal;
        *digit = rec.digit;
        *flags = rec.flags;
    }
    core::ptr::null_mut()
}

/// `Py_UCS4 numba_get_PyUnicode_ExtendedCase(int code)`.
#[unsafe(no_mangle)]
pub extern "C" fn numba_get_PyUnicode_ExtendedCase(code: i32) -> u32 {
    db::EXTENDED_CASE[code as usize]
}
