// One WebSocket to a session or a comparison, for the classroom pages. It authenticates only
// when it was given a token (a watcher's feed never does), asks for no neuron maps (a phone in a
// lecture hall needs the boundary, not every hidden unit), decodes binary frames, holds the
// latest message of each kind while the socket is down, and reconnects with a growing delay.
// No DOM here: everything goes out through the handlers.

import { decodeFrame } from "./frame.js";

const DELAYS = [250, 500, 1000, 2000, 4000]; // ms before reconnect attempt n
export const CLOSE_GONE = 4404; // the server's close code for an unknown session or comparison

export class Feed {
  /**
   * handlers: onMessage(json), onFrame(frame), onState("connecting" | "open" | "closed"),
   * onGone() - the server no longer knows this id; the feed stops.
   */
  constructor(url, { token = null, ...handlers }) {
    this.url = url;
    this.token = token;
    this.h = handlers;
    this.attempt = 0;
    this.closed = false;
    this.ws = null;
    this.held = new Map(); // key -> message, sent in order once the socket opens
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
      this.h.onState?.("open");
      const held = [...this.held.values()];
      this.held.clear();
      for (const message of held) ws.send(JSON.stringify(message));
    };
    ws.onmessage = (event) => {
      if (typeof event.data === "string") this.h.onMessage?.(JSON.parse(event.data));
      else this.h.onFrame?.(decodeFrame(event.data));
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

  /**
   * Sends now, or holds the message until the socket opens. Held messages are keyed, so a
   * burst of play/pause while offline leaves only the last one; `key: null` never holds.
   */
  send(message, key = message.type) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(message));
      return true;
    }
    if (key !== null && !this.closed) {
      this.held.delete(key); // re-inserted last: held messages keep the order they were sent in
      this.held.set(key, message);
    }
    return false;
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

export const sessionFeedUrl = (id) => wsUrl(`/api/sessions/${encodeURIComponent(id)}/ws`);
export const groupFeedUrl = (id) => wsUrl(`/api/comparisons/${encodeURIComponent(id)}/ws`);
