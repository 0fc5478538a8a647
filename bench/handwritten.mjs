// Plain JavaScript versions of bench/bench_kernels.py, written the way a web
// developer would: TypedArrays, flat indexing, no tricks. Each takes the
// arguments the wasm kernel takes (1-D arrays as TypedArrays, n-d arrays as
// {data, shape}, 64-bit integers as BigInt).

const num = (v) => Number(v);

export const handwritten = {
  sum_i32(x) {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i];
    return BigInt(s);
  },
  dot(a, b) {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  },
  rolling_mean(x, w) {
    w = num(w);
    const n = x.length, out = new Float64Array(n - w + 1);
    let s = 0;
    for (let i = 0; i < w; i++) s += x[i];
    out[0] = s / w;
    for (let i = w; i < n; i++) {
      s += x[i] - x[i - w];
      out[i - w + 1] = s / w;
    }
    return out;
  },
  nbody(pos, vel, mass, dt, steps) {
    const n = pos.shape[0], p = pos.data, v = vel.data;
    for (let s = 0; s < num(steps); s++) {
      for (let i = 0; i < n; i++) {
        let ax = 0, ay = 0, az = 0;
        for (let j = 0; j < n; j++) {
          const dx = p[3 * j] - p[3 * i], dy = p[3 * j + 1] - p[3 * i + 1], dz = p[3 * j + 2] - p[3 * i + 2];
          const r2 = dx * dx + dy * dy + dz * dz + 1e-3;
          const inv = mass[j] / (r2 * Math.sqrt(r2));
          ax += dx * inv; ay += dy * inv; az += dz * inv;
        }
        v[3 * i] += dt * ax; v[3 * i + 1] += dt * ay; v[3 * i + 2] += dt * az;
      }
      for (let i = 0; i < 3 * n; i++) p[i] += dt * v[i];
    }
  },
  laplace_2d(u, out) {
    const [m, n] = u.shape, a = u.data, o = out.data;
    for (let i = 1; i < m - 1; i++) {
      for (let j = 1; j < n - 1; j++) {
        o[i * n + j] = 0.25 * (a[(i - 1) * n + j] + a[(i + 1) * n + j] + a[i * n + j - 1] + a[i * n + j + 1]);
      }
    }
  },
  life_step(grid, out) {
    const [m, n] = grid.shape, g = grid.data, o = out.data;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let c = 0;
        for (let di = -1; di <= 1; di++) {
          for (let dj = -1; dj <= 1; dj++) {
            if (di || dj) c += g[((i + di + m) % m) * n + ((j + dj + n) % n)];
          }
        }
        o[i * n + j] = c === 3 || (c === 2 && g[i * n + j] === 1) ? 1 : 0;
      }
    }
  },
  black_scholes(s, k, t, r, v, call) {
    for (let i = 0; i < s.length; i++) {
      const sqt = Math.sqrt(t[i]);
      const d1 = (Math.log(s[i] / k[i]) + (r + 0.5 * v * v) * t[i]) / (v * sqt);
      const d2 = d1 - v * sqt;
      call[i] = s[i] * cnd(d1) - k[i] * Math.exp(-r * t[i]) * cnd(d2);
    }
  },
  matmul_naive(a, b) {
    const [m, kk] = a.shape, n = b.shape[1], A = a.data, B = b.data, C = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let k = 0; k < kk; k++) {
        const aik = A[i * kk + k];
        for (let j = 0; j < n; j++) C[i * n + j] += aik * B[k * n + j];
      }
    }
    return C;
  },
  julia(out, cr, ci, x0, y0, scale, maxIter) {
    const [h, w] = out.shape, o = out.data, mi = num(maxIter);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let zr = x0 + x * scale, zi = y0 + y * scale, n = 0;
        while (n < mi && zr * zr + zi * zi <= 4) {
          const t = zr * zr - zi * zi + cr;
          zi = 2 * zr * zi + ci;
          zr = t;
          n++;
        }
        o[y * w + x] = n;
      }
    }
  },
  scatter_add(idx, vals, out) {
    for (let i = 0; i < idx.length; i++) out[Number(idx[i])] += vals[i];
  },
  histogram(x, bins) {
    bins = num(bins);
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < x.length; i++) { if (x[i] < lo) lo = x[i]; if (x[i] > hi) hi = x[i]; }
    const counts = new BigInt64Array(bins), c = new Float64Array(bins), scale = bins / (hi - lo);
    for (let i = 0; i < x.length; i++) {
      let b = Math.floor((x[i] - lo) * scale);
      if (b === bins) b--;
      c[b]++;
    }
    for (let b = 0; b < bins; b++) counts[b] = BigInt(c[b]);
    const edges = new Float64Array(bins + 1);
    for (let b = 0; b <= bins; b++) edges[b] = lo + (hi - lo) * b / bins;
    return [counts, edges];
  },
  sort(x) {
    return Float64Array.from(x).sort();
  },
  cumsum(x) {
    const out = new Float64Array(x.length);
    let s = 0;
    for (let i = 0; i < x.length; i++) out[i] = s += x[i];
    return out;
  },
  mc_pi(n) {
    n = num(n);
    let inside = 0;
    for (let i = 0; i < n; i++) {
      const x = Math.random(), y = Math.random();
      if (x * x + y * y <= 1) inside++;
    }
    return 4 * inside / n;
  },
  conv2d(img, k, out) {
    const [m, n] = img.shape, [p, q] = k.shape, I = img.data, K = k.data, O = out.data, on = n - q + 1;
    for (let i = 0; i <= m - p; i++) {
      for (let j = 0; j <= n - q; j++) {
        let s = 0;
        for (let a = 0; a < p; a++) for (let b = 0; b < q; b++) s += I[(i + a) * n + j + b] * K[a * q + b];
        O[i * on + j] = s;
      }
    }
  },
  matmul_blas(a, b) {
    return handwritten.matmul_naive(a, b);
  },
};

// Standard normal CDF (Abramowitz-Stegun 7.1.26 erf; JS has no Math.erf).
function cnd(x) {
  const z = Math.abs(x) / Math.SQRT2, t = 1 / (1 + 0.3275911 * z);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return 0.5 * (1 + (x >= 0 ? y : -y));
}
