// An embed's setup, read from its URL's query string and written back by the builder:
// config fields as the playground's hash has them (dataset=xor&hidden_layers=4,4&…), plus
//   controls=play,step,reset,learning_rate   which controls show (empty: none, the host drives)
//   view=test                                 start with the test points shown
//   speed=20                                  epochs per second when playing; speed=full: as fast
//                                             as it goes (absent: the time-lapse)
//   chart=0                                   no loss chart (a smaller embed)
// Only fields that differ from the defaults are written, so embed URLs stay short.

import { DEFAULTS, fromHash, toHash } from "./state.js";
import { TIMELAPSE, parsePace } from "../lib/pace.js";

export const CONTROLS = ["play", "step", "reset", "learning_rate", "new_start", "test_points"];
export const DEFAULT_CONTROLS = ["play", "step", "reset", "learning_rate"];
export const CONTROL_NAMES = {
  play: "Play / pause", step: "Step", reset: "Reset", learning_rate: "Step size",
  new_start: "New random start", test_points: "Show test points",
};
const OWN = ["controls", "speed", "chart"];

/** {config, controls, view, speed, chart, problems} from "?dataset=xor&controls=play". */
export function readEmbed(search) {
  const params = new URLSearchParams(search);
  const configPart = [...params].filter(([key]) => !OWN.includes(key))
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join("&");
  const { state, problems } = fromHash(configPart);
  let controls = DEFAULT_CONTROLS;
  if (params.has("controls")) {
    const asked = params.get("controls").split(",").map((c) => c.trim()).filter(Boolean);
    problems.push(...asked.filter((c) => !CONTROLS.includes(c)).map((c) => `controls:${c}`));
    controls = CONTROLS.filter((c) => asked.includes(c));
  }
  let speed = TIMELAPSE;
  try {
    speed = parsePace(params.get("speed"));
  } catch {
    problems.push("speed");
  }
  return {
    config: state.config,
    view: state.view,
    controls,
    speed: typeof speed === "number" ? Math.min(speed, 1000) : speed,
    chart: params.get("chart") !== "0",
    problems,
  };
}

/** The query string (without "?") for an embed of `config` showing `controls`. */
export function embedQuery({ config, controls = DEFAULT_CONTROLS, test = false, speed = TIMELAPSE,
  chart = true }) {
  const changed = {};
  for (const [key, value] of Object.entries(config)) {
    if (JSON.stringify(value) !== JSON.stringify(DEFAULTS[key])) changed[key] = value;
  }
  const parts = [];
  const hash = toHash({ config: { ...nulls(), ...changed }, view: { test } });
  if (hash) parts.push(hash);
  const sameControls = controls.length === DEFAULT_CONTROLS.length
    && controls.every((c) => DEFAULT_CONTROLS.includes(c));
  if (!sameControls) parts.push(`controls=${controls.join(",")}`);
  if (speed && speed !== TIMELAPSE) parts.push(`speed=${speed}`);
  if (!chart) parts.push("chart=0");
  return parts.join("&");
}

/** Every config field absent, so toHash writes only the ones given. */
function nulls() {
  return Object.fromEntries(Object.keys(DEFAULTS).map((key) => [key, null]));
}
