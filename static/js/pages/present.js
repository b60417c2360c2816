// Entry point of /present: a projector view of one run, driven from the keyboard or a clicker,
// with lesson scenes on the number keys and a share panel (short link, QR code, watcher count).
// The page's state — a scene number, or a whole config — lives in the URL hash.

import { getSession, getShare } from "../net/api.js";
import { LR_STOPS } from "../views/controls.js";
import { endedText } from "../views/ended.js";
import { SCENES, scene as sceneAt } from "../state/lessons-data.js";
import { Lookback } from "../views/lookback.js";
import { bindPresenterKeys } from "../lib/present-keys.js";
import { formatValue, nearestStop } from "../lib/scales.js";
import { pace, sceneConfig } from "../net/scene-stage.js";
import { showNotice } from "../views/run-controls.js";
import { mountScenes } from "../views/scenes.js";
import { showShare, showWatchers } from "../views/share-panel.js";
import { fromHash, randomSeed, toHash } from "../state/state.js";
import { TIMELAPSE } from "../lib/pace.js";

const STORE = "stepwise:present"; // this tab's session, so a reload keeps the same watch link
const root = document.getElementById("app");
const $ = (id) => document.getElementById(id);
const page = { scene: null, config: null, step: 0, status: "idle", share: null };
const { scheduler, view, run, stage, setStatus } = mountScenes(root, {
  page,
  view: { plot: { radius: [4, 11], outline: 2, scale: 75 }, chart: { lineWidth: 5, fontSize: 18 } },
  strip: { lineWidth: 4, plot: { radius: [2.5, 6], scale: 80, outline: 1.5 } },
  holds: ["#play"],
  link: {
    onHello: (message) => {
      takeConfig(message);
      showWatchers(root.querySelectorAll("[data-watchers]"), message.viewers ?? 1);
      if (message.state.step > 0) run.history().then((h) => view.loadHistory(h.points));
    },
    onConfig: (message) => {
      takeConfig(message);
      lookback.goLive();
    },
    onFrame: (frame) => {
      if (!frame.past) {
        page.step = frame.step;
        if (lookback.past) return; // looking back: the past frame stays on screen
        showWatchers(root.querySelectorAll("[data-watchers]"), frame.viewers ?? 1);
      }
      view.takeFrame(frame);
    },
    onStatus: (status) => {
      if (status === "running") lookback.goLive(); // played from elsewhere: back to the live run
    },
    onViewers: (count) => showWatchers(root.querySelectorAll("[data-watchers]"), count),
    onError: (message) => notify(message.message),
    onGone: () => {
      sessionStorage.removeItem(STORE);
      notify(`${endedText()} The watch link changes.`);
      setStatus("idle");
      start();
    },
  },
  notify,
  onEnded: () => notify(endedText()),
});
// The presenter's ← and →: one checkpoint at a time, for this screen only.
const lookback = new Lookback(null, {
  link: run,
  status: () => run.status,
  onSeek: (moment) => {
    view.enterPast();
    run.seek(moment.at);
    $("seek-badge").hidden = false;
  },
  onLive: () => {
    $("seek-badge").hidden = true;
    view.goLive();
  },
});

function takeConfig(message) {
  page.config = message.config;
  view.setSession(message);
  $("present-lr").textContent = formatValue(message.config.learning_rate, 3);
  saveHash();
}

function showScene(n) {
  const scene = sceneAt(n);
  page.scene = scene ? n : null;
  $("scene-title").textContent = scene ? `${n} · ${scene.title}` : "A network learning, step by step";
  $("scene-try").textContent = scene ? scene.tryThis : "";
  $("scene-try").hidden = !scene;
  root.dataset.focus = scene?.focus ?? "";
  view.setShowTest(Boolean(scene?.showTest));
  for (const button of $("scenes").querySelectorAll("button")) {
    button.setAttribute("aria-current", String(Number(button.dataset.scene) === page.scene));
  }
  return scene;
}

async function goToScene(n) {
  const scene = showScene(n);
  if (!scene) return;
  lookback.goLive();
  remember();
  saveHash();
  await stage.show(scene);
}

function act(name, detail = {}) {
  notify(null);
  if (name === "scene") goToScene(detail.n);
  else if (name === "toggle") {
    lookback.goLive();
    stage.toggle();
  } else if (name === "forward") {
    if (stage.mode === "single" && lookback.forward()) return;
    if (page.status !== "running") stage.step();
  } else if (name === "back") {
    if (stage.mode !== "single") return;
    run.pause();
    lookback.back(page.step).catch((error) => notify(error.message));
  } else if (name === "reset") {
    lookback.goLive();
    stage.reset();
  } else if (name === "new-start") {
    if (stage.mode !== "single") return; // a comparison's runs share one start on purpose
    lookback.goLive();
    run.set({ seed: randomSeed() });
  } else if (name === "larger" || name === "smaller") {
    if (stage.mode !== "single" || !page.config) return;
    const i = nearestStop(LR_STOPS, page.config.learning_rate) + (name === "larger" ? 1 : -1);
    const value = LR_STOPS[Math.max(0, Math.min(LR_STOPS.length - 1, i))];
    run.set({ learning_rate: value });
    $("present-lr").textContent = formatValue(value, 3);
  } else if (name === "share") {
    const button = root.querySelector('[data-act="share"]');
    const show = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", String(show));
    $("share").hidden = !show || !page.share;
  } else if (name === "fullscreen") toggleFullscreen();
}

function toggleFullscreen() {
  const on = root.dataset.fullscreen !== "true";
  root.dataset.fullscreen = String(on);
  // The class alone already enlarges the stage; the real full screen may be refused (no gesture).
  if (on && !document.fullscreenElement) document.documentElement.requestFullscreen?.().catch(() => {});
  if (!on && document.fullscreenElement) document.exitFullscreen?.().catch(() => {});
}

document.addEventListener("fullscreenchange", () => {
  root.dataset.fullscreen = String(Boolean(document.fullscreenElement));
});

function notify(text) {
  showNotice($("notice"), text);
}

function readHash() {
  const match = /(?:^#|&)scene=(\d+)/.exec(location.hash);
  if (match && sceneAt(Number(match[1]))) return { scene: Number(match[1]), config: null };
  return { scene: null, config: fromHash(location.hash).state.config };
}

function saveHash() {
  const hash = page.scene
    ? `#scene=${page.scene}`
    : `#${toHash({ config: page.config, view: { test: false, discretize: false, log: false } })}`;
  if (hash !== location.hash) history.replaceState(null, "", hash);
}

function remember() {
  if (run.token) sessionStorage.setItem(STORE, JSON.stringify({ id: run.id, token: run.token, scene: page.scene }));
}

async function refreshShare() {
  if (!run.id) return;
  try {
    const share = await getShare(run.id);
    if (share.watch_url !== page.share?.watch_url) showShare($("share"), share);
    page.share = share;
    $("share").hidden = root.querySelector('[data-act="share"]').getAttribute("aria-pressed") !== "true";
    if (page.status !== "running") showWatchers(root.querySelectorAll("[data-watchers]"), page.share.viewers);
  } catch {
    // the frames keep the count current while playing; the next poll tries again
  }
}

async function start() {
  const wanted = readHash();
  const stored = JSON.parse(sessionStorage.getItem(STORE) || "null");
  let resumed = false;
  if (stored) {
    try {
      await getSession(stored.id);
      run.attach(stored.id, stored.token);
      resumed = true;
    } catch {
      sessionStorage.removeItem(STORE);
    }
  }
  const scene = sceneAt(wanted.scene);
  if (!resumed) await run.open({ config: scene ? sceneConfig(scene) : wanted.config });
  remember();
  showScene(wanted.scene);
  // A reload keeps the run as it was; a new scene number (or a comparison) sets the scene up.
  if (scene && (!resumed || stored.scene !== wanted.scene || scene.compare)) await stage.show(scene);
  else if (scene) pace(run, scene);
  else run.speed(TIMELAPSE); // no scene: the pages' default pace
  refreshShare();
}

SCENES.forEach((scene, i) => {
  const button = document.createElement("button");
  button.type = "button";
  button.dataset.scene = String(i + 1);
  button.textContent = String(i + 1);
  button.title = scene.title;
  button.setAttribute("aria-label", `Scene ${i + 1}: ${scene.title}`);
  button.setAttribute("aria-keyshortcuts", String(i + 1));
  button.addEventListener("click", () => act("scene", { n: i + 1 }));
  $("scenes").append(button);
});
root.querySelectorAll("[data-act]").forEach((button) => {
  button.addEventListener("click", () => act(button.dataset.act));
});
bindPresenterKeys(document, act);
window.addEventListener("hashchange", () => {
  const wanted = readHash().scene;
  if (wanted && wanted !== page.scene) act("scene", { n: wanted });
});
window.addEventListener("pagehide", () => stage.close());
setInterval(refreshShare, 5000);
window.__stepwise = { page, run, stage, lookback, stats: scheduler.stats };
start().catch((error) => notify(`The server did not start a run: ${error.message}`));
