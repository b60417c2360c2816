// Entry point of /embed: one scenario locked by its URL (see state/embed-config.js), only the
// controls the URL lists, and a postMessage conversation with the host page (see net/embed-host.js).
// Each visitor gets a session of their own; its token never leaves this frame.

import { readEmbed } from "../state/embed-config.js";
import { showEnded } from "../views/ended.js";
import { HostLink } from "../net/embed-host.js";
import { RunLink } from "../net/run-link.js";
import { RunView } from "../views/run-view.js";
import {
  bindStepSlider, runAction, showConnectionLine, showPlaying, showStepSlider,
} from "../views/run-controls.js";
import { readPalette } from "../lib/palette.js";
import { createScheduler } from "../lib/scheduler.js";
import { toHash } from "../state/state.js";

const PROGRESS_MS = 1000; // the host hears about progress at most this often while playing
const root = document.getElementById("app");
const $ = (id) => document.getElementById(id);
const setup = readEmbed(location.search);
const palette = readPalette(root);
const scheduler = createScheduler(() => view.paint());
const view = new RunView(root, { palette, invalidate: () => scheduler.request(), parts: "data-v",
  plot: { radius: [2, 5], scale: 90 }, chart: { lineWidth: 2, fontSize: 10 } });
const page = { config: setup.config, status: "idle", frame: null, lastProgress: 0 };

const host = new HostLink((command) => {
  if (command.type === "play") run.play();
  else if (command.type === "pause") run.pause();
  else if (command.type === "step") run.step({ epochs: command.epochs });
  else if (command.type === "reset") run.reset();
  else if (command.type === "set") run.set(command.config);
});

const run = new RunLink("session", {
  onHello: (message) => {
    takeConfig(message);
    host.send("ready", { config: message.config, controls: setup.controls, status: run.status });
    reportHeight();
  },
  onConfig: (message) => {
    takeConfig(message);
    host.send("config", { config: message.config });
  },
  onStatus: (status) => {
    showStatus(status);
    host.send("state", { status, epoch: page.frame?.epoch ?? 0 });
  },
  onFrame: (frame) => {
    page.frame = frame;
    view.takeFrame(frame);
    progress(frame);
  },
  onConnection: (state) => showConnectionLine(root, $("connection"), state),
  onGone: () => {
    // The server restarted or forgot the idle run: say so, here and to the host (before the
    // new run's "ready"), and start again from this embed's URL.
    host.send("state", { status: "ended", epoch: page.frame?.epoch ?? 0 });
    showEnded($("ended"));
    showStatus("idle");
    page.frame = null;
    start();
  },
  onError: (message) => host.send("error", { message: message.message, field: message.field ?? null }),
});

function showStatus(status) {
  page.status = status;
  view.showStatus(status);
  showPlaying(root, status);
}

function takeConfig(message) {
  page.config = message.config;
  view.setSession(message);
  showStepSlider(document, message.config.learning_rate);
  $("open-full").href = `/#${toHash({ config: message.config, view: setup.view })}`;
}

/** Public progress for the host: at most once a second while playing, and after every step. */
function progress(frame) {
  const now = performance.now();
  // The status is the run's, from its state messages: this frame may predate a pause.
  if (run.status === "running" && now - page.lastProgress < PROGRESS_MS) return;
  page.lastProgress = now;
  const m = frame.metrics || {};
  host.send("progress", {
    status: run.status, epoch: frame.epoch, step: frame.step, examples_seen: frame.examples_seen,
    train_loss: m.train_loss ?? null, test_loss: m.test_loss ?? null,
    train_accuracy: m.train_accuracy ?? null, test_accuracy: m.test_accuracy ?? null,
  });
}

let lastHeight = 0;
function reportHeight() {
  const height = Math.ceil(root.getBoundingClientRect().height);
  if (height === lastHeight) return;
  lastHeight = height;
  host.send("height", { height });
}

async function start() {
  try {
    await run.open({ config: setup.config });
    run.speed(setup.speed); // a new run plays at full speed until told the embed's pace
  } catch (error) {
    $("connection").textContent = `This setup was refused: ${error.message}`;
    host.send("error", { message: error.message, field: error.field ?? null });
  }
}

for (const node of root.querySelectorAll("[data-control]")) {
  node.hidden = !setup.controls.includes(node.dataset.control);
}
root.dataset.controls = String(setup.controls.length);
root.dataset.chart = String(setup.chart);
$("chart").hidden = !setup.chart;
root.querySelectorAll("[data-act]").forEach((button) => {
  button.addEventListener("click", () => runAction(run, button.dataset.act));
});
bindStepSlider(document, (rate) => run.set({ learning_rate: rate }));
$("show-test").checked = setup.view.test;
$("show-test").addEventListener("change", (event) => view.setShowTest(event.target.checked));
view.setShowTest(setup.view.test);
new ResizeObserver(reportHeight).observe(root);
window.addEventListener("pagehide", () => run.close());
window.__stepwise = { page, run, setup, stats: scheduler.stats };
start();
