// The page's link to its training session: creates it over REST, watches and drives it over one
// WebSocket, and recovers after a drop — the socket reconnects, and a session the server no
// longer knows is made again from the last config (same seeds, so the same start).
// No DOM here: everything the page needs comes out through `handlers`.

import * as api from "./api.js";
import { Socket, sessionSocketUrl } from "./socket.js";
import { speedMessage } from "../lib/pace.js";

export class SessionLink {
  /**
   * handlers: onSession({id}), onHello(msg), onConfig(msg), onState(msg), onFrame(frame),
   * onError(msg), onConnection("connecting" | "ready" | "offline"), onEnded() - the server no
   * longer had the run and a new one was made from the last config
   */
  constructor(handlers) {
    this.h = handlers;
    this.id = null;
    this.token = null;
    this.socket = null;
    this.config = null;
    this.pending = new Map(); // messages held while the socket is down, latest of each kind
    this.wantPlay = false;
    this.seeking = false; // a seek is waiting for its past frame
    this.wantAt = null; // the moment the page wants to show, null when live
    this.viewers = 1; // sockets watching the session, this page's included (from frames)
  }

  /** Whether only this page watches: then leaving may delete the session. */
  get alone() {
    return this.viewers <= 1;
  }

  /** Creates a session from `config`, or imports `snapshot` (JSON text), and starts watching it. */
  async open({ config, snapshot }) {
    this.socket?.close();
    const created = snapshot ? await api.importSnapshot(snapshot) : await api.createSession(config);
    this.adopt(created);
    return created;
  }

  /** Drives the session `created` ({id, token, config}) from now on. */
  adopt(created) {
    this.socket?.close();
    this.id = created.id;
    this.token = created.token;
    this.config = created.config;
    this.seeking = false;
    this.wantAt = null;
    this.h.onSession?.(created);
    this.watch();
  }

  watch() {
    // No holding in the socket: this link keeps its own queue, which outlives a recreated run.
    this.socket = new Socket(sessionSocketUrl(this.id), {
      token: this.token,
      neurons: true,
      onState: (state) => {
        if (state === "open") {
          this.seeking = false;
          this.pending.delete("seek");
          if (this.wantAt !== null) this.seek(this.wantAt);
          this.flush();
        }
        this.h.onConnection?.(state === "open" ? "ready" : state === "connecting" ? "connecting" : "offline");
      },
      onMessage: (message) => this.receive(message),
      onFrame: (frame) => {
        if (frame.past) this.answered(frame.at);
        if (typeof frame.viewers === "number") this.viewers = frame.viewers;
        this.h.onFrame?.(frame);
      },
      onGone: () => this.recreate(),
    });
  }

  async recreate() {
    this.socket?.close();
    this.h.onConnection?.("connecting");
    try {
      await this.open({ config: this.config });
      this.h.onEnded?.(); // once per ended run: the retries below end here only when one works
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
      if (message.field === "at") this.seeking = false; // a moment thinned away meanwhile
      else if (message.code === "not_found") return; // the close that follows triggers recreate()
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

  /** "timelapse", "full" (or null) for as fast as the server goes, or mini-batches per second. */
  speed(pace) {
    this.speedValue = pace;
    this.send(speedMessage(pace, "steps_per_second"));
  }

  /**
   * Asks for one past frame of checkpoint `at`. One request is in flight at a time: while it
   * is, later wishes replace each other and only the last is sent when the answer comes.
   */
  seek(at) {
    this.wantAt = at;
    if (this.seeking) return;
    this.seeking = true;
    this.send({ type: "seek", at });
  }

  answered(at) {
    this.seeking = false;
    if (this.wantAt !== null && this.wantAt !== at) this.seek(this.wantAt);
  }

  /** Stops asking for past frames (the page went back to live). */
  stopSeeking() {
    this.wantAt = null;
  }

  /** After a divergence: back to before it blew up, with half the step size. */
  rescue() {
    this.send({ type: "rescue" });
  }

  timeline() {
    return api.getTimeline(this.id);
  }

  /**
   * A new session from checkpoint `at` with other `fields` (e.g. learning_rate); the link drives
   * it from then on and deletes the one it leaves, as it would on leaving the page — unless
   * others watch that one (a class following along), who keep it.
   */
  async branch(at, fields) {
    const created = await api.branchSession(this.id, at, fields);
    const old = { id: this.id, token: this.token, alone: this.alone };
    this.pending.clear(); // nothing meant for the old run goes to the new one
    this.wantPlay = false;
    this.adopt(created);
    if (old.alone) api.deleteSession(old.id, old.token).catch(() => {});
    this.viewers = 1;
    return created;
  }

  history() {
    return api.getHistory(this.id);
  }

  historyCsv() {
    return api.getHistoryCsv(this.id);
  }

  /** The run as a snapshot: JSON text, as the server wrote it. */
  snapshot() {
    return api.exportSnapshot(this.id);
  }

  /** Leaves: deletes the session so it does not wait out its idle expiry (unless watched). */
  close() {
    this.socket?.close();
    if (this.id && this.alone) api.deleteSession(this.id, this.token, true).catch(() => {});
  }
}
