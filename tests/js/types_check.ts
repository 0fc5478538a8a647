// Type-checks the generated NAME.d.ts against the documented contract; copied
// beside a corpus build (kernels.js/kernels.d.ts) and compiled with tsc --strict.
import { load, type NdArray } from "./kernels.js";

async function main(): Promise<void> {
  const m = await load();
  const i32: number = m.add_i32(2, 3);
  const total: bigint = m.np_sum(new Int32Array([2, 2, 3]));
  const halves: NdArray<Float64Array> = m.arange_half(10);
  const first: number = halves.data[0] + halves.shape[0] + halves.strides[0];
  const ij: [bigint, bigint] = m.argmax2d({ data: new Float64Array(12), shape: [3, 4] });
  const scaled: NdArray<Float64Array> = m.scale({ data: new Float64Array(6), shape: [2, 3], strides: [8, 16] }, 2.0);
  const flag: boolean = m.scalar_xor(true, false);
  const z = m.complex_mix({ re: 1, im: 2 }, { re: 0, im: 1 });
  const re: number = z.re;
  const y = m.empty("float64", [4]);
  m.axpy(2.0, y, y);
  y.free();
  const wrapped: bigint = m.lcg_hash(1n, 10);
  const count: number = m.scale.overloads.length + m.kernels["scale"].overloads.length;
  const live: number = m.stats().liveAllocations;
  // @ts-expect-error a float64 kernel does not take an Int32Array
  m.fma_arrays(new Int32Array(3), new Float64Array(3));
  // @ts-expect-error int64 results are bigint, never a lossy number
  const lossy: number = m.lcg_hash(1n, 10);
  console.log(i32, total, first, ij, scaled, flag, re, wrapped, count, live, lossy);
}
void main();
