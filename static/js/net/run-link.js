// A page's link to one training run — a session, or a comparison of runs — created here or
// attached to by id, watched over one Socket and, only while it holds the run's token, driven:
// without a token it just watches. It keeps the one queue of messages sent while the socket is
// down (the latest of each kind; it outlives a socket and a recreated run), the status the
// messages announce, and what is needed to make the run again from the same recipe (same
// seeds, so the same start) when the server forgets it. Looking back goes through it too: a
// session's past frame over the socket, a comparison run's past boundary over REST — one request
// in flight, later wishes replacing each other. The loss landscape comes over the socket too, to
// whoever asked (`landscape()`), asked again on every new socket. No DOM here: the page hears
// through handlers.

import * as api from "./api.js";
import { Socket, groupSocketUrl, sessionSocketUrl } from "./socket.js";
import { speedMessage } from "../lib/pace.js";

const KINDS = {
  session: {
    url: sessionSocketUrl,
    create: ({ config, snapshot }) => (snapshot ? api.importSnapshot(snapshot) : api.createSession(config)),
    remove: api.deleteSession,
  },
  comparison: { url: groupSocketUrl, create: (spec) => api.createComparison(spec), remove: api.deleteComparison },
};
const RETRY_MS = 2000; // between tries to make a forgotten run again

export class RunLink {
  /**
   * kind: "session" | "comparison"; options.neurons: subscribe to the neurons' maps.
   * handlers: onOpen(created), onHello(msg), onConfig(msg), onGroup(msg), onStatus(status),
   * onFrame(frame), onError(msg), onConnection("connecting" | "open" | "closed"),
   * onViewers(count) - how many follow the run (a paused run sends no frames to carry it),
   * onSpeed(speed) - the pace it plays at, as hello and state messages say it,
   * onShowing(comparisonId) - the comparison the session's driver shows instead (or null),
   * onGone() - the server no longer knows the run (recreate() makes it again)
   */
  constructor(kind, handlers, { neurons = false } = {}) {
    this.kind = kind;
    this.h = handlers;
    this.neurons = neurons;
    this.id = null;
    this.token = null;
    this.socket = null;
    this.recipe = null; // session: {config}; comparison: {config, vary, values}
    this.status = "idle";
    this.plan = null; // a diverged session's rescue plan (state.rescue), as the server last said it
    this.pending = new Map(); // key -> message held while the socket is down, in sending order
    this.wantPlay = false;
    this.wantSpeed = null; // the last speed message, sent again to a recreated run
    this.seeking = false; // a seek is waiting for its past frame
    this.wantAt = null; // the moment this viewer wants to see, null when live
    this.looking = new Map(); // run id -> {busy, want}: past boundaries asked for
    this.viewers = 1; // sockets watching the session, this page's included (from frames)
    this.steps = 0; // step messages are each held: stepping twice offline steps twice
    this.wantLandscape = null; // {resolution, onAnswer, onRefused} while someone shows it
  }

  get driving() {
    return Boolean(this.token);
  }

  /** Whether only this page watches the session: then leaving may delete it. */
  get alone() {
    return this.kind === "comparison" || this.viewers <= 1;
  }

  get config() {
    return this.recipe?.config ?? null;
  }

  /** Creates the run — recipe: {config} or {snapshot} (JSON text), or a comparison's spec;
   * `asked`: the answer to a creation of that recipe already under way. */
  async open(recipe, asked = null) {
    this.socket?.close();
    const created = await (asked ?? KINDS[this.kind].create(structuredClone(recipe)));
    if (this.kind === "comparison") this.recipe = structuredClone(recipe);
    this.adopt(created);
    return created;
  }

  /** Drives the run `created` ({id, token, …}) from now on. */
  adopt(created) {
    this.attach(created.id, created.token, created.status);
    if (this.kind === "session") this.recipe = { config: created.config };
    this.h.onOpen?.(created);
  }

  /** Watches run `id`; with its token, also drives it. */
  attach(id, token = null, status = "idle") {
    this.socket?.close();
    Object.assign(this, { id, token, status: status ?? "idle", seeking: false, wantAt: null, viewers: 1 });
    this.socket = new Socket(KINDS[this.kind].url(id), {
      token,
      neurons: this.neurons,
      onState: (state) => {
        if (state === "open") this.opened();
        this.h.onConnection?.(state);
      },
      onMessage: (message) => this.receive(message),
      onFrame: (frame) => this.frame(frame),
      onGone: () => {
        this.id = null; // forgotten: nothing to delete
        this.h.onGone?.();
      },
    });
  }

  opened() {
    this.seeking = false;
    this.pending.delete("view");
    this.pending.delete("landscape"); // asked below: a new socket was never asked
    if (this.wantAt !== null) this.seek(this.wantAt);
    if (this.wantLandscape) this.send({ type: "landscape", on: true, resolution: this.wantLandscape.resolution });
    const held = [...this.pending.values()];
    this.pending.clear();
    for (const message of held) this.send(message);
  }

  /** Makes a forgotten run again from its recipe, trying until it works; then plays on. */
  async recreate() {
    this.socket?.close();
    for (;;) {
      this.h.onConnection?.("connecting");
      try {
        await this.open(this.recipe);
        break;
      } catch {
        this.h.onConnection?.("closed");
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
    if (this.wantSpeed) this.drive(this.wantSpeed);
    if (this.wantPlay) this.play();
  }

  receive(message) {
    const { type } = message;
    if (type === "landscape") {
      this.wantLandscape?.onAnswer(message);
      return;
    }
    if (type === "error") {
      if (message.code === "conflict" && message.field === "vary" && this.wantLandscape) {
        this.wantLandscape.onRefused?.(message); // the runs' shapes share no plane
        return;
      }
      if (message.field === "at") this.seeking = false; // a moment thinned away meanwhile
      else if (message.code === "not_found") return; // the close that follows says it is gone
      this.h.onError?.(message);
      return;
    }
    if (message.speed) this.h.onSpeed?.(message.speed); // hello and state say how fast it plays
    if (type === "viewers") {
      this.viewers = message.count;
      this.h.onViewers?.(message.count);
      return;
    }
    if (type === "showing") {
      this.h.onShowing?.(message.comparison); // the driver shows its watchers a comparison
      return;
    }
    if (type === "resumed") {
      // Another server took the run over from its last snapshot: say from where, not silently.
      this.h.onResumed?.(message);
      return;
    }
    const session = this.kind === "session";
    // A comparison's "config" message is one run's: its config and status are that run's own.
    if (session && (type === "hello" || type === "config")) this.recipe = { config: message.config };
    // a link that only watches a comparison (attached by id) has no recipe to keep
    if (type === "group" && this.recipe) this.recipe.values = [...message.values];
    if (session && message.state && ["hello", "state", "config"].includes(type)) {
      this.plan = message.state.rescue ?? null;
    }
    if (type === "hello" || type === "group" || type === "state" || (session && type === "config")) {
      this.setStatus(message.state?.status ?? message.status);
    }
    const handler = { hello: "onHello", config: "onConfig", group: "onGroup" }[type];
    if (handler) this.h[handler]?.(message);
  }

  setStatus(status) {
    if (!status || status === this.status) return;
    this.status = status;
    this.h.onStatus?.(status);
  }

  frame(frame) {
    if (frame.past) this.answered(frame.at);
    if (typeof frame.viewers === "number") this.viewers = frame.viewers;
    if (this.kind === "session" && !frame.past && frame.status) {
      // Playing and pausing come from the messages alone: a frame built just before a pause can
      // arrive after the "state" message that announced it. A frame only tells that a step blew
      // the run up, or that a reset brought it back.
      if (frame.status === "diverged") this.plan = frame.rescue ?? null;
      if (frame.status === "diverged" || (this.status === "diverged" && frame.status === "idle")) {
        this.setStatus(frame.status);
      }
    }
    this.h.onFrame?.(frame);
  }

  /** Sends now, or holds the latest message of its kind until the socket opens. */
  send(message, key = message.type) {
    if (this.socket?.send(message)) return;
    if (key === "set") {
      const held = this.pending.get("set");
      message = { ...message, config: { ...held?.config, ...message.config } };
    }
    this.pending.delete(key); // re-inserted last: held messages keep the order they were sent in
    this.pending.set(key, message);
  }

  /** Messages that change the run go out only with its token. */
  drive(message, key = message.type) {
    if (this.token) this.send(message, key);
  }

  play() {
    this.wantPlay = true;
    this.drive({ type: "play" }, "run");
  }

  pause() {
    this.wantPlay = false;
    this.drive({ type: "pause" }, "run");
  }

  toggle() {
    if (this.status === "running") this.pause();
    else if (this.status !== "diverged") this.play();
  }

  /** {epochs} (1 unless given) or {steps}: mini-batches, for the playground's shift-step. */
  step({ epochs, steps } = {}) {
    this.steps += 1;
    this.drive(steps ? { type: "step", steps } : { type: "step", epochs: epochs || 1 }, `step${this.steps}`);
  }

  reset() {
    this.drive({ type: "reset" });
  }

  /** Config fields: a session's, or those every run of a comparison shares. */
  set(fields) {
    this.recipe = { ...this.recipe, config: { ...this.recipe?.config, ...fields } };
    this.drive({ type: "set", config: fields });
  }

  /** Run `index` of a comparison takes `value` of the varied field. */
  value(index, value) {
    this.recipe.values[index] = value;
    this.drive({ type: "value", index, value }, `value${index}`);
  }

  /** `perSecond` epochs (or, with unit "steps", mini-batches); null: as fast as the server goes. */
  /** "timelapse", "full" (or null) for as fast as it goes, or a number of `unit` per second. */
  speed(pace, unit = "epochs") {
    this.wantSpeed = speedMessage(pace, `${unit}_per_second`);
    this.drive(this.wantSpeed);
  }

  /** Tells the session's watchers which comparison the page shows instead (null: the session). */
  show(comparisonId) {
    this.drive({ type: "show", comparison: comparisonId }, "show");
  }

  /** After a divergence: back to before it blew up, with half the step size. */
  rescue() {
    this.drive({ type: "rescue" });
  }

  /**
   * Shows this viewer a session's checkpoint `at` (a frame with `past: true`); no one else sees
   * it. One request is in flight at a time; the last wish is sent when the answer comes.
   */
  seek(at) {
    this.wantAt = at;
    if (this.seeking) return;
    this.seeking = true;
    this.send({ type: "seek", at }, "view");
  }

  answered(at) {
    this.seeking = false;
    if (this.wantAt !== null && this.wantAt !== at) this.seek(this.wantAt);
  }

  /** Back to live after seeking: subscribing again sends this viewer the current frame. */
  live() {
    if (this.wantAt === null) return;
    this.wantAt = null;
    this.send({ type: "subscribe", neurons: this.neurons }, "view");
  }

  /**
   * The loss landscape at `resolution` to `onAnswer(answer)` (the REST answer's fields) as the
   * run moves — the server paces it — and a refusal to `onRefused(error)`; null: no more.
   */
  landscape(resolution, onAnswer = null, onRefused = null) {
    this.wantLandscape = resolution ? { resolution, onAnswer, onRefused } : null;
    this.send({ type: "landscape", on: Boolean(resolution), ...(resolution ? { resolution } : {}) }, "landscape");
  }

  /**
   * The boundary of comparison run `runId` at checkpoint `at`, to `onPast(runId, at, boundary)`;
   * `at` null forgets the wish (the page went back to live).
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
    return created;
  }

  history(id = this.id) {
    return api.getHistory(id);
  }

  historyCsv() {
    return api.getHistoryCsv(this.id);
  }

  timeline(id = this.id) {
    return api.getTimeline(id);
  }

  /** The run as a snapshot: JSON text, as the server wrote it. */
  snapshot() {
    return api.exportSnapshot(this.id);
  }

  /**
   * Stops watching; with `remove` (and the token) deletes the run rather than leaving it to
   * wait out its idle expiry — a session only when no one else watches it.
   */
  close({ remove = true } = {}) {
    this.socket?.close();
    this.socket = null;
    this.pending.clear();
    this.looking.clear();
    this.wantLandscape = null;
    if (remove && this.token && this.id && this.alone) {
      KINDS[this.kind].remove(this.id, this.token, true).catch(() => {});
    }
    this.id = null;
  }
}
