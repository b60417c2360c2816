// The control panel: binds the page's inputs to the state and reports what the visitor changed.
// Sliders move between "stops" (so arrow keys take sensible steps); a value that is not a stop,
// e.g. a typed step size, still shows exactly beside its slider.

import { LIMITS, MULTICLASS, REGRESSION } from "../state/state.js";
import { formatCount, formatValue, nearestStop, niceSteps } from "../lib/scales.js";
import { holdButtons } from "./rescue.js";
import { FULL, TIMELAPSE, rateText } from "../lib/pace.js";

const range = (lo, hi, step) =>
  Array.from({ length: Math.round((hi - lo) / step) + 1 }, (_, i) => Number((lo + i * step).toFixed(4)));

export const LR_STOPS = niceSteps(...LIMITS.learning_rate);
export const SPEED_STOPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]; // mini-batches
const SPEEDS = [TIMELAPSE, FULL, ...SPEED_STOPS];
const speedName = (pace) => (pace === TIMELAPSE ? "Time-lapse" : pace === FULL ? "Full speed"
  : `${formatCount(pace)} mini-batch${pace === 1 ? "" : "es"} / s`);
const speedPace = (value) => (value === TIMELAPSE || value === FULL ? value : Number(value));

/** field -> slider id, stops, and how to show a value. */
const SLIDERS = {
  classes: { id: "classes", stops: [2, 3, 4, 5, 6], show: String },
  noise: { id: "noise", stops: range(0, 0.5, 0.05), show: (v) => formatValue(v, 2) },
  train_fraction: {
    id: "train-fraction", stops: range(0.1, 0.9, 0.05),
    show: (v) => `${Math.round(v * 100)} % train · ${Math.round((1 - v) * 100)} % test`,
  },
  n_samples: {
    id: "n-samples", stops: [10, 20, 50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000],
    show: formatCount,
  },
  momentum: { id: "momentum", stops: [0, 0.5, 0.8, 0.9, 0.95, 0.99, 0.999], show: String },
  batch_size: {
    id: "batch-size", stops: [1, 2, 5, 10, 20, 30, 50, 100, 200, 500, 1000, 5000], show: String,
  },
  regularization_rate: {
    id: "reg-rate", stops: [0, 1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
    show: (v) => formatValue(v, 3),
  },
};
const SELECTS = ["activation", "optimizer", "regularization"];

function stopIndex(stops, value) {
  const exact = stops.indexOf(value);
  if (exact >= 0) return exact;
  let best = 0;
  stops.forEach((s, i) => {
    if (Math.abs(s - value) < Math.abs(stops[best] - value)) best = i;
  });
  return best;
}

export class Controls {
  /** handlers: onConfig(fields), onAction(name, {shift}), onView(flag, on),
   * onSpeed("timelapse" | "full" | mini-batches per second) */
  constructor(root, handlers) {
    this.root = root;
    this.h = handlers;
    this.state = null;
    const $ = (id) => root.querySelector(`#${id}`);
    this.$ = $;

    for (const [field, spec] of Object.entries(SLIDERS)) {
      const input = $(spec.id);
      input.max = String(spec.stops.length - 1);
      input.addEventListener("input", () => this.showSlider(field, spec.stops[input.value]));
      input.addEventListener("change", () => this.h.onConfig({ [field]: spec.stops[input.value] }));
    }
    for (const id of SELECTS) {
      $(id).addEventListener("change", (e) => this.h.onConfig({ [id]: e.target.value }));
    }
    $("nesterov").addEventListener("change", (e) => this.h.onConfig({ nesterov: e.target.checked }));

    // Step size: the slider acts live while dragged; the number box on commit.
    const lrSlider = $("lr-slider");
    lrSlider.max = String(LR_STOPS.length - 1);
    lrSlider.addEventListener("input", () => {
      const value = LR_STOPS[lrSlider.value];
      $("lr-value").value = String(value);
      lrSlider.setAttribute("aria-valuetext", String(value));
      this.h.onConfig({ learning_rate: value });
    });
    $("lr-value").addEventListener("change", (e) => {
      const value = Number(e.target.value);
      const [lo, hi] = LIMITS.learning_rate;
      if (!Number.isFinite(value) || value < lo || value > hi) {
        e.target.setCustomValidity(`Choose a step size between ${lo} and ${hi}.`);
        e.target.reportValidity();
        return;
      }
      e.target.setCustomValidity("");
      this.h.onConfig({ learning_rate: value });
    });

    const speed = $("speed");
    speed.replaceChildren(...SPEEDS.map((pace) => new Option(speedName(pace), String(pace))));
    this.showSpeed();
    speed.addEventListener("change", () => {
      this.showSpeed();
      this.h.onSpeed(speedPace(speed.value));
    });

    $("seed").addEventListener("change", (e) => {
      const value = Number(e.target.value);
      if (Number.isInteger(value) && value >= 0 && value <= LIMITS.seed[1]) {
        this.h.onConfig({ seed: value });
      }
    });
    root.querySelectorAll('input[name="dataset"]').forEach((radio) => {
      radio.addEventListener("change", () => this.h.onConfig({ dataset: radio.value }));
    });
    root.querySelectorAll('input[name="feature"]').forEach((box) => {
      box.addEventListener("change", () => this.changeFeatures(box));
    });
    $("layers-minus").addEventListener("click", () => this.changeLayers(-1));
    $("layers-plus").addEventListener("click", () => this.changeLayers(1));

    const actions = { play: "toggle", step: "step", reset: "reset", "new-seed": "new-seed",
      regenerate: "regenerate", "halve-reset": "halve-reset", rescue: "rescue",
      "export-png": "export-png",
      "export-csv": "export-csv", "export-json": "export-json" };
    for (const [id, name] of Object.entries(actions)) {
      $(id).addEventListener("click", (e) => this.h.onAction(name, { shift: e.shiftKey }));
    }
    for (const [id, flag] of [["show-test", "test"], ["discretize", "discretize"], ["log-scale", "log"]]) {
      $(id).addEventListener("change", (e) => this.h.onView(flag, e.target.checked));
    }
    $("csv-file").addEventListener("change", (e) => this.takeFile(e.target, "csv"));
    $("import-json").addEventListener("change", (e) => this.takeFile(e.target, "snapshot"));
  }

  takeFile(input, kind) {
    const file = input.files?.[0];
    input.value = "";
    if (file) file.text().then((text) => this.h.onAction(`file-${kind}`, { text, name: file.name }));
  }

  changeFeatures(box) {
    const chosen = [...this.root.querySelectorAll('input[name="feature"]:checked')].map((b) => b.value);
    if (!chosen.length) {
      box.checked = true; // a network needs at least one input
      return;
    }
    this.h.onConfig({ features: chosen });
  }

  changeLayers(delta) {
    const layers = [...this.state.config.hidden_layers];
    if (delta > 0 && layers.length < LIMITS.layers[1]) layers.push(layers.at(-1) ?? 4);
    if (delta < 0 && layers.length > 0) layers.pop();
    this.h.onConfig({ hidden_layers: layers });
  }

  showSlider(field, value) {
    const spec = SLIDERS[field];
    const text = spec.show(value);
    this.$(`${spec.id}-value`).textContent = text;
    this.$(spec.id).setAttribute("aria-valuetext", text);
  }

  /** Chooses a pace: "timelapse", "full", or mini-batches per second (the nearest offered). */
  setSpeed(pace) {
    const choice = typeof pace === "number" ? SPEED_STOPS[stopIndex(SPEED_STOPS, pace)] : pace;
    this.$("speed").value = String(choice);
    this.showSpeed(this.epochRate);
  }

  /** Names the pace, with the epochs per second the run plays at (null: not playing). */
  showSpeed(epochsPerSecond = null) {
    this.epochRate = epochsPerSecond;
    const name = speedName(speedPace(this.$("speed").value));
    const rate = rateText(epochsPerSecond);
    const output = this.$("speed-value");
    if (output.textContent !== name + rate) output.textContent = name + rate;
  }

  /** Shows a whole state: every input takes the config's value. */
  show(state) {
    this.state = state;
    const { config, view } = state;
    for (const [field, spec] of Object.entries(SLIDERS)) {
      this.$(spec.id).value = String(stopIndex(spec.stops, config[field]));
      this.showSlider(field, config[field]);
    }
    for (const id of SELECTS) this.$(id).value = config[id];
    const lr = config.learning_rate;
    this.$("lr-slider").value = String(nearestStop(LR_STOPS, lr));
    this.$("lr-slider").setAttribute("aria-valuetext", String(lr));
    if (document.activeElement !== this.$("lr-value")) this.$("lr-value").value = String(lr);
    this.$("seed").value = String(config.seed);
    this.$("nesterov").checked = config.nesterov;
    this.root.querySelectorAll('input[name="dataset"]').forEach((r) => {
      r.checked = r.value === config.dataset;
    });
    this.root.querySelectorAll('input[name="feature"]').forEach((b) => {
      b.checked = config.features.includes(b.value);
    });
    const layers = config.hidden_layers.length;
    this.$("layers-count").textContent = String(layers);
    this.$("layers-minus").disabled = layers === 0;
    this.$("layers-plus").disabled = layers >= LIMITS.layers[1];
    this.$("show-test").checked = view.test;
    this.$("discretize").checked = view.discretize;
    this.$("log-scale").checked = view.log;
    // Fields that only matter for some choices hide for the others.
    this.$("classes").closest(".slider-field").hidden = !MULTICLASS.includes(config.dataset);
    this.$("momentum-group").hidden = config.optimizer === "sgd";
    const decay = { momentum: "Momentum", rmsprop: "Decay ρ", adam: "Momentum β₁" };
    this.root.querySelector('label[for="momentum"]').textContent = decay[config.optimizer] || "";
    this.$("nesterov-label").hidden = config.optimizer !== "momentum";
    this.$("reg-rate").closest(".slider-field").hidden = config.regularization === "none";
    const custom = config.dataset === "custom";
    for (const id of ["noise", "n-samples"]) this.$(id).closest(".slider-field").hidden = custom;
    this.$("point-class").hidden = REGRESSION.includes(config.dataset);
  }

  setPlaying(playing) {
    const play = this.$("play");
    play.setAttribute("aria-pressed", String(playing));
    play.querySelector(".label").textContent = playing ? "Pause" : "Play";
  }

  /** Play and Step wait while the run is diverged, and say why: the overlay on the plot. */
  setDiverged(diverged) {
    holdButtons([this.$("play"), this.$("step")], diverged, "run-message");
  }
}
