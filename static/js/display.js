// Everything the page shows of a run: the boundary, the network, the loss chart, the counters,
// the status and the live-region announcements. Frames are only stored when they arrive; paint()
// draws the latest one, and the scheduler calls it at most once per animation frame.

import { LossChart } from "./chart.js";
import { featureMap } from "./features.js";
import { Boundary } from "./heatmap.js";
import { renderLegend } from "./legend.js";
import { NetworkDiagram } from "./network.js";
import { TableCache } from "./palette.js";
import { formatCount, formatLoss, formatPercent, formatValue } from "./scales.js";

const ANNOUNCE_EVERY_MS = 8000;

export class Display {
  constructor(root, { palette, invalidate, onPick, onLayerChange }) {
    const $ = (id) => root.querySelector(`#${id}`);
    this.$ = $;
    this.root = root;
    this.invalidate = invalidate;
    this.tables = new TableCache(palette);
    this.palette = palette;
    const style = getComputedStyle(document.documentElement);
    const css = (name) => style.getPropertyValue(name).trim();
    this.boundary = new Boundary($("plot"), { palette, invalidate, onPick });
    this.chart = new LossChart($("chart"), $("chart-readout"), {
      invalidate,
      colors: { train: css("--train-line"), test: css("--test-line"), grid: css("--chart-grid"),
        text: css("--chart-text") },
    });
    this.network = new NetworkDiagram($("network"), {
      palette, tables: this.tables, invalidate, onLayerChange,
      onHoverNeuron: (neuron) => this.hoverNeuron(neuron),
    });
    this.frame = null;
    this.fresh = false;
    this.hover = null;
    this.view = { test: false, discretize: false, log: false };
    this.shown = {};
    this.lastAnnounce = 0;
    this.axis = { step: 0, x: 0, perEpoch: 1 };
    this.recent = [];
  }

  /** After hello or config: the problem, the data and the architecture. */
  setSession({ config, problem, classes, data, applied }) {
    this.config = config;
    this.problem = problem;
    if (applied !== "live") this.boundary.setData(data, problem);
    renderLegend(this.$("legend"), this.palette, problem, classes);
    const metric = problem === "regression" ? "R²" : "accuracy";
    this.chart.setMetricName(metric);
    this.root.querySelectorAll(".metric-name").forEach((node) => {
      node.textContent = metric;
    });
    const nTrain = Math.max(1, data.train.length);
    this.setStepsPerEpoch(Math.ceil(nTrain / Math.min(config.batch_size, nTrain)));
    const outputs = problem === "multiclass" ? classes : 1;
    const architecture = { features: config.features, hidden: config.hidden_layers, outputs, problem };
    const key = JSON.stringify(architecture);
    if (key !== this.architectureKey) {
      this.architectureKey = key; // rebuilt only when it changes, so live edits do not flicker
      this.network.setArchitecture(architecture);
    }
    this.invalidate();
  }

  setView(view) {
    this.view = { ...view };
    this.boundary.setShowTest(view.test);
    this.chart.setLog(view.log);
    this.fresh = true;
    this.network.dirty = true;
    this.invalidate();
  }

  /** Keeps epochs on the x-axis continuous when the batch size (steps per epoch) changes. */
  setStepsPerEpoch(perEpoch) {
    this.axis = { ...this.axis, perEpoch };
  }

  epochAt(step) {
    const { step: s0, x: x0, perEpoch } = this.axis;
    return x0 + (step - s0) / perEpoch;
  }

  addPoint(index, point) {
    const last = this.chart.series.points.at(-1);
    // A frame sent on (re)subscribe repeats the latest point: draw each point once.
    if (index > 0 && index === this.lastIndex && last && point.step === last.step) return;
    this.lastIndex = index;
    if (index === 0 || (last && point.step < last.step)) {
      this.chart.clear();
      this.recent = [];
      this.axis = { ...this.axis, step: 0, x: 0 };
    }
    const x = this.epochAt(point.step);
    this.axis = { ...this.axis, step: point.step, x };
    this.chart.push(point, x);
    this.recent.push(point);
    if (this.recent.length > 200) this.recent.shift();
  }

  /** The whole history (after a (re)connect), merged with points that arrived meanwhile. */
  loadHistory(points) {
    const recent = this.recent;
    this.chart.clear();
    this.axis = { ...this.axis, step: 0, x: 0 };
    this.recent = [];
    const lastStep = points.at(-1)?.step ?? -1;
    for (const point of points) this.addPoint(-1, point);
    for (const point of recent) if (point.step > lastStep) this.addPoint(-1, point);
  }

  takeFrame(frame) {
    this.frame = frame;
    this.fresh = true;
    if (frame.history) this.addPoint(frame.history.index, frame.history.point);
    this.network.setFrame(frame);
    this.invalidate();
  }

  hoverNeuron(neuron) {
    this.hover = neuron;
    this.fresh = true;
    this.invalidate();
  }

  /** Draws what changed since the last paint; returns false when nothing needed drawing. */
  paint() {
    let drew = false;
    const frame = this.frame;
    const grid = frame?.grid;
    const table = grid && this.gridTable(grid);
    if (this.fresh && frame) {
      this.fresh = false;
      this.paintBoundary(frame, grid, table);
      this.showNumbers(frame);
      drew = true;
    }
    drew = this.network.draw(grid, table) || drew;
    drew = this.boundary.drawPoints() || drew;
    drew = this.chart.draw() || drew;
    return drew;
  }

  gridTable(grid) {
    return this.tables.get({ encoding: grid.encoding, range: grid.range, discretize: this.view.discretize });
  }

  paintBoundary(frame, grid, table) {
    const note = this.$("plot-note");
    const hover = this.hover;
    if (hover && hover.kind === "input") {
      const map = featureMap(this.config.features[hover.index], 48);
      this.boundary.paintGrid(map.bytes, 48, this.tables.get({ encoding: "neuron", range: map.range }));
      note.textContent = "Showing one input";
    } else if (hover && hover.kind === "hidden" && frame.neurons?.layers[hover.layer - 1]) {
      const { range, cells } = frame.neurons.layers[hover.layer - 1];
      const table = this.tables.get({ encoding: "neuron", range, discretize: this.view.discretize });
      this.boundary.paintGrid(cells[hover.index], frame.neurons.resolution, table);
      note.textContent = `Showing layer ${hover.layer}, neuron ${hover.index + 1}`;
    } else if (grid) {
      this.boundary.paintGrid(grid.bytes, grid.resolution, table);
    }
    note.hidden = !(hover && hover.kind !== "output");
  }

  showNumbers(frame) {
    const m = frame.metrics || {};
    const regression = this.problem === "regression";
    this.text("epoch", formatCount(frame.epoch));
    this.text("steps", formatCount(frame.step));
    this.text("examples", formatCount(frame.examples_seen));
    this.text("train-loss", formatLoss(m.train_loss));
    this.text("test-loss", formatLoss(m.test_loss));
    this.text("train-metric", regression ? formatValue(m.train_r2 ?? NaN, 3) : formatPercent(m.train_accuracy));
    this.text("test-metric", regression ? formatValue(m.test_r2 ?? NaN, 3) : formatPercent(m.test_accuracy));
    this.showStatus(frame.status);
    const now = performance.now();
    if (frame.status === "running" && now - this.lastAnnounce > ANNOUNCE_EVERY_MS) {
      this.lastAnnounce = now;
      this.announce(`Epoch ${formatCount(frame.epoch)}. Training loss ${formatLoss(m.train_loss)},`
        + ` test loss ${formatLoss(m.test_loss)}.`);
    }
  }

  showStatus(status) {
    if (this.root.dataset.status === status) return;
    this.root.dataset.status = status;
    const box = this.$("run-status");
    box.hidden = status !== "diverged";
    if (status === "diverged") {
      const text = "The steps were too large: each one overshot, and the error grew without bound."
        + " Smaller steps settle.";
      this.$("run-message").textContent = text;
      this.announce(text);
    }
  }

  text(id, value) {
    if (this.shown[id] === value) return;
    this.shown[id] = value;
    this.$(id).textContent = value;
  }

  announce(text) {
    this.$("announcer").textContent = text;
  }
}
