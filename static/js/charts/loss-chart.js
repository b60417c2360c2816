// Training and test loss over epochs, as configurations of the one chart: the playground's and
// the compare panels' (log toggle, hover read-out, a cursor at the moment looked back at) and
// the classroom pages' (line width and type size as options — thick and large on a projector —,
// a marker at the moment a presenter went back to, and a y-axis that runs can share).

import { Chart, nearest } from "./chart.js";
import { formatLoss, formatPercent, formatValue } from "../lib/scales.js";
import { setText } from "../lib/repaint.js";

/** Training loss solid, test loss dashed, in the colours given. */
function lossSeries(colors, { width = 2, dash = [6, 4], cap = "butt" } = {}) {
  return [
    { value: (p) => p.train_loss ?? NaN, color: colors.train, width, cap },
    { value: (p) => p.test_loss ?? NaN, color: colors.test, width, cap, dash },
  ];
}

export class LossChart extends Chart {
  /** colors: {train, test, grid, text, cursor}; readout: the element for the words;
   * epochs: follow the epoch axis (linear or log). */
  constructor(canvas, readout, { colors, invalidate, metricName = "accuracy", epochs = false }) {
    super(canvas, {
      series: lossSeries(colors), colors, invalidate, x: { epochs },
      cursor: { color: colors.cursor || colors.text },
      hover: { color: colors.grid, snap: true, dots: true },
      readout: (x) => this.showReadout(x),
    });
    this.readoutNode = readout;
    this.metricName = metricName;
  }

  /** The last point drawn, if any. */
  get lastPoint() {
    return this.tracks[0].points.at(-1);
  }

  /** Forgets the points after `step` (a rewind); returns the last point kept and its x, if any. */
  truncate(step) {
    const i = super.truncate(step);
    const track = this.tracks[0];
    return i >= 0 ? { point: track.points[i], x: track.x[i] } : null;
  }

  /** The x (epochs) where the point of `step` was drawn, or null before the first point. */
  xOfStep(step) {
    const { points, x } = this.tracks[0];
    return points.length ? x[nearest(points.map((p) => p.step), step)] : null;
  }

  setMetricName(name) {
    this.metricName = name;
  }

  /** The point under the pointer, else the moment looked back at, else the latest. */
  showReadout(hover) {
    const track = this.tracks[0];
    const at = hover ?? this.cursor;
    const index = at === null ? track.length - 1 : nearest(track.x, at);
    const point = track.points[index];
    if (!point) {
      this.readoutNode.textContent = "No training yet.";
      return;
    }
    const metric = this.metricName === "R²" ? "r2" : "accuracy";
    const test = point[`test_${metric}`];
    const shown = metric === "r2" ? formatValue(test ?? NaN, 3) : formatPercent(test);
    setText(this.readoutNode, `epoch ${formatValue(track.x[index], 4)}`
      + ` · train ${formatLoss(point.train_loss)} · test ${formatLoss(point.test_loss)}`
      + ` · test ${this.metricName} ${shown}`);
  }
}

/** The top of a linear loss axis: room above the largest loss, capped so that one huge value
 * from a diverging run does not flatten everything else into the floor. */
function roomAbove(hi) {
  return hi > 0 ? Math.min(hi * 1.05, 50) : 1;
}

export class ClassroomChart extends Chart {
  /** options: {colors: {train, test, grid, text, marker}, lineWidth, fontSize, ticks: bool} */
  constructor(canvas, { colors, invalidate, lineWidth = 2, fontSize = 11, ticks = true }) {
    const lw = lineWidth;
    const fs = fontSize;
    super(canvas, {
      series: lossSeries(colors, { width: lw, dash: [lw * 3, lw * 2], cap: "round" }),
      colors, invalidate, font: fs, gap: fs * 0.5, axes: ticks,
      pad: ticks ? { left: fs * 4.2, right: fs, top: fs, bottom: fs * 2.2 }
        : { left: lw * 2, right: lw * 2, top: lw * 2, bottom: lw * 2 },
      clip: { x: lw * 2, y: lw * 2 }, // round caps and the step-0 dot show whole
      x: { spacing: fs * 7 },
      y: {
        range: (_, hi) => [0, this.top ?? roomAbove(hi)],
        ticks: (height) => Math.max(2, Math.min(5, Math.floor(height / (fs * 3)))),
      },
      cursor: { color: colors.marker || colors.text, width: Math.max(2, lw * 0.75) },
    });
    this.top = null;
  }

  /** The top the y-axis would reach on its own. */
  get peak() {
    return roomAbove(this.extent()[1]);
  }

  /** Shares one y-axis between charts that are compared side by side (null: its own). */
  setTop(y) {
    if (y === this.top) return;
    this.top = y;
    this.changed();
  }
}
