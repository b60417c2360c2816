// Everything the page shows of a run: the boundary, the network, the loss chart, the counters,
// the status and the live-region announcements. Frames are only stored when they arrive; paint()
// draws the latest one, and the scheduler calls it at most once per animation frame.
// While the timeline shows a past moment, live frames still grow the charts but the boundary,
// the network and the numbers keep showing that moment until the page goes back to live.

import { LossChart } from "../charts/loss-chart.js";
import { featureMap } from "../lib/features.js";
import { PickBoard } from "./board.js";
import { renderLegend } from "./legend.js";
import { NetworkDiagram } from "./network.js";
import { TableCache } from "../lib/palette.js";
import { formatCount, formatLoss, formatPercent, formatValue } from "../lib/scales.js";
import { StripChart } from "../charts/change-chart.js";

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
    this.boundary = new PickBoard($("plot"), { palette, invalidate, onPick, ring: 1.6 });
    this.chart = new LossChart($("chart"), $("chart-readout"), {
      invalidate, epochs: true,
      colors: { train: css("--train-line"), test: css("--test-line"), grid: css("--chart-grid"),
        text: css("--chart-text"), cursor: css("--accent") },
    });
    const strip = $("change-chart"); // pages without the stability strip simply lack it
    this.strip = strip && new StripChart(strip, {
      invalidate, epochs: true,
      format: (v) => `${formatValue(100 * v, 2)} %`,
      colors: { line: css("--change-line"), fill: css("--change-fill"), grid: css("--chart-grid"),
        text: css("--chart-text"), cursor: css("--accent") },
    });
    this.network = new NetworkDiagram($("network"), {
      palette, tables: this.tables, invalidate, onLayerChange,
      onHoverNeuron: (neuron) => this.hoverNeuron(neuron),
    });
    this.frame = null;
    this.live = null; // the latest live frame, shown again when the timeline returns to live
    this.viewingPast = false;
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
    const last = this.chart.lastPoint;
    // A frame sent on (re)subscribe repeats the latest point: draw each point once.
    if (index > 0 && index === this.lastIndex && last && point.step === last.step) return;
    this.lastIndex = index;
    if (index === 0) {
      this.chart.clear();
      this.strip?.clear();
      this.recent = [];
      this.axis = { ...this.axis, step: 0, x: 0 };
    } else if (last && point.step <= last.step) {
      // A rewind: forget what came after the moment it went back to.
      const kept = this.chart.truncate(point.step);
      this.strip?.truncate(point.step);
      this.recent = this.recent.filter((p) => p.step <= point.step);
      this.axis = kept ? { ...this.axis, step: kept.point.step, x: kept.x } : { ...this.axis, step: 0, x: 0 };
      if (kept && kept.point.step === point.step) return;
    }
    const x = this.epochAt(point.step);
    this.axis = { ...this.axis, step: point.step, x };
    this.chart.push(point, x);
    this.strip?.push(point, x);
    this.recent.push(point);
    if (this.recent.length > 200) this.recent.shift();
  }

  /** The whole history (after a (re)connect), merged with points that arrived meanwhile. */
  loadHistory(points) {
    const recent = this.recent;
    this.chart.clear();
    this.strip?.clear();
    this.axis = { ...this.axis, step: 0, x: 0 };
    this.recent = [];
    const lastStep = points.at(-1)?.step ?? -1;
    for (const point of points) this.addPoint(-1, point);
    for (const point of recent) if (point.step > lastStep) this.addPoint(-1, point);
  }

  takeFrame(frame) {
    if (frame.past) {
      if (!this.viewingPast) return; // an answer that came after the page went back to live
      this.show(frame);
      const x = this.chart.xOfStep(frame.step);
      this.chart.setCursor(x);
      this.strip?.setCursor(x);
      return;
    }
    this.live = frame;
    if (frame.history) this.addPoint(frame.history.index, frame.history.point);
    if (!this.viewingPast) this.show(frame);
    this.invalidate();
  }

  show(frame) {
    this.frame = frame;
    this.fresh = true;
    this.network.setFrame(frame);
    this.invalidate();
  }

  /** The timeline left live: keep what is shown until the past frame arrives. */
  enterPast() {
    this.viewingPast = true;
  }

  /** Back to the latest live frame. */
  goLive() {
    if (!this.viewingPast) return;
    this.viewingPast = false;
    this.chart.setCursor(null);
    this.strip?.setCursor(null);
    if (this.live) this.show(this.live);
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
    if (this.strip) drew = this.strip.draw() || drew;
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
    // Test hook and style hook: which moment the plot shows now.
    this.root.dataset.shown = frame.past ? `past:${frame.at}` : "live";
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
    this.showStepSize(m.update_norm);
    if (this.strip) {
      const change = frame.past ? this.strip.valueAt(this.chart.xOfStep(frame.step))
        : this.strip.latest();
      this.text("change-value", change === null ? "–" : `${formatValue(100 * change, 2)} %`);
    }
    if (frame.past) return;
    // The status is not taken from the frame here: paint runs an animation frame after the
    // frame arrived, possibly after the message that the run paused (see showStatus).
    const now = performance.now();
    if (this.root.dataset.status === "running" && now - this.lastAnnounce > ANNOUNCE_EVERY_MS) {
      this.lastAnnounce = now;
      this.announce(`Epoch ${formatCount(frame.epoch)}. Training loss ${formatLoss(m.train_loss)},`
        + ` test loss ${formatLoss(m.test_loss)}.`);
    }
  }

  /** How far the last step moved the weights, as a number and a bar on a log scale (1e-5…10). */
  showStepSize(norm) {
    const bar = this.$("update-bar");
    if (!bar) return;
    const ok = Number.isFinite(norm) && norm > 0;
    this.text("update-norm", ok ? formatValue(norm, 2) : "–");
    const t = ok ? (Math.log10(norm) + 5) / 6 : 0;
    bar.style.setProperty("--size", Math.min(1, Math.max(0, t)).toFixed(3));
  }

  /**
   * Shows the run's status. Only the page's message handlers call this, in the order the
   * messages arrived; a paint never does, since it may show a frame that came before a pause.
   */
  showStatus(status) {
    if (this.root.dataset.status === status) return;
    this.root.dataset.status = status;
    const box = this.$("run-status");
    box.hidden = status !== "diverged";
    if (status === "diverged") {
      const text = "The steps were too large: each one overshot, and the error grew without bound."
        + " Training stopped and kept its last good moment: go back there with smaller steps.";
      this.$("run-message").textContent = text;
      this.announce(text);
    }
  }

  text(id, value) {
    if (this.shown[id] === value) return;
    this.shown[id] = value;
    const node = this.$(id);
    if (node) node.textContent = value;
  }

  announce(text) {
    this.$("announcer").textContent = text;
  }
}
