// The page's one state object: the training config (the README's "Config fields") plus a few
// view choices and the pace it plays at, and its round trip through the URL hash. Opening a link
// with this hash elsewhere rebuilds the same data and the same starting weights, because the
// seeds are in it.

import { TIMELAPSE, parsePace } from "../lib/pace.js";

export const DEFAULTS = Object.freeze({
  dataset: "spiral",
  classes: 2,
  n_samples: 500,
  noise: 0,
  train_fraction: 0.5,
  data_seed: 0,
  points: null,
  features: ["x1", "x2"],
  hidden_layers: [8, 8],
  activation: "tanh",
  optimizer: "sgd",
  learning_rate: 0.03,
  momentum: 0.9,
  nesterov: false,
  batch_size: 10,
  regularization: "none",
  regularization_rate: 0,
  seed: 0,
});

export const DATASETS = ["circle", "xor", "gauss", "spiral", "moons", "blobs", "plane",
  "multigauss", "custom"];
export const MULTICLASS = ["blobs", "spiral"];
export const REGRESSION = ["plane", "multigauss"];
export const FEATURES = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2", "cos_x1",
  "cos_x2"];
export const ACTIVATIONS = ["tanh", "relu", "leaky_relu", "sigmoid", "linear"];
export const OPTIMIZERS = ["sgd", "momentum", "rmsprop", "adam"];
export const REGULARIZATIONS = ["none", "l1", "l2"];
export const SEED_MAX = 2 ** 32 - 1;
const SPEED_MAX = 10_000_000; // mini-batches per second, as the server allows
export const LIMITS = {
  classes: [2, 6], n_samples: [10, 5000], noise: [0, 0.5], train_fraction: [0.1, 0.9],
  data_seed: [0, SEED_MAX], learning_rate: [1e-5, 10], momentum: [0, 0.999],
  batch_size: [1, 5000], regularization_rate: [0, 10], seed: [0, SEED_MAX],
  layers: [0, 8], neurons: [1, 32],
};
const CHOICES = { dataset: DATASETS, activation: ACTIVATIONS, optimizer: OPTIMIZERS,
  regularization: REGULARIZATIONS };
const INTEGERS = ["classes", "n_samples", "data_seed", "batch_size", "seed"];
const VIEW_FLAGS = ["test", "discretize", "log"];

export function initialState() {
  return {
    config: structuredClone(DEFAULTS),
    view: { test: false, discretize: false, log: false },
    speed: TIMELAPSE, // or "full", or mini-batches per second
  };
}

/** The problem a config poses, as the server names it: binary, multiclass or regression. */
export function problemOf(config) {
  if (REGRESSION.includes(config.dataset)) return "regression";
  if (config.dataset === "custom") {
    const top = Math.max(1, ...(config.points || []).map((p) => p[2]));
    return top > 1 ? "multiclass" : "binary";
  }
  return MULTICLASS.includes(config.dataset) && config.classes > 2 ? "multiclass" : "binary";
}

export function clamp(value, [lo, hi]) {
  return Math.min(hi, Math.max(lo, value));
}

// Characters left readable in the hash; everything else is percent-encoded.
const escape = (text) => encodeURIComponent(text).replace(/%2C/g, ",").replace(/%3B/g, ";");

function encodeValue(key, value) {
  if (key === "points") {
    return value.map(([x, y, l]) => `${round(x)},${round(y)},${round(l)}`).join(";");
  }
  if (Array.isArray(value)) return value.join(",");
  if (typeof value === "boolean") return value ? "1" : "0";
  return String(value);
}

const round = (v) => Math.round(v * 1000) / 1000;

/** The whole state as a URL hash (without the leading '#'). */
export function toHash(state) {
  const parts = [];
  for (const key of Object.keys(DEFAULTS)) {
    const value = state.config[key];
    if (value === null || value === undefined) continue;
    parts.push(`${key}=${escape(encodeValue(key, value))}`);
  }
  const flags = VIEW_FLAGS.filter((flag) => state.view[flag]);
  if (flags.length) parts.push(`view=${flags.join(",")}`);
  // the default goes unsaid; a page without a pace (compare, embed) writes none
  if (state.speed !== undefined && state.speed !== TIMELAPSE) parts.push(`speed=${state.speed}`);
  return parts.join("&");
}

function parseNumber(key, text) {
  const n = Number(text);
  if (text === "" || !Number.isFinite(n)) throw new Error(`${key} is not a number`);
  if (INTEGERS.includes(key) && !Number.isInteger(n)) throw new Error(`${key} is not an integer`);
  if (LIMITS[key] && (n < LIMITS[key][0] || n > LIMITS[key][1])) {
    throw new Error(`${key} is out of range`);
  }
  return n;
}

function parseValue(key, text) {
  if (CHOICES[key]) {
    if (!CHOICES[key].includes(text)) throw new Error(`unknown ${key}`);
    return text;
  }
  if (key === "nesterov") return text === "1" || text === "true";
  if (key === "features") {
    const list = text.split(",").filter((f) => FEATURES.includes(f));
    if (!list.length) throw new Error("no features");
    return [...new Set(list)];
  }
  if (key === "hidden_layers") {
    if (text === "") return [];
    const list = text.split(",").map((n) => clamp(Math.round(Number(n)), LIMITS.neurons));
    if (list.some(Number.isNaN) || list.length > LIMITS.layers[1]) throw new Error("bad layers");
    return list;
  }
  if (key === "points") {
    const points = text.split(";").map((p) => p.split(",").map(Number));
    const ok = (p) => p.length === 3 && p.every(Number.isFinite)
      && Math.abs(p[0]) <= 6 && Math.abs(p[1]) <= 6;
    return points.filter(ok).map(([x, y, l]) => [x, y, clamp(Math.round(l), [0, 5])]);
  }
  return parseNumber(key, text);
}

/**
 * A state read from a hash: every known, valid field taken, everything else left at its
 * default. Returns {state, problems} where problems lists the fields that were ignored.
 */
export function fromHash(hash) {
  const state = initialState();
  const problems = [];
  const text = hash.replace(/^#/, "");
  if (!text) return { state, problems };
  for (const part of text.split("&")) {
    const eq = part.indexOf("=");
    const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const raw = eq < 0 ? "" : decodeURIComponent(part.slice(eq + 1));
    if (key === "view") {
      for (const flag of raw.split(",")) if (VIEW_FLAGS.includes(flag)) state.view[flag] = true;
      continue;
    }
    if (key === "speed") {
      try {
        state.speed = parsePace(raw, SPEED_MAX);
      } catch {
        problems.push(key);
      }
      continue;
    }
    if (!(key in DEFAULTS)) {
      problems.push(key);
      continue;
    }
    try {
      state.config[key] = parseValue(key, raw);
    } catch {
      problems.push(key);
    }
  }
  if (state.config.dataset === "custom" && (state.config.points || []).length < 2) {
    state.config.dataset = DEFAULTS.dataset;
    state.config.points = null;
    problems.push("points");
  }
  if (state.config.dataset !== "custom") state.config.points = null;
  return { state, problems };
}

/** A random seed for "new random start". */
export function randomSeed() {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}
