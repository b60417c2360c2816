// One run of a comparison, as a panel: its varied value (editable in place), its boundary, its
// verdict, its numbers (with the size of its steps) and its own loss curve. Frames are stored
// as they come and drawn by paint(), which the page's scheduler calls at most once per frame.
// No fetching here: past moments are handed in by the page.

import { LossChart } from "../charts/loss-chart.js";
import { VARIED, showValue } from "../state/compare-state.js";
import { Board } from "./board.js";
import { formatCount, formatLoss, formatPercent, formatValue } from "../lib/scales.js";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const LETTERS = "ABCD";

export class RunPanel {
  /**
   * options: {index, vary, value, color, dash (SVG dasharray), palette, tables, colors,
   * invalidate, onValue(index, text) → error text or null, onRemove(index), removable}
   */
  constructor(container, options) {
    const o = options;
    this.o = o;
    this.index = o.index;
    this.tables = o.tables;
    this.frame = null; // what is shown: the live frame, or {past, grid, point}
    this.live = null;
    this.fresh = false;
    this.first = NaN; // training loss at step 0, for the verdict
    this.changes = []; // the boundary's latest changes, for the verdict
    const root = el("article", "run");
    root.dataset.index = String(o.index);
    root.dataset.status = "idle";
    root.dataset.shown = "live";
    root.style.setProperty("--run", o.color);
    root.setAttribute("aria-label", `Run ${LETTERS[o.index]}`);
    this.root = root;

    const head = el("header", "run-head");
    const key = el("span", "run-key");
    key.innerHTML = `<svg viewBox="0 0 36 8" aria-hidden="true"><line x1="1" y1="4" x2="35" y2="4"
      stroke-dasharray="${o.dash}"/></svg><span>Run ${LETTERS[o.index]}</span>`;
    this.editor = this.makeEditor(o.vary, o.value);
    const remove = el("button", "run-remove", "×");
    Object.assign(remove, { type: "button", title: "Remove this run", hidden: !o.removable });
    remove.setAttribute("aria-label", `Remove run ${LETTERS[o.index]}`);
    remove.addEventListener("click", () => o.onRemove(o.index));
    head.append(key, this.editor.label, remove);

    const plot = el("div", "plot run-plot");
    plot.innerHTML = '<canvas class="heat" width="1" height="1" aria-hidden="true"></canvas>'
      + '<canvas class="points" role="img"></canvas><p class="past-badge"></p>'
      + '<p class="run-epoch">epoch 0</p>';
    plot.querySelector("canvas.points")
      .setAttribute("aria-label", `Run ${LETTERS[o.index]}: the network's answer over the plane`);
    this.badge = plot.querySelector(".past-badge");
    this.epoch = plot.querySelector(".run-epoch");
    this.boundary = new Board(plot, { palette: o.palette, invalidate: o.invalidate, ring: 1.6 });

    this.verdictLine = el("p", "verdict", "Ready at the shared start");
    const numbers = el("dl", "run-numbers");
    const cell = (name, cls) => {
      const box = el("div", cls);
      const term = el("dt", "", name);
      const value = el("dd", "", "–");
      box.append(term, value);
      numbers.append(box);
      return [term, value];
    };
    this.trainLoss = cell("Training loss", "train-loss")[1];
    this.testLoss = cell("Test loss", "test-loss")[1];
    [this.metricName, this.testMetric] = cell("Test accuracy", "test-metric");
    const stepBox = el("div", "step-size-cell");
    this.update = el("dd", "", "–");
    this.meter = el("span", "meter");
    this.meter.setAttribute("aria-hidden", "true");
    this.update.prepend(this.meter);
    stepBox.append(el("dt", "", "Each step moved the weights by"), this.update);
    numbers.append(stepBox);

    const canvas = el("canvas", "run-chart");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `Run ${LETTERS[o.index]}: training and test loss over epochs`);
    const readout = el("p", "readout run-readout");
    this.chart = new LossChart(canvas, readout, {
      invalidate: o.invalidate,
      colors: { ...o.colors, train: o.color },
    });
    this.link = el("a", "run-open", "Open this run in the playground");
    root.append(head, plot, this.verdictLine, numbers, canvas, readout, this.link);
    container.append(root);
  }

  makeEditor(vary, value) {
    const spec = VARIED[vary];
    const label = el("label", "run-value");
    const name = el("span", "run-value-name", spec.label);
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
      const problem = this.o.onValue(this.index, input.value);
      input.setCustomValidity(problem || "");
      if (problem) input.reportValidity();
    });
    label.append(name, input);
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
    if (data) this.boundary.setData(data, problem);
  }

  setView({ log }) {
    this.chart.setLog(log);
  }

  takeFrame(frame) {
    this.root.dataset.runId = frame.id;
    const h = frame.history;
    if (h) {
      if (h.index === 0) this.chart.clear();
      const kept = h.point.step <= (this.chart.lastPoint?.step ?? -1)
        ? this.chart.truncate(h.point.step) : null; // a reset or rewind
      if (!kept || kept.point.step !== h.point.step) this.chart.push(h.point, h.point.epoch);
      if (h.point.step === 0) this.first = h.point.train_loss;
      this.changes = [...this.changes.slice(-4), h.point.boundary_change ?? 1];
    }
    this.live = frame;
    this.diverged = frame.status === "diverged";
    this.showStatus();
    if (this.root.dataset.shown === "live") this.show(frame);
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

  show(frame) {
    this.frame = frame;
    this.fresh = true;
    this.o.invalidate();
  }

  /** A past moment: grid bytes (frame encoding) and that moment's history point. */
  showPast(grid, point) {
    this.root.dataset.shown = `past:${point.at}`;
    this.badge.textContent = "Looking back";
    this.chart.setCursor(this.chart.xOfStep(point.step));
    this.show({ past: true, grid, epoch: point.epoch, metrics: point, status: "idle" });
  }

  goLive() {
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

  paint() {
    let drew = false;
    const frame = this.frame;
    if (this.fresh && frame) {
      this.fresh = false;
      const grid = frame.grid;
      if (grid) {
        const table = this.tables.get({ encoding: grid.encoding, range: grid.range });
        this.boundary.paintGrid(grid.bytes, grid.resolution, table);
      }
      this.numbers(frame);
      drew = true;
    }
    drew = this.boundary.drawPoints() || drew;
    return this.chart.draw() || drew;
  }

  numbers(frame) {
    const m = frame.metrics || {};
    const regression = this.problem === "regression";
    this.epoch.textContent = `epoch ${formatCount(frame.epoch)}`;
    this.trainLoss.textContent = formatLoss(m.train_loss);
    this.root.dataset.trainLoss = String(m.train_loss ?? "");
    this.testLoss.textContent = formatLoss(m.test_loss);
    this.testMetric.textContent = regression ? formatValue(m.test_r2 ?? NaN, 3) : formatPercent(m.test_accuracy);
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
