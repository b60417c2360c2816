// Every run's loss curve on one set of axes, each in its own colour and dash (so the runs differ
// by more than colour), linear or log: one track and one series per run. Runs are told apart by
// a legend beside the canvas.

import { Chart, nearest } from "./chart.js";
import { formatLoss, formatValue } from "../lib/scales.js";

export const DASHES = [[], [9, 5], [2, 4], [10, 4, 2, 4]];

export class OverlayChart extends Chart {
  /** colors: {grid, text, cursor}; legend: an element for the runs' keys; runs come by setRuns. */
  constructor(canvas, readout, { colors, invalidate, legend }) {
    super(canvas, {
      series: [], colors, invalidate, font: 12,
      x: { range: (_, last) => [0, Math.max(1, last)], spacing: 80 },
      cursor: { color: colors.cursor },
      hover: { color: colors.grid },
      readout: (x) => this.showReadout(x),
    });
    this.readoutNode = readout;
    this.legend = legend;
    this.runs = [];
    this.which = "train";
  }

  /** runs: [{color, name}] in panel order; forgets every curve. */
  setRuns(runs) {
    this.runs = runs;
    this.setSeries(runs.map((run, i) => ({
      track: i, color: run.color, width: 2.25, dash: DASHES[i % DASHES.length], dot: false,
      value: (p) => p[`${this.which}_loss`] ?? NaN,
    })));
    this.showLegend();
  }

  showLegend() {
    if (!this.legend) return;
    this.legend.replaceChildren(...this.runs.map((run, i) => {
      const key = document.createElement("span");
      key.style.color = run.color;
      key.innerHTML = `<svg viewBox="0 0 36 8" aria-hidden="true"><line x1="1" y1="4" x2="35" y2="4"
        stroke="currentColor" stroke-width="3" stroke-dasharray="${DASHES[i % DASHES.length].join(" ")}"/></svg>`;
      key.append(run.name);
      return key;
    }));
  }

  /** Renames runs (a value changed) without forgetting their curves. */
  renameRuns(names) {
    names.forEach((name, i) => {
      if (this.runs[i]) this.runs[i].name = name;
    });
    this.showLegend();
    this.changed();
  }

  /** Adds a point of run `index`; a rewind or a repeat first forgets that step and after. */
  pushRun(index, point) {
    if (!this.runs[index]) return;
    this.truncate(point.step - 1, index);
    this.push(point, point.epoch, index);
  }

  /** "train" or "test": which loss the curves show. */
  setWhich(which) {
    this.which = which;
    this.changed();
  }

  /** Each run's loss nearest to the x under the pointer (else the cursor's, else the last). */
  showReadout(hover) {
    const filled = this.tracks.filter((t) => t.length);
    if (!filled.length) {
      this.readoutNode.textContent = "No training yet.";
      return;
    }
    const x = hover ?? this.cursor ?? Math.max(1, ...filled.map((t) => t.x[t.length - 1]));
    const parts = this.tracks.flatMap((t, i) => (t.length
      ? [`${this.runs[i]?.name}: ${formatLoss(this.series[i].value(t.points[nearest(t.x, x)]))}`] : []));
    const loss = this.which === "train" ? "training" : "test";
    this.readoutNode.textContent = `epoch ${formatValue(x, 4)} · ${loss} loss · ${parts.join(" · ")}`;
  }
}
