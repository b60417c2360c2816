// Colour lookup tables: one packed RGBA word per byte value, built once per encoding and range,
// so painting a grid is a table look-up per cell and never parses a colour string.
// Colours come from CSS custom properties (see style.css); this module only does arithmetic,
// except readPalette, which reads those properties once.

export const MAX_CLASSES = 6;

/** "#rrggbb", "#rgb" or "rgb(r, g, b)" -> [r, g, b]. */
export function parseColor(text) {
  const s = String(text).trim();
  if (s.startsWith("#")) {
    const hex = s.length === 4 ? [...s.slice(1)].map((c) => c + c).join("") : s.slice(1, 7);
    return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  }
  const parts = s.match(/[\d.]+/g);
  if (!parts || parts.length < 3) throw new Error(`not a colour: ${text}`);
  return parts.slice(0, 3).map(Number);
}

/** The page's palette, read from the custom properties on `root`. */
export function readPalette(root = document.documentElement) {
  const style = getComputedStyle(root);
  const get = (name) => parseColor(style.getPropertyValue(name));
  const classes = [];
  for (let k = 0; k < MAX_CLASSES; k += 1) classes.push(get(`--class-${k}`));
  return { classes, neg: get("--neg"), pos: get("--pos"), paper: get("--paper"), ink: get("--ink") };
}

export function mix(a, b, t) {
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t));
}

/** Packs [r, g, b] into the little-endian word an ImageData Uint32Array view expects. */
export function pack([r, g, b], a = 255) {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

export function unpack(word) {
  return [word & 255, (word >>> 8) & 255, (word >>> 16) & 255, word >>> 24];
}

// How far a confident cell moves from the paper towards its class colour: strong enough to
// read from the back of a room, light enough that the points on top stay visible.
const STRENGTH = 0.62;
const BANDS = 10; // levels of the discretized regression map

/** Diverging colour of t in [-1, 1]: neg at -1, paper at 0, pos at +1. */
function diverging(palette, t, strength = STRENGTH) {
  const end = t < 0 ? palette.neg : palette.pos;
  return mix(palette.paper, end, Math.min(1, Math.abs(t)) * strength);
}

/**
 * A 256-entry table for one grid encoding (see the README's frame layout):
 *   probability: byte/255 = P(class 1); class 0 and class 1 colours either side of paper.
 *   value:       byte/255 maps onto `range`; coloured by sign and size relative to max |range|.
 *   class:       high 3 bits = class, low 5 bits = confidence.
 *   neuron:      like value, for a hidden neuron's activation.
 * `discretize` turns the soft map into hard regions.
 */
export function buildTable(palette, { encoding, range = [0, 1], discretize = false }) {
  const table = new Uint32Array(256);
  const [c0, c1] = palette.classes;
  const [lo, hi] = range;
  const span = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  for (let b = 0; b < 256; b += 1) {
    let rgb;
    if (encoding === "probability") {
      const p = b / 255;
      const t = discretize ? (p < 0.5 ? -1 : 1) * 0.75 : 2 * p - 1;
      rgb = mix(palette.paper, t < 0 ? c0 : c1, Math.abs(t) * STRENGTH);
    } else if (encoding === "class") {
      const k = Math.min(b >> 5, MAX_CLASSES - 1);
      const q = discretize ? 0.75 : (b & 31) / 31;
      rgb = mix(palette.paper, palette.classes[k], (0.25 + 0.75 * q) * STRENGTH);
    } else {
      let t = (lo + ((hi - lo) * b) / 255) / span;
      if (discretize) t = Math.round(t * (BANDS / 2)) / (BANDS / 2);
      const strength = encoding === "neuron" ? 0.9 : STRENGTH;
      rgb = diverging(palette, t, strength);
    }
    table[b] = pack(rgb);
  }
  return table;
}

/** Caches tables by their inputs: ranges change with every regression frame. */
export class TableCache {
  constructor(palette) {
    this.palette = palette;
    this.tables = new Map();
  }

  get(options) {
    const { encoding, range = [0, 1], discretize = false } = options;
    const key = `${encoding}|${range[0]}|${range[1]}|${discretize}`;
    let table = this.tables.get(key);
    if (!table) {
      if (this.tables.size > 64) this.tables.clear();
      table = buildTable(this.palette, { encoding, range, discretize });
      this.tables.set(key, table);
    }
    return table;
  }
}

/** CSS colour of a point of class (or, for regression, target value) `label`. */
export function pointColor(palette, label, problem) {
  if (problem === "regression") {
    // Faint points near zero would vanish on the paper: every point gets some colour.
    const t = Math.max(-1, Math.min(1, label));
    return cssColor(mix(palette.paper, t < 0 ? palette.neg : palette.pos, 0.35 + 0.65 * Math.abs(t)));
  }
  return cssColor(palette.classes[label % MAX_CLASSES]);
}

/** Colour of a link of weight w, where `scale` is the weight that gets full colour. */
export function weightColor(palette, w, scale) {
  return cssColor(diverging(palette, w / (scale || 1), 1));
}

export function cssColor([r, g, b], alpha = 1) {
  return alpha === 1 ? `rgb(${r},${g},${b})` : `rgba(${r},${g},${b},${alpha})`;
}
