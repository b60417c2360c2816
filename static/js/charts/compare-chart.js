// Every run's loss curve on one set of axes, each in its own colour and dash (so the runs differ
// by more than colour), linear or log. Runs are told apart by a legend beside the canvas.
// Stores points as they come and redraws only when asked by the page's scheduler.

import { PAD, downsample, thin } from "./chart.js";
import { formatLoss, formatValue, niceTicks } from "../lib/scales.js";

export const DASHES = [[], [9, 5], [2, 4], [10, 4, 2, 4]];
const MAX_POINTS = 4000;

export class OverlayChart {
  /** colors: {grid, text, cursor}; legend: an element for the runs' keys; runs come by setRuns. */
  constructor(canvas, readout, { colors, invalidate, legend }) {
    this.canvas = canvas;
    this.readout = readout;
    this.legend = legend;
    this.colors = colors;
    this.invalidate = invalidate;
    this.runs = [];
    this.series = [];
    this.log = false;
    this.which = "train";
    this.hover = null;
    this.cursor = null;
    canvas.addEventListener("pointermove", (e) => this.pointAt(e.offsetX));
    canvas.addEventListener("pointerleave", () => this.pointAt(null));
    new ResizeObserver(() => this.resize()).observe(canvas);
  }

  /** runs: [{color, name}] in panel order; forgets every curve. */
  setRuns(runs) {
    this.runs = runs;
    this.series = runs.map(() => ({ x: [], train: [], test: [], step: [] }));
    this.showLegend();
    this.changed();
  }

  showLegend() {
    if (!this.legend) return;
    this.legend.replaceChildren(...this.runs.map((run, i) => {
      const key = document.createElement("span");
      key.style.color = run.color;
      key.innerHTML = `<svg viewBox="0 0 36 8" aria-hidden="true"><line x1="1" y1="4" x2="35" y2="4"
        stroke="currentColor" stroke-width="3" stroke-dasharray="${DASHES[i % DASHES.length].join(" ")}"/></svg>`;
      key.append(run.name);
      return key;
    }));
  }

  /** Renames runs (a value changed) without forgetting their curves. */
  renameRuns(names) {
    names.forEach((name, i) => {
      if (this.runs[i]) this.runs[i].name = name;
    });
    this.showLegend();
    this.changed();
  }

  clear(index) {
    if (this.series[index]) this.series[index] = { x: [], train: [], test: [], step: [] };
    this.changed();
  }

  push(index, point) {
    const s = this.series[index];
    if (!s) return;
    const x = point.epoch;
    while (s.x.length && s.step[s.step.length - 1] >= point.step) { // a rewind or a repeat
      for (const key of Object.keys(s)) s[key].pop();
    }
    s.x.push(x);
    s.train.push(point.train_loss ?? NaN);
    s.test.push(point.test_loss ?? NaN);
    s.step.push(point.step);
    if (s.x.length > MAX_POINTS) thin(s);
    this.changed();
  }

  setLog(log) {
    this.log = log;
    this.changed();
  }

  /** "train" or "test": which loss the curves show. */
  setWhich(which) {
    this.which = which;
    this.changed();
  }

  setCursor(x) {
    if (x === this.cursor) return;
    this.cursor = x;
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

  pointAt(offsetX) {
    const x = offsetX === null || !this.scaleX ? null : this.scaleX.invert(offsetX);
    if (x === this.hover) return;
    this.hover = x;
    this.changed();
  }

  /** Each run's loss nearest to epoch x, in words. */
  describe(x) {
    const parts = this.series.map((s, i) => {
      if (!s.x.length) return null;
      let best = 0;
      for (let j = 1; j < s.x.length; j += 1) if (Math.abs(s.x[j] - x) < Math.abs(s.x[best] - x)) best = j;
      return `${this.runs[i]?.name}: ${formatLoss(s[this.which][best])}`;
    }).filter(Boolean);
    const loss = this.which === "train" ? "training" : "test";
    return `epoch ${formatValue(x, 4)} · ${loss} loss · ${parts.join(" · ")}`;
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
    const f = this.log ? (v) => Math.log10(Math.max(v, 1e-12)) : (v) => v;
    let x1 = 1;
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of this.series) {
      if (s.x.length) x1 = Math.max(x1, s.x[s.x.length - 1]);
      for (const v of s[this.which]) {
        if (!Number.isFinite(v) || (this.log && v <= 0)) continue;
        lo = Math.min(lo, f(v));
        hi = Math.max(hi, f(v));
      }
    }
    let range = this.log ? [lo, hi] : [0, hi * 1.05];
    if (!Number.isFinite(lo)) range = this.log ? [-2, 0] : [0, 1];
    else if (this.log && hi - lo < 0.5) range = [lo - 0.25, hi + 0.25];
    const sx = scale(0, x1, PAD.left, width - PAD.right);
    const sy = scale(range[0], range[1], height - PAD.bottom, PAD.top);
    this.scaleX = sx;
    this.axes(ctx, width, height, sx, sy, range, x1);
    ctx.save();
    ctx.beginPath();
    ctx.rect(PAD.left, PAD.top - 2, width - PAD.left - PAD.right, height - PAD.top - PAD.bottom + 4);
    ctx.clip();
    const columns = Math.max(2, Math.round(width - PAD.left - PAD.right));
    this.series.forEach((s, i) => {
      const line = downsample(s.x, s[this.which].map(f), 0, x1, columns);
      if (!line.x.length) return;
      ctx.strokeStyle = this.runs[i]?.color ?? this.colors.text;
      ctx.lineWidth = 2.25;
      ctx.setLineDash(DASHES[i % DASHES.length]);
      ctx.lineJoin = "round";
      ctx.beginPath();
      line.x.forEach((x, j) => (j ? ctx.lineTo(sx(x), sy(line.y[j])) : ctx.moveTo(sx(x), sy(line.y[j]))));
      ctx.stroke();
    });
    ctx.setLineDash([]);
    for (const [x, color] of [[this.cursor, this.colors.cursor], [this.hover, this.colors.grid]]) {
      if (x === null) continue;
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(Math.round(sx(x)) + 0.5, PAD.top);
      ctx.lineTo(Math.round(sx(x)) + 0.5, height - PAD.bottom);
      ctx.stroke();
    }
    ctx.restore();
    const at = this.hover ?? this.cursor;
    this.readout.textContent = this.series.some((s) => s.x.length)
      ? this.describe(at ?? x1) : "No training yet.";
    return true;
  }

  axes(ctx, width, height, sx, sy, [y0, y1], x1) {
    ctx.font = "12px system-ui, sans-serif";
    ctx.lineWidth = 1;
    ctx.setLineDash([]);
    ctx.fillStyle = this.colors.text;
    ctx.strokeStyle = this.colors.grid;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const ticks = this.log ? logTicks(y0, y1) : niceTicks(y0, y1, 4);
    for (const t of ticks) {
      const y = Math.round(sy(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(PAD.left, y);
      ctx.lineTo(width - PAD.right, y);
      ctx.stroke();
      ctx.fillText(formatValue(this.log ? 10 ** t : t, 3), PAD.left - 6, y);
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const t of niceTicks(0, x1, Math.max(2, Math.floor((width - PAD.left) / 80)))) {
      const label = formatValue(t, 4);
      const half = ctx.measureText(label).width / 2;
      ctx.fillText(label, Math.min(sx(t), width - half - 1), height - PAD.bottom + 6);
    }
  }
}

/** log10 ticks at 1, 2, 5 × 10^k inside [y0, y1], or only the decades when there are many. */
function logTicks(y0, y1) {
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

function scale(d0, d1, r0, r1) {
  const k = (r1 - r0) / (d1 - d0 || 1);
  const f = (v) => r0 + (v - d0) * k;
  f.invert = (r) => d0 + (r - r0) / k;
  return f;
}
