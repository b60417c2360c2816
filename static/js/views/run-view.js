// Everything a page shows of one run: the boundary with its points, the loss chart, the counters
// and the status — and, where the page's markup has them, the playground's extras: the network
// (hovering a neuron paints its map on the plot), the stability strip, the size of the last step,
// the read-out under the chart, the diverged notice and live-region announcements. A page names
// its parts by id (the playground) or by data-v (the classroom pages); parts it leaves out are
// skipped. Frames are only stored when they arrive; paint() draws the latest one, and the page's
// scheduler calls it at most once per animation frame. While the page looks back at a past
// moment, live frames still grow the charts, but the rest keeps showing that moment until it
// goes back to live.

import { StripChart } from "../charts/change-chart.js";
import { ClassroomChart, LossChart } from "../charts/loss-chart.js";
import { featureMap } from "../lib/features.js";
import { TableCache } from "../lib/palette.js";
import { formatCount, formatLoss, formatPercent, formatValue } from "../lib/scales.js";
import { setText } from "../lib/repaint.js";
import { Board, PickBoard } from "./board.js";
import { renderLegend } from "./legend.js";
import { NetworkDiagram } from "./network.js";

const ANNOUNCE_EVERY_MS = 8000;
const FIRST_BOUNDARY = "stepwise:first-boundary";
const STATUS_TEXT = { running: "Playing", idle: "Paused", diverged: "Blew up", past: "Looking back" };
const percent = (v) => `${formatValue(100 * v, 2)}\u00a0%`;

/** The charts' CSS colours, read once from custom properties on `root`. */
export function chartColors(root) {
  const style = getComputedStyle(root);
  const css = (name) => style.getPropertyValue(name).trim();
  return { train: css("--train-line"), test: css("--test-line"), grid: css("--chart-grid"),
    text: css("--chart-text"), cursor: css("--accent"), marker: css("--accent"),
    line: css("--change-line"), fill: css("--change-fill") };
}

export class RunView {
  /**
   * options: {palette, invalidate, parts: "id" | "data-v" (how the markup names its parts),
   * plot: Board options, chart: ClassroomChart options (a chart with a read-out part is the
   * playground's hover chart instead), onPick (points can be picked on the plot),
   * onLayerChange (the network's + and − buttons)}
   */
  constructor(root, { palette, invalidate, parts = "id", plot = {}, chart = {}, onPick, onLayerChange }) {
    this.root = root;
    this.palette = palette;
    this.invalidate = invalidate;
    this.tables = new TableCache(palette);
    this.part = parts === "id" ? (name) => root.querySelector(`#${name}`)
      : (name) => root.querySelector(`[data-v="${name}"]`);
    const colors = chartColors(root);
    this.boundary = onPick ? new PickBoard(this.part("plot"), { palette, invalidate, onPick, ring: 1.6, ...plot })
      : new Board(this.part("plot"), { palette, invalidate, ...plot });
    const canvas = this.part("chart");
    const readout = this.part("chart-readout");
    this.chart = readout ? new LossChart(canvas, readout, { invalidate, colors, epochs: true })
      : canvas && new ClassroomChart(canvas, { colors, invalidate, ...chart });
    const strip = this.part("change-chart");
    this.strip = strip && new StripChart(strip, {
      invalidate, colors, epochs: true, format: (v) => `${formatValue(100 * v, 2)} %`,
    });
    const network = this.part("network");
    this.network = network && new NetworkDiagram(network, {
      palette, tables: this.tables, invalidate, onLayerChange,
      onHoverNeuron: (neuron) => this.hoverNeuron(neuron),
    });
    this.frame = null;
    this.live = null; // the latest live frame, shown again when the page goes back to live
    this.viewingPast = false;
    this.fresh = false;
    this.hover = null;
    this.view = { test: false, discretize: false, log: false };
    this.shown = {};
    this.problem = "binary";
    this.status = "idle";
    this.lastAnnounce = 0;
    this.lastIndex = -1;
    this.axis = { step: 0, x: 0, perEpoch: 1 };
    this.recent = [];
  }

  /** After hello or config: the problem, the data, the legend, the epoch axis, the network. */
  setSession({ config, problem, classes, data, applied }) {
    this.config = config;
    this.problem = problem;
    if (applied !== "live") this.boundary.setData(data, problem);
    const legend = this.part("legend");
    if (legend) renderLegend(legend, this.palette, problem, classes);
    const metric = problem === "regression" ? "R²" : "accuracy";
    if (this.chart?.setMetricName) this.chart.setMetricName(metric);
    this.root.querySelectorAll('.metric-name, [data-v="metric-name"]').forEach((node) => {
      node.textContent = metric;
    });
    const nTrain = Math.max(1, data.train.length);
    // Keeps epochs on the x-axis continuous when the batch size (steps per epoch) changes.
    this.axis = { ...this.axis, perEpoch: Math.ceil(nTrain / Math.min(config.batch_size, nTrain)) };
    const outputs = problem === "multiclass" ? classes : 1;
    const architecture = { features: config.features, hidden: config.hidden_layers, outputs, problem };
    const key = JSON.stringify(architecture);
    if (this.network && key !== this.architectureKey) {
      this.architectureKey = key; // rebuilt only when it changes, so live edits do not flicker
      this.network.setArchitecture(architecture);
    }
    this.invalidate();
  }

  /** {test, discretize, log}: the playground's view switches. */
  setView(view) {
    this.view = { ...view };
    this.setShowTest(view.test);
    this.chart?.setLog(view.log);
    this.fresh = true;
    if (this.network) this.network.dirty = true;
    this.invalidate();
  }

  setShowTest(show) {
    this.boundary.setShowTest(show);
  }

  epochAt(step) {
    const { step: s0, x: x0, perEpoch } = this.axis;
    return x0 + (step - s0) / perEpoch;
  }

  /** The x where the point of `step` was drawn (or would be). */
  xOfStep(step) {
    return this.chart?.xOfStep ? this.chart.xOfStep(step) : this.epochAt(step);
  }

  addPoint(index, point) {
    if (!this.chart) return;
    const track = this.chart.tracks[0];
    const last = track.points.at(-1);
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
      this.chart.truncate(point.step);
      this.strip?.truncate(point.step);
      this.recent = this.recent.filter((p) => p.step <= point.step);
      const kept = track.points.at(-1);
      this.axis = kept ? { ...this.axis, step: kept.step, x: track.x.at(-1) } : { ...this.axis, step: 0, x: 0 };
      if (kept && kept.step === point.step) return;
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
    if (!this.chart) return;
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
      const x = this.xOfStep(frame.step);
      this.chart?.setCursor(x);
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
    this.network?.setFrame(frame);
    this.invalidate();
  }

  /** The page looks back: keep what is shown until the past frame arrives. */
  enterPast() {
    this.viewingPast = true;
  }

  /** Back to the latest live frame. */
  goLive() {
    if (!this.viewingPast) return;
    this.viewingPast = false;
    this.chart?.setCursor(null);
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
    const table = grid && this.tables.get({ encoding: grid.encoding, range: grid.range,
      discretize: this.view.discretize });
    const fresh = this.fresh && frame;
    if (fresh) {
      this.fresh = false;
      this.paintBoundary(frame, grid, table);
      drew = true;
    }
    if (this.network) drew = this.network.draw(grid, table) || drew;
    drew = this.boundary.drawPoints() || drew;
    // Canvases first, words after: a chart setting its font after a word changed would make the
    // browser restyle the page in the middle of the paint, and once more for the frame.
    if (this.strip) drew = this.strip.draw() || drew;
    if (this.chart) drew = this.chart.draw() || drew;
    if (fresh) this.showNumbers(frame);
    return drew;
  }

  /** The boundary, or the map of the input or hidden neuron under the pointer. */
  paintBoundary(frame, grid, table) {
    const note = this.part("plot-note");
    const hover = this.hover;
    if (hover && hover.kind === "input") {
      const map = featureMap(this.config.features[hover.index], 48);
      this.boundary.paintGrid(map.bytes, 48, this.tables.get({ encoding: "neuron", range: map.range }));
      note.textContent = "Showing one input";
    } else if (hover && hover.kind === "hidden" && frame.neurons?.layers[hover.layer - 1]) {
      const { range, cells } = frame.neurons.layers[hover.layer - 1];
      const neuronTable = this.tables.get({ encoding: "neuron", range, discretize: this.view.discretize });
      this.boundary.paintGrid(cells[hover.index], frame.neurons.resolution, neuronTable);
      note.textContent = `Showing layer ${hover.layer}, neuron ${hover.index + 1}`;
    } else if (grid) {
      this.boundary.paintGrid(grid.bytes, grid.resolution, table);
      // For the page bench: when, after navigation, the first boundary was drawn.
      if (!performance.getEntriesByName(FIRST_BOUNDARY).length) performance.mark(FIRST_BOUNDARY);
    }
    // Written only when they change: an attribute set, even to its value, restyles the subtree.
    const hidden = !(hover && hover.kind !== "output");
    if (note && note.hidden !== hidden) note.hidden = hidden;
    // Test hook and style hook: which moment the plot shows now.
    const shown = frame.past ? `past:${frame.at}` : "live";
    if (this.root.dataset.shown !== shown) this.root.dataset.shown = shown;
  }

  showNumbers(frame) {
    const m = frame.metrics || {};
    const regression = this.problem === "regression";
    const metric = (v) => (regression ? formatValue(v ?? NaN, 3) : formatPercent(v));
    this.text("epoch", formatCount(frame.epoch));
    this.text("steps", formatCount(frame.step));
    this.text("examples", formatCount(frame.examples_seen));
    this.text("train-loss", formatLoss(m.train_loss));
    this.text("test-loss", formatLoss(m.test_loss));
    this.text("train-metric", metric(regression ? m.train_r2 : m.train_accuracy));
    this.text("test-metric", metric(regression ? m.test_r2 : m.test_accuracy));
    this.showStepSize(m.update_norm);
    if (this.strip) {
      const change = frame.past ? this.strip.valueAt(this.xOfStep(frame.step)) : this.strip.latest();
      this.text("change-value", change === null ? "–" : `${formatValue(100 * change, 2)} %`);
    }
    const change = frame.history?.point?.boundary_change;
    if (!frame.past && change !== undefined) this.text("change", change === null ? "–" : percent(change));
    this.showStatus(this.status);
    if (frame.past) return;
    // The status is not taken from the frame here: paint runs an animation frame after the
    // frame arrived, possibly after the message that the run paused (see showStatus).
    const now = performance.now();
    if (this.status === "running" && now - this.lastAnnounce > ANNOUNCE_EVERY_MS) {
      this.lastAnnounce = now;
      this.announce(`Epoch ${formatCount(frame.epoch)}. Training loss ${formatLoss(m.train_loss)},`
        + ` test loss ${formatLoss(m.test_loss)}.`);
    }
  }

  /** How far the last step moved the weights, as a number and a bar on a log scale (1e-5…10). */
  showStepSize(norm) {
    const bar = this.part("update-bar");
    if (!bar) return;
    const ok = Number.isFinite(norm) && norm > 0;
    this.text("update-norm", ok ? formatValue(norm, 2) : "–");
    const t = ok ? (Math.log10(norm) + 5) / 6 : 0;
    bar.style.setProperty("--size", Math.min(1, Math.max(0, t)).toFixed(3));
  }

  /**
   * The run's status as the page knows it: from its messages in the order they arrived, never
   * from a frame (which may have been built before a pause). A page that says the status in
   * words (a "status" part) says "Looking back" while a past moment is shown.
   */
  showStatus(status) {
    this.status = status;
    const words = this.part("status");
    const shown = words && this.frame?.past ? "past" : status;
    if (words) this.text("status", STATUS_TEXT[shown] ?? shown);
    if (this.root.dataset.status === shown) return;
    this.root.dataset.status = shown;
    const box = this.part("run-status");
    if (!box) return;
    box.hidden = status !== "diverged";
    if (status === "diverged") {
      const text = "The steps were too large: each one overshot, and the error grew without bound."
        + " Training stopped and kept its last good moment: go back there with smaller steps.";
      this.part("run-message").textContent = text;
      this.announce(text);
    }
  }

  text(name, value) {
    if (this.shown[name] === value) return;
    const node = this.part(name);
    if (!node) return;
    this.shown[name] = value;
    setText(node, value);
  }

  announce(text) {
    const node = this.part("announcer");
    if (node) node.textContent = text;
  }
}
