// The landscape panel of a page: the folded section's canvas, caption and hover line (drawn by
// LandscapeView) fed by a LandscapeFeed, with the checkpoint each path marks taken from the
// page's timeline on every paint, so scrubbing moves the marked point without a fetch.

import { LandscapeFeed } from "../net/landscape-feed.js";
import { LandscapeView } from "./landscape.js";

/**
 * o: {palette, kind: "session" | "comparison", target() → {id, token}, playing() → bool,
 * marked() → the `at` shown per path (null: the latest), paths() → [{color, dash, name}],
 * invalidate()}. Returns {draw(), moved()}.
 */
export function landscapePanel(root, o) {
  const $ = (id) => root.querySelector(`#${id}`);
  const canvas = $("landscape");
  const fold = canvas.closest("details");
  const view = new LandscapeView(canvas, $("landscape-axes"), $("landscape-tip"), o);
  const feed = new LandscapeFeed({
    kind: o.kind,
    target: o.target,
    playing: o.playing,
    open: () => (!fold || fold.open) && canvas.getClientRects().length > 0, // folded or hidden: no reads
    onAnswer: (answer) => {
      view.take(answer);
      o.invalidate();
    },
    onError: (error) => {
      if (error.status === 409) $("landscape-axes").textContent = error.message;
    },
  });
  fold?.addEventListener("toggle", () => {
    view.dirty = true; // sized 0 while folded: draw again once it has a size
    o.invalidate();
  });
  new ResizeObserver(() => {
    view.dirty = true;
    o.invalidate();
  }).observe(canvas);
  return {
    draw() {
      o.marked().forEach((at, index) => view.mark(index, at));
      return view.draw();
    },
    moved() {
      feed.moved();
    },
  };
}
