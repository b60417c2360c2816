// Entry point of /embed: one scenario locked by its URL (see state/embed-config.js), only the
// controls the URL lists, and a postMessage conversation with the host page (see net/embed-host.js).
// Each visitor gets a session of their own; its token never leaves this frame.

import { LR_STOPS } from "../views/controls.js";
import { readEmbed } from "../state/embed-config.js";
import { showEnded } from "../views/ended.js";
import { HostLink } from "../net/embed-host.js";
import { Run } from "../net/live-run.js";
import { LiveView } from "../views/liveview.js";
import { readPalette } from "../lib/palette.js";
import { formatValue, nearestStop } from "../lib/scales.js";
import { createScheduler } from "../lib/scheduler.js";
import { randomSeed, toHash } from "../state/state.js";

const PROGRESS_MS = 1000; // the host hears about progress at most this often while playing
const root = document.getElementById("app");
const $ = (id) => document.getElementById(id);
const setup = readEmbed(location.search);
const palette = readPalette(root);
const scheduler = createScheduler(() => view.paint());
const view = new LiveView(root, { palette, invalidate: () => scheduler.request(),
  plot: { radius: [2, 5], scale: 90 }, chart: { lineWidth: 2, fontSize: 10 } });
const page = { config: setup.config, status: "idle", frame: null, lastProgress: 0 };

const host = new HostLink((command) => {
  if (command.type === "play") run.play();
  else if (command.type === "pause") run.pause();
  else if (command.type === "step") run.step(command.epochs);
  else if (command.type === "reset") run.reset();
  else if (command.type === "set") run.set(command.config);
});

const run = new Run({
  onHello: (message) => {
    takeConfig(message);
    host.send("ready", { config: message.config, controls: setup.controls, status: run.status });
    reportHeight();
  },
  onConfig: (message) => {
    takeConfig(message);
    host.send("config", { config: message.config });
  },
  onState: (status) => {
    showStatus(status);
    host.send("state", { status, epoch: page.frame?.epoch ?? 0 });
  },
  onFrame: (frame) => {
    page.frame = frame;
    run.noteFrame(frame);
    view.takeFrame(frame);
    progress(frame);
  },
  onConnection: (state) => {
    root.dataset.connection = state;
    $("connection").textContent = { connecting: "Connecting…", open: "Live", closed: "Reconnecting…" }[state];
  },
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
  root.dataset.status = status;
  view.showStatus(status);
  const playing = status === "running";
  $("play").setAttribute("aria-pressed", String(playing));
  $("play").querySelector(".label").textContent = playing ? "Pause" : "Play";
}

function takeConfig(message) {
  page.config = message.config;
  view.setSession(message);
  $("lr").value = String(nearestStop(LR_STOPS, message.config.learning_rate));
  $("lr-out").textContent = formatValue(message.config.learning_rate, 3);
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

function act(name) {
  if (name === "toggle") run.toggle();
  else if (name === "step" && page.status !== "running") run.step(1);
  else if (name === "reset") run.reset();
  else if (name === "new-start") run.set({ seed: randomSeed() });
}

async function start() {
  try {
    await run.create(setup.config);
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
  button.addEventListener("click", () => act(button.dataset.act));
});
$("lr").max = String(LR_STOPS.length - 1);
$("lr").addEventListener("input", () => {
  const value = LR_STOPS[Number($("lr").value)];
  $("lr-out").textContent = formatValue(value, 3);
  run.set({ learning_rate: value });
});
$("show-test").checked = setup.view.test;
$("show-test").addEventListener("change", (event) => view.setShowTest(event.target.checked));
view.setShowTest(setup.view.test);
new ResizeObserver(reportHeight).observe(root);
window.addEventListener("pagehide", () => run.close({ remove: true }));
window.__stepwise = { page, run, setup, stats: scheduler.stats };
start();
