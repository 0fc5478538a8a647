; Calls every runtime symbol with the LLVM signature Numba declares it
; with; smoke.mjs links this against the shim with --fatal-warnings, so a
; signature mismatch (or a missing symbol) fails the test.
target triple = "wasm32-unknown-unknown"

declare ptr @NRT_Allocate(i64)
define ptr @use_NRT_Allocate(i64 %a0) {
  %r = call ptr @NRT_Allocate(i64 %a0)
  ret ptr %r
}

declare void @NRT_Free(ptr)
define void @use_NRT_Free(ptr %a0) {
  call void @NRT_Free(ptr %a0)
  ret void
}

declare ptr @NRT_MemInfo_alloc(i64)
define ptr @use_NRT_MemInfo_alloc(i64 %a0) {
  %r = call ptr @NRT_MemInfo_alloc(i64 %a0)
  ret ptr %r
}

declare ptr @NRT_MemInfo_alloc_dtor(i64, ptr)
define ptr @use_NRT_MemInfo_alloc_dtor(i64 %a0, ptr %a1) {
  %r = call ptr @NRT_MemInfo_alloc_dtor(i64 %a0, ptr %a1)
  ret ptr %r
}

declare ptr @NRT_MemInfo_alloc_aligned(i64, i32)
define ptr @use_NRT_MemInfo_alloc_aligned(i64 %a0, i32 %a1) {
  %r = call ptr @NRT_MemInfo_alloc_aligned(i64 %a0, i32 %a1)
  ret ptr %r
}

declare ptr @NRT_MemInfo_alloc_safe(i64)
define ptr @use_NRT_MemInfo_alloc_safe(i64 %a0) {
  %r = call ptr @NRT_MemInfo_alloc_safe(i64 %a0)
  ret ptr %r
}

declare ptr @NRT_MemInfo_alloc_dtor_safe(i64, ptr)
define ptr @use_NRT_MemInfo_alloc_dtor_safe(i64 %a0, ptr %a1) {
  %r = call ptr @NRT_MemInfo_alloc_dtor_safe(i64 %a0, ptr %a1)
  ret ptr %r
}

declare ptr @NRT_MemInfo_alloc_safe_aligned(i64, i32)
define ptr @use_NRT_MemInfo_alloc_safe_aligned(i64 %a0, i32 %a1) {
  %r = call ptr @NRT_MemInfo_alloc_safe_aligned(i64 %a0, i32 %a1)
  ret ptr %r
}

declare ptr @NRT_MemInfo_new_varsize(i64)
define ptr @use_NRT_MemInfo_new_varsize(i64 %a0) {
  %r = call ptr @NRT_MemInfo_new_varsize(i64 %a0)
  ret ptr %r
}

declare ptr @NRT_MemInfo_new_varsize_dtor(i64, ptr)
define ptr @use_NRT_MemInfo_new_varsize_dtor(i64 %a0, ptr %a1) {
  %r = call ptr @NRT_MemInfo_new_varsize_dtor(i64 %a0, ptr %a1)
  ret ptr %r
}

declare ptr @NRT_MemInfo_varsize_alloc(ptr, i64)
define ptr @use_NRT_MemInfo_varsize_alloc(ptr %a0, i64 %a1) {
  %r = call ptr @NRT_MemInfo_varsize_alloc(ptr %a0, i64 %a1)
  ret ptr %r
}

declare ptr @NRT_MemInfo_varsize_realloc(ptr, i64)
define ptr @use_NRT_MemInfo_varsize_realloc(ptr %a0, i64 %a1) {
  %r = call ptr @NRT_MemInfo_varsize_realloc(ptr %a0, i64 %a1)
  ret ptr %r
}

declare void @NRT_MemInfo_varsize_free(ptr, ptr)
define void @use_NRT_MemInfo_varsize_free(ptr %a0, ptr %a1) {
  call void @NRT_MemInfo_varsize_free(ptr %a0, ptr %a1)
  ret void
}

declare void @NRT_MemInfo_call_dtor(ptr)
define void @use_NRT_MemInfo_call_dtor(ptr %a0) {
  call void @NRT_MemInfo_call_dtor(ptr %a0)
  ret void
}

declare ptr @NRT_get_api()
define ptr @use_NRT_get_api() {
  %r = call ptr @NRT_get_api()
  ret ptr %r
}

declare void @NRT_incref(ptr)
define void @use_NRT_incref(ptr %a0) {
  call void @NRT_incref(ptr %a0)
  ret void
}

declare void @NRT_decref(ptr)
define void @use_NRT_decref(ptr %a0) {
  call void @NRT_decref(ptr %a0)
  ret void
}

declare ptr @NRT_MemInfo_data_fast(ptr)
define ptr @use_NRT_MemInfo_data_fast(ptr %a0) {
  %r = call ptr @NRT_MemInfo_data_fast(ptr %a0)
  ret ptr %r
}

declare i64 @nrt_atomic_add(ptr)
define i64 @use_nrt_atomic_add(ptr %a0) {
  %r = call i64 @nrt_atomic_add(ptr %a0)
  ret i64 %r
}

declare i64 @nrt_atomic_sub(ptr)
define i64 @use_nrt_atomic_sub(ptr %a0) {
  %r = call i64 @nrt_atomic_sub(ptr %a0)
  ret i64 %r
}

declare i32 @nrt_atomic_cas(ptr, i64, i64, ptr)
define i32 @use_nrt_atomic_cas(ptr %a0, i64 %a1, i64 %a2, ptr %a3) {
  %r = call i32 @nrt_atomic_cas(ptr %a0, i64 %a1, i64 %a2, ptr %a3)
  ret i32 %r
}

declare i32 @nrt_unresolved_abort(ptr, ptr)
define i32 @use_nrt_unresolved_abort(ptr %a0, ptr %a1) {
  %r = call i32 @nrt_unresolved_abort(ptr %a0, ptr %a1)
  ret i32 %r
}

declare double @numba_gamma(double)
define double @use_numba_gamma(double %a0) {
  %r = call double @numba_gamma(double %a0)
  ret double %r
}

declare float @numba_gammaf(float)
define float @use_numba_gammaf(float %a0) {
  %r = call float @numba_gammaf(float %a0)
  ret float %r
}

declare double @numba_frexp(double, ptr)
define double @use_numba_frexp(double %a0, ptr %a1) {
  %r = call double @numba_frexp(double %a0, ptr %a1)
  ret double %r
}

declare float @numba_frexpf(float, ptr)
define float @use_numba_frexpf(float %a0, ptr %a1) {
  %r = call float @numba_frexpf(float %a0, ptr %a1)
  ret float %r
}

declare double @numba_ldexp(double, i32)
define double @use_numba_ldexp(double %a0, i32 %a1) {
  %r = call double @numba_ldexp(double %a0, i32 %a1)
  ret double %r
}

declare float @numba_ldexpf(float, i32)
define float @use_numba_ldexpf(float %a0, i32 %a1) {
  %r = call float @numba_ldexpf(float %a0, i32 %a1)
  ret float %r
}

declare double @numba_nextafter(double, double)
define double @use_numba_nextafter(double %a0, double %a1) {
  %r = call double @numba_nextafter(double %a0, double %a1)
  ret double %r
}

declare float @numba_nextafterf(float, float)
define float @use_numba_nextafterf(float %a0, float %a1) {
  %r = call float @numba_nextafterf(float %a0, float %a1)
  ret float %r
}

declare void @numba_cpow(ptr, ptr, ptr)
define void @use_numba_cpow(ptr %a0, ptr %a1, ptr %a2) {
  call void @numba_cpow(ptr %a0, ptr %a1, ptr %a2)
  ret void
}

declare void @numba_cpowf(ptr, ptr, ptr)
define void @use_numba_cpowf(ptr %a0, ptr %a1, ptr %a2) {
  call void @numba_cpowf(ptr %a0, ptr %a1, ptr %a2)
  ret void
}

declare i32 @numba_fatal_error()
define i32 @use_numba_fatal_error() {
  %r = call i32 @numba_fatal_error()
  ret i32 %r
}

declare double @tan(double)
define double @use_tan(double %a0) {
  %r = call double @tan(double %a0)
  ret double %r
}

declare float @tanf(float)
define float @use_tanf(float %a0) {
  %r = call float @tanf(float %a0)
  ret float %r
}

declare double @asin(double)
define double @use_asin(double %a0) {
  %r = call double @asin(double %a0)
  ret double %r
}

declare float @asinf(float)
define float @use_asinf(float %a0) {
  %r = call float @asinf(float %a0)
  ret float %r
}

declare double @acos(double)
define double @use_acos(double %a0) {
  %r = call double @acos(double %a0)
  ret double %r
}

declare float @acosf(float)
define float @use_acosf(float %a0) {
  %r = call float @acosf(float %a0)
  ret float %r
}

declare double @atan(double)
define double @use_atan(double %a0) {
  %r = call double @atan(double %a0)
  ret double %r
}

declare float @atanf(float)
define float @use_atanf(float %a0) {
  %r = call float @atanf(float %a0)
  ret float %r
}

declare double @sinh(double)
define double @use_sinh(double %a0) {
  %r = call double @sinh(double %a0)
  ret double %r
}

declare float @sinhf(float)
define float @use_sinhf(float %a0) {
  %r = call float @sinhf(float %a0)
  ret float %r
}

declare double @cosh(double)
define double @use_cosh(double %a0) {
  %r = call double @cosh(double %a0)
  ret double %r
}

declare float @coshf(float)
define float @use_coshf(float %a0) {
  %r = call float @coshf(float %a0)
  ret float %r
}

declare double @tanh(double)
define double @use_tanh(double %a0) {
  %r = call double @tanh(double %a0)
  ret double %r
}

declare float @tanhf(float)
define float @use_tanhf(float %a0) {
  %r = call float @tanhf(float %a0)
  ret float %r
}

declare double @asinh(double)
define double @use_asinh(double %a0) {
  %r = call double @asinh(double %a0)
  ret double %r
}

declare float @asinhf(float)
define float @use_asinhf(float %a0) {
  %r = call float @asinhf(float %a0)
  ret float %r
}

declare double @acosh(double)
define double @use_acosh(double %a0) {
  %r = call double @acosh(double %a0)
  ret double %r
}

declare float @acoshf(float)
define float @use_acoshf(float %a0) {
  %r = call float @acoshf(float %a0)
  ret float %r
}

declare double @atanh(double)
define double @use_atanh(double %a0) {
  %r = call double @atanh(double %a0)
  ret double %r
}

declare float @atanhf(float)
define float @use_atanhf(float %a0) {
  %r = call float @atanhf(float %a0)
  ret float %r
}

declare double @erf(double)
define double @use_erf(double %a0) {
  %r = call double @erf(double %a0)
  ret double %r
}

declare float @erff(float)
define float @use_erff(float %a0) {
  %r = call float @erff(float %a0)
  ret float %r
}

declare double @erfc(double)
define double @use_erfc(double %a0) {
  %r = call double @erfc(double %a0)
  ret double %r
}

declare float @erfcf(float)
define float @use_erfcf(float %a0) {
  %r = call float @erfcf(float %a0)
  ret float %r
}

declare double @lgamma(double)
define double @use_lgamma(double %a0) {
  %r = call double @lgamma(double %a0)
  ret double %r
}

declare float @lgammaf(float)
define float @use_lgammaf(float %a0) {
  %r = call float @lgammaf(float %a0)
  ret float %r
}

declare double @log1p(double)
define double @use_log1p(double %a0) {
  %r = call double @log1p(double %a0)
  ret double %r
}

declare float @log1pf(float)
define float @use_log1pf(float %a0) {
  %r = call float @log1pf(float %a0)
  ret float %r
}

declare double @expm1(double)
define double @use_expm1(double %a0) {
  %r = call double @expm1(double %a0)
  ret double %r
}

declare float @expm1f(float)
define float @use_expm1f(float %a0) {
  %r = call float @expm1f(float %a0)
  ret float %r
}

declare double @log2(double)
define double @use_log2(double %a0) {
  %r = call double @log2(double %a0)
  ret double %r
}

declare float @log2f(float)
define float @use_log2f(float %a0) {
  %r = call float @log2f(float %a0)
  ret float %r
}

declare double @ceil(double)
define double @use_ceil(double %a0) {
  %r = call double @ceil(double %a0)
  ret double %r
}

declare float @ceilf(float)
define float @use_ceilf(float %a0) {
  %r = call float @ceilf(float %a0)
  ret float %r
}

declare double @floor(double)
define double @use_floor(double %a0) {
  %r = call double @floor(double %a0)
  ret double %r
}

declare float @floorf(float)
define float @use_floorf(float %a0) {
  %r = call float @floorf(float %a0)
  ret float %r
}

declare double @trunc(double)
define double @use_trunc(double %a0) {
  %r = call double @trunc(double %a0)
  ret double %r
}

declare float @truncf(float)
define float @use_truncf(float %a0) {
  %r = call float @truncf(float %a0)
  ret float %r
}

declare double @sqrt(double)
define double @use_sqrt(double %a0) {
  %r = call double @sqrt(double %a0)
  ret double %r
}

declare float @sqrtf(float)
define float @use_sqrtf(float %a0) {
  %r = call float @sqrtf(float %a0)
  ret float %r
}

declare double @atan2(double, double)
define double @use_atan2(double %a0, double %a1) {
  %r = call double @atan2(double %a0, double %a1)
  ret double %r
}

declare float @atan2f(float, float)
define float @use_atan2f(float %a0, float %a1) {
  %r = call float @atan2f(float %a0, float %a1)
  ret float %r
}

declare double @hypot(double, double)
define double @use_hypot(double %a0, double %a1) {
  %r = call double @hypot(double %a0, double %a1)
  ret double %r
}

declare float @hypotf(float, float)
define float @use_hypotf(float %a0, float %a1) {
  %r = call float @hypotf(float %a0, float %a1)
  ret float %r
}

declare double @nextafter(double, double)
define double @use_nextafter(double %a0, double %a1) {
  %r = call double @nextafter(double %a0, double %a1)
  ret double %r
}

declare float @nextafterf(float, float)
define float @use_nextafterf(float %a0, float %a1) {
  %r = call float @nextafterf(float %a0, float %a1)
  ret float %r
}

declare double @llvm.sin.f64(double)
define double @use_llvm_sin_f64(double %a0) {
  %r = call double @llvm.sin.f64(double %a0)
  ret double %r
}

declare float @llvm.sin.f32(float)
define float @use_llvm_sin_f32(float %a0) {
  %r = call float @llvm.sin.f32(float %a0)
  ret float %r
}

declare double @llvm.cos.f64(double)
define double @use_llvm_cos_f64(double %a0) {
  %r = call double @llvm.cos.f64(double %a0)
  ret double %r
}

declare float @llvm.cos.f32(float)
define float @use_llvm_cos_f32(float %a0) {
  %r = call float @llvm.cos.f32(float %a0)
  ret float %r
}

declare double @llvm.exp.f64(double)
define double @use_llvm_exp_f64(double %a0) {
  %r = call double @llvm.exp.f64(double %a0)
  ret double %r
}

declare float @llvm.exp.f32(float)
define float @use_llvm_exp_f32(float %a0) {
  %r = call float @llvm.exp.f32(float %a0)
  ret float %r
}

declare double @llvm.exp2.f64(double)
define double @use_llvm_exp2_f64(double %a0) {
  %r = call double @llvm.exp2.f64(double %a0)
  ret double %r
}

declare float @llvm.exp2.f32(float)
define float @use_llvm_exp2_f32(float %a0) {
  %r = call float @llvm.exp2.f32(float %a0)
  ret float %r
}

declare double @llvm.log.f64(double)
define double @use_llvm_log_f64(double %a0) {
  %r = call double @llvm.log.f64(double %a0)
  ret double %r
}

declare float @llvm.log.f32(float)
define float @use_llvm_log_f32(float %a0) {
  %r = call float @llvm.log.f32(float %a0)
  ret float %r
}

declare double @llvm.log2.f64(double)
define double @use_llvm_log2_f64(double %a0) {
  %r = call double @llvm.log2.f64(double %a0)
  ret double %r
}

declare float @llvm.log2.f32(float)
define float @use_llvm_log2_f32(float %a0) {
  %r = call float @llvm.log2.f32(float %a0)
  ret float %r
}

declare double @llvm.log10.f64(double)
define double @use_llvm_log10_f64(double %a0) {
  %r = call double @llvm.log10.f64(double %a0)
  ret double %r
}

declare float @llvm.log10.f32(float)
define float @use_llvm_log10_f32(float %a0) {
  %r = call float @llvm.log10.f32(float %a0)
  ret float %r
}

declare double @llvm.round.f64(double)
define double @use_llvm_round_f64(double %a0) {
  %r = call double @llvm.round.f64(double %a0)
  ret double %r
}

declare float @llvm.round.f32(float)
define float @use_llvm_round_f32(float %a0) {
  %r = call float @llvm.round.f32(float %a0)
  ret float %r
}

declare double @llvm.pow.f64(double, double)
define double @use_llvm_pow_f64(double %a0, double %a1) {
  %r = call double @llvm.pow.f64(double %a0, double %a1)
  ret double %r
}

declare float @llvm.pow.f32(float, float)
define float @use_llvm_pow_f32(float %a0, float %a1) {
  %r = call float @llvm.pow.f32(float %a0, float %a1)
  ret float %r
}

define double @use_frem_double(double %a, double %b) {
  %r = frem double %a, %b
  ret double %r
}

define float @use_frem_float(float %a, float %b) {
  %r = frem float %a, %b
  ret float %r
}

; BLAS (numba/np/linalg.py: call_xxdot, call_xxgemv, call_xxgemm, _BLAS).
declare i32 @numba_xxdot(i8, i8, i64, ptr, ptr, ptr)
define i32 @use_numba_xxdot(i8 %a0, i8 %a1, i64 %a2, ptr %a3, ptr %a4, ptr %a5) {
  %r = call i32 @numba_xxdot(i8 %a0, i8 %a1, i64 %a2, ptr %a3, ptr %a4, ptr %a5)
  ret i32 %r
}

declare i32 @numba_xxgemv(i8, i8, i64, i64, ptr, ptr, i64, ptr, ptr, ptr)
define i32 @use_numba_xxgemv(i8 %a0, i8 %a1, i64 %a2, i64 %a3, ptr %a4, ptr %a5, i64 %a6, ptr %a7, ptr %a8, ptr %a9) {
  %r = call i32 @numba_xxgemv(i8 %a0, i8 %a1, i64 %a2, i64 %a3, ptr %a4, ptr %a5, i64 %a6, ptr %a7, ptr %a8, ptr %a9)
  ret i32 %r
}

declare i32 @numba_xxgemm(i8, i8, i8, i64, i64, i64, ptr, ptr, i64, ptr, i64, ptr, ptr, i64)
define i32 @use_numba_xxgemm(i8 %a0, i8 %a1, i8 %a2, i64 %a3, i64 %a4, i64 %a5, ptr %a6, ptr %a7, i64 %a8, ptr %a9, i64 %a10, ptr %a11, ptr %a12, i64 %a13) {
  %r = call i32 @numba_xxgemm(i8 %a0, i8 %a1, i8 %a2, i64 %a3, i64 %a4, i64 %a5, ptr %a6, ptr %a7, i64 %a8, ptr %a9, i64 %a10, ptr %a11, ptr %a12, i64 %a13)
  ret i32 %r
}

declare i32 @numba_xxnrm2(i8, i64, ptr, i64, ptr)
define i32 @use_numba_xxnrm2(i8 %a0, i64 %a1, ptr %a2, i64 %a3, ptr %a4) {
  %r = call i32 @numba_xxnrm2(i8 %a0, i64 %a1, ptr %a2, i64 %a3, ptr %a4)
  ret i32 %r
}

; Numba's check_blas_return / check_lapack_return (np/linalg.py).
declare void @numba_gil_ensure(ptr)
define void @use_numba_gil_ensure(ptr %a0) {
  call void @numba_gil_ensure(ptr %a0)
  ret void
}

declare void @numba_gil_release(ptr)
define void @use_numba_gil_release(ptr %a0) {
  call void @numba_gil_release(ptr %a0)
  ret void
}

declare void @Py_FatalError(ptr)
define void @use_Py_FatalError(ptr %a0) {
  call void @Py_FatalError(ptr %a0)
  ret void
}

; arrays.rs (np/arrayobj.py `_attempt_nocopy_reshape`)
declare i32 @numba_attempt_nocopy_reshape(i64, ptr, ptr, i64, ptr, ptr, i64, i32)
define i32 @use_numba_attempt_nocopy_reshape(i64 %a0, ptr %a1, ptr %a2, i64 %a3, ptr %a4, ptr %a5, i64 %a6, i32 %a7) {
  %r = call i32 @numba_attempt_nocopy_reshape(i64 %a0, ptr %a1, ptr %a2, i64 %a3, ptr %a4, ptr %a5, i64 %a6, i32 %a7)
  ret i32 %r
}

; Random state helpers (numba/_random.c), as cpython/randomimpl.py and
; np/random/legacy.py declare them.
declare ptr @numba_get_np_random_state()
define ptr @use_numba_get_np_random_state() {
  %r = call ptr @numba_get_np_random_state()
  ret ptr %r
}

declare ptr @numba_get_py_random_state()
define ptr @use_numba_get_py_random_state() {
  %r = call ptr @numba_get_py_random_state()
  ret ptr %r
}

declare ptr @numba_get_internal_random_state()
define ptr @use_numba_get_internal_random_state() {
  %r = call ptr @numba_get_internal_random_state()
  ret ptr %r
}

declare void @numba_rnd_shuffle(ptr captures(none))
define void @use_numba_rnd_shuffle(ptr %a0) {
  call void @numba_rnd_shuffle(ptr %a0)
  ret void
}

declare void @numba_rnd_init(ptr, i32)
define void @use_numba_rnd_init(ptr %a0, i32 %a1) {
  call void @numba_rnd_init(ptr %a0, i32 %a1)
  ret void
}

declare i64 @numba_poisson_ptrs(ptr, double)
define i64 @use_numba_poisson_ptrs(ptr %a0, double %a1) {
  %r = call i64 @numba_poisson_ptrs(ptr %a0, double %a1)
  ret i64 %r
}

; Dynamic exceptions: what src/rewrite/dynexc.rs and exports.rs call.
declare ptr @nw_exc_str(i32, ptr, i64)
define ptr @use_nw_exc_str(i32 %a0, ptr %a1, i64 %a2) {
  %r = call ptr @nw_exc_str(i32 %a0, ptr %a1, i64 %a2)
  ret ptr %r
}

declare ptr @nw_exc_i64(i64)
define ptr @use_nw_exc_i64(i64 %a0) {
  %r = call ptr @nw_exc_i64(i64 %a0)
  ret ptr %r
}

declare ptr @nw_exc_u64(i64)
define ptr @use_nw_exc_u64(i64 %a0) {
  %r = call ptr @nw_exc_u64(i64 %a0)
  ret ptr %r
}

declare ptr @nw_exc_f64(double)
define ptr @use_nw_exc_f64(double %a0) {
  %r = call ptr @nw_exc_f64(double %a0)
  ret ptr %r
}

declare ptr @nw_exc_bool(i64)
define ptr @use_nw_exc_bool(i64 %a0) {
  %r = call ptr @nw_exc_bool(i64 %a0)
  ret ptr %r
}

declare ptr @nw_exc_pack_new(i64)
define ptr @use_nw_exc_pack_new(i64 %a0) {
  %r = call ptr @nw_exc_pack_new(i64 %a0)
  ret ptr %r
}

declare void @nw_exc_pack_add(ptr, ptr)
define void @use_nw_exc_pack_add(ptr %a0, ptr %a1) {
  call void @nw_exc_pack_add(ptr %a0, ptr %a1)
  ret void
}

declare void @nw_exc_finish(ptr)
define void @use_nw_exc_finish(ptr %a0) {
  call void @nw_exc_finish(ptr %a0)
  ret void
}

declare void @nw_exc_clear()
define void @use_nw_exc_clear() {
  call void @nw_exc_clear()
  ret void
}

; Numba's LAPACK wrappers (np/linalg.py _LAPACK, _lapack.c).
declare i32 @numba_xxgetrf(i8, i64, i64, ptr, i64, ptr)
define i32 @use_numba_xxgetrf(i8 %a0, i64 %a1, i64 %a2, ptr %a3, i64 %a4, ptr %a5) {
  %r = call i32 @numba_xxgetrf(i8 %a0, i64 %a1, i64 %a2, ptr %a3, i64 %a4, ptr %a5)
  ret i32 %r
}

declare i32 @numba_ez_xxgetri(i8, i64, ptr, i64, ptr)
define i32 @use_numba_ez_xxgetri(i8 %a0, i64 %a1, ptr %a2, i64 %a3, ptr %a4) {
  %r = call i32 @numba_ez_xxgetri(i8 %a0, i64 %a1, ptr %a2, i64 %a3, ptr %a4)
  ret i32 %r
}

declare i32 @numba_xgesv(i8, i64, i64, ptr, i64, ptr, ptr, i64)
define i32 @use_numba_xgesv(i8 %a0, i64 %a1, i64 %a2, ptr %a3, i64 %a4, ptr %a5, ptr %a6, i64 %a7) {
  %r = call i32 @numba_xgesv(i8 %a0, i64 %a1, i64 %a2, ptr %a3, i64 %a4, ptr %a5, ptr %a6, i64 %a7)
  ret i32 %r
}

declare i32 @numba_xxpotrf(i8, i8, i64, ptr, i64)
define i32 @use_numba_xxpotrf(i8 %a0, i8 %a1, i64 %a2, ptr %a3, i64 %a4) {
  %r = call i32 @numba_xxpotrf(i8 %a0, i8 %a1, i64 %a2, ptr %a3, i64 %a4)
  ret i32 %r
}

declare i32 @numba_ez_geqrf(i8, i64, i64, ptr, i64, ptr)
define i32 @use_numba_ez_geqrf(i8 %a0, i64 %a1, i64 %a2, ptr %a3, i64 %a4, ptr %a5) {
  %r = call i32 @numba_ez_geqrf(i8 %a0, i64 %a1, i64 %a2, ptr %a3, i64 %a4, ptr %a5)
  ret i32 %r
}

declare i32 @numba_ez_xxgqr(i8, i64, i64, i64, ptr, i64, ptr)
define i32 @use_numba_ez_xxgqr(i8 %a0, i64 %a1, i64 %a2, i64 %a3, ptr %a4, i64 %a5, ptr %a6) {
  %r = call i32 @numba_ez_xxgqr(i8 %a0, i64 %a1, i64 %a2, i64 %a3, ptr %a4, i64 %a5, ptr %a6)
  ret i32 %r
}

declare i32 @numba_ez_xxxevd(i8, i8, i8, i64, ptr, i64, ptr)
define i32 @use_numba_ez_xxxevd(i8 %a0, i8 %a1, i8 %a2, i64 %a3, ptr %a4, i64 %a5, ptr %a6) {
  %r = call i32 @numba_ez_xxxevd(i8 %a0, i8 %a1, i8 %a2, i64 %a3, ptr %a4, i64 %a5, ptr %a6)
  ret i32 %r
}

declare i32 @numba_ez_gesdd(i8, i8, i64, i64, ptr, i64, ptr, ptr, i64, ptr, i64)
define i32 @use_numba_ez_gesdd(i8 %a0, i8 %a1, i64 %a2, i64 %a3, ptr %a4, i64 %a5, ptr %a6, ptr %a7, i64 %a8, ptr %a9, i64 %a10) {
  %r = call i32 @numba_ez_gesdd(i8 %a0, i8 %a1, i64 %a2, i64 %a3, ptr %a4, i64 %a5, ptr %a6, ptr %a7, i64 %a8, ptr %a9, i64 %a10)
  ret i32 %r
}

declare i32 @numba_ez_gelsd(i8, i64, i64, i64, ptr, i64, ptr, i64, ptr, double, ptr)
define i32 @use_numba_ez_gelsd(i8 %a0, i64 %a1, i64 %a2, i64 %a3, ptr %a4, i64 %a5, ptr %a6, i64 %a7, ptr %a8, double %a9, ptr %a10) {
  %r = call i32 @numba_ez_gelsd(i8 %a0, i64 %a1, i64 %a2, i64 %a3, ptr %a4, i64 %a5, ptr %a6, i64 %a7, ptr %a8, double %a9, ptr %a10)
  ret i32 %r
}

declare i32 @numba_ez_rgeev(i8, i8, i8, i64, ptr, i64, ptr, ptr, ptr, i64, ptr, i64)
define i32 @use_numba_ez_rgeev(i8 %a0, i8 %a1, i8 %a2, i64 %a3, ptr %a4, i64 %a5, ptr %a6, ptr %a7, ptr %a8, i64 %a9, ptr %a10, i64 %a11) {
  %r = call i32 @numba_ez_rgeev(i8 %a0, i8 %a1, i8 %a2, i64 %a3, ptr %a4, i64 %a5, ptr %a6, ptr %a7, ptr %a8, i64 %a9, ptr %a10, i64 %a11)
  ret i32 %r
}

declare i32 @numba_ez_cgeev(i8, i8, i8, i64, ptr, i64, ptr, ptr, i64, ptr, i64)
define i32 @use_numba_ez_cgeev(i8 %a0, i8 %a1, i8 %a2, i64 %a3, ptr %a4, i64 %a5, ptr %a6, ptr %a7, i64 %a8, ptr %a9, i64 %a10) {
  %r = call i32 @numba_ez_cgeev(i8 %a0, i8 %a1, i8 %a2, i64 %a3, ptr %a4, i64 %a5, ptr %a6, ptr %a7, i64 %a8, ptr %a9, i64 %a10)
  ret i32 %r
}
