// The markers a run's timeline shows, apart from the timeline itself: their names, their shapes
// (they differ by shape as well as colour) and how markers too close together on a track are
// grouped under one badge. Pure functions and constants; the timeline view places them.

const SVG = "http://www.w3.org/2000/svg";
const GLYPHS = {
  diverged: "M3 3 L13 13 M13 3 L3 13",
  oscillating: "M1 11 L4.5 4 L8 12 L11.5 4 L15 11",
  settled: "M8 2.5 A5.5 5.5 0 1 1 7.99 2.5 Z",
  best_test: "M8 1.5 L9.9 6 L14.7 6.3 L11 9.4 L12.2 14.2 L8 11.6 L3.8 14.2 L5 9.4 L1.3 6.3 L6.1 6 Z",
  overfitting: "M2.5 3.5 L13.5 3.5 L8 13 Z",
};
export const CROWD_PX = 22; // markers closer than this on the track share one badge

/**
 * Groups of marker indices for markers at fractions `ts` of a track `width` px wide: each group
 * holds markers within CROWD_PX of its first one, in order along the track.
 */
export function crowds(ts, width, gap = CROWD_PX) {
  const order = ts.map((t, i) => i).sort((a, b) => ts[a] - ts[b] || a - b);
  const groups = [];
  for (const i of order) {
    const group = groups.at(-1);
    if (group && (ts[i] - ts[group[0]]) * width < gap) group.push(i);
    else groups.push([i]);
  }
  return groups;
}

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
