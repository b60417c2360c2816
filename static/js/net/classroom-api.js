// The REST calls the classroom pages add to api.js: sharing (short link, QR, viewer count), the
// timeline and branching ("take a copy"), and comparisons. No DOM here: parsed JSON out, and an
// ApiError carrying the server's {code, message, field} when a call fails.

import { ApiError } from "./api.js";

export { createSession, deleteSession, getHistory, getSession } from "./api.js";

async function call(method, path, { body, token, keepalive } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`/api${path}`, {
    method, headers, keepalive, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  if (!response.ok) {
    let error = {};
    try {
      error = (await response.json()).error || {};
    } catch {
      // not JSON: keep the generic message
    }
    throw new ApiError(response.status, error);
  }
  return response.json();
}

const session = (id) => `/sessions/${encodeURIComponent(id)}`;
const group = (id) => `/comparisons/${encodeURIComponent(id)}`;

/** {code, watch_url, qr_url, viewers}: the short watch link of a session. */
export const getShare = (id) => call("GET", `${session(id)}/share`);

/** {entries: [{at, step, epoch, …}], markers, …}: the checkpoints kept so far. */
export const getTimeline = (id) => call("GET", `${session(id)}/timeline`);

/** A new session continuing from checkpoint `at` of session `id`: {id, token, config, state}. */
export const branchSession = (id, at) => call("POST", `${session(id)}/branch`, { body: { at } });

/** Runs of `config` differing only in `vary`: {id, token, runs, …}. */
export const createComparison = (config, vary, values) =>
  call("POST", "/comparisons", { body: { config, vary, values } });

export const deleteComparison = (id, token, keepalive = false) =>
  call("DELETE", group(id), { token, keepalive });

/**
 * A copy of session `id` from the checkpoint `at` (when given and still kept), or else from the
 * latest checkpoint: the moment a watcher sees, as a session of their own.
 */
export async function copySession(id, at = null) {
  if (at !== null && at !== undefined) {
    try {
      return await branchSession(id, at);
    } catch (error) {
      if (error.status !== 404 || error.field !== "at") throw error; // thinned away: take the latest
    }
  }
  const { entries } = await getTimeline(id);
  if (!entries.length) throw new ApiError(409, { message: "this run has no moment to copy yet" });
  return branchSession(id, entries.at(-1).at);
}
