  readonly arange_half: {
    /** `kernels.arange_half`: Numba signature `array(float64, 1d, C)(int64)` */
    (n: bigint | number): NdArray<Float64Array>;
    /** The same call, but returned arrays stay in wasm memory as WasmArrays (call free()). */
    readonly noCopy: {
      (n: bigint | number): WasmArray<Float64Array>;
    };
    readonly overloads: ReadonlyArray<Overload>;
    readonly signatures: ReadonlyArray<string>;
  };
  readonly axpy: {
    /** `kernels.axpy`: Numba signature `none(float64, array(float64, 1d, C), array(float64, 1d, C))` */
    (a: number, x: Float64Array | ArrayArg<Float64Array> | WasmArray<Float64Array>, y: Float64Array | ArrayArg<Float64Array> | WasmArray<Float64Array>): void;
    /** The same call, but returned arrays stay in wasm memory as WasmArrays (call free()). */
    readonly noCopy: {
      (a: number, x: Float64Array | ArrayArg<Float64Array> | WasmArray<Float64Array>, y: Float64Array | ArrayArg<Float64Array> | WasmArray<Float64Array>): void;
    };
    readonly overloads: ReadonlyArray<Overload>;
    readonly signatures: ReadonlyArray<string>;
  };
  readonly argmax2d: {
    /** `kernels.argmax2d`: Numba signature `UniTuple(int64 x 2)(array(float64, 2d, C))` */
    (a: Float64Array | ArrayArg<Float64Array> | WasmArray<Float64Array>): [bigint, bigint];
    /** `kernels.argmax2d`: Numba signature `UniTuple(int64 x 2)(array(float64, 2d, F))` */
    (a: Float64Array | ArrayArg<Float64Array> | WasmArray<Float64Array>): [bigint, bigint];
    /** The same call, but returned arrays stay in wasm memory as WasmArrays (call free()). */
    readonly noCopy: {
      (a: Float64Array | ArrayArg<Float64Array> | WasmArray<Float64Array>): [bigint, bigint];
      (a: Float64Array | ArrayArg<Float64Array> | WasmArray<Float64Array>): [bigint, bigint];
    };
    readonly overloads: ReadonlyArray<Overload>;
    readonly signatures: ReadonlyArray<string>;
  };
