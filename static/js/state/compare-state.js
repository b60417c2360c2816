// The compare page's one state object — the shared config (the playground's hash format), the
// field the runs differ in and each run's value — and its round trip through the URL hash, so a
// copied link rebuilds the same comparison from the same start. Also the pure helpers the page
// needs: how to edit and show a varied value, a run's verdict, and a past boundary as grid bytes.

import { ACTIVATIONS, LIMITS, OPTIMIZERS, SEED_MAX, fromHash, toHash } from "./state.js";
import { formatValue } from "../lib/scales.js";

export const MAX_RUNS = 4;
export const MIN_RUNS = 2;

/**
 * What the runs may differ in: how each value is edited, read and shown, the three values a
 * comparison starts with (plus `extra`, for a fourth run), and what the page calls the runs.
 */
export const VARIED = {
  learning_rate: {
    label: "Step size", kind: "number", limits: LIMITS.learning_rate,
    defaults: [0.0001, 0.03, 3], extra: 0.3, plural: "step sizes",
    story: "small steps settle, tiny steps crawl, big steps never settle",
  },
  batch_size: {
    label: "Batch size", kind: "integer", limits: LIMITS.batch_size, defaults: [1, 10, 250], extra: 50,
    plural: "batch sizes", story: "how many examples each step looks at",
  },
  optimizer: {
    label: "Optimizer", kind: "choice", choices: OPTIMIZERS, defaults: ["sgd", "momentum", "adam"],
    extra: "rmsprop", plural: "optimizers", story: "different rules for turning the error into a step",
  },
  activation: {
    label: "Activation", kind: "choice", choices: ACTIVATIONS, defaults: ["tanh", "relu", "sigmoid"],
    extra: "linear", plural: "activations", story: "a different bend in every neuron",
  },
  hidden_layers: {
    label: "Hidden layers", kind: "layers", defaults: [[2], [8, 8], [8, 8, 8, 8]], extra: [4],
    plural: "hidden layers", story: "networks of different shapes learn the same data",
  },
  seed: {
    label: "Seed", kind: "integer", limits: [0, SEED_MAX], defaults: [0, 1, 2], extra: 3,
    plural: "starting weights", story: "the same data, but each run begins somewhere else",
  },
};

/** `count` values for a comparison of `vary`: its defaults, then its extra value. */
export function valuesFor(vary, count) {
  const { defaults, extra } = VARIED[vary];
  const n = Math.max(MIN_RUNS, Math.min(MAX_RUNS, count));
  return structuredClone([...defaults, extra].slice(0, n));
}

/** The page's title and the line under its heading, for what the runs differ in. */
export function heading(vary) {
  const { plural, story } = VARIED[vary];
  const start = vary === "seed" ? "Different starting weights" : `One start, different ${plural}`;
  return { title: `Stepwise — compare ${plural}`, tagline: `${start}: ${story}.` };
}

const NAMES = { sgd: "plain SGD", momentum: "momentum", rmsprop: "RMSprop", adam: "Adam",
  tanh: "tanh", relu: "ReLU", leaky_relu: "leaky ReLU", sigmoid: "sigmoid", linear: "linear" };

/** A value as the page shows it: 0.03, "Adam", "8, 8", "none". */
export function showValue(vary, value) {
  const spec = VARIED[vary];
  if (spec?.kind === "choice") return NAMES[value] ?? String(value);
  if (spec?.kind === "layers") return value.length ? value.join(", ") : "none";
  return typeof value === "number" ? formatValue(value, 4) : String(value);
}

/** A value typed or read from the hash; throws an Error saying what is wrong. */
export function parseValue(vary, text) {
  const spec = VARIED[vary];
  const raw = String(text).trim();
  if (spec.kind === "choice") {
    if (!spec.choices.includes(raw)) throw new Error(`choose one of ${spec.choices.join(", ")}`);
    return raw;
  }
  if (spec.kind === "layers") {
    if (raw === "" || raw === "none") return [];
    const layers = raw.split(/[\s,]+/).filter(Boolean).map(Number);
    const [lo, hi] = LIMITS.neurons;
    if (layers.length > LIMITS.layers[1] || layers.some((n) => !Number.isInteger(n) || n < lo || n > hi)) {
      throw new Error(`up to ${LIMITS.layers[1]} layers of ${lo}–${hi} neurons, e.g. 8, 8`);
    }
    return layers;
  }
  const n = Number(raw);
  const [lo, hi] = spec.limits;
  const whole = spec.kind !== "integer" || Number.isInteger(n);
  if (raw === "" || !Number.isFinite(n) || n < lo || n > hi || !whole) {
    throw new Error(`choose ${spec.kind === "integer" ? "a whole number" : "a value"} from ${lo} to ${hi}`);
  }
  return n;
}

const VALUE_SEP = ";"; // between runs; hidden layers use commas inside one value

/** The state as a hash (without '#'): the shared config, view and pace, then vary and values. */
export function toCompareHash({ config, view, speed, vary, values }) {
  const shown = values.map((v) => (Array.isArray(v) ? v.join(",") : String(v)));
  const parts = [toHash({ config, view, speed }), `vary=${vary}`,
    `values=${shown.map(encodeURIComponent).join(VALUE_SEP).replace(/%2C/g, ",")}`];
  return parts.filter(Boolean).join("&");
}

/** A state from a hash; anything missing or unreadable falls back to the lesson's defaults. */
export function fromCompareHash(hash) {
  const text = hash.replace(/^#/, "");
  const own = {};
  const rest = [];
  for (const part of text.split("&").filter(Boolean)) {
    const [key, ...value] = part.split("=");
    if (key === "vary" || key === "values") own[key] = decodeURIComponent(value.join("="));
    else rest.push(part);
  }
  const { state } = fromHash(rest.join("&"));
  if (!/(^|&)dataset=/.test(text)) state.config.dataset = "circle"; // the clearest lesson
  if (state.config.dataset === "custom") {
    state.config.dataset = "circle"; // a comparison is made from generated data
    state.config.points = null;
  }
  const vary = own.vary in VARIED ? own.vary : "learning_rate";
  let values = VARIED[vary].defaults;
  if (own.values) {
    try {
      const parsed = own.values.split(VALUE_SEP).map((v) => parseValue(vary, v));
      if (parsed.length >= MIN_RUNS && parsed.length <= MAX_RUNS) values = parsed;
    } catch {
      // keep the defaults
    }
  }
  return { config: state.config, view: state.view, speed: state.speed, vary,
    values: structuredClone(values) };
}

/** The playground's hash for one run: the shared config with that run's value. */
export function playgroundHash({ config, view }, vary, value) {
  return toHash({ config: { ...config, [vary]: value }, view });
}

/** The loss of a series of history points at `epoch`, read between its neighbours. */
function lossAt(series, epoch) {
  const after = series.findIndex((p) => p.epoch >= epoch);
  if (after < 0) return series.at(-1).train_loss;
  if (after === 0) return series[0].train_loss;
  const a = series[after - 1];
  const b = series[after];
  return a.train_loss + ((epoch - a.epoch) / (b.epoch - a.epoch || 1)) * (b.train_loss - a.train_loss);
}

/**
 * How a loss series moves now — its history points ({epoch, train_loss}), in epoch order —
 * as {descending, slow}. Both are read over the last quarter of the epochs so far, which is
 * the same share of a run at any epoch and on any dataset:
 * - descending: that quarter brought at least 10 % of the whole fall since the start (the
 *   server's `settled` marker uses the same test), so the run has not flattened out;
 * - slow: at that quarter's pace, halving the current loss would take longer than all the
 *   epochs run so far. A steady crawl is slow until it has fallen by a third; a run that
 *   found its way falls faster than that.
 */
export function lossPace(series) {
  const points = series.filter((p) => Number.isFinite(p.train_loss));
  const first = points[0];
  const last = points.at(-1);
  if (!first || !(last.epoch > first.epoch)) return { descending: false, slow: false };
  const fall = first.train_loss - last.train_loss;
  const quarter = 0.25 * (last.epoch - first.epoch);
  const recent = lossAt(points, last.epoch - quarter) - last.train_loss;
  const descending = fall > 0 && recent >= 0.1 * fall;
  const toHalve = recent > 0 ? (last.train_loss / 2) / (recent / quarter) : Infinity; // epochs
  return { descending, slow: toHalve > last.epoch - first.epoch };
}

/**
 * What a run is doing, in words, from its status, its first and latest training loss, its
 * loss series (history points), the markers the server found and whether its boundary is calm
 * now: {kind, text}. Crawling means still descending, slowly (see `lossPace`): true of tiny
 * steps on any dataset, and of no run that has flattened out or is falling fast. The order
 * matters: a run that blew up or swings is not "settled" just because its boundary stopped
 * moving for a while, nor is a crawl whose tiny steps hardly move the boundary; a run still
 * descending is not settled either, as the server's marker holds.
 */
export function verdict({ status, epoch, first, last, markers, calm = false, series = [] }) {
  if (status === "diverged") return { kind: "diverged", text: "Diverged: each step overshot further" };
  if (!epoch || !Number.isFinite(first) || !Number.isFinite(last)) {
    return { kind: "ready", text: "Ready at the shared start" };
  }
  const latest = (kind) => markers.filter((m) => m.kind === kind).at(-1);
  const swings = latest("oscillating");
  const settled = latest("settled");
  const drop = (first - last) / first;
  if (swings && (!settled || swings.step >= settled.step)) {
    return { kind: "oscillating", text: "Oscillating: jumps between extremes, never settles" };
  }
  if (drop < 0) return { kind: "oscillating", text: "Overshooting: the loss is above where it began" };
  const { descending, slow } = lossPace(series);
  if (descending && slow) return { kind: "crawling", text: "Crawling: the loss falls, but slowly" };
  if (!descending && (settled || (calm && drop > 0.5))) {
    return { kind: "settled", text: "Settled: the boundary has stopped moving" };
  }
  if (!descending && drop < 0.25) {
    return { kind: "stalled", text: "Stalled: the loss stopped falling near where it began" };
  }
  return { kind: "learning", text: "Learning: the loss is falling" };
}

/**
 * A boundary from GET …/timeline/{at}/boundary as grid bytes in a frame's encoding (see the
 * README's frame layout), so past and live moments paint through the same colour tables.
 * `range` is the live frame's value range, for regression.
 */
export function gridFromBoundary({ resolution, problem, values, confidence }, classes, range) {
  const bytes = new Uint8Array(resolution * resolution);
  const clamp = (v) => Math.max(0, Math.min(255, Math.round(v)));
  if (problem === "multiclass") {
    const k = Math.max(2, classes);
    for (let i = 0; i < bytes.length; i += 1) {
      const q = ((confidence?.[i] ?? 1) - 1 / k) / (1 - 1 / k);
      bytes[i] = (Math.round(values[i]) << 5) | Math.max(0, Math.min(31, Math.round(q * 31)));
    }
    return { resolution, bytes, encoding: "class", range: [0, 1] };
  }
  if (problem === "regression") {
    const [lo, hi] = range ?? [-1, 1];
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = clamp(((values[i] - lo) / (hi - lo || 1)) * 255);
    return { resolution, bytes, encoding: "value", range: [lo, hi] };
  }
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = clamp(values[i] * 255);
  return { resolution, bytes, encoding: "probability", range: [0, 1] };
}

