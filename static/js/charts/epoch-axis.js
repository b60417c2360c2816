// The epoch axis of the loss and boundary-change charts: linear, or logarithmic so that the
// chaotic first epochs get as much width as the settled last ones. The log axis is of 1 + epoch,
// so epoch 0 (the random start) sits at its left edge instead of at minus infinity; its ticks are
// labelled with real epochs (0, 1, 10, 100…). The visitor's choice is kept in localStorage and
// shared by every chart that follows the epoch axis; without one, the run's length chooses.

export const STORE_KEY = "stepwise.epochAxis";
export const CHANGED = "stepwise:epoch-axis"; // on window, when the visitor's choice changes
export const SHOWN = "stepwise:epoch-axis-shown"; // on window, when a chart's axis kind changes

// A run goes log on its own once its last epoch is more than AUTO_RATIO times its first
// recorded non-zero one (at least 1: below one epoch, log(1 + epoch) is nearly linear anyway).
// At 50×, a linear axis gives the first 2 % of the run — where the boundary is still thrashing
// — 2 % of the width, about 10 px of a phone's chart: the chaos is a spike at x = 0. The log
// axis gives the first epoch as much room as the stretch from 10 to 20, or from 1000 to 2000.
export const AUTO_RATIO = 50;

/** The visitor's choice: "log", "linear", or null (none: the run's length decides). */
export function storedChoice() {
  try {
    const value = window.localStorage.getItem(STORE_KEY);
    return value === "log" || value === "linear" ? value : null;
  } catch {
    return null; // storage refused (privacy settings): no choice remembered
  }
}

/** Keeps the visitor's choice ("log" or "linear"; null forgets it) and tells the charts. */
export function choose(choice) {
  try {
    if (choice) window.localStorage.setItem(STORE_KEY, choice);
    else window.localStorage.removeItem(STORE_KEY);
  } catch {
    // not remembered, but still applied to this page below
  }
  window.dispatchEvent(new CustomEvent(CHANGED, { detail: { choice } }));
}

/** Whether a run whose recorded epochs are `xs` (ascending) is long enough for a log axis. */
export function autoLog(xs) {
  if (!xs.length) return false;
  const first = xs.find((x) => x > 0);
  if (first === undefined) return false;
  return xs[xs.length - 1] > AUTO_RATIO * Math.max(1, first);
}

/** Whether the axis is log for these epochs: the visitor's choice, else the run's length. */
export function isLog(xs, choice = storedChoice()) {
  return choice ? choice === "log" : autoLog(xs);
}

/** Epoch → axis position (log10 of 1 + epoch) and back. */
export const toAxis = (epoch) => Math.log10(1 + Math.max(0, epoch));
export const fromAxis = (t) => 10 ** t - 1;

/**
 * Real epochs to label on a log axis over [x0, x1], `px(epoch)` giving their pixel: 0 and the
 * decades first, then 2 and 5 × 10^k where they leave `gap` px to their neighbours.
 */
export function logTicks(x0, x1, px, gap) {
  const inside = (t) => t >= x0 - 1e-9 && t <= x1 + 1e-9;
  const decades = [0];
  for (let k = 0; 10 ** k <= x1 * 1.0001; k += 1) decades.push(10 ** k);
  const kept = [];
  const fits = (t) => kept.every((k) => Math.abs(px(k) - px(t)) >= gap);
  for (const t of decades) if (inside(t) && fits(t)) kept.push(t);
  // 2 and 5 × 10^k only beside a labelled 10^k ("0, 2, 10" would read as a broken scale), or
  // where 10^k lies before the axis starts (a run branched from a later epoch).
  for (const t of decades.filter((d) => d > 0 && (kept.includes(d) || d < x0))) {
    for (const m of [2, 5]) if (inside(m * t) && fits(m * t)) kept.push(m * t);
  }
  return kept.sort((a, b) => a - b);
}

/**
 * Binds a checkbox to the choice: it shows whether the axis is log now (chosen or automatic)
 * and flipping it remembers the visitor's choice. `tag`, if given, shows while the run's
 * length is choosing.
 */
export function bindToggle(input, tag = null) {
  const showAuto = () => {
    if (tag) tag.hidden = storedChoice() !== null;
  };
  input.addEventListener("change", () => {
    choose(input.checked ? "log" : "linear");
    showAuto();
  });
  window.addEventListener(SHOWN, (event) => {
    input.checked = event.detail.log;
  });
  input.checked = storedChoice() === "log";
  showAuto();
}
