"""Kernels of the interactive demo page (examples/web/index.html).

Ordinary Numba code: each kernel writes into an output array it is given
(in-place), so the page allocates its arrays once in wasm memory with
`m.empty(...)` and an animation frame neither allocates nor copies.
Only + - * /, sqrt and comparisons are used, so the wasm build gives the same bits
as native Numba (tests/python/test_demo_page.py checks it).

`scripts/demo.py` builds them with `numba_wasm.build(SIGNATURES, ...)`.
"""
import numpy as np

from numba import njit


@njit
def escape_time(iters, cx, cy, scale, julia, jr, ji, max_iter):
    """Escape iteration count of every pixel of a view centred on (cx, cy),
    `scale` units per pixel: the Mandelbrot set, or the Julia set of
    c = jr + i*ji when `julia` is true."""
    h, w = iters.shape
    for y in range(h):
        yi = cy + (y - h // 2) * scale
        for x in range(w):
            xr = cx + (x - w // 2) * scale
            if julia:
                zr, zi, cr, ci = xr, yi, jr, ji
            else:
                zr, zi, cr, ci = 0.0, 0.0, xr, yi
            n = 0
            while n < max_iter and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                n += 1
            iters[y, x] = n


@njit
def color_iters(iters, max_iter, rgba):
    """Iteration counts -> RGBA pixels (a smooth polynomial palette; points
    inside the set are black)."""
    h, w = iters.shape
    for y in range(h):
        for x in range(w):
            n = iters[y, x]
            t = np.sqrt(n / max_iter)  # sqrt is correctly rounded everywhere
            u = 1.0 - t
            if n >= max_iter:
                r = g = b = 0.0
            else:
                r = 9.0 * u * t * t * t * 255.0
                g = 15.0 * u * u * t * t * 255.0
                b = 8.5 * u * u * u * t * 255.0 + 40.0 * u
            rgba[y, x, 0] = np.uint8(min(r, 255.0))
            rgba[y, x, 1] = np.uint8(min(g, 255.0))
            rgba[y, x, 2] = np.uint8(min(b, 255.0))
            rgba[y, x, 3] = 255


@njit
def heat_init(u):
    """The simulation's start: a cold plate with a hot square in the middle."""
    h, w = u.shape
    u[:, :] = 0.0
    u[h // 3:2 * h // 3, w // 3:2 * w // 3] = 1.0


@njit
def heat_add(u, x, y, radius, amount):
    """Pour heat into a disc (the page's mouse clicks)."""
    h, w = u.shape
    for j in range(max(0, y - radius), min(h, y + radius + 1)):
        for i in range(max(0, x - radius), min(w, x + radius + 1)):
            if (i - x) * (i - x) + (j - y) * (j - y) <= radius * radius:
                u[j, i] += amount


@njit
def heat_step(u, out, alpha, step):
    """One explicit step of the heat equation (5-point Laplacian, edges held
    at zero) plus a heater that sweeps back and forth along the bottom row
    band, its position a function of the step number."""
    h, w = u.shape
    for j in range(1, h - 1):
        for i in range(1, w - 1):
            out[j, i] = u[j, i] + alpha * (
                u[j - 1, i] + u[j + 1, i] + u[j, i - 1] + u[j, i + 1] - 4.0 * u[j, i])
    for i in range(w):
        out[0, i] = 0.0
        out[h - 1, i] = 0.0
    for j in range(h):
        out[j, 0] = 0.0
        out[j, w - 1] = 0.0
    period = 2 * (w - 8)
    p = step % period
    hx = 4 + (p if p < w - 8 else period - p)
    for j in range(h - 8, h - 4):
        for i in range(hx - 3, hx + 3):
            out[j, i] += 0.2


@njit
def color_heat(u, rgba):
    """Temperature -> RGBA (black - red - yellow - white, clipped at 0 and 1)."""
    h, w = u.shape
    for y in range(h):
        for x in range(w):
            t = min(max(u[y, x], 0.0), 1.0) * 3.0
            rgba[y, x, 0] = np.uint8(min(t, 1.0) * 255.0)
            rgba[y, x, 1] = np.uint8(min(max(t - 1.0, 0.0), 1.0) * 255.0)
            rgba[y, x, 2] = np.uint8(min(max(t - 2.0, 0.0), 1.0) * 255.0)
            rgba[y, x, 3] = 255


# The overloads the page calls (C-contiguous arrays it allocates with m.empty).
SIGNATURES = {
    escape_time: ["void(int32[:, ::1], float64, float64, float64, boolean, float64, float64, int64)"],
    color_iters: ["void(int32[:, ::1], int64, uint8[:, :, ::1])"],
    heat_init: ["void(float64[:, ::1])"],
    heat_add: ["void(float64[:, ::1], int64, int64, int64, float64)"],
    heat_step: ["void(float64[:, ::1], float64[:, ::1], float64, int64)"],
    color_heat: ["void(float64[:, ::1], uint8[:, :, ::1])"],
}
