// Runs side by side, one panel each: its boundary and its own loss curve under the value it
// differs in. The compare page's panels (RunPanel) add the value's editor, a verdict, the numbers
// with the size of the steps, the moment looked back at and a link to the playground; the
// classroom strip (RunStrip) shows small panels of a lesson's comparison on one shared y-axis.
// Frames are stored as they come and drawn by paint(), which the page's scheduler calls at most
// once per animation frame. No fetching here: past moments are handed in by the page.

import { ClassroomChart, LossChart } from "../charts/loss-chart.js";
import { VARIED, showValue } from "../state/compare-state.js";
import { TableCache } from "../lib/palette.js";
import { formatCount, formatLoss, formatPercent, formatValue } from "../lib/scales.js";
import { Board, boardElement } from "./board.js";
import { chartColors } from "./run-view.js";

const LETTERS = "ABCD";
const NAMES = { learning_rate: "Step size", batch_size: "Batch size", momentum: "Momentum",
  optimizer: "Optimizer", regularization_rate: "Regularisation" };

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** What every panel does: one run's frames onto its board, its loss chart and its numbers. */
class Panel {
  /** parts: {root, board, chart, epoch (node)}; o: {tables, invalidate, x(point) → chart x} */
  constructor(parts, o) {
    Object.assign(this, parts);
    this.o = o;
    this.frame = null; // what is shown: the live frame, or a past moment
    this.live = null;
    this.fresh = false;
    this.viewingPast = false;
  }

  /** A live frame of this run: its history point joins the chart (a reset or rewind trims it). */
  takeFrame(frame) {
    const h = frame.history;
    if (h) {
      if (h.index === 0) this.chart.clear();
      const track = this.chart.tracks[0];
      const last = track.points.at(-1);
      if (last && h.point.step <= last.step) this.chart.truncate(h.point.step);
      if (track.points.at(-1)?.step !== h.point.step) this.chart.push(h.point, this.o.x(h.point));
    }
    this.live = frame;
    if (!this.viewingPast) this.show(frame);
  }

  show(frame) {
    this.frame = frame;
    this.fresh = true;
    this.o.invalidate();
  }

  paint() {
    let drew = false;
    const frame = this.frame;
    if (this.fresh && frame) {
      this.fresh = false;
      const grid = frame.grid;
      if (grid) this.board.paintGrid(grid.bytes, grid.resolution, this.o.tables.get({ encoding: grid.encoding, range: grid.range }));
      this.epoch.textContent = `epoch ${formatCount(frame.epoch)}`;
      this.numbers(frame);
      drew = true;
    }
    drew = this.board.drawPoints() || drew;
    return this.chart.draw() || drew;
  }

  numbers() {}
}

/** A run of a comparison on the compare page. */
export class RunPanel extends Panel {
  /**
   * options: {index, vary, value, color, dash (SVG dasharray), palette, tables, colors,
   * invalidate, onValue(index, text) → error text or null, onRemove(index), removable}
   */
  constructor(container, o) {
    const root = el("article", "run");
    const name = `Run ${LETTERS[o.index]}`;
    Object.assign(root.dataset, { index: String(o.index), status: "idle", shown: "live" });
    root.style.setProperty("--run", o.color);
    root.setAttribute("aria-label", name);
    const plot = el("div", "plot run-plot");
    plot.innerHTML = '<canvas class="heat" width="1" height="1" aria-hidden="true"></canvas>'
      + '<canvas class="points" role="img"></canvas><p class="past-badge"></p><p class="run-epoch">epoch 0</p>';
    plot.querySelector("canvas.points").setAttribute("aria-label", `${name}: the network's answer over the plane`);
    const canvas = el("canvas", "run-chart");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `${name}: training and test loss over epochs`);
    const readout = el("p", "readout run-readout");
    super({
      root,
      board: new Board(plot, { palette: o.palette, invalidate: o.invalidate, ring: 1.6 }),
      chart: new LossChart(canvas, readout, { invalidate: o.invalidate, colors: { ...o.colors, train: o.color } }),
      epoch: plot.querySelector(".run-epoch"),
    }, { tables: o.tables, invalidate: o.invalidate, x: (point) => point.epoch });
    this.index = o.index;
    this.onValue = o.onValue;
    this.badge = plot.querySelector(".past-badge");
    this.first = NaN; // training loss at step 0, for the verdict
    this.changes = []; // the boundary's latest changes, for the verdict

    const head = el("header", "run-head");
    const key = el("span", "run-key");
    key.innerHTML = `<svg viewBox="0 0 36 8" aria-hidden="true"><line x1="1" y1="4" x2="35" y2="4"
      stroke-dasharray="${o.dash}"/></svg><span>${name}</span>`;
    this.editor = this.makeEditor(o.vary, o.value);
    const remove = el("button", "run-remove", "×");
    Object.assign(remove, { type: "button", title: "Remove this run", hidden: !o.removable });
    remove.setAttribute("aria-label", `Remove run ${LETTERS[o.index]}`);
    remove.addEventListener("click", () => o.onRemove(o.index));
    head.append(key, this.editor.label, remove);

    this.verdictLine = el("p", "verdict", "Ready at the shared start");
    const numbers = el("dl", "run-numbers");
    const cell = (term, cls) => {
      const box = el("div", cls);
      const value = el("dd", "", "–");
      box.append(el("dt", "", term), value);
      numbers.append(box);
      return value;
    };
    this.trainLoss = cell("Training loss", "train-loss");
    this.testLoss = cell("Test loss", "test-loss");
    this.testMetric = cell("Test accuracy", "test-metric");
    this.metricName = this.testMetric.previousSibling;
    const stepBox = el("div", "step-size-cell");
    this.update = el("dd", "", "–");
    this.meter = el("span", "meter");
    this.meter.setAttribute("aria-hidden", "true");
    this.update.prepend(this.meter);
    stepBox.append(el("dt", "", "Each step moved the weights by"), this.update);
    numbers.append(stepBox);
    this.link = el("a", "run-open", "Open this run in the playground");
    root.append(head, plot, this.verdictLine, numbers, canvas, readout, this.link);
    container.append(root);
  }

  makeEditor(vary, value) {
    const spec = VARIED[vary];
    const label = el("label", "run-value");
    let input;
    if (spec.kind === "choice") {
      input = el("select");
      for (const choice of spec.choices) {
        const option = el("option", "", showValue(vary, choice));
        option.value = choice;
        input.append(option);
      }
    } else {
      input = el("input");
      input.type = spec.kind === "layers" ? "text" : "number";
      if (spec.kind !== "layers") Object.assign(input, { min: spec.limits[0], max: spec.limits[1], step: "any" });
      input.inputMode = spec.kind === "number" ? "decimal" : "numeric";
    }
    input.className = "value-input";
    input.addEventListener("change", () => {
      const problem = this.onValue(this.index, input.value);
      input.setCustomValidity(problem || "");
      if (problem) input.reportValidity();
    });
    label.append(el("span", "run-value-name", spec.label), input);
    const editor = { label, input };
    this.showValue(vary, value, editor);
    return editor;
  }

  /** The run's varied value, unless the visitor is typing in it. */
  showValue(vary, value, editor = this.editor) {
    if (document.activeElement === editor.input) return;
    editor.input.value = Array.isArray(value) ? value.join(", ") : String(value);
    this.root.dataset.value = editor.input.value;
  }

  setLink(href) {
    this.link.href = href;
  }

  setSession({ data, problem, classes }) {
    this.problem = problem;
    this.classes = classes;
    this.metricName.textContent = problem === "regression" ? "Test R²" : "Test accuracy";
    this.chart.setMetricName(problem === "regression" ? "R²" : "accuracy");
    if (data) this.board.setData(data, problem);
  }

  setView({ log }) {
    this.chart.setLog(log);
  }

  takeFrame(frame) {
    this.root.dataset.runId = frame.id;
    const point = frame.history?.point;
    if (point?.step === 0) this.first = point.train_loss;
    if (point) this.changes = [...this.changes.slice(-4), point.boundary_change ?? 1];
    this.diverged = frame.status === "diverged";
    this.showStatus();
    super.takeFrame(frame);
  }

  /**
   * Playing or paused is the comparison's, from its "group" messages in arrival order; a
   * frame (which may have been built just before a pause) only tells that this run blew up.
   */
  setStatus(status) {
    this.status = status;
    this.showStatus();
  }

  showStatus() {
    this.root.dataset.status = this.diverged ? "diverged" : this.status ?? "idle";
  }

  /** The history fetched after a (re)connect. */
  loadHistory(points) {
    this.chart.clear();
    for (const point of points) this.chart.push(point, point.epoch);
    if (points[0]?.step === 0) this.first = points[0].train_loss;
  }

  /** A past moment: grid bytes (frame encoding) and that moment's history point. */
  showPast(grid, point) {
    this.viewingPast = true;
    this.root.dataset.shown = `past:${point.at}`;
    this.badge.textContent = "Looking back";
    this.chart.setCursor(this.chart.xOfStep(point.step));
    this.show({ past: true, grid, epoch: point.epoch, metrics: point, status: "idle" });
  }

  goLive() {
    this.viewingPast = false;
    this.root.dataset.shown = "live";
    this.chart.setCursor(null);
    if (this.live) this.show(this.live);
  }

  setVerdict({ kind, text }) {
    if (this.root.dataset.verdict === kind && this.verdictLine.textContent === text) return;
    this.root.dataset.verdict = kind;
    this.verdictLine.textContent = text;
  }

  /** Whether under 0.5 % of the plane flipped at each of the last five points. */
  get calm() {
    return this.changes.length >= 5 && this.changes.every((c) => c < 0.005);
  }

  /** Training loss now (live), for the verdict. */
  get lastLoss() {
    return this.live?.metrics?.train_loss ?? NaN;
  }

  numbers(frame) {
    const m = frame.metrics || {};
    this.trainLoss.textContent = formatLoss(m.train_loss);
    this.root.dataset.trainLoss = String(m.train_loss ?? "");
    this.testLoss.textContent = formatLoss(m.test_loss);
    this.testMetric.textContent = this.problem === "regression" ? formatValue(m.test_r2 ?? NaN, 3)
      : formatPercent(m.test_accuracy);
    const norm = m.update_norm;
    const ok = Number.isFinite(norm) && norm > 0;
    this.update.lastChild.textContent = ok ? formatValue(norm, 2) : "–";
    const size = ok ? Math.min(1, Math.max(0, (Math.log10(norm) + 5) / 6)) : 0; // log, 1e-5…10
    this.meter.style.setProperty("--size", size.toFixed(3));
  }

  remove() {
    this.root.remove();
  }
}

/** A lesson's comparison on the classroom pages: small panels, one y-axis for every run. */
export class RunStrip {
  constructor(container, { palette, invalidate, lineWidth = 2, plot = {} }) {
    this.container = container;
    this.palette = palette;
    this.invalidate = invalidate;
    this.tables = new TableCache(palette);
    this.options = { lineWidth, plot: { radius: [1.6, 3], scale: 110, ...plot } };
    this.panels = new Map(); // run id -> Panel
  }

  /** Builds one panel per run from the comparison's hello. */
  setGroup({ runs, vary, values, data }) {
    this.container.replaceChildren();
    this.panels.clear();
    runs.forEach((run, i) => {
      const card = el("figure", "run-card");
      const value = typeof values[i] === "number" ? formatValue(values[i], 3) : String(values[i]);
      const caption = el("figcaption", "run-name");
      caption.append(el("span", "run-vary", NAMES[vary] ?? vary), el("strong", "run-value", value));
      const wrap = boardElement(`The boundary of the run with ${NAMES[vary] ?? vary} ${value}`);
      const canvas = el("canvas", "run-chart");
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", `Training and test loss of the run with ${value}`);
      const numbers = el("p", "run-numbers");
      const epoch = el("span", "run-epoch", "epoch 0");
      const loss = el("span", "run-loss", "loss –");
      numbers.append(epoch, loss);
      const cell = el("div", "board-cell");
      cell.append(wrap);
      card.append(caption, cell, numbers, canvas);
      card.dataset.run = run.id;
      this.container.append(card);
      const board = new Board(wrap, { palette: this.palette, invalidate: this.invalidate, ...this.options.plot });
      board.setData(data, run.problem);
      const chart = new ClassroomChart(canvas, { colors: chartColors(this.container),
        invalidate: this.invalidate, ticks: false, lineWidth: this.options.lineWidth });
      const nTrain = Math.max(1, data.train.length);
      const perEpoch = Math.ceil(nTrain / Math.min(run.config.batch_size, nTrain));
      const panel = new Panel({ root: card, board, chart, epoch },
        { tables: this.tables, invalidate: this.invalidate, x: (point) => point.step / perEpoch });
      panel.numbers = (frame) => {
        const diverged = frame.status === "diverged";
        loss.textContent = diverged ? "blew up" : `loss ${formatLoss(frame.metrics?.train_loss)}`;
        // Only whether it blew up: playing or paused is the page's, from its state messages.
        card.dataset.diverged = String(diverged);
      };
      this.panels.set(run.id, panel);
    });
    this.invalidate();
  }

  takeFrame(frame) {
    this.panels.get(frame.id)?.takeFrame(frame);
  }

  paint() {
    let drew = false;
    // One y-axis for every run, so a run that does worse also looks worse.
    const peak = Math.max(...[...this.panels.values()].map((p) => p.chart.peak));
    for (const panel of this.panels.values()) {
      panel.chart.setTop(Number.isFinite(peak) ? peak : null);
      drew = panel.paint() || drew;
    }
    return drew;
  }
}
