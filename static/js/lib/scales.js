// Small numeric helpers shared by the controls and the chart: logarithmic sliders and the
// formatting of big counters and small losses.

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const exp = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * exp).find((s) => s >= raw) || raw;
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return ticks;
}

/** A value with `digits` significant digits, without float noise: 0.030000001 -> "0.03". */
export function formatValue(value, digits = 3) {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-4) return value.toExponential(digits - 1).replace(/\.?0+e/, "e");
  return String(Number(value.toPrecision(digits)));
}

/** 1, 1.5, 2, 3, 5, 7 x 10^k from lo to hi: the stops of a slider over several decades. */
export function niceSteps(lo, hi) {
  const stops = [];
  for (let exp = Math.floor(Math.log10(lo)); exp <= Math.ceil(Math.log10(hi)); exp += 1) {
    for (const m of [1, 1.5, 2, 3, 5, 7]) {
      const v = Number((m * 10 ** exp).toPrecision(3));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) stops.push(v);
    }
  }
  return stops;
}

/** Index of the stop nearest to `value` on a log scale. */
export function nearestStop(stops, value) {
  let best = 0;
  for (let i = 1; i < stops.length; i += 1) {
    if (Math.abs(Math.log(stops[i] / value)) < Math.abs(Math.log(stops[best] / value))) best = i;
  }
  return best;
}

/** 1234567 -> "1,234,567"; past ten million, "12.3 M". The digits are grouped here, not by an
 * Intl.NumberFormat: making one loads the locale's data, tens of ms on a page's first load. */
export function formatCount(n) {
  if (!Number.isFinite(n)) return "–";
  if (n >= 1e10) return `${(n / 1e9).toFixed(1)} B`;
  if (n >= 1e7) return `${(n / 1e6).toFixed(1)} M`;
  const digits = String(Math.abs(Math.round(n)));
  let grouped = digits.slice(0, digits.length % 3 || 3);
  for (let i = grouped.length; i < digits.length; i += 3) grouped += `,${digits.slice(i, i + 3)}`;
  return n <= -0.5 ? `-${grouped}` : grouped;
}

export function formatLoss(value) {
  if (value === null || value === undefined) return "–";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "NaN";
  return value >= 100 ? value.toExponential(2) : value.toFixed(value < 0.01 ? 4 : 3);
}

export function formatPercent(value) {
  return value === null || value === undefined ? "–" : `${(100 * value).toFixed(1)}\u00a0%`;
}
