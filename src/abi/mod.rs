//! The module ABI, written once: how a host writes a kernel's arguments,
//! reads its result and status, and finds its way around Numba's structs
//! in wasm memory. Computed here and carried to the hosts (the JS glue, the
//! Python runtime) as data in the metadata section; they interpret it and
//! derive nothing themselves. docs/ABI.md describes the encoding.
//!
//! - [`layout`]: struct offsets (array struct, MemInfo, excinfo), shared
//!   with the runtime shim;
//! - [`Abi`]: the module-wide table (status codes, offsets, dtypes);
//! - [`param_slots`]: which part of which argument goes in each 8-byte
//!   argument slot (Numba's flattening of arrays, tuples and complex);
//! - [`return_leaves`]: where each scalar or array of the returned value
//!   lies behind `retptr`.

pub mod layout;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::numba::callconv::{RETCODE_EXC, RETCODE_NONE, RETCODE_OK, RETCODE_STOPIT};
use crate::numba::entry::Param;
use crate::numba::types::{Dtype, NumbaType};

/// Numba's status codes; user exceptions are `>= 1` (excinfo filled).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Status {
    pub ok: i32,
    pub error: i32,
    pub none: i32,
    pub stop_iteration: i32,
}

/// Offsets in Numba's array struct; `strides` starts at `shape + 8 * ndim`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArrayStruct {
    pub meminfo: usize,
    pub parent: usize,
    pub nitems: usize,
    pub itemsize: usize,
    pub data: usize,
    pub shape: usize,
}

/// Offsets in NRT's MemInfo that hosts use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemInfo {
    pub refct: usize,
    pub data: usize,
    pub size: usize,
}

/// Offsets in Numba's excinfo struct that hosts use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExcInfo {
    pub pickle_buf: usize,
    pub bufsz: usize,
}

/// Offsets in Numba's unicode struct (`UnicodeModel` in
/// numba/cpython/unicode.py). `kind` is bytes per code point (1, 2 or 4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnicodeStruct {
    pub data: usize,
    pub length: usize,
    pub kind: usize,
    pub is_ascii: usize,
    pub hash: usize,
    pub meminfo: usize,
    pub parent: usize,
    /// The struct's size and alignment (a `str` item of a list or dict).
    #[serde(default)]
    pub size_of: usize,
    #[serde(default)]
    pub align: usize,
}

/// Offsets in Numba's typed list (`NB_List`) that hosts read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListStruct {
    pub size: usize,
    pub item_size: usize,
    pub items: usize,
}

/// Offsets in Numba's typed dict (`NB_Dict`, its `NB_DictKeys` and entries)
/// that hosts read; see `layout.rs`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DictStruct {
    pub keys: usize,
    pub nentries: usize,
    pub key_size: usize,
    pub entry_size: usize,
    pub entry_offset: usize,
    pub indices: usize,
    pub entry_key: usize,
    pub value_align: usize,
    /// `nw_dict_from`'s `key_kind` codes.
    pub key_kinds: DictKeyKinds,
}

/// How `nw_dict_from` hashes and compares a dict argument's keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DictKeyKinds {
    /// Signed integers.
    pub signed: i32,
    /// Unsigned integers and bool.
    pub unsigned: i32,
    pub str: i32,
}

/// A reflected list's payload: `size`, `allocated` (i64), the `dirty`
/// byte (set when the kernel changed the list), and where the items would
/// start before rounding up to their alignment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListPayload {
    pub size: usize,
    pub allocated: usize,
    pub dirty: usize,
    pub dirty_end: usize,
}

/// The members of the unicode struct, as laid out in memory (pointers as
/// `none`, which has a pointer's layout).
fn unicode_members() -> [NumbaType; 7] {
    let s = |dtype| NumbaType::Scalar { dtype };
    [
        NumbaType::None,
        s(Dtype::Int64),
        s(Dtype::Int32),
        s(Dtype::Uint32),
        s(Dtype::Int64),
        NumbaType::None,
        NumbaType::None,
    ]
}

impl UnicodeStruct {
    fn current() -> UnicodeStruct {
        let (o, _, _) = tuple_fields(&unicode_members());
        let o: Vec<usize> = o.into_iter().map(|x| x as usize).collect();
        UnicodeStruct {
            data: o[0],
            length: o[1],
            kind: o[2],
            is_ascii: o[3],
            hash: o[4],
            meminfo: o[5],
            parent: o[6],
            size_of: value_layout(&NumbaType::Unicode).0 as usize,
            align: value_layout(&NumbaType::Unicode).1 as usize,
        }
    }
}

impl ListStruct {
    fn current() -> ListStruct {
        use layout::*;
        ListStruct {
            size: NB_LIST_SIZE,
            item_size: NB_LIST_ITEM_SIZE,
            items: NB_LIST_ITEMS,
        }
    }
}

impl DictStruct {
    fn current() -> DictStruct {
        use layout::*;
        DictStruct {
            keys: NB_DICT_KEYS,
            nentries: NB_DICTKEYS_NENTRIES,
            key_size: NB_DICTKEYS_KEY_SIZE,
            entry_size: NB_DICTKEYS_ENTRY_SIZE,
            entry_offset: NB_DICTKEYS_ENTRY_OFFSET,
            indices: NB_DICTKEYS_INDICES,
            entry_key: NB_DICT_ENTRY_KEY,
            value_align: NB_DICT_VALUE_ALIGN,
            key_kinds: DictKeyKinds {
                signed: DICT_KEY_SIGNED,
                unsigned: DICT_KEY_UNSIGNED,
                str: DICT_KEY_STR,
            },
        }
    }
}

impl ListPayload {
    fn current() -> ListPayload {
        use layout::*;
        ListPayload {
            size: LIST_PAYLOAD_SIZE,
            allocated: LIST_PAYLOAD_ALLOCATED,
            dirty: LIST_PAYLOAD_DIRTY,
            dirty_end: LIST_PAYLOAD_DIRTY_END,
        }
    }
}

/// A dtype's element in memory: `lanes` numbers of `size / lanes` bytes
/// (complex numbers have two), of kind `bool`, `int`, `uint`, `float` or
/// `complex`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DtypeLayout {
    pub kind: String,
    pub size: u64,
    pub align: u64,
    pub lanes: u64,
}

/// The module-wide part of the ABI, as the metadata section carries it. A
/// module's section holds only the tables its hosts read for the types its
/// kernels take and return ([`Abi::for_module`]); [`Abi::current`] is the
/// whole table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Abi {
    /// Bytes per argument slot and per pointer inside structs.
    pub pointer_slot: usize,
    pub status: Status,
    /// Arrays and arrays of records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub array: Option<ArrayStruct>,
    /// Arrays, strings, lists and dicts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meminfo: Option<MemInfo>,
    /// Kernels that can raise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excinfo: Option<ExcInfo>,
    /// Strings, also as items of lists and dicts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unicode: Option<UnicodeStruct>,
    /// Typed lists, typed dicts and reflected lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<ListStruct>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dict: Option<DictStruct>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_payload: Option<ListPayload>,
    /// Counters `nw_stats` writes, u64 each, in order.
    pub stats: Vec<String>,
    /// Bytes of host entropy `nw_random_init` takes: one MT19937 key
    /// (624 u32) for each of Numba's three random states. Only in modules
    /// that draw random numbers (and export `nw_random_init`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random_entropy_bytes: Option<usize>,
    /// The dtypes of the scalars, array elements and record fields the
    /// module's kernels take and return: the ones its hosts read, write
    /// and allocate arrays of.
    pub dtypes: BTreeMap<String, DtypeLayout>,
}

/// Which tables of [`Abi`] the hosts of a module read.
#[derive(Default)]
struct Needs {
    array: bool,
    meminfo: bool,
    unicode: bool,
    containers: bool,
    dtypes: Vec<Dtype>,
}

impl Needs {
    fn visit(&mut self, t: &NumbaType) {
        match t {
            NumbaType::Scalar { dtype } => self.dtypes.push(*dtype),
            // A record scalar's hosts have the array part of the glue.
            NumbaType::Array { dtype, .. } => {
                (self.array, self.meminfo) = (true, true);
                self.dtypes.push(*dtype);
            }
            NumbaType::Records { record, .. } | NumbaType::Record { record } => {
                (self.array, self.meminfo) = (true, true);
                self.dtypes.extend(record.fields.iter().map(|f| f.dtype));
            }
            NumbaType::Unicode => (self.unicode, self.meminfo) = (true, true),
            NumbaType::Tuple { items } | NumbaType::NamedTuple { items, .. } => {
                items.iter().for_each(|t| self.visit(t));
            }
            NumbaType::Optional { item } => self.visit(item),
            NumbaType::List { item, .. } => {
                (self.containers, self.meminfo, self.unicode) = (true, true, true);
                self.visit(item);
            }
            NumbaType::Dict { key, value } => {
                (self.containers, self.meminfo, self.unicode) = (true, true, true);
                self.visit(key);
                self.visit(value);
            }
            NumbaType::StrLiteral { .. } | NumbaType::Omitted { .. } | NumbaType::None => {}
        }
    }
}

impl Abi {
    pub fn current() -> Abi {
        use layout::*;
        Abi {
            pointer_slot: POINTER_SLOT,
            status: Status {
                ok: RETCODE_OK,
                error: RETCODE_EXC,
                none: RETCODE_NONE,
                stop_iteration: RETCODE_STOPIT,
            },
            array: Some(ArrayStruct {
                meminfo: ARRAY_MEMINFO,
                parent: ARRAY_PARENT,
                nitems: ARRAY_NITEMS,
                itemsize: ARRAY_ITEMSIZE,
                data: ARRAY_DATA,
                shape: ARRAY_SHAPE,
            }),
            meminfo: Some(MemInfo {
                refct: MEMINFO_REFCT,
                data: MEMINFO_DATA,
                size: MEMINFO_SIZE,
            }),
            excinfo: Some(ExcInfo {
                pickle_buf: EXCINFO_PICKLE_BUF,
                bufsz: EXCINFO_BUFSZ,
            }),
            unicode: Some(UnicodeStruct::current()),
            list: Some(ListStruct::current()),
            dict: Some(DictStruct::current()),
            list_payload: Some(ListPayload::current()),
            stats: STATS.iter().map(|s| s.to_string()).collect(),
            random_entropy_bytes: Some(3 * RND_STATE_MT_N * 4),
            dtypes: Dtype::ALL
                .into_iter()
                .map(|d| {
                    let lanes = if d.is_complex() { 2 } else { 1 };
                    let (size, align) = value_layout(&NumbaType::Scalar { dtype: d });
                    let kind = match d {
                        Dtype::Bool => "bool",
                        _ if d.is_complex() => "complex",
                        Dtype::Float32 | Dtype::Float64 => "float",
                        _ if d.is_signed() => "int",
                        _ => "uint",
                    };
                    let kind = kind.to_string();
                    (
                        d.name().to_string(),
                        DtypeLayout {
                            kind,
                            size,
                            align,
                            lanes,
                        },
                    )
                })
                .collect(),
        }
    }
}

impl Abi {
    /// The tables the hosts of a module read: for the types its kernels
    /// take and return (`types`), the excinfo if one can raise, the random
    /// states' entropy if the module `seeds_random`.
    pub fn for_module<'a>(
        types: impl IntoIterator<Item = &'a NumbaType>,
        raises: bool,
        seeds_random: bool,
    ) -> Abi {
        let mut needs = Needs::default();
        types.into_iter().for_each(|t| needs.visit(t));
        let mut abi = Abi::current();
        fn keep<T>(on: bool, table: &mut Option<T>) {
            if !on {
                *table = None;
            }
        }
        keep(needs.array, &mut abi.array);
        keep(needs.meminfo, &mut abi.meminfo);
        keep(raises, &mut abi.excinfo);
        keep(seeds_random, &mut abi.random_entropy_bytes);
        keep(needs.unicode, &mut abi.unicode);
        keep(needs.containers, &mut abi.list);
        keep(needs.containers, &mut abi.dict);
        keep(needs.containers, &mut abi.list_payload);
        let used: Vec<&str> = needs.dtypes.iter().map(|d| d.name()).collect();
        abi.dtypes.retain(|name, _| used.contains(&name.as_str()));
        abi
    }
}

/// `(size, align)` of a value of type `t` in memory: behind `retptr`, in a
/// tuple, in an array (LLVM's allocation size, padding included). Numba's data model under `p:32:64` (booleans are a
/// byte, complex numbers `{re, im}`, tuples LLVM structs, `None` a pointer);
/// checked against LLVM's own layout in the tests below.
pub fn value_layout(t: &NumbaType) -> (u64, u64) {
    match t {
        NumbaType::Scalar { dtype } => {
            let size = dtype.itemsize();
            (size, if dtype.is_complex() { size / 2 } else { size })
        }
        NumbaType::Array { ndim, .. } | NumbaType::Records { ndim, .. } => {
            (layout::array_size(*ndim as usize) as u64, 8)
        }
        NumbaType::Tuple { items } | NumbaType::NamedTuple { items, .. } => {
            let (_, end, align) = tuple_fields(items);
            (end.next_multiple_of(align), align)
        }
        NumbaType::Unicode => {
            let (_, end, align) = tuple_fields(&unicode_members());
            (end.next_multiple_of(align), align)
        }
        NumbaType::Optional { item } => {
            let (_, end, align) = tuple_fields(&optional_members(item));
            (end.next_multiple_of(align), align)
        }
        // No data: an empty struct in Numba's data model.
        NumbaType::Omitted { .. } => (0, 1),
        // Two pointers.
        NumbaType::List { .. } | NumbaType::Dict { .. } => {
            (2 * layout::POINTER_SLOT as u64, layout::POINTER_SLOT as u64)
        }
        // A pointer: 4 bytes in an 8-byte aligned slot, which is what
        // structs and arrays allocate for it (a record is a pointer to its
        // bytes).
        NumbaType::None | NumbaType::StrLiteral { .. } | NumbaType::Record { .. } => {
            (layout::POINTER_SLOT as u64, layout::POINTER_SLOT as u64)
        }
    }
}

/// Numba's `OptionalModel` inside a struct: `{data, valid}`.
fn optional_members(item: &NumbaType) -> [NumbaType; 2] {
    [item.clone(), NumbaType::Scalar { dtype: Dtype::Bool }]
}

/// Field offsets of a tuple, the end of its last field and its alignment.
fn tuple_fields(items: &[NumbaType]) -> (Vec<u64>, u64, u64) {
    let (mut end, mut align) = (0u64, 1u64);
    let mut offsets = Vec::with_capacity(items.len());
    for item in items {
        let (s, a) = value_layout(item);
        let off = end.next_multiple_of(a);
        offsets.push(off);
        end = off + s;
        align = align.max(a);
    }
    (offsets, end, align)
}

/// Bytes the host allocates behind `retptr` (at least one 8-byte slot).
pub fn return_size(t: &NumbaType) -> u64 {
    value_layout(t).0.next_multiple_of(8).max(8)
}

/// Which part of an argument fills one slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// A real scalar (integer, float, bool).
    Value,
    /// The two halves of a complex scalar.
    Re,
    Im,
    /// A `None` argument (a null pointer).
    None,
    /// Fields of an array argument, in Numba's flattening order.
    Meminfo,
    Parent,
    Nitems,
    Itemsize,
    Data,
    Shape,
    Strides,
    /// Fields of a `str` argument (with `meminfo`, `parent`, `data`).
    Length,
    Kind,
    IsAscii,
    Hash,
}

/// One 8-byte argument slot: the value is `part` of the argument reached
/// by `arg` and then `path` (indices into nested tuples), stored as `ty`
/// at the start of the slot (little endian; `ptr` as u32).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamSlot {
    pub ty: Param,
    pub arg: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<usize>,
    pub part: Part,
    /// The dimension, for `shape` and `strides`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dim: Option<u32>,
}

/// Numba's flattening of the arguments (`args[i]` becomes these parts, in
/// order), paired with the LLVM parameter types `params`. `None` if the
/// counts differ (the entry was checked before, so that is a bug).
pub fn param_slots(args: &[NumbaType], params: &[Param]) -> Option<Vec<ParamSlot>> {
    fn walk(
        t: &NumbaType,
        arg: usize,
        path: &mut Vec<usize>,
        out: &mut Vec<(usize, Vec<usize>, Part, Option<u32>)>,
    ) {
        let mut push = |part, dim| out.push((arg, path.clone(), part, dim));
        match t {
            NumbaType::Scalar { dtype } if dtype.is_complex() => {
                push(Part::Re, None);
                push(Part::Im, None);
            }
            NumbaType::Scalar { .. } => push(Part::Value, None),
            NumbaType::None | NumbaType::StrLiteral { .. } => push(Part::None, None),
            // A pointer to the record's bytes.
            NumbaType::Record { .. } => push(Part::Data, None),
            // A reflected list: meminfo and parent object; a typed list or
            // dict: meminfo and the NB_List / NB_Dict.
            NumbaType::List { typed: false, .. } => {
                push(Part::Meminfo, None);
                push(Part::Parent, None);
            }
            NumbaType::List { typed: true, .. } | NumbaType::Dict { .. } => {
                push(Part::Meminfo, None);
                push(Part::Data, None);
            }
            NumbaType::Omitted { .. } => {}
            // Never an argument type (entries with one are refused).
            NumbaType::Optional { item } => walk(item, arg, path, out),
            NumbaType::Unicode => {
                for part in [
                    Part::Data,
                    Part::Length,
                    Part::Kind,
                    Part::IsAscii,
                    Part::Hash,
                    Part::Meminfo,
                    Part::Parent,
                ] {
                    push(part, None);
                }
            }
            NumbaType::Array { ndim, .. } | NumbaType::Records { ndim, .. } => {
                for part in [
                    Part::Meminfo,
                    Part::Parent,
                    Part::Nitems,
                    Part::Itemsize,
                    Part::Data,
                ] {
                    push(part, None);
                }
                for k in 0..*ndim {
                    push(Part::Shape, Some(k));
                }
                for k in 0..*ndim {
                    push(Part::Strides, Some(k));
                }
            }
            NumbaType::Tuple { items } | NumbaType::NamedTuple { items, .. } => {
                for (i, item) in items.iter().enumerate() {
                    path.push(i);
                    walk(item, arg, path, out);
                    path.pop();
                }
            }
        }
    }
    let mut parts = Vec::new();
    for (i, t) in args.iter().enumerate() {
        walk(t, i, &mut Vec::new(), &mut parts);
    }
    (parts.len() == params.len()).then(|| {
        parts
            .into_iter()
            .zip(params)
            .map(|((arg, path, part, dim), ty)| ParamSlot {
                ty: *ty,
                arg,
                path,
                part,
                dim,
            })
            .collect()
    })
}

/// One scalar or array of the returned value: its place in the result
/// (`path` into nested tuples; empty for a plain value) and its byte
/// offset behind `retptr`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReturnLeaf {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<usize>,
    pub offset: u64,
    #[serde(rename = "type")]
    pub ty: NumbaType,
    /// For an optional value inside a tuple: the offset of its `valid`
    /// byte (0: the value is None and `offset` holds nothing to read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid: Option<u64>,
}

/// The scalars and arrays of a returned value, in order. `None` has none;
/// tuples are described by the paths of their items.
pub fn return_leaves(t: &NumbaType) -> Vec<ReturnLeaf> {
    fn walk(t: &NumbaType, offset: u64, path: &mut Vec<usize>, out: &mut Vec<ReturnLeaf>) {
        match t {
            NumbaType::Optional { item } if path.is_empty() => walk(item, offset, path, out),
            NumbaType::Optional { item } => {
                let (offsets, _, _) = tuple_fields(&optional_members(item));
                out.push(ReturnLeaf {
                    path: path.clone(),
                    offset,
                    ty: (**item).clone(),
                    valid: Some(offset + offsets[1]),
                });
            }
            NumbaType::None | NumbaType::Omitted { .. } => {}
            NumbaType::Tuple { items } | NumbaType::NamedTuple { items, .. } => {
                let (offsets, _, _) = tuple_fields(items);
                for (i, (item, off)) in items.iter().zip(offsets).enumerate() {
                    path.push(i);
                    walk(item, offset + off, path, out);
                    path.pop();
                }
            }
            _ => out.push(ReturnLeaf {
                path: path.clone(),
                offset,
                ty: t.clone(),
                valid: None,
            }),
        }
    }
    let mut out = Vec::new();
    walk(t, 0, &mut Vec::new(), &mut out);
    out
}

/// The references a returned value owns: for each array, record array and
/// string in it, the byte offset of its meminfo behind `retptr`, and for
/// one inside an optional tuple item the offset of the `valid` byte.
pub fn owned_references(t: &NumbaType) -> Vec<(u64, Option<u64>)> {
    let (unicode, _, _) = tuple_fields(&unicode_members());
    return_leaves(t)
        .into_iter()
        .filter_map(|leaf| match leaf.ty {
            NumbaType::Array { .. } | NumbaType::Records { .. } => Some((leaf.offset, leaf.valid)),
            NumbaType::Unicode => Some((leaf.offset + unicode[5], leaf.valid)),
            _ => None,
        })
        .collect()
}

/// FNV-1a, 32 bits, as the JS host computes it (`fingerprint` in
/// runtime.js): tells the module a `.js` was made for from another, and
/// keys a static exception by its pickle (`Metadata::exceptions`).
pub fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::target_machine;
    use crate::rewrite::wasm32_data_layout;
    use inkwell::context::Context;
    use inkwell::targets::TargetData;
    use inkwell::types::BasicTypeEnum;

    /// Numba's data model of `t` as an LLVM type (values in memory).
    fn llvm<'c>(ctx: &'c Context, t: &NumbaType) -> BasicTypeEnum<'c> {
        let ptr = ctx.ptr_type(Default::default());
        match t {
            NumbaType::Scalar { dtype } => match dtype {
                Dtype::Bool | Dtype::Int8 | Dtype::Uint8 => ctx.i8_type().into(),
                Dtype::Int16 | Dtype::Uint16 => ctx.i16_type().into(),
                Dtype::Int32 | Dtype::Uint32 => ctx.i32_type().into(),
                Dtype::Int64 | Dtype::Uint64 => ctx.i64_type().into(),
                Dtype::Float32 => ctx.f32_type().into(),
                Dtype::Float64 => ctx.f64_type().into(),
                Dtype::Complex64 => ctx
                    .struct_type(&[ctx.f32_type().into(), ctx.f32_type().into()], false)
                    .into(),
                Dtype::Complex128 => ctx
                    .struct_type(&[ctx.f64_type().into(), ctx.f64_type().into()], false)
                    .into(),
            },
            NumbaType::Array { ndim, .. } | NumbaType::Records { ndim, .. } => {
                let dims = ctx.i64_type().array_type(*ndim).into();
                ctx.struct_type(
                    &[
                        ptr.into(),
                        ptr.into(),
                        ctx.i64_type().into(),
                        ctx.i64_type().into(),
                        ptr.into(),
                        dims,
                        dims,
                    ],
                    false,
                )
                .into()
            }
            NumbaType::Tuple { items } | NumbaType::NamedTuple { items, .. } => {
                let fields: Vec<BasicTypeEnum<'c>> = items.iter().map(|i| llvm(ctx, i)).collect();
                ctx.struct_type(&fields, false).into()
            }
            NumbaType::Omitted { .. } => ctx.struct_type(&[], false).into(),
            NumbaType::Optional { item } => ctx
                .struct_type(&[llvm(ctx, item), ctx.i8_type().into()], false)
                .into(),
            NumbaType::Unicode => {
                let i64t = ctx.i64_type().into();
                let i32t = ctx.i32_type().into();
                ctx.struct_type(
                    &[ptr.into(), i64t, i32t, i32t, i64t, ptr.into(), ptr.into()],
                    false,
                )
                .into()
            }
            NumbaType::None | NumbaType::StrLiteral { .. } | NumbaType::Record { .. } => ptr.into(),
            // ListModel, ReflectedListModel, DictModel: {meminfo, data/parent}.
            NumbaType::List { .. } | NumbaType::Dict { .. } => {
                ctx.struct_type(&[ptr.into(), ptr.into()], false).into()
            }
        }
    }

    fn types() -> Vec<NumbaType> {
        let p = |s: &str| NumbaType::parse(s).unwrap();
        let mut out: Vec<NumbaType> = Dtype::ALL
            .into_iter()
            .map(|dtype| NumbaType::Scalar { dtype })
            .collect();
        for s in [
            "none",
            "array(float64, 1d, C)",
            "array(int8, 3d, A)",
            "UniTuple(int64 x 2)",
            "Tuple(int8, float64, bool)",
            "Tuple(none, int32)",
            "Tuple(int32, none)",
            "Tuple(complex64, int8, complex128)",
            "Tuple(array(float64, 2d, C), int16)",
            "Tuple(Tuple(int8, int64), int8)",
            "NamedTuple(P, x=int8, y=Tuple(float64, array(int32, 1d, C)))",
            "unicode_type",
            "Tuple(int8, unicode_type)",
            "Tuple(OptionalType(int64), int8)",
            "Tuple(OptionalType(array(float64, 1d, C)), OptionalType(int8))",
            "ListType[float64]",
            "list(unicode_type)<iv=['a', '>']>",
            "Tuple(int8, DictType[unicode_type,int64]<iv=None>, int8)",
            "Tuple(int8, record(x=float64@0, n=int32@8; 16))",
        ] {
            out.push(p(s));
        }
        out
    }

    #[test]
    fn layouts_agree_with_llvm_under_the_module_data_layout() {
        let machine = target_machine().unwrap();
        let td = TargetData::create(&wasm32_data_layout(&machine));
        let ctx = Context::create();
        for t in types() {
            let ty = llvm(&ctx, &t);
            let (size, align) = value_layout(&t);
            assert_eq!(size, td.get_abi_size(&ty), "{t} size");
            assert_eq!(u64::from(td.get_abi_alignment(&ty)), align, "{t} align");
            if let (
                NumbaType::Tuple { items } | NumbaType::NamedTuple { items, .. },
                BasicTypeEnum::StructType(st),
            ) = (&t, ty)
            {
                let (offsets, _, _) = tuple_fields(items);
                for (i, off) in offsets.iter().enumerate() {
                    assert_eq!(
                        td.offset_of_element(&st, i as u32),
                        Some(*off),
                        "{t} item {i}"
                    );
                }
            }
        }
        // The array struct's and excinfo's offsets, as LLVM lays them out.
        let arr =
            llvm(&ctx, &NumbaType::parse("array(float64, 2d, C)").unwrap()).into_struct_type();
        let want = [
            layout::ARRAY_MEMINFO,
            layout::ARRAY_PARENT,
            layout::ARRAY_NITEMS,
            layout::ARRAY_ITEMSIZE,
            layout::ARRAY_DATA,
            layout::ARRAY_SHAPE,
            layout::array_strides(2),
        ];
        for (i, off) in want.iter().enumerate() {
            assert_eq!(td.offset_of_element(&arr, i as u32), Some(*off as u64));
        }
        let ptr = ctx.ptr_type(Default::default());
        let i32t = ctx.i32_type();
        let exc = ctx.struct_type(
            &[ptr.into(), i32t.into(), ptr.into(), ptr.into(), i32t.into()],
            false,
        );
        let want = [
            layout::EXCINFO_PICKLE_BUF,
            layout::EXCINFO_BUFSZ,
            layout::EXCINFO_HASH_BUF_OR_ARGS,
            layout::EXCINFO_UNWRAP_FN,
            layout::EXCINFO_ALLOC_FLAG,
        ];
        for (i, off) in want.iter().enumerate() {
            assert_eq!(td.offset_of_element(&exc, i as u32), Some(*off as u64));
        }
        assert_eq!(td.get_abi_size(&exc), layout::EXCINFO_SIZE_OF as u64);
        let uni = llvm(&ctx, &NumbaType::Unicode).into_struct_type();
        let u = UnicodeStruct::current();
        let want = [
            u.data, u.length, u.kind, u.is_ascii, u.hash, u.meminfo, u.parent,
        ];
        for (i, off) in want.iter().enumerate() {
            assert_eq!(td.offset_of_element(&uni, i as u32), Some(*off as u64));
        }
        assert_eq!(
            [u.data, u.length, u.kind, u.meminfo, u.size_of],
            [
                layout::UNICODE_DATA,
                layout::UNICODE_LENGTH,
                layout::UNICODE_KIND,
                layout::UNICODE_MEMINFO,
                layout::UNICODE_SIZE_OF
            ]
        );
        let rnd = ctx.struct_type(
            &[
                i32t.into(),
                i32t.array_type(layout::RND_STATE_MT_N as u32).into(),
                i32t.into(),
                ctx.f64_type().into(),
                i32t.into(),
            ],
            false,
        );
        let want = [
            layout::RND_STATE_INDEX,
            layout::RND_STATE_MT,
            layout::RND_STATE_HAS_GAUSS,
            layout::RND_STATE_GAUSS,
            layout::RND_STATE_IS_INITIALIZED,
        ];
        for (i, off) in want.iter().enumerate() {
            assert_eq!(td.offset_of_element(&rnd, i as u32), Some(*off as u64));
        }
        assert_eq!(td.get_abi_size(&rnd), layout::RND_STATE_SIZE_OF as u64);
    }

    #[test]
    fn flattening_follows_numba() {
        let t = NumbaType::parse("Tuple(complex128, array(int32, 2d, C))").unwrap();
        let params = [
            Param::F64,
            Param::F64,
            Param::Ptr,
            Param::Ptr,
            Param::I64,
            Param::I64,
            Param::Ptr,
        ]
        .into_iter()
        .chain([Param::I64; 4])
        .collect::<Vec<_>>();
        let slots = param_slots(&[t], &params).unwrap();
        let parts: Vec<(Vec<usize>, Part, Option<u32>)> = slots
            .iter()
            .map(|s| (s.path.clone(), s.part, s.dim))
            .collect();
        assert_eq!(parts[0], (vec![0], Part::Re, None));
        assert_eq!(parts[2], (vec![1], Part::Meminfo, None));
        assert_eq!(parts[8], (vec![1], Part::Shape, Some(1)));
        assert_eq!(parts[10], (vec![1], Part::Strides, Some(1)));
        // `none` is a (null) pointer; an omitted argument takes no parameter.
        assert!(param_slots(&[NumbaType::None], &[]).is_none());
        let omitted = NumbaType::parse("omitted(default=3)").unwrap();
        let slots = param_slots(&[omitted, NumbaType::None], &[Param::Ptr]).unwrap();
        assert_eq!((slots[0].arg, slots[0].part), (1, Part::None));
    }

    #[test]
    fn return_leaves_skip_none_and_place_items() {
        let t = NumbaType::parse("Tuple(int8, none, float64)").unwrap();
        let leaves = return_leaves(&t);
        assert_eq!(leaves.len(), 2);
        assert_eq!((leaves[0].path.clone(), leaves[0].offset), (vec![0], 0));
        assert_eq!((leaves[1].path.clone(), leaves[1].offset), (vec![2], 16));
        assert!(return_leaves(&NumbaType::None).is_empty());
    }
}
