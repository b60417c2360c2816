// The loss chart: train and test loss over epochs on a canvas, linear or log y-axis, with a
// hover read-out. However long the run, a redraw walks at most a few points per pixel column:
// the stored series is thinned past MAX_POINTS and each column draws its min and max only.

import { formatLoss, formatPercent, formatValue, niceTicks } from "../lib/scales.js";

const MAX_POINTS = 4000;
export const PAD = { left: 46, right: 10, top: 10, bottom: 24 };

/**
 * Per pixel column of [x0, x1] split into `columns`, the first, lowest, highest and last y of the
 * points falling there (M4 downsampling): the drawn line looks exactly like the full one.
 * Non-finite ys are skipped. Returns parallel arrays of x and y.
 */
export function downsample(xs, ys, x0, x1, columns) {
  const outX = [];
  const outY = [];
  const width = x1 - x0 || 1;
  let column = -1;
  let first = 0; let low = 0; let high = 0; let last = 0; let cx = 0;
  const flush = () => {
    if (column < 0) return;
    outX.push(cx, cx, cx, cx);
    outY.push(first, low, high, last);
  };
  for (let i = 0; i < xs.length; i += 1) {
    const y = ys[i];
    if (!Number.isFinite(y)) continue;
    const c = Math.min(columns - 1, Math.max(0, Math.floor(((xs[i] - x0) / width) * columns)));
    if (c !== column) {
      flush();
      column = c; first = y; low = y; high = y; cx = xs[i];
    }
    if (y < low) low = y;
    if (y > high) high = y;
    last = y;
  }
  flush();
  return { x: outX, y: outY };
}

/** Keeps every other point (and always the last one): the series halves, its shape stays. */
export function thin(series) {
  const keep = (_, i, all) => i % 2 === 0 || i === all.length - 1;
  for (const key of Object.keys(series)) series[key] = series[key].filter(keep);
}

export class LossChart {
  constructor(canvas, readout, { colors, invalidate, metricName = "accuracy" }) {
    this.canvas = canvas;
    this.readout = readout;
    this.colors = colors;
    this.invalidate = invalidate;
    this.metricName = metricName;
    this.log = false;
    this.hover = null;
    this.cursor = null; // x of the past moment shown, or null when live
    this.dirty = true;
    this.clear();
    canvas.addEventListener("pointermove", (e) => this.pointAt(e.offsetX));
    canvas.addEventListener("pointerleave", () => this.pointAt(null));
    new ResizeObserver(() => this.resize()).observe(canvas);
  }

  clear() {
    this.series = { x: [], train: [], test: [], points: [] };
    this.changed();
  }

  /** Adds one history point at position x (epochs). */
  push(point, x) {
    const s = this.series;
    if (s.x.length && x < s.x[s.x.length - 1]) return; // a stale point after a reset
    s.x.push(x);
    s.train.push(point.train_loss ?? NaN);
    s.test.push(point.test_loss ?? NaN);
    s.points.push(point);
    if (s.x.length > MAX_POINTS) thin(s);
    this.changed();
  }

  /** Forgets the points after `step` (a rewind); returns the last point kept, if any. */
  truncate(step) {
    const s = this.series;
    let keep = s.points.length;
    while (keep > 0 && s.points[keep - 1].step > step) keep -= 1;
    for (const key of Object.keys(s)) s[key].length = keep;
    this.changed();
    return keep ? { point: s.points[keep - 1], x: s.x[keep - 1] } : null;
  }

  /** The x (epochs) where the point of `step` was drawn, or null before the first point. */
  xOfStep(step) {
    const { points, x } = this.series;
    if (!points.length) return null;
    const i = nearest(points.map((p) => p.step), step);
    return x[i];
  }

  /** A vertical line at x: the moment the timeline shows (null: none). */
  setCursor(x) {
    if (x === this.cursor) return;
    this.cursor = x;
    this.cursorIndex = x === null ? null : nearest(this.series.x, x);
    this.changed();
  }

  setLog(log) {
    this.log = log;
    this.changed();
  }

  setMetricName(name) {
    this.metricName = name;
  }

  changed() {
    this.dirty = true;
    this.invalidate?.();
  }

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const { width, height } = this.canvas.getBoundingClientRect();
    this.canvas.width = Math.max(1, Math.round(width * dpr));
    this.canvas.height = Math.max(1, Math.round(height * dpr));
    this.changed();
  }

  pointAt(offsetX) {
    const { x } = this.series;
    let index = null;
    if (offsetX !== null && x.length) {
      const value = this.xScale.invert(offsetX);
      index = nearest(x, value);
    }
    if (index !== this.hover) {
      this.hover = index;
      this.showReadout();
      this.changed();
    }
  }

  showReadout() {
    const index = this.hover ?? this.cursorIndex ?? this.series.points.length - 1;
    const point = this.series.points[index];
    if (!point) {
      this.readout.textContent = "No training yet.";
      return;
    }
    const metric = this.metricName === "R²" ? "r2" : "accuracy";
    const test = point[`test_${metric}`];
    const shown = metric === "r2" ? formatValue(test ?? NaN, 3) : formatPercent(test);
    this.readout.textContent = `epoch ${formatValue(this.series.x[index], 4)}`
      + ` · train ${formatLoss(point.train_loss)} · test ${formatLoss(point.test_loss)}`
      + ` · test ${this.metricName} ${shown}`;
  }

  /** Redraws if anything changed since the last draw; returns whether it drew. */
  draw() {
    if (!this.dirty) return false;
    this.dirty = false;
    if (this.hover === null) this.showReadout(); // the latest point, or the moment shown
    const ctx = this.canvas.getContext("2d");
    const dpr = window.devicePixelRatio || 1;
    const width = this.canvas.width / dpr;
    const height = this.canvas.height / dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const { x, train, test } = this.series;
    const x0 = x.length ? x[0] : 0;
    const x1 = x.length > 1 ? x[x.length - 1] : x0 + 1;
    const f = this.log ? (v) => Math.log10(Math.max(v, 1e-12)) : (v) => v;
    const [y0, y1] = this.yRange(f);
    this.xScale = scale(x0, x1, PAD.left, width - PAD.right);
    const ys = scale(y0, y1, height - PAD.bottom, PAD.top);
    this.drawAxes(ctx, width, height, ys, [y0, y1], [x0, x1]);
    const columns = Math.max(2, Math.round(width - PAD.left - PAD.right));
    ctx.save();
    ctx.beginPath();
    ctx.rect(PAD.left, PAD.top - 2, width - PAD.left - PAD.right, height - PAD.top - PAD.bottom + 4);
    ctx.clip();
    this.line(ctx, downsample(x, train.map(f), x0, x1, columns), ys, this.colors.train, []);
    this.line(ctx, downsample(x, test.map(f), x0, x1, columns), ys, this.colors.test, [6, 4]);
    if (this.cursor !== null && x.length) {
      const cx = Math.round(this.xScale(this.cursor)) + 0.5;
      ctx.strokeStyle = this.colors.cursor || this.colors.text;
      ctx.lineWidth = 2;
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.moveTo(cx, PAD.top);
      ctx.lineTo(cx, height - PAD.bottom);
      ctx.stroke();
    }
    if (this.hover !== null && x[this.hover] !== undefined) {
      const hx = this.xScale(x[this.hover]);
      ctx.strokeStyle = this.colors.grid;
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.moveTo(hx, PAD.top);
      ctx.lineTo(hx, height - PAD.bottom);
      ctx.stroke();
      for (const [values, color] of [[train, this.colors.train], [test, this.colors.test]]) {
        const v = values[this.hover];
        if (!Number.isFinite(v)) continue;
        ctx.fillStyle = color;
        ctx.beginPath();
        ctx.arc(hx, ys(f(v)), 3.5, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    ctx.restore();
    return true;
  }

  yRange(f) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const values of [this.series.train, this.series.test]) {
      for (const v of values) {
        if (!Number.isFinite(v) || (this.log && v <= 0)) continue;
        const y = f(v);
        if (y < lo) lo = y;
        if (y > hi) hi = y;
      }
    }
    if (!Number.isFinite(lo)) return this.log ? [-2, 0] : [0, 1];
    if (this.log) return hi - lo < 0.5 ? [lo - 0.25, hi + 0.25] : [lo, hi];
    return [0, hi > 0 ? hi * 1.05 : 1];
  }

  drawAxes(ctx, width, height, ys, [y0, y1], [x0, x1]) {
    ctx.font = "11px system-ui, sans-serif";
    ctx.lineWidth = 1;
    ctx.setLineDash([]);
    ctx.fillStyle = this.colors.text;
    ctx.strokeStyle = this.colors.grid;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const yTicks = this.log ? logTicks(y0, y1) : niceTicks(y0, y1, 4);
    for (const t of yTicks) {
      const y = Math.round(ys(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(PAD.left, y);
      ctx.lineTo(width - PAD.right, y);
      ctx.stroke();
      ctx.fillText(formatValue(this.log ? 10 ** t : t, 3), PAD.left - 6, y);
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const count = Math.max(2, Math.floor((width - PAD.left) / 70));
    for (const t of niceTicks(x0, x1, count)) {
      if (t < x0 || t > x1) continue;
      const label = formatValue(t, 4);
      const half = ctx.measureText(label).width / 2;
      const x = Math.min(this.xScale(t), width - half - 1); // the last label stays inside
      ctx.fillText(label, x, height - PAD.bottom + 6);
    }
  }

  line(ctx, { x, y }, ys, color, dash) {
    if (!x.length) return;
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.setLineDash(dash);
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(this.xScale(x[0]), ys(y[0]));
    for (let i = 1; i < x.length; i += 1) ctx.lineTo(this.xScale(x[i]), ys(y[i]));
    ctx.stroke();
    if (new Set(x).size === 1) { // a single point (step 0) draws as a dot, not an empty chart
      ctx.fillStyle = color;
      ctx.beginPath();
      ctx.arc(this.xScale(x[0]), ys(y[0]), 3, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}

/** Ticks (as log10 values) at 1, 2, 5 × 10^k inside [y0, y1], or only the decades when many. */
function logTicks(y0, y1) {
  const ticks = { all: [], decades: [] };
  for (let k = Math.floor(y0); k <= Math.ceil(y1); k += 1) {
    for (const m of [1, 2, 5]) {
      const t = k + Math.log10(m);
      if (t < y0 - 1e-9 || t > y1 + 1e-9) continue;
      ticks.all.push(t);
      if (m === 1) ticks.decades.push(t);
    }
  }
  return ticks.all.length > 6 && ticks.decades.length >= 2 ? ticks.decades : ticks.all;
}

function scale(d0, d1, r0, r1) {
  const k = (r1 - r0) / (d1 - d0 || 1);
  const f = (v) => r0 + (v - d0) * k;
  f.invert = (r) => d0 + (r - r0) / k;
  return f;
}

function nearest(xs, value) {
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < value) lo = mid; else hi = mid;
  }
  return Math.abs(xs[lo] - value) <= Math.abs(xs[hi] - value) ? lo : hi;
}
