// Looking back into a run's past, for this viewer only: the moments the run kept (they come with
// the live frames; markers and thinning with a fetch now and then), a timeline to pick one from
// or — on the projector — keys that step one checkpoint back or forward, and the way back to
// live. Three uses configure the one Lookback: the playground's run (its past frame over the
// socket, and "branch from here"), a comparison (compare-lookback.js: every run shows its own
// moment nearest the epoch chosen, fetched over REST; the markers of every run on one track) and
// the presenter's keys. Looking back stops a playing run where it is.

import { formatCount, formatValue } from "../lib/scales.js";
import { LIMITS } from "../state/state.js";
import { MARKER_NAMES } from "./marks.js";
import { TimelineView } from "./timeline.js";

const REFRESH_MS = 3000; // markers while playing: now and then, not every frame

export function nearest(moments, epoch) {
  let best = null;
  for (const m of moments) if (!best || Math.abs(m.epoch - epoch) < Math.abs(best.epoch - epoch)) best = m;
  return best;
}

export class Lookback {
  /**
   * element: where the timeline goes, or null (keys only: back() and forward()).
   * o: {link (a RunLink), status() → the run's status, invalidate(), label, axis: "step" |
   * "epoch" (the timeline's x), runs() → the runs looked into, [{id, moments, markers}]
   * (default: the link's own run), markers(runs) → what the timeline marks, onSeek(moment),
   * onLive(), onRefresh(runs), past(moment, latest) → what the timeline says of a moment}
   */
  constructor(element, o) {
    this.o = { axis: "step", markers: runMarkers, ...o };
    this.timer = 0;
    this.own = [{ id: null, moments: [], markers: [] }]; // id null: the link's run
    this.index = null; // keys: the moment shown, or null when live
    this.loading = false;
    this.view = element && new TimelineView(element, {
      invalidate: o.invalidate,
      onSeek: (moment) => this.seek(moment),
      onLive: () => this.goLive(),
    }, { label: o.label });
    if (!element) return;
    setInterval(() => {
      if (this.o.status() === "running" && !document.hidden) this.refresh();
    }, REFRESH_MS);
  }

  runs() {
    return this.o.runs ? this.o.runs() : this.own;
  }

  momentOf(p) {
    return { x: this.o.axis === "epoch" ? p.epoch : p.step, at: p.at, step: p.step, epoch: p.epoch, point: p };
  }

  /** The moment shown, or null when live. */
  get past() {
    if (this.view) return this.view.past;
    return this.index === null ? null : this.runs()[0].moments[this.index];
  }

  draw() {
    return this.view?.draw() ?? false;
  }

  say(text) {
    this.view?.say(text);
  }

  /** A new run (or comparison): nothing to look back on until it says what it kept. */
  clear() {
    this.own = [{ id: null, moments: [], markers: [] }];
    this.view?.setMoments([]);
    this.view?.setMarkers([]);
    this.goLive();
  }

  /** A live frame's history point (with its checkpoint `at`) for run `index` of runs(). */
  add(point, index = 0) {
    if (!point || point.at === null || point.at === undefined) return;
    const moments = this.runs()[index].moments;
    while (moments.length && moments.at(-1).step >= point.step) moments.pop(); // reset, rewind
    moments.push(this.momentOf(point));
    // Stepped: markers once it rests. A run at its start with no markers shown has none to fetch.
    const start = point.step === 0 && !this.runs()[index].markers?.length;
    if (this.o.status() !== "running" && !start) this.refresh(400);
    if (index !== 0) return;
    this.view?.setMoments(moments);
    if (!this.past) this.say(`Live · epoch ${formatCount(point.epoch)}`);
  }

  /** Fetches the moments kept and the markers found, after `delay` ms (calls coalesce). */
  refresh(delay = 0) {
    clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      const runs = this.runs();
      await Promise.all(runs.map((run) => this.load(run).catch(() => {}))); // a run being replaced
      if (runs !== this.runs()) return;
      this.view?.setMoments(runs[0]?.moments ?? []);
      this.view?.setMarkers(this.o.markers(runs));
      this.o.onRefresh?.(runs);
    }, delay);
  }

  async load(run) {
    const { entries, markers } = await this.o.link.timeline(run.id ?? this.o.link.id);
    run.moments = entries.map((entry) => this.momentOf(entry));
    run.markers = markers;
  }

  /** Shows `moment` (picked on the timeline, or stepped to with the keys). */
  seek(moment) {
    if (this.o.status() === "running") this.o.link.pause(); // looking back stops the run there
    this.o.onSeek(moment);
    const latest = this.runs()[0]?.moments.at(-1);
    this.say(this.o.past?.(moment, latest) ?? `Epoch ${formatCount(moment.epoch)} of `
      + `${formatCount(latest?.epoch ?? 0)} — the past. Play resumes from the live end.`);
  }

  /** Back to the live end (before playing, stepping or changing anything). */
  goLive() {
    this.view?.goLive();
    this.index = null;
    this.o.link.live();
    this.o.onLive();
    this.say(`Live · epoch ${formatCount(this.runs()[0]?.moments.at(-1)?.epoch ?? 0)}`);
  }

  /** Keys: one checkpoint further back; `step` is the live one, skipped as it is shown now. */
  async back(step) {
    if (this.index !== null) {
      this.go(this.further(-1));
      return;
    }
    if (this.loading) return;
    this.loading = true;
    try {
      await this.load(this.runs()[0]);
    } finally {
      this.loading = false;
    }
    const moments = this.runs()[0].moments;
    let index = moments.length - 1;
    while (index >= 0 && moments[index].step >= step) index -= 1;
    this.go(index);
  }

  /** Keys: one checkpoint forward; past the newest, back to live. False when already live. */
  forward() {
    if (this.index === null) return false;
    const index = this.further(1);
    if (index >= this.runs()[0].moments.length) this.goLive();
    else this.go(index);
    return true;
  }

  /** The next moment in `direction` that shows another step (checkpoints may share one). */
  further(direction) {
    const moments = this.runs()[0].moments;
    const shown = moments[this.index].step;
    let index = this.index + direction;
    while (moments[index] && moments[index].step === shown) index += direction;
    return index;
  }

  go(index) {
    if (index < 0 && this.index === null) return; // nothing older than the live run
    const clamped = Math.max(0, index);
    const moment = this.runs()[0].moments[clamped];
    if (clamped === this.index || !moment) return;
    this.index = clamped;
    this.seek(moment);
  }
}

/** The playground's markers: every kind the server found, on the run's own track. */
function runMarkers([run]) {
  return run.markers.map((m) => ({
    kind: m.kind, x: m.step, text: `${MARKER_NAMES[m.kind] ?? m.kind} · epoch ${formatCount(m.epoch)}`,
  }));
}

/**
 * The playground's look back, under its charts: the past frame over the socket, the badge on the
 * plot, and "branch from here" (a new session from the moment shown, with the step size typed).
 * deps: link, display (RunView), invalidate(), notify(text), status(), learningRate().
 */
export function runLookback(root, deps) {
  const $ = (id) => root.querySelector(`#${id}`);
  const form = $("branch");
  const rate = $("branch-lr");
  const lookback = new Lookback($("timeline"), {
    ...deps,
    onSeek: (moment) => {
      deps.display.enterPast();
      deps.link.seek(moment.at);
      $("past-badge").textContent = `Looking back: epoch ${formatCount(moment.epoch)}`;
      if (form.hidden) rate.value = String(deps.learningRate());
      form.hidden = false;
    },
    onLive: () => {
      deps.display.goLive();
      form.hidden = true;
    },
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const moment = lookback.past;
    const value = Number(rate.value);
    const [lo, hi] = LIMITS.learning_rate;
    if (!moment || !Number.isFinite(value) || value < lo || value > hi) {
      rate.setCustomValidity(`Choose a step size between ${lo} and ${hi}.`);
      rate.reportValidity();
      return;
    }
    rate.setCustomValidity("");
    try {
      await deps.link.branch(moment.at, { learning_rate: value });
      lookback.goLive();
      deps.notify(`A new run branched from epoch ${formatCount(moment.epoch)} with step size `
        + `${formatValue(value, 3)}; press play to go on from there.`);
    } catch (error) {
      deps.notify(`Could not branch from there: ${error.message}`);
      lookback.refresh();
    }
  });
  return lookback;
}
