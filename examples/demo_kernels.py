"""The built-in example: a few Numba kernels as a scientist would write them.

`scripts/demo.sh` dumps their IR with the pinned Numba, builds them with
numba-wasm, runs them in Node and prints the wasm results next to Numba's.
"""
import numpy as np

from numba import njit


@njit
def np_sum(x):
    return x.sum()


@njit
def argmax2d(a):
    best, bi, bj = a[0, 0], 0, 0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            if a[i, j] > best:
                best, bi, bj = a[i, j], i, j
    return bi, bj


@njit
def mandelbrot(width, height, max_iter):
    out = np.zeros((height, width), dtype=np.uint8)
    for y in range(height):
        ci = -1.5 + 3.0 * y / height
        for x in range(width):
            cr = -2.0 + 3.0 * x / width
            zr = zi = 0.0
            n = 0
            while n < max_iter and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                n += 1
            out[y, x] = n
    return out


@njit
def lcg_hash(seed, n):
    h = seed
    for _ in range(n):
        h = h * 6364136223846793005 + 1442695040888963407
        h ^= h >> 29
    return h


@njit
def smooth(a, alpha):
    # Exponential smoothing in place.
    for i in range(1, a.shape[0]):
        a[i] = alpha * a[i] + (1.0 - alpha) * a[i - 1]


KERNELS = [np_sum, argmax2d, mandelbrot, lcg_hash, smooth]


def cases():
    rng = np.random.default_rng(7)
    return [
        ("np_sum", np_sum, (rng.integers(-100, 101, 1_000_000).astype(np.int32),)),
        ("argmax2d", argmax2d, (rng.standard_normal((300, 400)),)),
        ("mandelbrot", mandelbrot, (80, 40, 50)),
        ("lcg_hash", lcg_hash, (np.int64(42), np.int64(1_000_000))),
        ("smooth", smooth, (np.sin(np.linspace(0.0, 6.0, 12)), 0.3)),
    ]
