// The compare page's looking back: one timeline in epochs for every run, each run's markers in
// its colour, and each run's verdict. Apart from the playground's (lookback.js), which never
// needs the comparison's state.

import { gridFromBoundary, verdict } from "../state/compare-state.js";
import { formatCount } from "../lib/scales.js";
import { Lookback, nearest } from "./lookback.js";
import { MARKER_NAMES } from "./marks.js";

const SHOWN = ["diverged", "oscillating", "settled"]; // the step-size lesson's moments, in compare
const LETTERS = "ABCD";

/**
 * A "settled" marker where the loss had hardly fallen yet: the boundary stopped moving because
 * the steps are tiny, not because the network found its answer. Crawling is not settling.
 */
function stalled(run, marker) {
  if (marker.kind !== "settled") return false;
  const loss = nearest(run.moments, marker.epoch)?.point.train_loss;
  return !(run.panel.first - loss > 0.25 * run.panel.first);
}

/** Each run's verdict (state/compare-state.js) from its status, markers and loss series. */
export function showVerdicts(runs) {
  for (const run of runs) {
    const live = run.panel.live;
    run.panel.setVerdict(verdict({
      status: live?.status ?? "idle", epoch: live?.epoch ?? 0, first: run.panel.first,
      last: run.panel.lastLoss, markers: run.markers, calm: run.panel.calm,
      series: run.moments.map((moment) => moment.point), // its loss so far, for the pace
    }));
  }
}

/**
 * The compare page's one timeline, in epochs, for every run: each shows its own moment nearest
 * the epoch chosen; the markers of every run sit on the one track in that run's colour.
 * deps: link, overlay (the chart of every run), invalidate(), runs() → the page's runs
 * ({id, panel, moments, markers, range, resolution}), status(), color(i).
 */
export function comparisonLookback(element, deps) {
  const lookback = new Lookback(element, {
    ...deps,
    axis: "epoch",
    label: "Epoch shown in every run",
    markers: (runs) => runs.flatMap((run, i) => run.markers
      .filter((m) => SHOWN.includes(m.kind) && !stalled(run, m))
      .map((m) => ({ kind: m.kind, x: m.epoch, color: deps.color(i),
        text: `${LETTERS[i]}: ${MARKER_NAMES[m.kind]} · epoch ${formatCount(m.epoch)}` }))),
    onRefresh: showVerdicts,
    past: (moment) => `Epoch ${formatCount(moment.epoch)} — the past, in every run.`
      + " Play resumes from the live end.",
    onSeek: (moment) => {
      deps.overlay.setCursor(moment.epoch);
      for (const run of deps.runs()) {
        const entry = nearest(run.moments, moment.epoch);
        if (!entry) continue;
        deps.link.lookBack(run.id, entry.at, Math.min(run.resolution ?? 64, 100), (runId, at, boundary) => {
          if (!lookback.past) return;
          run.panel.showPast(gridFromBoundary(boundary, run.panel.classes, run.range), { ...entry.point, at });
        });
      }
    },
    onLive: () => {
      deps.overlay.setCursor(null);
      for (const run of deps.runs()) {
        deps.link.lookBack(run.id, null);
        run.panel.goLive();
      }
    },
  });
  return lookback;
}
