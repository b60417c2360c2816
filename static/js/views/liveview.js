// What the classroom pages show of one run: the boundary with its points, the loss chart and the
// numbers. The page's markup names its parts with data-v attributes (plot, chart, epoch, steps,
// examples, train-loss, test-loss, train-metric, test-metric, change, status, legend,
// metric-name); parts a page leaves out are skipped. Frames are only stored when they arrive;
// paint() draws the latest, and the page's scheduler calls it at most once per animation frame.

import { renderLegend } from "./legend.js";
import { ClassroomChart } from "../charts/loss-chart.js";
import { TableCache } from "../lib/palette.js";
import { Board } from "./board.js";
import { formatCount, formatLoss, formatPercent, formatValue } from "../lib/scales.js";

const STATUS_TEXT = { running: "Playing", idle: "Paused", diverged: "Blew up", past: "Looking back" };

/** CSS colours of the chart, read once from custom properties on `root`. */
export function chartColors(root) {
  const style = getComputedStyle(root);
  const css = (name) => style.getPropertyValue(name).trim();
  return { train: css("--train-line"), test: css("--test-line"), grid: css("--chart-grid"),
    text: css("--chart-text"), marker: css("--accent") };
}

export class LiveView {
  /** options: {palette, invalidate, plot: Board options, chart: ClassroomChart options} */
  constructor(root, { palette, invalidate, plot = {}, chart = {} }) {
    this.root = root;
    this.palette = palette;
    this.invalidate = invalidate;
    this.tables = new TableCache(palette);
    const part = (name) => root.querySelector(`[data-v="${name}"]`);
    this.part = part;
    this.plot = new Board(part("plot"), { palette, invalidate, ...plot });
    const canvas = part("chart");
    this.chart = canvas && new ClassroomChart(canvas, { colors: chartColors(root), invalidate, ...chart });
    this.frame = null;
    this.fresh = false;
    this.shown = {};
    this.problem = "binary";
    this.axis = { step: 0, x: 0, perEpoch: 1 };
    this.lastIndex = -1;
    this.recent = [];
    this.status = "idle";
    this.past = false;
  }

  /** After hello or config: the problem, the data, the legend and the epoch axis. */
  setSession({ config, problem, classes, data, applied }) {
    this.config = config;
    this.problem = problem;
    if (applied !== "live") this.plot.setData(data, problem);
    const legend = this.part("legend");
    if (legend) renderLegend(legend, this.palette, problem, classes);
    const metric = problem === "regression" ? "R²" : "accuracy";
    this.root.querySelectorAll('[data-v="metric-name"]').forEach((node) => {
      node.textContent = metric;
    });
    const nTrain = Math.max(1, data.train.length);
    this.axis = { ...this.axis, perEpoch: Math.ceil(nTrain / Math.min(config.batch_size, nTrain)) };
    this.invalidate();
  }

  setShowTest(show) {
    this.plot.setShowTest(show);
  }

  epochAt(step) {
    const { step: s0, x: x0, perEpoch } = this.axis;
    return x0 + (step - s0) / perEpoch;
  }

  addPoint(index, point) {
    if (!this.chart) return;
    // A frame sent on (re)subscribe repeats the latest point: draw each point once.
    if (index > 0 && index === this.lastIndex && point.step === this.axis.step) return;
    this.lastIndex = index;
    if (index === 0 || point.step < this.axis.step) {
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

  /** The whole history (after joining a run midway), merged with points that came meanwhile. */
  loadHistory(points) {
    if (!this.chart) return;
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
    if (frame.history && !frame.past) this.addPoint(frame.history.index, frame.history.point);
    this.chart?.setCursor(frame.past ? this.epochAt(frame.step) : null);
    this.invalidate();
  }

  /** Draws what changed since the last paint; returns false when nothing needed drawing. */
  paint() {
    let drew = false;
    const frame = this.frame;
    if (this.fresh && frame) {
      this.fresh = false;
      if (frame.grid) {
        const { encoding, range, bytes, resolution } = frame.grid;
        this.plot.paintGrid(bytes, resolution, this.tables.get({ encoding, range }));
      }
      this.showNumbers(frame);
      drew = true;
    }
    drew = this.plot.drawPoints() || drew;
    drew = (this.chart?.draw() ?? false) || drew;
    return drew;
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
    const change = frame.history?.point?.boundary_change;
    if (!frame.past && change !== undefined) {
      this.text("change", change === null ? "–" : `${formatValue(100 * change, 2)}\u00a0%`);
    }
    this.past = Boolean(frame.past);
    this.showStatus(this.status);
  }

  /**
   * The run's status as the page knows it (running, idle or diverged: from the socket's state
   * messages, not from frames, which may arrive late); a past frame shows "Looking back".
   */
  showStatus(status) {
    this.status = status;
    const shown = this.past ? "past" : status;
    this.root.dataset.status = shown;
    this.text("status", STATUS_TEXT[shown] ?? shown);
  }

  text(name, value) {
    if (this.shown[name] === value) return;
    const node = this.part(name);
    if (!node) return;
    this.shown[name] = value;
    node.textContent = value;
  }
}
