// One canvas chart, configured by its series: each series reads one value from the points of a
// track (a run's history) and draws it in its colour, dash and width, or as a filled area.
// The canvas is sized at its CSS size × devicePixelRatio; changes only mark the chart dirty and
// ask the page's scheduler for a paint, and draw() paints at most once per request. The y scale
// is linear or log (log10 values, ticks at 1, 2, 5 × 10^k); a vertical cursor marks a moment and
// the pointer shows a hover line with a read-out. However long the run, a redraw walks at most a
// few points per pixel column: a track is thinned past MAX_POINTS and each column draws its
// first, lowest, highest and last value only. A chart of epochs may follow the epoch axis
// (epoch-axis.js): linear, or log of 1 + epoch, by the visitor's choice or the run's length.

import { formatValue, niceTicks } from "../lib/scales.js";
import * as epochAxis from "./epoch-axis.js";
import { OnScreen } from "../lib/repaint.js";

export const MAX_POINTS = 4000;
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

/** Ticks (as log10 values) at 1, 2, 5 × 10^k inside [y0, y1], or only the decades when many. */
export function logTicks(y0, y1) {
  const all = [];
  for (let k = Math.floor(y0); k <= Math.ceil(y1); k += 1) {
    for (const m of [1, 2, 5]) {
      const t = k + Math.log10(m);
      if (t >= y0 - 1e-9 && t <= y1 + 1e-9) all.push(t);
    }
  }
  const decades = all.filter((t) => Number.isInteger(t));
  return all.length > 6 && decades.length >= 2 ? decades : all;
}

/** The index in ascending `xs` nearest to `value` (the earlier one on a tie). */
export function nearest(xs, value) {
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < value) lo = mid; else hi = mid;
  }
  return Math.abs(xs[lo] - value) <= Math.abs(xs[hi] - value) ? lo : hi;
}

/** The y range of losses: from 0 with a little room, or (log) the decades the values span. */
export function lossRange(lo, hi, log) {
  if (!Number.isFinite(lo)) return log ? [-2, 0] : [0, 1];
  if (log) return hi - lo < 0.5 ? [lo - 0.25, hi + 0.25] : [lo, hi];
  return [0, hi > 0 ? hi * 1.05 : 1];
}

function scale(d0, d1, r0, r1) {
  const k = (r1 - r0) / (d1 - d0 || 1);
  const f = (v) => r0 + (v - d0) * k;
  f.invert = (r) => d0 + (r - r0) / k;
  return f;
}

const toLog = (v) => Math.log10(Math.max(v, 1e-12));
const same = (v) => v;

/** A run's history as drawn: x positions and the points they came from. */
export class Track {
  constructor() {
    this.x = [];
    this.points = [];
  }

  get length() {
    return this.x.length;
  }

  /** Adds a point at x; one behind the last is stale (it came before a reset) and is dropped. */
  push(point, x) {
    if (this.x.length && x < this.x[this.x.length - 1]) return false;
    this.x.push(x);
    this.points.push(point);
    if (this.x.length > MAX_POINTS) thin(this);
    return true;
  }

  /** Forgets the points after `step` (a rewind); returns the index of the last one kept, or -1. */
  truncate(step) {
    let keep = this.points.length;
    while (keep > 0 && this.points[keep - 1].step > step) keep -= 1;
    this.x.length = keep;
    this.points.length = keep;
    return keep - 1;
  }
}

/**
 * options: {
 *   series: [{value(point) → number, color, dash = [], width = 2, cap = "butt", join = "round",
 *             fill, dot = true, track = 0}],
 *   pad = PAD, clip = {x: 0, y: 2} (px past the plot area that lines may reach), font = 11 (px),
 *   gap = 6 (px between an axis and its labels), axes = true,
 *   x: {range(first, last) → [x0, x1], spacing: px per x tick (0: no x axis),
 *       epochs: follow the epoch axis (linear or log, see epoch-axis.js)},
 *   y: {range(lo, hi, log) → [y0, y1] (log10 values when log), ticks: count or (height) → count,
 *       format(value) → label},
 *   cursor: {color, width = 2}, hover: {color, snap, dots} (none without), readout(x) after a
 *   paint with the x under the pointer (null: none), invalidate() asks for a paint
 * }
 */
export class Chart {
  constructor(canvas, options) {
    this.canvas = canvas;
    this.o = { pad: PAD, clip: { x: 0, y: 2 }, font: 11, gap: 6, axes: true, ...options };
    const span = (first, last) => [first, last > first ? last : first + 1];
    this.o.x = { range: span, spacing: 70, ...options.x };
    this.o.y = { range: lossRange, ticks: 4, format: (v) => formatValue(v, 3), ...options.y };
    this.log = false;
    this.cursor = null;
    this.hover = null;
    this.xScale = null;
    this.logX = false;
    canvas.dataset.xAxis = "linear";
    this.setSeries(options.series);
    if (this.o.x.epochs) window.addEventListener(epochAxis.CHANGED, () => this.changed());
    if (this.o.hover) {
      canvas.addEventListener("pointermove", (e) => this.pointAt(e.offsetX));
      canvas.addEventListener("pointerleave", () => this.pointAt(null));
    }
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.onScreen = new OnScreen(canvas, () => this.o.invalidate?.());
  }

  /** New series (and as many empty tracks as they name). */
  setSeries(series) {
    const defaults = { dash: [], width: 2, cap: "butt", join: "round", dot: true, track: 0 };
    this.series = series.map((s) => ({ ...defaults, ...s }));
    const count = Math.max(1, ...this.series.map((s) => s.track + 1));
    this.tracks = Array.from({ length: count }, () => new Track());
    this.changed();
  }

  clear(track = 0) {
    if (this.tracks[track]) this.tracks[track] = new Track();
    this.changed();
  }

  push(point, x, track = 0) {
    if (this.tracks[track]?.push(point, x)) this.changed();
  }

  truncate(step, track = 0) {
    const kept = this.tracks[track].truncate(step);
    this.changed();
    return kept;
  }

  setLog(log) {
    this.log = log;
    this.changed();
  }

  /** Whether epochs are on a log axis; the page hears when that changes (its toggle shows it). */
  setLogX(log) {
    if (log === this.logX) return;
    this.logX = log;
    this.canvas.dataset.xAxis = log ? "log" : "linear"; // test and style hook
    if (this.o.x.epochs) window.dispatchEvent(new CustomEvent(epochAxis.SHOWN, { detail: { log } }));
  }

  /** A vertical line at x: a moment looked back at (null: none). */
  setCursor(x) {
    if (x === this.cursor) return;
    this.cursor = x;
    this.changed();
  }

  changed() {
    this.dirty = true;
    this.o.invalidate?.();
  }

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const { width, height } = this.canvas.getBoundingClientRect();
    this.canvas.width = Math.max(1, Math.round(width * dpr));
    this.canvas.height = Math.max(1, Math.round(height * dpr));
    this.changed();
  }

  pointAt(offsetX) {
    let x = offsetX === null || !this.xScale ? null : this.xScale.invert(offsetX);
    const track = this.tracks[0];
    if (x !== null && this.o.hover.snap) x = track.length ? track.x[nearest(track.x, x)] : null;
    if (x === this.hover) return;
    this.hover = x;
    this.changed();
  }

  /** The lowest and highest finite value drawn ([Infinity, -Infinity] when none). */
  extent(f = same) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of this.series) {
      for (const p of this.tracks[s.track].points) {
        const v = s.value(p);
        if (!Number.isFinite(v) || (f === toLog && v <= 0)) continue;
        const y = f(v);
        if (y < lo) lo = y;
        if (y > hi) hi = y;
      }
    }
    return [lo, hi];
  }

  /** Redraws if anything changed since the last draw; returns whether it drew. */
  draw() {
    if (!this.dirty || !this.onScreen.due()) return false;
    this.dirty = false;
    this.paint();
    this.o.readout?.(this.hover);
    return true;
  }

  paint() {
    const { canvas, o } = this;
    const ctx = canvas.getContext("2d");
    const dpr = window.devicePixelRatio || 1;
    const width = canvas.width / dpr;
    const height = canvas.height / dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    if (width < 10 || height < 10) return;
    const filled = this.tracks.filter((t) => t.length);
    const first = filled.length ? Math.min(...filled.map((t) => t.x[0])) : 0;
    const last = filled.length ? Math.max(...filled.map((t) => t.x[t.length - 1])) : 0;
    const [x0, x1] = o.x.range(first, last);
    this.setLogX(Boolean(o.x.epochs) && epochAxis.isLog(this.tracks[0].x));
    const g = this.logX ? epochAxis.toAxis : same; // x as placed on the axis
    const f = this.log ? toLog : same;
    const [y0, y1] = o.y.range(...this.extent(f), this.log);
    const { pad } = o;
    const gx = scale(g(x0), g(x1), pad.left, width - pad.right); // of axis positions
    const xs = this.logX ? (v) => gx(g(v)) : gx; // of epochs
    if (this.logX) xs.invert = (px) => epochAxis.fromAxis(gx.invert(px));
    const ys = scale(y0, y1, height - pad.bottom, pad.top);
    this.xScale = xs;
    if (o.axes) this.axes(ctx, { width, height, xs, ys, x0, x1, y0, y1 });
    const { clip } = o;
    ctx.save();
    ctx.beginPath();
    ctx.rect(pad.left - clip.x, pad.top - clip.y, width - pad.left - pad.right + 2 * clip.x,
      height - pad.top - pad.bottom + 2 * clip.y);
    ctx.clip();
    const columns = Math.max(2, Math.round(width - pad.left - pad.right));
    for (const s of this.series) {
      const track = this.tracks[s.track];
      const values = track.points.map((p) => f(s.value(p)));
      const at = this.logX ? track.x.map(g) : track.x;
      this.line(ctx, s, downsample(at, values, g(x0), g(x1), columns), gx, ys);
    }
    const vertical = (x, color, lineWidth) => {
      const px = Math.round(xs(Math.min(x1, Math.max(x0, x)))) + 0.5;
      ctx.strokeStyle = color;
      ctx.lineWidth = lineWidth;
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.moveTo(px, pad.top);
      ctx.lineTo(px, height - pad.bottom);
      ctx.stroke();
    };
    if (this.cursor !== null && filled.length) {
      vertical(this.cursor, o.cursor.color, o.cursor.width ?? 2);
    }
    if (this.hover !== null) {
      vertical(this.hover, o.hover.color, 2);
      if (o.hover.dots) this.dots(ctx, xs, ys, f);
    }
    ctx.restore();
  }

  axes(ctx, { width, height, xs, ys, x0, x1, y0, y1 }) {
    const { pad, font, gap, y } = this.o;
    ctx.font = `${font}px system-ui, sans-serif`;
    ctx.lineWidth = 1;
    ctx.setLineDash([]);
    ctx.fillStyle = this.o.colors.text;
    ctx.strokeStyle = this.o.colors.grid;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const count = typeof y.ticks === "function" ? y.ticks(height) : y.ticks;
    for (const t of this.log ? logTicks(y0, y1) : niceTicks(y0, y1, count)) {
      const py = Math.round(ys(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(pad.left, py);
      ctx.lineTo(width - pad.right, py);
      ctx.stroke();
      ctx.fillText(y.format(this.log ? 10 ** t : t), pad.left - gap, py);
    }
    if (!this.o.x.spacing) return;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const columns = Math.max(2, Math.floor((width - pad.left) / this.o.x.spacing));
    const ticks = this.logX ? epochAxis.logTicks(x0, x1, xs, this.o.x.spacing * 0.6)
      : niceTicks(x0, x1, columns);
    for (const t of ticks) {
      if (t < x0 || t > x1) continue;
      const label = formatValue(t, 4);
      const half = ctx.measureText(label).width / 2;
      const x = Math.min(xs(t), width - half - 1); // the last label stays inside
      ctx.fillText(label, x, height - pad.bottom + gap);
    }
  }

  line(ctx, s, { x, y }, xs, ys) {
    if (!x.length) return;
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.fill ?? s.color;
    ctx.lineWidth = s.width;
    ctx.setLineDash(s.dash);
    ctx.lineJoin = s.join;
    ctx.lineCap = s.cap;
    ctx.beginPath();
    if (s.fill) ctx.moveTo(xs(x[0]), ys(0));
    else ctx.moveTo(xs(x[0]), ys(y[0]));
    for (let i = s.fill ? 0 : 1; i < x.length; i += 1) ctx.lineTo(xs(x[i]), ys(y[i]));
    if (s.fill) {
      ctx.lineTo(xs(x[x.length - 1]), ys(0));
      ctx.closePath();
      ctx.fill();
    }
    ctx.stroke();
    if (s.dot && !s.fill && x[0] === x[x.length - 1]) { // one point (step 0): a dot, not an empty chart
      ctx.beginPath();
      ctx.arc(xs(x[0]), ys(y[0]), s.width * 1.5, 0, 2 * Math.PI);
      ctx.fill();
    }
  }

  /** A dot on each series at its point nearest to the hovered x. */
  dots(ctx, xs, ys, f) {
    for (const s of this.series) {
      const track = this.tracks[s.track];
      if (!track.length) continue;
      const i = nearest(track.x, this.hover);
      const v = s.value(track.points[i]);
      if (!Number.isFinite(v)) continue;
      ctx.fillStyle = s.color;
      ctx.beginPath();
      ctx.arc(xs(track.x[i]), ys(f(v)), 3.5, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}
