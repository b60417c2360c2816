// A strip chart of one quantity over the same epochs as the loss chart above it: how much of the
// boundary flipped between one recorded point and the next. Early on it jumps; as the network
// settles it falls to zero — the chaos-to-stability story told as a number. Shares the loss
// chart's padding so the two x-axes line up, and paints only when asked.

import { PAD, downsample, thin } from "./chart.js";
import { niceTicks } from "../lib/scales.js";

const MAX_POINTS = 4000;

export class StripChart {
  /** colors: {line, fill, grid, text, cursor}; format(v) labels the y-axis. */
  constructor(canvas, { colors, invalidate, format = String }) {
    this.canvas = canvas;
    this.colors = colors;
    this.invalidate = invalidate;
    this.format = format;
    this.cursor = null;
    this.clear();
    new ResizeObserver(() => this.resize()).observe(canvas);
  }

  clear() {
    this.series = { x: [], y: [], step: [] };
    this.changed();
  }

  push(x, y, step) {
    const s = this.series;
    if (s.x.length && x < s.x[s.x.length - 1]) return;
    s.x.push(x);
    s.y.push(Number.isFinite(y) ? y : NaN);
    s.step.push(step);
    if (s.x.length > MAX_POINTS) thin(s);
    this.changed();
  }

  /** Forgets the points after `step` (a rewind). */
  truncate(step) {
    const s = this.series;
    let keep = s.step.length;
    while (keep > 0 && s.step[keep - 1] > step) keep -= 1;
    for (const key of Object.keys(s)) s[key].length = keep;
    this.changed();
  }

  setCursor(x) {
    if (x === this.cursor) return;
    this.cursor = x;
    this.changed();
  }

  /** The latest finite value, or null. */
  latest() {
    const { y } = this.series;
    for (let i = y.length - 1; i >= 0; i -= 1) if (Number.isFinite(y[i])) return y[i];
    return null;
  }

  /** The value recorded nearest to x, or null. */
  valueAt(x) {
    const s = this.series;
    if (x === null || !s.x.length) return null;
    let best = 0;
    for (let i = 1; i < s.x.length; i += 1) if (Math.abs(s.x[i] - x) < Math.abs(s.x[best] - x)) best = i;
    return Number.isFinite(s.y[best]) ? s.y[best] : null;
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

  draw() {
    if (!this.dirty) return false;
    this.dirty = false;
    const ctx = this.canvas.getContext("2d");
    const dpr = window.devicePixelRatio || 1;
    const width = this.canvas.width / dpr;
    const height = this.canvas.height / dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const { x, y } = this.series;
    const x0 = x.length ? x[0] : 0;
    const x1 = x.length > 1 ? x[x.length - 1] : x0 + 1;
    let top = 0;
    for (const v of y) if (v > top) top = v;
    top = Math.min(Math.max(top * 1.1, 0.01), 1); // past 100 % (a blow-up) is clipped at the top
    const bottom = height - 6;
    const sx = (v) => PAD.left + ((v - x0) / (x1 - x0 || 1)) * (width - PAD.left - PAD.right);
    const sy = (v) => bottom - (Math.min(v, top) / top) * (bottom - 6);
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = this.colors.text;
    ctx.strokeStyle = this.colors.grid;
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const t of niceTicks(0, top, 2)) {
      const py = Math.round(sy(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(PAD.left, py);
      ctx.lineTo(width - PAD.right, py);
      ctx.stroke();
      ctx.fillText(this.format(t), PAD.left - 6, py);
    }
    const columns = Math.max(2, Math.round(width - PAD.left - PAD.right));
    const line = downsample(x, y, x0, x1, columns);
    if (line.x.length) {
      ctx.beginPath();
      ctx.moveTo(sx(line.x[0]), sy(0));
      for (let i = 0; i < line.x.length; i += 1) ctx.lineTo(sx(line.x[i]), sy(line.y[i]));
      ctx.lineTo(sx(line.x[line.x.length - 1]), sy(0));
      ctx.closePath();
      ctx.fillStyle = this.colors.fill;
      ctx.fill();
      ctx.strokeStyle = this.colors.line;
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
    if (this.cursor !== null && x.length) {
      const cx = Math.round(sx(this.cursor)) + 0.5;
      ctx.strokeStyle = this.colors.cursor;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(cx, 2);
      ctx.lineTo(cx, bottom);
      ctx.stroke();
    }
    return true;
  }
}
