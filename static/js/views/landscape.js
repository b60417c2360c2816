// The loss landscape: a slice through weight space as a heatmap of log loss with contour lines,
// and each run's path of checkpoints projected onto it, joined in order, the shown one marked.
// Drawing only: the answer comes from the landscape feed (net/landscape-feed.js). The heatmap
// is painted as ImageData at grid resolution from a grey lookup table and scaled by the canvas;
// contours are traced by marching squares on the log of the loss, so a valley shows as rings.

import { mix, pack } from "../lib/palette.js";
import { formatCount, formatLoss, formatPercent } from "../lib/scales.js";

const LEVELS = 9; // contour lines between the lowest and the highest loss, evenly in log
const SHADES = 256;
const NEAR_PX = 10; // how close the pointer must come to a path point to name it

export class LandscapeView {
  /**
   * canvas: where it draws; caption: the line saying what the axes hold; tip: where a hovered
   * point is named. o: {palette ({paper, ink}), paths() → [{color, dash}] per path index}
   */
  constructor(canvas, caption, tip, o) {
    Object.assign(this, { canvas, caption, tip, o });
    this.answer = null;
    this.marked = []; // per path: the checkpoint `at` shown, or null for the latest
    this.dirty = false;
    this.spots = []; // [{x, y, path, point}] in CSS pixels, for hovering
    const shades = new Uint32Array(SHADES);
    for (let i = 0; i < SHADES; i += 1) {
      shades[i] = pack(mix(o.palette.paper, o.palette.ink, 0.06 + 0.5 * (i / (SHADES - 1))));
    }
    this.shades = shades;
    canvas.addEventListener("pointermove", (event) => this.hover(event));
    canvas.addEventListener("pointerleave", () => this.showTip(null));
  }

  /** A new answer from the server (see the Landscape schema in the README). */
  take(answer) {
    this.answer = answer;
    this.dirty = true;
    const [a, b] = answer.axes.map((axis) => formatPercent(axis.explained));
    const kind = answer.directions === "pca" ? "the path's two main directions"
      : "two random directions (the path is still too short for its own)";
    this.caption.textContent = `Across: ${a} of the path's spread; up: ${b}. The plane is spanned `
      + `by ${kind}, centred on ${answer.centre === "now" ? "the weights now" : "the shared start"}`
      + (answer.capped ? "; the darkest cells overflowed and are capped." : ".")
      + (answer.points < answer.training_points
        ? ` Loss measured on ${formatCount(answer.points)} of ${formatCount(answer.training_points)} training points.`
        : "");
  }

  /** Marks checkpoint `at` of path `index` (null: its latest point). */
  mark(index, at) {
    if ((this.marked[index] ?? null) === at) return;
    this.marked[index] = at;
    this.dirty = true;
  }

  draw() {
    if (!this.dirty || !this.answer) return false;
    this.dirty = false;
    const { canvas, answer } = this;
    const ratio = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    if (!w || !h) return false;
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const r = answer.resolution;
    const logs = answer.values.map((v) => Math.log10(Math.max(v, 1e-12)));
    const lo = Math.min(...logs);
    const hi = Math.max(...logs);
    const span = hi - lo || 1;
    ctx.imageSmoothingEnabled = true;
    const sx = w / (r - 1); // grid nodes sit at 0 … w: the centre cell is the middle pixel
    const sy = h / (r - 1);
    ctx.drawImage(this.heat(logs, lo, span, r), -sx / 2, -sy / 2, w + sx, h + sy);
    ctx.strokeStyle = `rgb(${this.o.palette.ink.join(" ")} / .45)`;
    ctx.lineWidth = 1;
    for (let k = 1; k < LEVELS; k += 1) contour(ctx, logs, r, lo + (span * k) / LEVELS, sx, sy);
    this.drawPaths(ctx, w, h);
    return true;
  }

  heat(logs, lo, span, r) {
    const image = new ImageData(r, r);
    const words = new Uint32Array(image.data.buffer);
    for (let i = 0; i < logs.length; i += 1) {
      words[i] = this.shades[Math.round(((logs[i] - lo) / span) * (SHADES - 1))];
    }
    const off = new OffscreenCanvas(r, r);
    off.getContext("2d").putImageData(image, 0, 0);
    return off;
  }

  drawPaths(ctx, w, h) {
    const [ax, ay] = this.answer.axes.map((axis) => axis.range);
    const px = (x) => ((x - ax[0]) / (ax[1] - ax[0])) * w;
    const py = (y) => h - ((y - ay[0]) / (ay[1] - ay[0])) * h;
    this.spots = [];
    this.answer.paths.forEach((path, index) => {
      const style = this.o.paths()[index] ?? this.o.paths()[0];
      const points = path.points;
      if (!points.length) return;
      ctx.save();
      ctx.strokeStyle = style.color;
      ctx.lineWidth = 2;
      ctx.setLineDash(style.dash ?? []);
      ctx.beginPath();
      points.forEach((p, i) => (i ? ctx.lineTo(px(p.x), py(p.y)) : ctx.moveTo(px(p.x), py(p.y))));
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = style.color;
      for (const p of points) {
        this.spots.push({ x: px(p.x), y: py(p.y), path: index, point: p });
        ctx.fillRect(px(p.x) - 1.5, py(p.y) - 1.5, 3, 3);
      }
      const at = this.marked[index] ?? null;
      const shown = (at === null ? null : points.find((p) => p.at === at)) ?? points.at(-1);
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = `rgb(${this.o.palette.paper.join(" ")})`;
      ctx.beginPath();
      ctx.arc(px(shown.x), py(shown.y), 6, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
      ctx.restore();
    });
    const shownAt = this.answer.paths.map((path, i) => this.marked[i] ?? path.points.at(-1)?.at ?? null);
    this.canvas.dataset.marked = JSON.stringify(shownAt); // what tests and tools read
    this.canvas.dataset.paths = String(this.answer.paths.length);
  }

  hover(event) {
    const box = this.canvas.getBoundingClientRect();
    const x = event.clientX - box.left;
    const y = event.clientY - box.top;
    let best = null;
    let bestD = NEAR_PX * NEAR_PX;
    for (const spot of this.spots) {
      const d = (spot.x - x) ** 2 + (spot.y - y) ** 2;
      if (d <= bestD) [best, bestD] = [spot, d];
    }
    this.showTip(best);
  }

  showTip(spot) {
    if (!spot) {
      this.tip.textContent = "Hover a point of the path: its epoch and its real loss.";
      return;
    }
    const name = this.o.paths()[spot.path]?.name;
    const loss = spot.point.loss === null ? "not finite" : formatLoss(spot.point.loss);
    this.tip.textContent = `${name ? `${name}: ` : ""}epoch ${formatCount(spot.point.epoch)}, `
      + `training loss ${loss} (the real one: the point itself is off this plane).`;
  }
}

/** Marching squares: the line where the grid `v` (r × r, row 0 at the top) crosses `level`. */
function contour(ctx, v, r, level, sx, sy) {
  ctx.beginPath();
  for (let i = 0; i < r - 1; i += 1) {
    for (let j = 0; j < r - 1; j += 1) {
      const corners = [v[i * r + j], v[i * r + j + 1], v[(i + 1) * r + j + 1], v[(i + 1) * r + j]];
      const edges = [];
      for (let e = 0; e < 4; e += 1) {
        const a = corners[e];
        const b = corners[(e + 1) % 4];
        if ((a < level) === (b < level)) continue;
        const t = (level - a) / (b - a);
        const [x0, y0, x1, y1] = SIDES[e];
        edges.push([(j + x0 + (x1 - x0) * t) * sx, (i + y0 + (y1 - y0) * t) * sy]);
      }
      for (let k = 0; k + 1 < edges.length; k += 2) {
        ctx.moveTo(...edges[k]);
        ctx.lineTo(...edges[k + 1]);
      }
    }
  }
  ctx.stroke();
}

// The corners of a cell, clockwise from the top left, as the sides between them: [x0, y0, x1, y1]
const SIDES = [[0, 0, 1, 0], [1, 0, 1, 1], [1, 1, 0, 1], [0, 1, 0, 0]];
