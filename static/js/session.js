// The page's link to its training session: creates it over REST, watches and drives it over one
// WebSocket, and recovers after a drop — the socket reconnects, and a session the server no
// longer knows is made again from the last config (same seeds, so the same start).
// No DOM here: everything the page needs comes out through `handlers`.

import * as api from "./api.js";
import { LiveSocket, socketUrl } from "./socket.js";

const CLOSE_UNKNOWN = 4404; // the server's close code for an unknown session

export class SessionLink {
  /**
   * handlers: onSession({id}), onHello(msg), onConfig(msg), onState(msg), onFrame(frame),
   * onError(msg), onConnection("connecting" | "ready" | "offline")
   */
  constructor(handlers) {
    this.h = handlers;
    this.id = null;
    this.token = null;
    this.socket = null;
    this.config = null;
    this.pending = new Map(); // messages held while the socket is down, latest of each kind
    this.wantPlay = false;
  }

  /** Creates a session from `config`, or imports `snapshot`, and starts watching it. */
  async open({ config, snapshot }) {
    this.socket?.close();
    const created = snapshot ? await api.importSnapshot(snapshot) : await api.createSession(config);
    this.id = created.id;
    this.token = created.token;
    this.config = created.config;
    this.h.onSession?.(created);
    this.watch();
    return created;
  }

  watch() {
    this.socket = new LiveSocket(socketUrl(this.id), this.token, {
      onState: (state) => {
        if (state === "open") this.flush();
        this.h.onConnection?.(state === "open" ? "ready" : state === "connecting" ? "connecting" : "offline");
      },
      onMessage: (message) => this.receive(message),
      onFrame: (frame) => this.h.onFrame?.(frame),
      onDrop: (attempt, code) => {
        if (code === CLOSE_UNKNOWN) this.recreate();
      },
    });
  }

  async recreate() {
    this.socket?.close();
    this.h.onConnection?.("connecting");
    try {
      await this.open({ config: this.config });
      if (this.speedValue !== undefined) this.speed(this.speedValue);
      if (this.wantPlay) this.play();
    } catch {
      this.h.onConnection?.("offline");
      setTimeout(() => this.recreate(), 2000);
    }
  }

  receive(message) {
    if (message.type === "hello") {
      this.config = message.config;
      this.h.onHello?.(message);
    } else if (message.type === "config") {
      this.config = message.config;
      this.h.onConfig?.(message);
    } else if (message.type === "state") {
      this.h.onState?.(message);
    } else if (message.type === "error") {
      if (message.code === "not_found") return; // the close that follows triggers recreate()
      this.h.onError?.(message);
    }
  }

  send(message, key = message.type) {
    if (this.socket?.send(message)) return;
    if (key === "set") {
      const held = this.pending.get("set");
      message = { ...message, config: { ...held?.config, ...message.config } };
    }
    this.pending.set(key, message);
  }

  flush() {
    const held = [...this.pending.values()];
    this.pending.clear();
    for (const message of held) this.send(message);
  }

  play() {
    this.wantPlay = true;
    this.send({ type: "play" }, "run");
  }

  pause() {
    this.wantPlay = false;
    this.send({ type: "pause" }, "run");
  }

  step({ epochs, steps }) {
    this.send(steps ? { type: "step", steps } : { type: "step", epochs: epochs || 1 }, `step${Math.random()}`);
  }

  set(fields) {
    this.config = { ...this.config, ...fields };
    this.send({ type: "set", config: fields });
  }

  reset() {
    this.send({ type: "reset" });
  }

  /** Mini-batches per second, or null for as fast as the server goes. */
  speed(stepsPerSecond) {
    this.speedValue = stepsPerSecond;
    this.send(stepsPerSecond ? { type: "speed", steps_per_second: stepsPerSecond } : { type: "speed" });
  }

  history() {
    return api.getHistory(this.id);
  }

  historyCsv() {
    return api.getHistoryCsv(this.id);
  }

  snapshot() {
    return api.exportSnapshot(this.id);
  }

  /** Leaves: deletes the session so it does not wait out its idle expiry. */
  close() {
    this.socket?.close();
    if (this.id) api.deleteSession(this.id, this.token, true).catch(() => {});
  }
}
