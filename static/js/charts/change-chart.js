// A strip chart of one quantity over the same epochs as the loss chart above it: how much of the
// boundary flipped between one recorded point and the next. Early on it jumps; as the network
// settles it falls to zero — the chaos-to-stability story told as a number. Shares the loss
// chart's left and right padding so the two x-axes line up.

import { Chart, PAD, nearest } from "./chart.js";

export class StripChart extends Chart {
  /** colors: {line, fill, grid, text, cursor}; format(v) labels the y-axis; epochs: follow the
   * epoch axis, as the loss chart above does. */
  constructor(canvas, { colors, invalidate, format = String, epochs = false }) {
    super(canvas, {
      series: [{
        value: (p) => p.boundary_change ?? NaN, color: colors.line, fill: colors.fill, width: 1.5,
        join: "miter", // sharp peaks: each one is a jump
      }],
      colors, invalidate,
      pad: { ...PAD, top: 6, bottom: 6 },
      clip: { x: 10, y: 6 }, // the peaks show whole
      x: { spacing: 0, epochs }, // no x-axis: the loss chart's above is the same
      y: { range: (_, hi) => [0, Math.min(Math.max(hi * 1.1, 0.01), 1)], ticks: 2, format },
      cursor: { color: colors.cursor },
    });
  }

  /** The latest finite value, or null. */
  latest() {
    const { points } = this.tracks[0];
    for (let i = points.length - 1; i >= 0; i -= 1) {
      const v = this.series[0].value(points[i]);
      if (Number.isFinite(v)) return v;
    }
    return null;
  }

  /** The value recorded nearest to x, or null. */
  valueAt(x) {
    const track = this.tracks[0];
    if (x === null || !track.length) return null;
    const v = this.series[0].value(track.points[nearest(track.x, x)]);
    return Number.isFinite(v) ? v : null;
  }
}
