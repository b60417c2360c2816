// Runs of a comparison side by side: for each run a small boundary, a small loss chart and its
// numbers, under the value it differs in. Frames from the comparison's one socket name their
// run in the header's `id`; each is stored when it arrives and drawn by paint(), which the page's
// scheduler calls at most once per animation frame.

import { chartColors } from "./run-view.js";
import { ClassroomChart } from "../charts/loss-chart.js";
import { TableCache } from "../lib/palette.js";
import { Board, boardElement } from "./board.js";
import { formatCount, formatLoss, formatValue } from "../lib/scales.js";

const NAMES = { learning_rate: "Step size", batch_size: "Batch size", momentum: "Momentum",
  optimizer: "Optimizer", regularization_rate: "Regularisation" };

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export class RunStrip {
  constructor(container, { palette, invalidate, lineWidth = 2, fontSize = 11, plot = {} }) {
    this.container = container;
    this.palette = palette;
    this.invalidate = invalidate;
    this.tables = new TableCache(palette);
    this.options = { lineWidth, fontSize, plot: { radius: [1.6, 3], scale: 110, ...plot } };
    this.panels = new Map(); // run id -> panel
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
      const chart = el("canvas", "run-chart");
      chart.setAttribute("role", "img");
      chart.setAttribute("aria-label", `Training and test loss of the run with ${value}`);
      const numbers = el("p", "run-numbers");
      const epoch = el("span", "run-epoch", "epoch 0");
      const loss = el("span", "run-loss", "loss –");
      numbers.append(epoch, loss);
      const cell = el("div", "board-cell");
      cell.append(wrap);
      card.append(caption, cell, numbers, chart);
      card.dataset.run = run.id;
      this.container.append(card);
      const plot = new Board(wrap, { palette: this.palette, invalidate: this.invalidate,
        ...this.options.plot });
      plot.setData(data, run.problem);
      const line = new ClassroomChart(chart, { colors: chartColors(this.container),
        invalidate: this.invalidate, ticks: false, lineWidth: this.options.lineWidth });
      const nTrain = Math.max(1, data.train.length);
      const perEpoch = Math.ceil(nTrain / Math.min(run.config.batch_size, nTrain));
      this.panels.set(run.id, { card, plot, line, epoch, loss, perEpoch, frame: null, fresh: false });
    });
    this.invalidate();
  }

  takeFrame(frame) {
    const panel = this.panels.get(frame.id);
    if (!panel) return;
    panel.frame = frame;
    panel.fresh = true;
    if (frame.history) {
      const { index, point } = frame.history;
      if (index === 0) panel.line.clear();
      panel.line.push(point, point.step / panel.perEpoch);
    }
    this.invalidate();
  }

  paint() {
    let drew = false;
    // One y-axis for every run, so a run that does worse also looks worse.
    const peak = Math.max(...[...this.panels.values()].map((p) => p.line.peak));
    for (const panel of this.panels.values()) {
      panel.line.setTop(Number.isFinite(peak) ? peak : null);
      const frame = panel.frame;
      if (panel.fresh && frame) {
        panel.fresh = false;
        const { encoding, range, bytes, resolution } = frame.grid;
        panel.plot.paintGrid(bytes, resolution, this.tables.get({ encoding, range }));
        panel.epoch.textContent = `epoch ${formatCount(frame.epoch)}`;
        const loss = frame.metrics?.train_loss;
        panel.loss.textContent = frame.status === "diverged" ? "blew up" : `loss ${formatLoss(loss)}`;
        // Only whether it blew up: playing or paused is the page's, from its state messages.
        panel.card.dataset.diverged = String(frame.status === "diverged");
        drew = true;
      }
      drew = panel.plot.drawPoints() || drew;
      drew = panel.line.draw() || drew;
    }
    return drew;
  }

  /** The epoch every run has reached (they move in lock-step). */
  get epoch() {
    const frames = [...this.panels.values()].map((p) => p.frame?.epoch ?? 0);
    return frames.length ? Math.min(...frames) : 0;
  }
}
