// One WebSocket to a session or a comparison (the README's "WebSocket protocol"). It
// authenticates when it was given a token (a watcher's socket never is), asks for the neurons'
// maps only when told to (the playground draws every hidden unit; a phone in a lecture hall needs
// the boundary alone), reads binary frames (one reader per connection: deltas apply to the frame
// before, so messages are handled strictly in order, a frame's inflating included), reconnects after a drop with a growing delay, and
// stops for good when the server says it no longer knows the id. No DOM here: everything goes
// out through the handlers.

import { FrameReader, inflate } from "./frame.js";

const DELAYS = [250, 500, 1000, 2000, 4000]; // ms before reconnect attempt n
export const CLOSE_GONE = 4404; // the server's close code for an unknown session or comparison

export class Socket {
  /**
   * handlers: onMessage(json), onFrame(frame), onState("connecting" | "open" | "closed"),
   * onGone() - the server no longer knows this id; the socket stops.
   * options.token: authenticates the socket (drives the run); none: it only watches.
   * options.neurons: subscribes to the neurons' maps (sessions only).
   * Nothing is held while the socket is down: the run link keeps that queue, since it outlives
   * the socket.
   */
  constructor(url, { token = null, neurons = false, ...handlers } = {}) {
    this.url = url;
    this.token = token;
    this.neurons = neurons;
    this.h = handlers;
    this.attempt = 0;
    this.closed = false;
    this.ws = null;
    this.connect();
  }

  connect() {
    if (this.closed) return;
    this.h.onState?.("connecting");
    const ws = new WebSocket(this.url);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      if (this.token) ws.send(JSON.stringify({ type: "auth", token: this.token }));
      if (this.neurons) ws.send(JSON.stringify({ type: "subscribe", neurons: true }));
      this.h.onState?.("open");
    };
    const frames = new FrameReader();
    let inbox = Promise.resolve(); // a "paused" message must not overtake the frame before it
    ws.onmessage = ({ data }) => {
      const text = typeof data === "string";
      const inflated = text ? null : inflate(data); // begun now: frames inflate side by side
      inflated?.catch(() => {}); // a failure is reported below, in its turn
      inbox = inbox
        .then(async () => {
          const message = text ? JSON.parse(data) : frames.apply(await inflated);
          if (this.ws !== ws) return; // this connection was replaced or closed meanwhile
          if (text) this.h.onMessage?.(message);
          else this.h.onFrame?.(message);
        })
        .catch((error) => console.error("a message could not be read", error));
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.h.onState?.("closed");
      if (this.closed) return;
      if (event.code === CLOSE_GONE) {
        this.closed = true;
        this.h.onGone?.();
        return;
      }
      const delay = DELAYS[Math.min(this.attempt, DELAYS.length - 1)];
      this.attempt += 1;
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }

  /** Sends now and returns true, or returns false while the socket is down. */
  send(message) {
    if (!this.open) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  get open() {
    return Boolean(this.ws && this.ws.readyState === WebSocket.OPEN);
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    const ws = this.ws;
    this.ws = null;
    ws?.close();
  }
}

function wsUrl(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

/** ws://host/api/sessions/{id}/ws for the page's own origin. */
export const sessionSocketUrl = (id) => wsUrl(`/api/sessions/${encodeURIComponent(id)}/ws`);
/** ws://host/api/comparisons/{id}/ws: one socket for every run of a comparison. */
export const groupSocketUrl = (id) => wsUrl(`/api/comparisons/${encodeURIComponent(id)}/ws`);
