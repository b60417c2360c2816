// The boundary plot, one for every page: the network's output over [-6, 6]² painted as ImageData
// at grid resolution through a colour table (CSS scales it up), and the data points on a second
// canvas at CSS size × devicePixelRatio, redrawn only when the points or the view change. Marker
// size and outline are options — big and thick on a projector, small in a comparison strip. The
// playground's PickBoard adds click-to-pick and PNG export.

import { cssColor, MAX_CLASSES, pointColor } from "../lib/palette.js";
import { keep, sameBytes } from "../lib/repaint.js";

export const EXTENT = 6;
export const SHAPES = ["circle", "square", "triangle", "diamond", "down", "star"];

export class Board {
  /** `wrap` holds canvas.heat and canvas.points; options: {radius: [min, max], outline, ring,
   *  scale} — ring is the test points' outline width, 1.8 × outline unless given. */
  constructor(wrap, { palette, invalidate, radius = [3, 6.5], outline = 1, ring = outline * 1.8, scale = 90 }) {
    this.heat = wrap.querySelector("canvas.heat");
    this.overlay = wrap.querySelector("canvas.points");
    this.palette = palette;
    this.invalidate = invalidate;
    this.options = { radius, outline, ring, scale };
    this.data = { train: [], test: [] };
    this.problem = "binary";
    this.showTest = false;
    this.dirty = true;
    this.size = 0;
    new ResizeObserver(() => this.resize()).observe(this.overlay);
  }

  /** Paints `bytes` (resolution² cells, row 0 at the top) through a 256-entry colour table. */
  paintGrid(bytes, resolution, table) {
    if (this.image?.width === resolution && table === this.table && sameBytes(bytes, this.bytes)) return;
    this.table = table;
    this.bytes = keep(bytes);
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
    const { radius: [lo, hi], outline, ring, scale } = this.options;
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
      ctx.lineWidth = isTest ? ring : outline;
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

/** The playground's board: a click reports the point under it, and the plot exports as PNG. */
export class PickBoard extends Board {
  constructor(wrap, { onPick, ...options }) {
    super(wrap, options);
    this.overlay.addEventListener("click", (event) => {
      const [x1, x2] = this.toWorld(event.offsetX, event.offsetY);
      onPick?.({ x1, x2, remove: event.shiftKey });
    });
  }

  toWorld(px, py) {
    const size = this.size || 1;
    const clampEdge = (v) => Math.max(-EXTENT, Math.min(EXTENT, v));
    return [clampEdge((px / size) * 2 * EXTENT - EXTENT), clampEdge(EXTENT - (py / size) * 2 * EXTENT)];
  }

  /** The plot with its points as a PNG blob, `size` pixels square. */
  toBlob(size = 800) {
    const canvas = document.createElement("canvas");
    canvas.width = size;
    canvas.height = size;
    const ctx = canvas.getContext("2d");
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(this.heat, 0, 0, size, size);
    ctx.drawImage(this.overlay, 0, 0, size, size);
    return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  }
}

/** Traces one marker shape centred at (x, y) with "radius" r. */
export function shape(ctx, kind, x, y, r) {
  ctx.beginPath();
  if (kind === "circle") {
    ctx.arc(x, y, r, 0, 2 * Math.PI);
  } else if (kind === "square") {
    const s = r * 0.88;
    ctx.rect(x - s, y - s, 2 * s, 2 * s);
  } else if (kind === "star") {
    for (let i = 0; i < 10; i += 1) {
      const a = -Math.PI / 2 + (i * Math.PI) / 5;
      const rr = i % 2 ? r * 0.5 : r * 1.2;
      ctx.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
    }
  } else {
    const corners = { triangle: [-90, 30, 150], down: [90, 210, 330], diamond: [0, 90, 180, 270] };
    const grow = kind === "diamond" ? 1.15 : 1.25;
    for (const deg of corners[kind]) {
      const a = (deg * Math.PI) / 180;
      ctx.lineTo(x + r * grow * Math.cos(a), y + r * grow * Math.sin(a));
    }
  }
  ctx.closePath();
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
