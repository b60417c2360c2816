// The timeline under the loss chart: a scrubber over the moments a run kept, the markers the
// server found (diverged, oscillating, settled, best test loss, overfitting) and a way back to
// live. It only shows and reports: what a moment is, and fetching it, belong to the page.
// Moments are {x, label, …} sorted by x (steps in the playground, epochs in compare); the
// scrubber is linear in x so it lines up with the chart above, and the arrow keys walk the
// moments one by one (early training keeps many, later fewer).

import { PAD } from "../charts/chart.js";

const SVG = "http://www.w3.org/2000/svg";
// Markers differ by shape as well as colour.
const GLYPHS = {
  diverged: "M3 3 L13 13 M13 3 L3 13",
  oscillating: "M1 11 L4.5 4 L8 12 L11.5 4 L15 11",
  settled: "M8 2.5 A5.5 5.5 0 1 1 7.99 2.5 Z",
  best_test: "M8 1.5 L9.9 6 L14.7 6.3 L11 9.4 L12.2 14.2 L8 11.6 L3.8 14.2 L5 9.4 L1.3 6.3 L6.1 6 Z",
  overfitting: "M2.5 3.5 L13.5 3.5 L8 13 Z",
};
export const MARKER_NAMES = {
  diverged: "Diverged",
  oscillating: "Oscillating",
  settled: "Settled",
  best_test: "Best test loss",
  overfitting: "Overfitting begins",
};

/** A small SVG of a marker's shape; stroked kinds are lines, the others filled. */
export function glyph(kind) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  svg.classList.add("glyph");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", GLYPHS[kind] || GLYPHS.settled);
  svg.append(path);
  svg.dataset.kind = kind;
  return svg;
}

export class TimelineView {
  /**
   * root: an empty element to build in. handlers: onSeek(moment), onLive(), invalidate() (asks
   * for a paint: new moments and markers reach the DOM in draw(), at most once per frame).
   * options: {label: accessible name of the scrubber, id: prefix for the elements' ids}
   */
  constructor(root, { onSeek, onLive, invalidate }, { label = "Moment of training shown", id = "timeline" } = {}) {
    this.root = root;
    this.onSeek = onSeek;
    this.onLive = onLive;
    this.invalidate = invalidate || (() => this.draw());
    this.moments = [];
    this.markers = [];
    this.dirty = { moments: false, markers: false };
    this.index = null; // the moment shown, or null when live
    root.classList.add("timeline");
    root.dataset.view = "live";
    const el = (tag, cls, text) => {
      const node = document.createElement(tag);
      if (cls) node.className = cls;
      if (text) node.textContent = text;
      return node;
    };
    const track = el("div", "scrub");
    track.style.setProperty("--pad-left", `${PAD.left}px`); // lines up with the chart above
    track.style.setProperty("--pad-right", `${PAD.right}px`);
    this.marks = el("div", "marks");
    this.input = el("input", "scrubber");
    Object.assign(this.input, { type: "range", min: "0", max: "0", step: "any", value: "0" });
    this.input.id = `${id}-scrubber`;
    this.input.setAttribute("aria-label", label);
    track.append(this.marks, this.input);
    const row = el("div", "timeline-row");
    this.readout = el("p", "timeline-readout");
    this.readout.id = `${id}-readout`;
    this.liveButton = el("button", "live-button", "Live");
    Object.assign(this.liveButton, { type: "button", id: `${id}-live` });
    this.liveButton.title = "Back to the latest moment";
    row.append(this.readout, this.liveButton);
    this.list = el("ul", "marker-list");
    this.list.setAttribute("aria-label", "Moments found");
    this.list.hidden = true;
    root.append(track, row, this.list);

    this.input.addEventListener("input", () => this.pick(this.nearest(Number(this.input.value))));
    this.input.addEventListener("keydown", (event) => this.key(event));
    this.liveButton.addEventListener("click", () => this.goLive(true));
  }

  /** The moments kept so far; the last one is where live is. */
  setMoments(moments) {
    const shown = this.past;
    this.moments = moments;
    if (shown) { // the list was fetched again: find the moment shown in it
      const same = moments.findIndex((m) => m.at === shown.at);
      this.index = same >= 0 ? same : this.nearest(shown.x);
      if (this.index !== null && this.index >= moments.length - 1) this.index = Math.max(0, moments.length - 2);
    }
    this.dirty.moments = true;
    this.invalidate();
  }

  /** Markers: [{kind, x, text, color?}]; each seeks to its moment when clicked. */
  setMarkers(markers) {
    const key = JSON.stringify(markers);
    if (key === this.markersKey) return;
    this.markersKey = key;
    this.markers = markers;
    this.dirty.markers = true;
    this.invalidate();
  }

  /** Brings the DOM up to date; returns whether anything changed. */
  draw() {
    const { moments: movedRange, markers: newMarkers } = this.dirty;
    if (!movedRange && !newMarkers) return false;
    this.dirty = { moments: false, markers: false };
    const first = this.moments[0]?.x ?? 0;
    const last = this.moments.at(-1)?.x ?? 0;
    this.input.min = String(first);
    this.input.max = String(Math.max(last, first));
    this.input.disabled = this.moments.length < 2;
    this.input.value = String(this.past ? this.past.x : this.input.max);
    if (newMarkers) {
      this.list.replaceChildren();
      for (const marker of this.markers) {
        const item = document.createElement("li");
        const button = this.markButton(marker);
        button.append(` ${marker.text}`);
        item.append(button);
        this.list.append(item);
      }
      this.list.hidden = !this.markers.length;
    }
    this.placeMarks(newMarkers);
    return true;
  }

  markButton(marker) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "mark";
    button.dataset.kind = marker.kind;
    const shape = glyph(marker.kind);
    if (marker.color) shape.style.color = marker.color; // compare: the run's colour
    button.append(shape);
    button.addEventListener("click", () => this.pick(this.nearest(marker.x)));
    return button;
  }

  /** Positions the markers on the track; rebuilds their buttons only when they changed. */
  placeMarks(rebuild) {
    if (rebuild) {
      this.marks.replaceChildren();
      for (const marker of this.markers) {
        const button = this.markButton(marker);
        button.title = marker.text;
        button.setAttribute("aria-label", marker.text);
        button.tabIndex = -1; // the list below is the keyboard's way to them
        button.dataset.x = String(marker.x);
        this.marks.append(button);
      }
    }
    const first = this.moments[0]?.x ?? 0;
    const span = (this.moments.at(-1)?.x ?? 0) - first;
    for (const button of this.marks.children) {
      const t = span > 0 ? Math.min(1, Math.max(0, (Number(button.dataset.x) - first) / span)) : 0;
      button.style.left = `${(100 * t).toFixed(3)}%`;
      button.hidden = !(span > 0);
    }
  }

  nearest(x) {
    const m = this.moments;
    if (!m.length) return null;
    let lo = 0;
    let hi = m.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (m[mid].x < x) lo = mid; else hi = mid;
    }
    return Math.abs(m[lo].x - x) <= Math.abs(m[hi].x - x) ? lo : hi;
  }

  key(event) {
    const moves = { ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1, PageDown: -10, PageUp: 10 };
    const last = this.moments.length - 1;
    const at = this.index ?? last;
    let next;
    if (event.key in moves) next = Math.min(last, Math.max(0, at + moves[event.key]));
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = last;
    else return;
    event.preventDefault();
    this.pick(next);
  }

  /** Shows moment `index`; the last one means live. */
  pick(index) {
    if (index === null) return;
    if (index >= this.moments.length - 1) {
      this.goLive(true);
      return;
    }
    this.input.value = String(this.moments[index].x);
    if (index === this.index) return;
    this.index = index;
    this.root.dataset.view = "past";
    this.root.dataset.at = String(this.moments[index].at);
    this.onSeek?.(this.moments[index]);
  }

  /** Back to live; `notify` tells the page (false when the page itself went live). */
  goLive(notify = false) {
    const was = this.index;
    this.index = null;
    this.root.dataset.view = "live";
    delete this.root.dataset.at;
    this.input.value = this.input.max;
    if (notify && was !== null) this.onLive?.();
  }

  get past() {
    return this.index === null ? null : this.moments[this.index];
  }

  say(text) {
    this.readout.textContent = text;
  }
}
