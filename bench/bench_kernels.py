"""The benchmark kernels: what Numba users write, as they write it.

`BENCH`: (id, dispatcher, make_args, cpython) where make_args() returns fresh
arguments and `cpython` says whether the pure-Python function (`py_func`) is
timed too (slow: only three kernels). bench/handwritten.mjs has a plain
JavaScript version of each, taking the same arguments.
"""
import math

import numpy as np

from numba import njit


@njit
def sum_i32(x):
    return x.sum()


@njit
def dot(a, b):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s


@njit
def rolling_mean(x, w):
    n = x.shape[0]
    out = np.empty(n - w + 1)
    s = 0.0
    for i in range(w):
        s += x[i]
    out[0] = s / w
    for i in range(w, n):
        s += x[i] - x[i - w]
        out[i - w + 1] = s / w
    return out


@njit
def nbody(pos, vel, mass, dt, steps):
    n = pos.shape[0]
    for _ in range(steps):
        for i in range(n):
            ax = ay = az = 0.0
            for j in range(n):
                dx = pos[j, 0] - pos[i, 0]
                dy = pos[j, 1] - pos[i, 1]
                dz = pos[j, 2] - pos[i, 2]
                r2 = dx * dx + dy * dy + dz * dz + 1e-3
                inv = mass[j] / (r2 * math.sqrt(r2))
                ax += dx * inv
                ay += dy * inv
                az += dz * inv
            vel[i, 0] += dt * ax
            vel[i, 1] += dt * ay
            vel[i, 2] += dt * az
        for i in range(n):
            pos[i, 0] += dt * vel[i, 0]
            pos[i, 1] += dt * vel[i, 1]
            pos[i, 2] += dt * vel[i, 2]


@njit
def laplace_2d(u, out):
    m, n = u.shape
    for i in range(1, m - 1):
        for j in range(1, n - 1):
            out[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])


@njit
def life_step(grid, out):
    m, n = grid.shape
    for i in range(m):
        for j in range(n):
            c = 0
            for di in (-1, 0, 1):
                for dj in (-1, 0, 1):
                    if di != 0 or dj != 0:
                        c += grid[(i + di) % m, (j + dj) % n]
            out[i, j] = 1 if c == 3 or (c == 2 and grid[i, j] == 1) else 0


@njit
def black_scholes(s, k, t, r, v, call):
    for i in range(s.shape[0]):
        sqt = math.sqrt(t[i])
        d1 = (math.log(s[i] / k[i]) + (r + 0.5 * v * v) * t[i]) / (v * sqt)
        d2 = d1 - v * sqt
        n1 = 0.5 * (1.0 + math.erf(d1 / math.sqrt(2.0)))
        n2 = 0.5 * (1.0 + math.erf(d2 / math.sqrt(2.0)))
        call[i] = s[i] * n1 - k[i] * math.exp(-r * t[i]) * n2


@njit
def matmul_naive(a, b):
    m, kk = a.shape
    n = b.shape[1]
    c = np.zeros((m, n))
    for i in range(m):
        for k in range(kk):
            aik = a[i, k]
            for j in range(n):
                c[i, j] += aik * b[k, j]
    return c


@njit
def julia(out, cr, ci, x0, y0, scale, max_iter):
    h, w = out.shape
    for y in range(h):
        for x in range(w):
            zr = x0 + x * scale
            zi = y0 + y * scale
            n = 0
            while n < max_iter and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                n += 1
            out[y, x] = n


@njit
def scatter_add(idx, vals, out):
    for i in range(idx.shape[0]):
        out[idx[i]] += vals[i]


@njit
def histogram(x, bins):
    return np.histogram(x, bins)


@njit
def sort(x):
    return np.sort(x)


@njit
def cumsum(x):
    return np.cumsum(x)


@njit
def mc_pi(n, seed):
    np.random.seed(seed)
    inside = 0
    for _ in range(n):
        x = np.random.random()
        y = np.random.random()
        if x * x + y * y <= 1.0:
            inside += 1
    return 4.0 * inside / n


@njit
def conv2d(img, k, out):
    m, n = img.shape
    p, q = k.shape
    for i in range(m - p + 1):
        for j in range(n - q + 1):
            s = 0.0
            for a in range(p):
                for b in range(q):
                    s += img[i + a, j + b] * k[a, b]
            out[i, j] = s


@njit
def matmul_blas(a, b):
    return a @ b


def _rng(seed):
    return np.random.default_rng(seed)


N = 1_000_000


BENCH = [
    ("sum_i32", sum_i32, lambda: (_rng(1).integers(-100, 100, N).astype(np.int32),), False),
    ("dot", dot, lambda: (_rng(2).standard_normal(N), _rng(3).standard_normal(N)), True),
    ("rolling_mean", rolling_mean, lambda: (_rng(4).standard_normal(N), 50), True),
    ("nbody", nbody, lambda: (_rng(5).standard_normal((256, 3)), np.zeros((256, 3)),
                              _rng(6).uniform(0.5, 1.0, 256), 1e-4, 2), False),
    ("laplace_2d", laplace_2d, lambda: (_rng(7).standard_normal((512, 512)),
                                        np.zeros((512, 512))), False),
    ("life_step", life_step, lambda: ((_rng(8).random((512, 512)) < 0.3).astype(np.uint8),
                                      np.zeros((512, 512), np.uint8)), False),
    ("black_scholes", black_scholes, lambda: (
        _rng(9).uniform(50, 150, 200_000), _rng(10).uniform(50, 150, 200_000),
        _rng(11).uniform(0.1, 2.0, 200_000), 0.02, 0.3, np.zeros(200_000)), False),
    ("matmul_naive", matmul_naive, lambda: (_rng(12).standard_normal((128, 128)),
                                            _rng(13).standard_normal((128, 128))), True),
    ("julia", julia, lambda: (np.zeros((300, 400), np.uint16), -0.8, 0.156, -1.6, -0.9,
                              0.008, 200), False),
    ("scatter_add", scatter_add, lambda: (_rng(14).integers(0, 1000, N),
                                          _rng(15).standard_normal(N), np.zeros(1000)), False),
    ("histogram", histogram, lambda: (_rng(16).standard_normal(N), 64), False),
    ("sort", sort, lambda: (_rng(17).standard_normal(200_000),), False),
    ("cumsum", cumsum, lambda: (_rng(18).standard_normal(N),), False),
    ("mc_pi", mc_pi, lambda: (N, 42), False),
    ("conv2d", conv2d, lambda: (_rng(19).standard_normal((512, 512)),
                                _rng(20).standard_normal((3, 3)), np.zeros((510, 510))), False),
    ("matmul_blas", matmul_blas, lambda: (_rng(21).standard_normal((256, 256)),
                                          _rng(22).standard_normal((256, 256))), False),
]


@njit
def add1(x):
    return x + 1.0


@njit
def first(a):
    return a[0]


# The wrapper's fixed cost per call: a scalar kernel and a 1-element array.
OVERHEAD = [
    ("call_scalar", add1, lambda: (1.5,)),
    ("call_array1", first, lambda: (np.ones(1),)),
]
