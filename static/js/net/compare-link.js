// The compare page's link to its comparison (README: "Comparisons"): creates it over REST,
// watches and drives every run over the comparison's one WebSocket, and makes it again from the
// same spec if the server forgot it. Looking back (timelines, past boundaries) goes over REST,
// one request per run in flight. No DOM here: everything comes out through `handlers`.

import * as api from "./api.js";
import { Socket, groupSocketUrl } from "./socket.js";
import { speedMessage } from "../lib/pace.js";

export class GroupLink {
  /**
   * handlers: onCreated(comparison), onHello(msg), onGroup(msg), onRunConfig(msg),
   * onFrame(frame), onError(msg), onConnection("connecting" | "ready" | "offline"),
   * onEnded() - the server no longer had the comparison and it was made again from its spec
   */
  constructor(handlers) {
    this.h = handlers;
    this.id = null;
    this.token = null;
    this.spec = null;
    this.socket = null;
    this.pending = new Map();
    this.looking = new Map(); // run id -> {busy, want}: past boundaries asked for
  }

  /** spec: {config, vary, values}. Replaces any comparison this link had. */
  async open(spec) {
    this.close();
    this.spec = structuredClone(spec);
    const created = await api.createComparison(this.spec);
    this.id = created.id;
    this.token = created.token;
    this.h.onCreated?.(created);
    this.socket = new Socket(groupSocketUrl(this.id), {
      token: this.token,
      onState: (state) => {
        if (state === "open") this.flush();
        this.h.onConnection?.(state === "open" ? "ready" : state === "connecting" ? "connecting" : "offline");
      },
      onMessage: (message) => this.receive(message),
      onFrame: (frame) => this.h.onFrame?.(frame),
      onGone: () => this.recreate(),
    });
    return created;
  }

  async recreate() {
    this.socket?.close();
    this.id = null; // the server has forgotten it: nothing to delete
    this.h.onConnection?.("connecting");
    try {
      await this.open(this.spec);
      this.h.onEnded?.(); // once per ended comparison: a failed try comes back here later
    } catch {
      this.h.onConnection?.("offline");
      setTimeout(() => this.recreate(), 2000);
    }
  }

  receive(message) {
    if (message.type === "hello") this.h.onHello?.(message);
    else if (message.type === "group") {
      this.spec.values = message.values;
      this.h.onGroup?.(message);
    } else if (message.type === "config") this.h.onRunConfig?.(message);
    else if (message.type === "error" && message.code !== "not_found") this.h.onError?.(message);
  }

  send(message, key = message.type) {
    if (this.socket?.send(message)) return;
    this.pending.set(key, message);
  }

  flush() {
    const held = [...this.pending.values()];
    this.pending.clear();
    for (const message of held) this.send(message);
  }

  play() {
    this.send({ type: "play" }, "run");
  }

  pause() {
    this.send({ type: "pause" }, "run");
  }

  step(epochs = 1) {
    this.send({ type: "step", epochs }, `step${Math.random()}`);
  }

  reset() {
    this.send({ type: "reset" });
  }

  /** Shared config fields, for every run (not the varied one). */
  set(fields) {
    this.spec.config = { ...this.spec.config, ...fields };
    this.send({ type: "set", config: fields });
  }

  /** Run `index` takes `value` of the varied field. */
  value(index, value) {
    this.spec.values[index] = value;
    this.send({ type: "value", index, value }, `value${index}`);
  }

  /** Epochs per second for every run, "timelapse", or "full" (or null) for as fast as it goes. */
  speed(pace) {
    this.send(speedMessage(pace));
  }

  history(runId) {
    return api.getHistory(runId);
  }

  timeline(runId) {
    return api.getTimeline(runId);
  }

  /**
   * The boundary of run `runId` at checkpoint `at`, delivered to `onPast(runId, at, boundary)`.
   * While one request for a run is in flight, later wishes replace each other; only the last
   * is fetched when it returns. `at` null forgets the wish (the page went back to live).
   */
  lookBack(runId, at, resolution, onPast) {
    const slot = this.looking.get(runId) ?? { busy: false, want: null };
    this.looking.set(runId, slot);
    slot.want = at === null ? null : { at, resolution, onPast };
    if (slot.busy || at === null) return;
    slot.busy = true;
    const wish = slot.want;
    api.getPastBoundary(runId, at, resolution, this.token)
      .then((boundary) => {
        if (slot.want === wish) wish.onPast(runId, at, boundary);
      })
      .catch(() => {}) // thinned away meanwhile: the next wish or refresh picks another moment
      .finally(() => {
        slot.busy = false;
        const next = slot.want;
        if (next && next !== wish) this.lookBack(runId, next.at, next.resolution, next.onPast);
      });
  }

  /** Leaves: deletes the comparison (and its runs) rather than waiting for it to expire. */
  close() {
    this.socket?.close();
    this.socket = null;
    this.pending.clear();
    this.looking.clear();
    if (this.id) api.deleteComparison(this.id, this.token, true).catch(() => {});
    this.id = null;
  }
}
