// A training run as the classroom pages see it: one session (Run) or one comparison (Group),
// created here or attached to by id, watched through one Socket and — only with a token — driven.
// No DOM here; the page learns everything through the handlers:
//   onHello(msg), onConfig(msg), onState(status), onSpeed(speed), onFrame(frame), onError(msg),
//   onConnection("connecting" | "open" | "closed"), onGone()

import * as rest from "./api.js";
import { Socket, groupSocketUrl, sessionSocketUrl } from "./socket.js";
import { speedMessage } from "../lib/pace.js";

class Driven {
  constructor(handlers) {
    this.h = handlers;
    this.id = null;
    this.token = null;
    this.socket = null;
    this.status = "idle";
  }

  get driving() {
    return Boolean(this.token);
  }

  listen(url) {
    this.socket?.close();
    this.socket = new Socket(url, {
      token: this.token,
      hold: true,
      onState: (state) => this.h.onConnection?.(state),
      onMessage: (message) => this.receive(message),
      onFrame: (frame) => this.h.onFrame?.(frame),
      onGone: () => this.h.onGone?.(),
    });
  }

  receive(message) {
    if (message.speed) this.h.onSpeed?.(message.speed); // hello and state say how fast it plays
    if (message.type === "hello") {
      this.setStatus(message.state?.status ?? message.status);
      this.h.onHello?.(message);
    } else if (message.type === "config") {
      this.h.onConfig?.(message);
    } else if (message.type === "state") {
      this.setStatus(message.state.status);
    } else if (message.type === "group") {
      this.setStatus(message.status);
      this.h.onGroup?.(message);
    } else if (message.type === "error") {
      this.h.onError?.(message);
    }
  }

  setStatus(status) {
    if (!status || status === this.status) return;
    this.status = status;
    this.h.onState?.(status);
  }

  drive(message, key) {
    if (this.driving) this.socket?.send(message, key);
  }

  play() {
    this.drive({ type: "play" }, "run");
  }

  pause() {
    this.drive({ type: "pause" }, "run");
  }

  toggle() {
    if (this.status === "running") this.pause();
    else if (this.status !== "diverged") this.play();
  }

  step(epochs = 1) {
    this.drive({ type: "step", epochs }, null);
  }

  reset() {
    this.drive({ type: "reset" });
  }

  set(config) {
    this.drive({ type: "set", config });
  }

  speed(pace) {
    this.drive(speedMessage(pace));
  }
}

export class Run extends Driven {
  /** Creates a session from `config` and starts driving it. */
  async create(config) {
    const created = await rest.createSession(config);
    this.attach(created.id, created.token);
    return created;
  }

  /** Watches session `id`; with its token, also drives it. */
  attach(id, token = null) {
    this.id = id;
    this.token = token;
    this.status = "idle";
    this.listen(sessionSocketUrl(id));
  }

  /**
   * Frames carry the status too, but the server sends its latest frame after any waiting
   * message, so a frame built just before a pause can arrive after the "state" message that
   * announced it. Playing and pausing are therefore taken from state messages only; a frame
   * may only say that the run blew up (a step can do that) or that it recovered.
   */
  noteFrame(frame) {
    if (frame.past || !frame.status) return;
    if (frame.status === "diverged" || (this.status === "diverged" && frame.status === "idle")) {
      this.setStatus(frame.status);
    }
  }

  /** Shows this viewer the checkpoint `at` (a frame with `past: true`); no one else sees it. */
  seek(at) {
    this.socket?.send({ type: "seek", at }, "view");
  }

  /** Back to the live frame after seeking: re-subscribing sends this viewer the current one. */
  live() {
    this.socket?.send({ type: "subscribe", neurons: false }, "view");
  }

  history() {
    return rest.getHistory(this.id);
  }

  close({ remove = false } = {}) {
    this.socket?.close();
    if (remove && this.token) rest.deleteSession(this.id, this.token, true).catch(() => {});
  }
}

export class Group extends Driven {
  /** Creates a comparison: the runs of `config` that differ only in `vary`. */
  async create(config, vary, values) {
    const created = await rest.createComparison({ config, vary, values });
    this.id = created.id;
    this.token = created.token;
    this.status = created.status;
    this.listen(groupSocketUrl(created.id));
    return created;
  }

  close() {
    this.socket?.close();
    if (this.token) rest.deleteComparison(this.id, this.token, true).catch(() => {});
  }
}
