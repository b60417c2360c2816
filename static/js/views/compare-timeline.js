// The compare page's timeline: one scrubber, in epochs, for every run. The runs move in
// lock-step, so each shows its own moment nearest the epoch chosen; the markers of every run
// sit on the one track in that run's colour, and each run's verdict comes from them.
// Moments come with the live frames; markers and thinning with a fetch now and then.

import { gridFromBoundary, verdict } from "../state/compare-state.js";
import { formatCount } from "../lib/scales.js";
import { MARKER_NAMES, TimelineView } from "./timeline.js";

const SHOWN = ["diverged", "oscillating", "settled"]; // the step-size lesson's moments
const LETTERS = "ABCD";
const REFRESH_MS = 3000;

const momentOf = (p) => ({ x: p.epoch, at: p.at, step: p.step, epoch: p.epoch, point: p });

export function nearest(moments, epoch) {
  let best = null;
  for (const m of moments) if (!best || Math.abs(m.epoch - epoch) < Math.abs(best.epoch - epoch)) best = m;
  return best;
}

/**
 * A "settled" marker where the loss had hardly fallen yet: the boundary stopped moving because
 * the steps are tiny, not because the network found its answer. Crawling is not settling.
 */
function stalled(run, marker) {
  if (marker.kind !== "settled") return false;
  const loss = nearest(run.moments, marker.epoch)?.point.train_loss;
  return !(run.panel.first - loss > 0.25 * run.panel.first);
}

export class SharedTimeline {
  /**
   * deps: link (a comparison RunLink), overlay (OverlayChart), invalidate(), runs() → the page's runs
   * ({id, panel, moments, markers, range, resolution}), status() → "running" | "idle",
   * color(i) → run i's colour.
   */
  constructor(element, deps) {
    this.d = deps;
    this.timer = 0;
    this.view = new TimelineView(element, {
      invalidate: deps.invalidate,
      onSeek: (moment) => this.lookBack(moment),
      onLive: () => this.goLive(),
    }, { label: "Epoch shown in every run" });
    setInterval(() => {
      if (this.d.status() === "running" && !document.hidden) this.refresh();
    }, REFRESH_MS);
  }

  get past() {
    return this.view.past;
  }

  draw() {
    return this.view.draw();
  }

  clear() {
    this.view.goLive();
    this.view.setMoments([]);
    this.view.setMarkers([]);
  }

  /** A live frame's history point (with its checkpoint key `at`) for run `index`. */
  add(run, index, point) {
    const moments = run.moments;
    while (moments.length && moments.at(-1).step >= point.step) moments.pop(); // reset, rewind
    moments.push(momentOf(point));
    if (this.d.status() !== "running") this.refresh(400); // stepped: markers once it rests
    if (index !== 0) return;
    this.view.setMoments(moments);
    if (!this.past) this.view.say(`Live · epoch ${formatCount(point.epoch)}`);
  }

  /** Fetches every run's moments and markers after `delay` ms; then shows the verdicts. */
  refresh(delay = 0) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const runs = this.d.runs();
      Promise.all(runs.map((run) => this.d.link.timeline(run.id).then((t) => {
        run.moments = t.entries.map(momentOf);
        run.markers = t.markers;
      }).catch(() => {}))).then(() => {
        if (runs !== this.d.runs()) return;
        this.view.setMoments(runs[0]?.moments ?? []);
        this.view.setMarkers(runs.flatMap((run, i) => run.markers
          .filter((m) => SHOWN.includes(m.kind) && !stalled(run, m))
          .map((m) => ({ kind: m.kind, x: m.epoch, color: this.d.color(i),
            text: `${LETTERS[i]}: ${MARKER_NAMES[m.kind]} · epoch ${formatCount(m.epoch)}` }))));
        this.verdicts();
      });
    }, delay);
  }

  verdicts() {
    for (const run of this.d.runs()) {
      const live = run.panel.live;
      run.panel.setVerdict(verdict({
        status: live?.status ?? "idle", epoch: live?.epoch ?? 0, first: run.panel.first,
        last: run.panel.lastLoss, markers: run.markers, calm: run.panel.calm,
      }));
    }
  }

  /** Every panel shows the moment of its own run nearest to the chosen epoch. */
  lookBack(moment) {
    const { link, overlay } = this.d;
    if (this.d.status() === "running") link.pause(); // looking back stops the runs where they are
    overlay.setCursor(moment.epoch);
    this.view.say(`Epoch ${formatCount(moment.epoch)} — the past, in every run.`
      + " Play resumes from the live end.");
    for (const run of this.d.runs()) {
      const entry = nearest(run.moments, moment.epoch);
      if (!entry) continue;
      link.lookBack(run.id, entry.at, Math.min(run.resolution ?? 64, 100), (runId, at, boundary) => {
        if (!this.past) return;
        const grid = gridFromBoundary(boundary, run.panel.classes, run.range);
        run.panel.showPast(grid, { ...entry.point, at });
      });
    }
  }

  /** Back to the live end in every panel. */
  goLive() {
    this.view.goLive();
    this.d.overlay.setCursor(null);
    const runs = this.d.runs();
    for (const run of runs) {
      this.d.link.lookBack(run.id, null);
      run.panel.goLive();
    }
    this.view.say(`Live · epoch ${formatCount(runs[0]?.moments.at(-1)?.epoch ?? 0)}`);
  }
}
