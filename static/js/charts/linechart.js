// A loss chart for the classroom pages: training and test loss over epochs, with line width and
// type size as options (thick and large on a projector), an optional marker at one epoch (the
// moment a presenter has seeked back to), and the playground's column downsampling, so a redraw
// walks a few points per pixel column however long the run is. Colours come in as options; the
// pages read them from CSS custom properties.

import { downsample, thin } from "./chart.js";
import { formatValue, niceTicks } from "../lib/scales.js";

const MAX_POINTS = 4000;

export class LineChart {
  /** options: {colors: {train, test, grid, text, marker}, lineWidth, fontSize, ticks: bool} */
  constructor(canvas, { colors, invalidate, lineWidth = 2, fontSize = 11, ticks = true }) {
    this.canvas = canvas;
    this.colors = colors;
    this.invalidate = invalidate;
    this.options = { lineWidth, fontSize, ticks };
    this.marker = null;
    this.fixedTop = null;
    this.dirty = true;
    this.clear();
    new ResizeObserver(() => this.resize()).observe(canvas);
  }

  clear() {
    this.series = { x: [], train: [], test: [] };
    this.changed();
  }

  /** Adds one history point at x (epochs); a point behind the last one is stale and dropped. */
  push(point, x) {
    const s = this.series;
    if (s.x.length && x < s.x[s.x.length - 1]) return;
    s.x.push(x);
    s.train.push(point.train_loss ?? NaN);
    s.test.push(point.test_loss ?? NaN);
    if (s.x.length > MAX_POINTS) thin(s);
    this.changed();
  }

  get length() {
    return this.series.x.length;
  }

  /** A vertical marker at epoch x, or none with null. */
  setMarker(x) {
    if (x === this.marker) return;
    this.marker = x;
    this.changed();
  }

  /** The largest finite loss drawn (what the y-axis would reach on its own). */
  get peak() {
    return top([this.series.train, this.series.test]);
  }

  /** Shares one y-axis between charts that are compared side by side (null: its own). */
  setTop(y) {
    if (y === this.fixedTop) return;
    this.fixedTop = y;
    this.changed();
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

  /** Redraws if anything changed since the last draw; returns whether it drew. */
  draw() {
    if (!this.dirty) return false;
    this.dirty = false;
    const ctx = this.canvas.getContext("2d");
    const dpr = window.devicePixelRatio || 1;
    const width = this.canvas.width / dpr;
    const height = this.canvas.height / dpr;
    const { lineWidth, fontSize, ticks } = this.options;
    const pad = ticks
      ? { left: fontSize * 4.2, right: fontSize, top: fontSize, bottom: fontSize * 2.2 }
      : { left: lineWidth * 2, right: lineWidth * 2, top: lineWidth * 2, bottom: lineWidth * 2 };
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    if (width < 10 || height < 10) return true;
    const { x, train, test } = this.series;
    const x0 = x.length ? x[0] : 0;
    const x1 = x.length > 1 ? x[x.length - 1] : x0 + 1;
    const y1 = this.fixedTop ?? top([train, test]);
    const xs = scale(x0, x1, pad.left, width - pad.right);
    const ys = scale(0, y1, height - pad.bottom, pad.top);
    if (ticks) this.axes(ctx, { width, height, pad, xs, ys, x0, x1, y1 });
    ctx.save();
    ctx.beginPath();
    ctx.rect(pad.left - 2 * lineWidth, 0, width - pad.left - pad.right + 4 * lineWidth,
      height - pad.bottom + lineWidth);
    ctx.clip();
    const columns = Math.max(2, Math.round(width - pad.left - pad.right));
    this.line(ctx, downsample(x, train, x0, x1, columns), xs, ys, this.colors.train, []);
    const dash = [lineWidth * 3, lineWidth * 2];
    this.line(ctx, downsample(x, test, x0, x1, columns), xs, ys, this.colors.test, dash);
    ctx.restore();
    if (this.marker !== null && x.length) {
      const mx = Math.round(xs(Math.min(x1, Math.max(x0, this.marker))));
      ctx.strokeStyle = this.colors.marker || this.colors.text;
      ctx.lineWidth = Math.max(2, lineWidth * 0.75);
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.moveTo(mx, pad.top);
      ctx.lineTo(mx, height - pad.bottom);
      ctx.stroke();
    }
    return true;
  }

  axes(ctx, { width, height, pad, xs, ys, x0, x1, y1 }) {
    const { fontSize } = this.options;
    ctx.font = `${fontSize}px system-ui, sans-serif`;
    ctx.lineWidth = 1;
    ctx.setLineDash([]);
    ctx.fillStyle = this.colors.text;
    ctx.strokeStyle = this.colors.grid;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const rows = Math.max(2, Math.min(5, Math.floor(height / (fontSize * 3))));
    for (const t of niceTicks(0, y1, rows)) {
      const y = Math.round(ys(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(pad.left, y);
      ctx.lineTo(width - pad.right, y);
      ctx.stroke();
      ctx.fillText(formatValue(t, 3), pad.left - fontSize * 0.5, y);
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const count = Math.max(2, Math.floor((width - pad.left) / (fontSize * 7)));
    for (const t of niceTicks(x0, x1, count)) {
      if (t < x0 || t > x1) continue;
      const label = formatValue(t, 4);
      const half = ctx.measureText(label).width / 2;
      ctx.fillText(label, Math.min(xs(t), width - half - 1), height - pad.bottom + fontSize * 0.5);
    }
  }

  line(ctx, { x, y }, xs, ys, color, dash) {
    if (!x.length) return;
    const { lineWidth } = this.options;
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = lineWidth;
    ctx.setLineDash(dash);
    ctx.lineJoin = "round";
    ctx.lineCap = "round";
    ctx.beginPath();
    ctx.moveTo(xs(x[0]), ys(y[0]));
    for (let i = 1; i < x.length; i += 1) ctx.lineTo(xs(x[i]), ys(y[i]));
    ctx.stroke();
    if (new Set(x).size === 1) { // one point (step 0): a dot, not an empty chart
      ctx.beginPath();
      ctx.arc(xs(x[0]), ys(y[0]), lineWidth * 1.5, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}

/** The top of the y-axis: the largest finite loss, with a little room; capped so one huge
 * value from a diverging run does not flatten everything else into the floor. */
function top(lists) {
  let hi = 0;
  for (const values of lists) for (const v of values) if (Number.isFinite(v) && v > hi) hi = v;
  return hi > 0 ? Math.min(hi * 1.05, 50) : 1;
}

function scale(d0, d1, r0, r1) {
  const k = (r1 - r0) / (d1 - d0 || 1);
  return (v) => r0 + (v - d0) * k;
}
