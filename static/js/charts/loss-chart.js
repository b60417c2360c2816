// Training and test loss over epochs, as a configuration of the one chart: the playground's and
// the compare panels' (log toggle, hover read-out, a cursor at the moment looked back at).

import { Chart, nearest } from "./chart.js";
import { formatLoss, formatPercent, formatValue } from "../lib/scales.js";

/** Training loss solid, test loss dashed, in the colours given. */
function lossSeries(colors, { width = 2, dash = [6, 4], cap = "butt" } = {}) {
  return [
    { value: (p) => p.train_loss ?? NaN, color: colors.train, width, cap },
    { value: (p) => p.test_loss ?? NaN, color: colors.test, width, cap, dash },
  ];
}

export class LossChart extends Chart {
  /** colors: {train, test, grid, text, cursor}; readout: the element for the words. */
  constructor(canvas, readout, { colors, invalidate, metricName = "accuracy" }) {
    super(canvas, {
      series: lossSeries(colors), colors, invalidate,
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
    this.readoutNode.textContent = `epoch ${formatValue(track.x[index], 4)}`
      + ` · train ${formatLoss(point.train_loss)} · test ${formatLoss(point.test_loss)}`
      + ` · test ${this.metricName} ${shown}`;
  }
}
