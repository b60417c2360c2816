// Entry point of /watch/{id}: a read-only live view of someone's run, made for a phone. The
// socket never authenticates; "Take a copy" branches the run at the moment on screen into a
// session of the student's own and opens it here in driving mode (its token stays in this tab's
// sessionStorage, never in a URL).

import { copySession } from "../net/api.js";
import { endedText } from "../views/ended.js";
import { bindKeys } from "../lib/keyboard.js";
import { RunLink } from "../net/run-link.js";
import { RunView } from "../views/run-view.js";
import {
  bindStepSlider, resumedText, runAction, showConnectionLine, showPlaying, showStepSlider,
} from "../views/run-controls.js";
import { readPalette } from "../lib/palette.js";
import { formatValue } from "../lib/scales.js";
import { createScheduler } from "../lib/scheduler.js";
import { watchingCount, watchingText } from "../views/share-panel.js";
import { shownLandscape } from "../views/landscape-panel.js";
import { EpochRate, rateText, speedName } from "../lib/pace.js";

const root = document.getElementById("app");
const $ = (id) => document.getElementById(id);
const sessionId = root.dataset.sessionId;
const copyKey = (id) => `stepwise:copy:${id}`;
const mine = JSON.parse(sessionStorage.getItem(copyKey(sessionId)) || "null");
const palette = readPalette(root);
const scheduler = createScheduler(() => {
  const a = view.paint();
  const b = shown.draw();
  return a || b;
});
const view = new RunView($("live"), { palette, invalidate: () => scheduler.request(), parts: "data-v",
  plot: { radius: [2.5, 6], scale: 80 }, chart: { lineWidth: 2.5, fontSize: 12 } });
// The comparison the presenter shows (the step sizes scene): its landscape, under the run.
const shown = shownLandscape(document, { palette, invalidate: () => scheduler.request() });
const page = { frame: null, status: "idle", config: null, speed: null };
const epochRate = new EpochRate(); // the presenter's pace, as the frames show it
setInterval(() => {
  const text = speedName(page.speed) + rateText(page.status === "running" ? epochRate.rate() : null);
  if ($("pace").textContent !== text) $("pace").textContent = text;
}, 250);

const run = new RunLink("session", {
  onHello: (message) => {
    takeConfig(message);
    showViewers(message.viewers);
    shown.follow(message.showing ?? null);
    if (message.state.step > 0) run.history().then((h) => view.loadHistory(h.points));
  },
  onConfig: takeConfig,
  onViewers: showViewers,
  onShowing: (comparisonId) => shown.follow(comparisonId),
  onSpeed: (speed) => { page.speed = speed; },
  onFrame: (frame) => {
    page.frame = frame;
    if (!frame.past) epochRate.take(frame.epoch);
    showViewers(frame.viewers);
    view.takeFrame(frame);
  },
  onStatus: (status) => {
    page.status = status;
    view.showStatus(status);
    showPlaying(root, status);
  },
  onConnection: (state) => showConnectionLine(root, $("connection"), state),
  onResumed: (message) => { $("connection").textContent = resumedText(message); },
  onGone: () => {
    root.dataset.connection = "closed";
    $("connection").textContent = endedText({ again: false });
    $("copy-box").hidden = true;
  },
  onError: (message) => showCopyError(message.message),
});

function takeConfig(message) {
  page.config = message.config;
  view.setSession(message);
  $("step-size").textContent = formatValue(message.config.learning_rate, 3);
  showStepSlider(document, message.config.learning_rate);
}

function showViewers(count) {
  if (!count) return;
  const watching = watchingCount(count); // the presenter's screen shows this same number
  $("viewers").hidden = false;
  $("viewers").textContent = watchingText(watching);
  $("viewers").dataset.count = String(watching);
}

function showCopyError(text) {
  $("copy-error").hidden = !text;
  $("copy-error").textContent = text || "";
}

async function takeCopy() {
  const button = $("take-copy");
  button.disabled = true;
  button.textContent = "Copying…";
  showCopyError(null);
  try {
    const copy = await copySession(sessionId, page.frame?.history?.at ?? null);
    sessionStorage.setItem(copyKey(copy.id), JSON.stringify({
      token: copy.token, from: sessionId, epoch: copy.state.epoch,
    }));
    location.assign(`/watch/${encodeURIComponent(copy.id)}`);
  } catch (error) {
    showCopyError(`No copy was made: ${error.message}`);
    button.disabled = false;
    button.textContent = "Take a copy";
  }
}

/** Driving mode: this tab made the copy, so it holds the copy's token. */
function drive() {
  root.dataset.mode = "drive";
  $("watch-title").textContent = "Your copy";
  $("watch-lead").textContent = `It continues the class run from epoch ${mine.epoch}. `
    + "Play it, step it, change its step size: the class run goes on without you.";
  $("copy-box").hidden = true;
  $("drive").hidden = false;
  const back = $("back-to-class");
  back.href = `/watch/${encodeURIComponent(mine.from)}`;
  back.hidden = false;
  bindStepSlider(document, (rate) => run.set({ learning_rate: rate }));
  root.querySelectorAll("[data-act]").forEach((button) => {
    button.addEventListener("click", () => runAction(run, button.dataset.act));
  });
  bindKeys(document, (name) => runAction(run, name));
}

$("show-test").addEventListener("change", (event) => view.setShowTest(event.target.checked));
$("take-copy").addEventListener("click", takeCopy);
if (mine?.token) drive();
run.attach(sessionId, mine?.token ?? null);
window.__stepwise = { page, run, stats: scheduler.stats };
