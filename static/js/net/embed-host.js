// The embed's side of its conversation with the host page, through postMessage. Every message
// is an object {"stepwise": 1, "type": …}. The host may send play, pause, step ({"epochs": n}),
// reset and set ({"config": {…}}); the embed sends ready, state, config, progress, height and
// error. Messages are taken only from the parent window and sent only to it; nothing sent ever
// holds a token. Until the host has spoken, the embed cannot know its origin and sends its
// (public) news to "*"; afterwards only to that origin. No DOM here.

import { DEFAULTS } from "../state/state.js";

export const PROTOCOL = 1;
const COMMANDS = ["play", "pause", "step", "reset", "set"];
const MAX_EPOCHS = 1000;

/** A host message checked and normalised, or an Error saying what is wrong with it. */
export function parseCommand(data) {
  if (!data || typeof data !== "object" || Array.isArray(data)) return new Error("not an object");
  if (data.stepwise !== PROTOCOL) return new Error("stepwise must be 1");
  if (!COMMANDS.includes(data.type)) return new Error(`type must be one of ${COMMANDS.join(", ")}`);
  if (data.type === "step") {
    const epochs = data.epochs ?? 1;
    if (!Number.isInteger(epochs) || epochs < 1 || epochs > MAX_EPOCHS) {
      return new Error(`epochs must be a whole number from 1 to ${MAX_EPOCHS}`);
    }
    return { type: "step", epochs };
  }
  if (data.type === "set") {
    const config = data.config;
    if (!config || typeof config !== "object" || Array.isArray(config)) {
      return new Error("set needs a config object");
    }
    const unknown = Object.keys(config).filter((key) => !(key in DEFAULTS));
    if (unknown.length) return new Error(`unknown config field ${unknown[0]}`);
    if (!Object.keys(config).length) return new Error("set needs at least one config field");
    return { type: "set", config: { ...config } };
  }
  return { type: data.type };
}

export class HostLink {
  /** onCommand({type, …}) for each valid message from the parent window. */
  constructor(onCommand, win = window) {
    this.win = win;
    this.parent = win.parent !== win ? win.parent : null;
    this.origin = null; // the host's origin, once it has sent a valid message
    if (!this.parent) return;
    win.addEventListener("message", (event) => {
      if (event.source !== this.parent) return; // only the page that holds this iframe
      const command = parseCommand(event.data);
      if (command instanceof Error) {
        if (event.data?.stepwise !== undefined) {
          this.parent.postMessage({ stepwise: PROTOCOL, type: "error", message: command.message },
            event.origin || "*");
        }
        return;
      }
      this.origin = event.origin && event.origin !== "null" ? event.origin : null;
      onCommand(command);
    });
  }

  get framed() {
    return Boolean(this.parent);
  }

  /** Sends {stepwise: 1, type, …fields} to the parent window (public news only). */
  send(type, fields = {}) {
    this.parent?.postMessage({ stepwise: PROTOCOL, type, ...fields }, this.origin || "*");
  }
}
