// The network diagram: a column per layer, each neuron a small heatmap of its own output, and
// links coloured by sign and thickened by size of their weight. Links are bucketed by colour and
// width so a redraw strokes a couple of dozen paths, whatever the size of the network. Each map is
// painted on a canvas of its own, kept out of the page, and copied onto one canvas over the
// diagram: one layer for the browser to keep up to date each frame, not one per neuron.

import { FEATURE_INFO, featureMap } from "../lib/features.js";
import { keep, sameBytes } from "../lib/repaint.js";
import { cssColor } from "../lib/palette.js";
import { formatValue } from "../lib/scales.js";
import { curve, distanceToCurve } from "./link-curves.js";

const LEVELS = 10; // widths a link can have
const HEAD = 40; // px above the neurons for the column headings
const NARROW = 78; // px between columns under which a layer's "− n +" stacks: n over − +
const FEATURE_RES = 24;

export class NetworkDiagram {
  constructor(root, { palette, tables, invalidate, onHoverNeuron, onLayerChange }) {
    this.root = root;
    this.palette = palette;
    this.tables = tables;
    this.invalidate = invalidate;
    this.onHoverNeuron = onHoverNeuron;
    this.onLayerChange = onLayerChange;
    this.canvas = el("canvas", "links");
    this.nodes = el("div", "net-nodes");
    this.maps = el("canvas", "maps");
    this.tip = el("div", "net-tip");
    this.tip.hidden = true;
    // The hovered neuron, large, beside it: where the eye already is.
    this.zoom = el("canvas", "net-zoom");
    this.zoom.hidden = true;
    this.zoom.setAttribute("aria-hidden", "true");
    this.hovered = null; // the neuron's map while the pointer is on it
    root.append(this.canvas, this.nodes, this.maps, this.zoom, this.tip);
    this.arch = null;
    this.frame = null;
    this.hoverLink = null;
    this.dirty = true;
    root.addEventListener("pointermove", (e) => this.pointer(e));
    root.addEventListener("pointerleave", () => this.showLink(null));
    new ResizeObserver(() => this.layout()).observe(root);
  }

  /** {features: [...], hidden: [8, 8], outputs: 1, problem}: rebuilds the columns. */
  setArchitecture(arch) {
    this.arch = arch;
    this.frame = null;
    this.layout();
  }

  setFrame(frame) {
    this.frame = frame;
    this.dirty = true;
  }

  layout() {
    if (!this.arch) return;
    const { features, hidden, outputs } = this.arch;
    const sizes = [features.length, ...hidden, outputs];
    const width = this.root.clientWidth;
    const tallest = Math.max(...sizes);
    const columnGap = width / sizes.length;
    const node = Math.max(12, Math.min(44, columnGap * 0.34, 440 / tallest - 8));
    const gap = Math.max(4, node * 0.28);
    // Close columns stack each heading (count over its buttons) so neighbours don't touch.
    const narrow = sizes.length > 1 && (width - node * 2.2) / (sizes.length - 1) < NARROW;
    this.root.classList.toggle("narrow", narrow);
    const head = narrow ? HEAD + 14 : HEAD;
    const height = head + tallest * (node + gap) + 8;
    this.root.style.height = `${height}px`;
    const left = node * 1.6; // room for the input labels
    const span = width - left - node * 0.6;
    this.columns = sizes.map((count, c) => {
      const x = left + (sizes.length === 1 ? 0 : (c * (span - node)) / (sizes.length - 1));
      const top = head + (tallest - count) * (node + gap) * 0.5;
      return Array.from({ length: count }, (_, k) => ({ x, y: top + k * (node + gap) }));
    });
    this.node = node;
    this.buildNodes(sizes);
    const dpr = window.devicePixelRatio || 1;
    for (const canvas of [this.canvas, this.maps]) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
    }
    this.linksStale = true; // a resized canvas is blank
    this.boxes = null; // where each map goes: measured at the next draw, once laid out
    this.dirty = true;
    this.invalidate?.();
  }

  buildNodes(sizes) {
    const { features, hidden, problem } = this.arch;
    const last = sizes.length - 1;
    this.nodes.replaceChildren();
    this.cells = [];
    this.columns.forEach((column, c) => {
      const kind = c === 0 ? "input" : c === last ? "output" : "hidden";
      this.nodes.append(this.heading(c, kind, column, hidden));
      this.cells.push(column.map((pos, k) => {
        const div = el("div", `neuron ${kind}`);
        Object.assign(div.style, { left: `${pos.x}px`, top: `${pos.y}px`,
          width: `${this.node}px`, height: `${this.node}px` });
        div.dataset.layer = c;
        div.dataset.index = k;
        const canvas = el("canvas"); // the map, copied into the box by drawMap()
        if (kind === "input") {
          const label = el("span", "neuron-label");
          label.textContent = FEATURE_INFO[features[k]].label;
          div.append(label);
          this.paintFeature(canvas, features[k]);
        }
        if (kind === "output" && problem === "multiclass") div.classList.add(`class-${k}`);
        div.addEventListener("pointerenter", () => this.enterNeuron(c, k, kind, div));
        div.addEventListener("pointerleave", () => {
          this.tip.hidden = true;
          this.zoom.hidden = true;
          this.hovered = null;
          this.onHoverNeuron?.(null);
        });
        this.nodes.append(div);
        return canvas;
      }));
    });
  }

  heading(c, kind, column, hidden) {
    const head = el("div", "net-head");
    head.style.left = `${(column[0]?.x ?? 0) + this.node / 2}px`;
    if (kind !== "hidden") {
      head.textContent = kind === "input" ? "Inputs" : "Output";
      return head;
    }
    const width = hidden[c - 1];
    const minus = button("−", `Remove a neuron from hidden layer ${c}`, width <= 1);
    const plus = button("+", `Add a neuron to hidden layer ${c}`, width >= 32);
    minus.addEventListener("click", () => this.onLayerChange?.(c - 1, -1));
    plus.addEventListener("click", () => this.onLayerChange?.(c - 1, 1));
    const count = el("span", "net-count");
    count.textContent = String(width);
    count.title = `${width} neurons`;
    head.append(minus, count, plus);
    return head;
  }

  enterNeuron(c, k, kind, div) {
    const bias = this.frame?.weights?.[c - 1]?.b?.[k];
    const name = kind === "input" ? `Input ${FEATURE_INFO[this.arch.features[k]].label}`
      : kind === "output" ? "Output" : `Hidden layer ${c}, neuron ${k + 1}`;
    this.hovered = this.cells[c][k];
    const size = Math.min(160, Math.max(96, this.root.clientWidth * 0.4));
    // Beside the neuron, on whichever side has room, kept inside the diagram.
    const right = div.offsetLeft + this.node + 8;
    const x = right + size <= this.root.clientWidth ? right : div.offsetLeft - size - 8;
    const y = Math.min(Math.max(0, div.offsetTop + this.node / 2 - size / 2),
      Math.max(0, this.root.clientHeight - size));
    Object.assign(this.zoom.style, { left: `${Math.max(0, x)}px`, top: `${y}px`,
      width: `${size}px`, height: `${size}px` });
    this.zoom.hidden = false;
    this.showZoom();
    this.tipAt(Math.max(0, x), y + size + 4,
      bias === undefined ? name : `${name} · bias ${formatValue(bias, 3)}`);
    this.onHoverNeuron?.({ layer: c, index: k, kind });
  }

  /** Copies the hovered neuron's map into the large view (the browser smooths the scaling). */
  showZoom() {
    const source = this.hovered;
    if (!source || this.zoom.hidden || !source.width) return;
    const dpr = window.devicePixelRatio || 1;
    const side = Math.round(this.zoom.clientWidth * dpr);
    if (this.zoom.width !== side) {
      this.zoom.width = side;
      this.zoom.height = side;
    }
    const ctx = this.zoom.getContext("2d");
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(source, 0, 0, side, side);
  }

  /** Each map's box inside its neuron's border, in CSS px (from the styles: no layout asked). */
  measure() {
    const divs = this.nodes.querySelectorAll(".neuron");
    let i = 0;
    this.boxes = this.columns.map((column) => column.map(({ x, y }) => {
      const border = parseFloat(getComputedStyle(divs[i++]).borderTopWidth) || 0;
      return { x: x + border, y: y + border, size: this.node - 2 * border };
    }));
  }

  /** Copies neuron (c, k)'s map into its box, its corners rounded as the box's are. */
  drawMap(c, k) {
    const canvas = this.cells[c][k];
    const box = this.boxes[c][k];
    const ctx = this.maps.getContext("2d");
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(box.x, box.y, box.size, box.size);
    if (!canvas.bytes) return; // not painted yet: the box's paper shows
    ctx.save();
    ctx.beginPath();
    ctx.roundRect(box.x, box.y, box.size, box.size, 3);
    ctx.clip();
    ctx.drawImage(canvas, box.x, box.y, box.size, box.size);
    ctx.restore();
  }

  paintFeature(canvas, name) {
    const { bytes, range } = featureMap(name, FEATURE_RES);
    paint(canvas, bytes, FEATURE_RES, this.tables.get({ encoding: "neuron", range }));
  }

  /** Repaints the links and the hidden neurons' maps if a frame arrived since the last draw. */
  draw(outputGrid, outputTable) {
    if (!this.dirty || !this.columns) return false;
    this.dirty = false;
    const all = !this.boxes; // laid out again: every map goes in its new box
    if (all) this.measure();
    const show = (c, k, bytes, resolution, table) => {
      if (this.cells[c]?.[k] && paint(this.cells[c][k], bytes, resolution, table) && !all) this.drawMap(c, k);
    };
    const neurons = this.frame?.neurons;
    neurons?.layers.forEach(({ range, cells }, l) => {
      const table = this.tables.get({ encoding: "neuron", range });
      cells.forEach((bytes, k) => show(l + 1, k, bytes, neurons.resolution, table));
    });
    const last = this.cells.length - 1;
    if (outputGrid && this.arch.problem !== "multiclass") {
      show(last, 0, outputGrid.bytes, outputGrid.resolution, outputTable);
    }
    if (all) this.cells.forEach((column, c) => column.forEach((_, k) => this.drawMap(c, k)));
    if (this.linksChanged()) this.drawLinks();
    this.showZoom();
    return true;
  }

  /** Whether the links would look different: each is drawn by the sign and level of its weight,
   * which settle long before the weights do, so most frames keep the links drawn. */
  linksChanged() {
    const keys = [...this.links()].map(({ w }) => linkKey(w));
    const hover = this.hoverLink;
    const same = !this.linksStale && hover === this.drawnHover && this.linkKeys?.length === keys.length
      && keys.every((key, i) => key === this.linkKeys[i]);
    this.linkKeys = keys;
    this.drawnHover = hover;
    this.linksStale = false;
    return !same;
  }

  drawLinks() {
    const ctx = this.canvas.getContext("2d");
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    const layers = this.frame?.weights;
    if (!layers) return;
    const buckets = new Map();
    for (const link of this.links()) {
      const key = linkKey(link.w);
      if (!buckets.has(key)) buckets.set(key, []);
      buckets.get(key).push(link);
    }
    const n = this.node;
    for (const [key, links] of buckets) {
      const level = Math.abs(key) - 1;
      ctx.strokeStyle = cssColor(key < 0 ? this.palette.neg : this.palette.pos, 0.3 + level * 0.07);
      ctx.lineWidth = 0.5 + level * 0.5;
      ctx.beginPath();
      for (const { a, b } of links) curve(ctx, a, b, n);
      ctx.stroke();
    }
    if (this.hoverLink) {
      ctx.strokeStyle = cssColor(this.palette.ink);
      ctx.lineWidth = 2.5;
      ctx.beginPath();
      curve(ctx, this.hoverLink.a, this.hoverLink.b, n);
      ctx.stroke();
    }
  }

  /** Every link of the current frame: {a, b, w, from, to, layer}. */
  *links() {
    const layers = this.frame?.weights || [];
    for (let l = 0; l < layers.length && l + 1 < this.columns.length; l += 1) {
      const { inputs, outputs, w } = layers[l];
      for (let i = 0; i < inputs; i += 1) {
        for (let j = 0; j < outputs; j += 1) {
          const a = this.columns[l][i];
          const b = this.columns[l + 1][j];
          if (a && b) yield { a, b, w: w[i * outputs + j], from: i, to: j, layer: l };
        }
      }
    }
  }

  pointer(event) {
    if (event.target !== this.canvas) return;
    const rect = this.root.getBoundingClientRect();
    const px = event.clientX - rect.left;
    const py = event.clientY - rect.top;
    let best = null;
    let bestDistance = 6;
    for (const link of this.links()) {
      const d = distanceToCurve(px, py, link.a, link.b, this.node);
      if (d < bestDistance) {
        best = link;
        bestDistance = d;
      }
    }
    this.showLink(best, px, py);
  }

  showLink(link, px, py) {
    if (link === this.hoverLink || (link && this.hoverLink && link.layer === this.hoverLink.layer
      && link.from === this.hoverLink.from && link.to === this.hoverLink.to)) {
      if (link) this.tipAt(px + 12, py - 8, this.tip.textContent);
      return;
    }
    this.hoverLink = link;
    if (link) this.tipAt(px + 12, py - 8, `weight ${formatValue(link.w, 3)}`);
    else this.tip.hidden = true;
    this.dirty = true;
    this.invalidate?.();
  }

  tipAt(x, y, text) {
    this.tip.textContent = text;
    this.tip.hidden = false;
    const maxX = this.root.clientWidth - this.tip.offsetWidth - 4;
    this.tip.style.left = `${Math.max(0, Math.min(x, maxX))}px`;
    this.tip.style.top = `${Math.max(0, y)}px`;
  }
}

/** A link's look: the sign of its weight times 1 + its level of thickness and opacity. */
function linkKey(w) {
  return (w < 0 ? -1 : 1) * (1 + Math.min(LEVELS - 1, Math.floor(Math.abs(w) * 2.5)));
}

function paint(canvas, bytes, resolution, table) {
  if (canvas.width !== resolution) {
    canvas.width = resolution;
    canvas.height = resolution;
    canvas.image = null;
    canvas.bytes = null; // a resized canvas is blank
  }
  if (!canvas.image) {
    canvas.image = new ImageData(resolution, resolution);
    canvas.words = new Uint32Array(canvas.image.data.buffer);
  }
  if (canvas.table === table && sameBytes(canvas.bytes, bytes)) return false; // already shown
  canvas.table = table;
  canvas.bytes = keep(bytes);
  const words = canvas.words;
  for (let i = 0; i < words.length; i += 1) words[i] = table[bytes[i]];
  canvas.getContext("2d").putImageData(canvas.image, 0, 0);
  return true;
}

function el(tag, className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
}

function button(text, label, disabled) {
  const b = el("button", "net-button");
  b.type = "button";
  b.textContent = text;
  b.setAttribute("aria-label", label);
  b.title = label;
  b.disabled = disabled;
  return b;
}
