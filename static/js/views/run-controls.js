// The small pieces every page with a run shows alike: the play button (pressed and labelled
// Pause while playing) with the status as a style and test hook, the words for connecting, live
// and reconnecting, the notice line, the step-size slider over the usual stops, and what the
// run's buttons and keys do.

import { LR_STOPS } from "./controls.js";
import { formatValue, nearestStop } from "../lib/scales.js";
import { randomSeed } from "../state/state.js";

const CONNECTION_TEXT = { connecting: "Connecting…", open: "Live", closed: "Reconnecting…" };

/** root's data-status, and the page's #play button, for `status` (running, idle, diverged). */
export function showPlaying(root, status) {
  root.dataset.status = status;
  const play = root.ownerDocument.getElementById("play");
  const playing = status === "running";
  play.setAttribute("aria-pressed", String(playing));
  play.querySelector(".label").textContent = playing ? "Pause" : "Play";
}

/** The server-status badge of the playground and compare pages: data-state ready, … offline. */
export function showConnection(badge, state) {
  badge.dataset.state = { open: "ready", closed: "offline" }[state] ?? state;
  badge.textContent = CONNECTION_TEXT[state];
}

/** The connection line of the watch and embed pages, with root's data-connection as its hook. */
export function showConnectionLine(root, line, state) {
  root.dataset.connection = state;
  line.textContent = CONNECTION_TEXT[state];
}

/** What a page says when a server took its run over from the run's last snapshot. */
export function resumedText(message) {
  return `The server restarted: this run resumed from epoch ${message.epoch}.`;
}

/** The page's notice line: `text`, or hidden when there is none. */
export function showNotice(node, text) {
  node.hidden = !text;
  node.textContent = text || "";
}

/** The step-size slider (#lr, over LR_STOPS) and its read-out (#lr-out) showing `rate`. */
export function showStepSlider(doc, rate) {
  doc.getElementById("lr").value = String(nearestStop(LR_STOPS, rate));
  doc.getElementById("lr-out").textContent = formatValue(rate, 3);
}

/** Moving the slider shows the stop it is on and hands it to `onRate`. */
export function bindStepSlider(doc, onRate) {
  const slider = doc.getElementById("lr");
  slider.max = String(LR_STOPS.length - 1);
  slider.addEventListener("input", () => {
    const rate = LR_STOPS[Number(slider.value)];
    doc.getElementById("lr-out").textContent = formatValue(rate, 3);
    onRate(rate);
  });
}

/** A run page's button or key `name`: play or pause, one epoch (while paused), reset, new start. */
export function runAction(run, name) {
  if (name === "toggle") run.toggle();
  else if (name === "step" && run.status !== "running") run.step();
  else if (name === "reset") run.reset();
  else if (name === "new-start") run.set({ seed: randomSeed() });
}
