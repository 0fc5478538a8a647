  readonly laplace_2d: {
    /** `kernels.laplace_2d`: Numba signature `none(array(float64, 2d, C), array(float64, 2d, C))` */
    (u: Float64Array | ArrayArg<Float64Array> | WasmArray<Float64Array>, out: Float64Array | ArrayArg<Float64Array> | WasmArray<Float64Array>): void;
    /** The same call, but returned arrays stay in wasm memory as WasmArrays (call free()). */
    readonly noCopy: {
      (u: Float64Array | ArrayArg<Float64Array> | WasmArray<Float64Array>, out: Float64Array | ArrayArg<Float64Array> | WasmArray<Float64Array>): void;
    };
    readonly overloads: ReadonlyArray<Overload>;
    readonly signatures: ReadonlyArray<string>;
  };
  readonly scale_1d: {
    /** `kernels._make_scale.<locals>.scale_1d`: Numba signature `none(array(float64, 1d, C), float64)` */
    (a: Float64Array | ArrayArg<Float64Array> | WasmArray<Float64Array>, k: number): void;
    /** The same call, but returned arrays stay in wasm memory as WasmArrays (call free()). */
    readonly noCopy: {
      (a: Float64Array | ArrayArg<Float64Array> | WasmArray<Float64Array>, k: number): void;
    };
    readonly overloads: ReadonlyArray<Overload>;
    readonly signatures: ReadonlyArray<string>;
  };
  readonly énergie: {
    /** `kernels.énergie`: Numba signature `float64(float64, float64)` */
    (m: number, v: number): number;
    /** The same call, but returned arrays stay in wasm memory as WasmArrays (call free()). */
    readonly noCopy: {
      (m: number, v: number): number;
    };
    readonly overloads: ReadonlyArray<Overload>;
    readonly signatures: ReadonlyArray<string>;
  };
  readonly x_c3_a9: {
    /** `kernels.x_c3_a9`: Numba signature `int64(int64)` */
    (x: bigint | number): bigint;
    /** The same call, but returned arrays stay in wasm memory as WasmArrays (call free()). */
    readonly noCopy: {
      (x: bigint | number): bigint;
    };
    readonly overloads: ReadonlyArray<Overload>;
    readonly signatures: ReadonlyArray<string>;
  };
