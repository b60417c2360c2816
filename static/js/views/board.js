// A boundary plot for the classroom pages: the grid painted as ImageData at its own resolution
// (CSS scales it up), the points on a second canvas at CSS size × devicePixelRatio. Unlike the
// playground's plot it takes its marker size and outline as options — big and thick on a
// projector, small in a comparison strip — and takes no clicks.

import { EXTENT, SHAPES, shape } from "./heatmap.js";
import { cssColor, MAX_CLASSES, pointColor } from "../lib/palette.js";

export class Board {
  /** `wrap` holds canvas.heat and canvas.points; options: {radius: [min, max], outline, scale} */
  constructor(wrap, { palette, invalidate, radius = [3, 6.5], outline = 1, scale = 90 }) {
    this.heat = wrap.querySelector("canvas.heat");
    this.overlay = wrap.querySelector("canvas.points");
    this.palette = palette;
    this.invalidate = invalidate;
    this.options = { radius, outline, scale };
    this.data = { train: [], test: [] };
    this.problem = "binary";
    this.showTest = false;
    this.dirty = true;
    this.size = 0;
    new ResizeObserver(() => this.resize()).observe(this.overlay);
  }

  /** Paints `bytes` (resolution² cells, row 0 at the top) through a 256-entry colour table. */
  paintGrid(bytes, resolution, table) {
    if (!this.image || this.image.width !== resolution) {
      this.heat.width = resolution;
      this.heat.height = resolution;
      this.image = new ImageData(resolution, resolution);
      this.words = new Uint32Array(this.image.data.buffer);
    }
    const words = this.words;
    for (let i = 0; i < words.length; i += 1) words[i] = table[bytes[i]];
    this.heat.getContext("2d").putImageData(this.image, 0, 0);
  }

  setData(data, problem) {
    this.data = data;
    this.problem = problem;
    this.changed();
  }

  setShowTest(show) {
    if (show === this.showTest) return;
    this.showTest = show;
    this.changed();
  }

  changed() {
    this.dirty = true;
    this.invalidate?.();
  }

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const { width } = this.overlay.getBoundingClientRect();
    this.size = width;
    this.overlay.width = Math.max(1, Math.round(width * dpr));
    this.overlay.height = this.overlay.width;
    this.changed();
  }

  /** Redraws the points if anything changed; returns whether it drew. */
  drawPoints() {
    if (!this.dirty || !this.size) return false;
    this.dirty = false;
    const ctx = this.overlay.getContext("2d");
    const dpr = window.devicePixelRatio || 1;
    const size = this.size;
    const { radius: [lo, hi], outline, scale } = this.options;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size, size);
    const r = Math.max(lo, Math.min(hi, size / scale));
    const place = (v) => ((v + EXTENT) / (2 * EXTENT)) * size;
    const ink = cssColor(this.palette.ink);
    const rim = cssColor(this.palette.paper, 0.95);
    const groups = [[this.data.train, false]];
    if (this.showTest) groups.push([this.data.test, true]);
    for (const [points, isTest] of groups) {
      // Test points: a dark ring, so "never trained on" reads without relying on colour.
      ctx.lineWidth = isTest ? outline * 1.8 : outline;
      ctx.strokeStyle = isTest ? ink : rim;
      for (const [x1, x2, label] of points) {
        ctx.fillStyle = pointColor(this.palette, label, this.problem);
        const kind = this.problem === "regression"
          ? (label < 0 ? "circle" : "square")
          : SHAPES[label % MAX_CLASSES];
        shape(ctx, kind, place(x1), size - place(x2), r);
        ctx.fill();
        ctx.stroke();
      }
    }
    return true;
  }
}

/** The markup a Board expects, for pages that build plots on the fly (comparison strips). */
export function boardElement(label) {
  const wrap = document.createElement("div");
  wrap.className = "board";
  const heat = document.createElement("canvas");
  heat.className = "heat";
  heat.width = heat.height = 1;
  heat.setAttribute("aria-hidden", "true");
  const points = document.createElement("canvas");
  points.className = "points";
  points.setAttribute("role", "img");
  points.setAttribute("aria-label", label);
  wrap.append(heat, points);
  return wrap;
}
