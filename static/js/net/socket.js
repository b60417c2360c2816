// One WebSocket to a session (the README's "WebSocket protocol"): authenticates, subscribes to
// the neurons' maps, decodes binary frames into plain objects, and reconnects after a drop with
// a growing delay. No DOM here; everything goes out through the handlers.

import { decodeFrame } from "./frame.js";

const DELAYS = [250, 500, 1000, 2000, 4000]; // ms before reconnect attempt n

export class LiveSocket {
  /**
   * handlers: onMessage(json), onFrame(frame), onState("connecting" | "open" | "closed"),
   * onDrop(attempt) - called before each reconnect; it may call close() to give up.
   * options.subscribe: ask for the neurons' maps (sessions only; a comparison has no such
   * message), true unless false.
   */
  constructor(url, token, handlers, { subscribe = true } = {}) {
    this.url = url;
    this.token = token;
    this.handlers = handlers;
    this.subscribe = subscribe;
    this.attempt = 0;
    this.closed = false;
    this.ws = null;
    this.connect();
  }

  connect() {
    if (this.closed) return;
    this.handlers.onState?.("connecting");
    const ws = new WebSocket(this.url);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      if (this.token) ws.send(JSON.stringify({ type: "auth", token: this.token }));
      if (this.subscribe) ws.send(JSON.stringify({ type: "subscribe", neurons: true }));
      this.handlers.onState?.("open");
    };
    ws.onmessage = (event) => {
      if (typeof event.data === "string") {
        this.handlers.onMessage?.(JSON.parse(event.data));
      } else {
        this.handlers.onFrame?.(decodeFrame(event.data));
      }
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.handlers.onState?.("closed", event.code);
      if (this.closed) return;
      const delay = DELAYS[Math.min(this.attempt, DELAYS.length - 1)];
      this.attempt += 1;
      this.handlers.onDrop?.(this.attempt, event.code);
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }

  /** Sends a JSON message; returns false when the socket is not open (the caller may retry). */
  send(message) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
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

/** ws://host/api/sessions/{id}/ws for the page's own origin. */
export function socketUrl(id) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/api/sessions/${encodeURIComponent(id)}/ws`;
}

/** ws://host/api/comparisons/{id}/ws: one socket for every run of a comparison. */
export function groupSocketUrl(id) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/api/comparisons/${encodeURIComponent(id)}/ws`;
}
