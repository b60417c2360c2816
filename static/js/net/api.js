// The REST calls of the README's "REST API", as plain async functions, for every page: sessions,
// their history and snapshots, sharing (short link, QR, viewer count), the timeline and branching,
// and comparisons. No DOM here: callers get parsed JSON (or text) and an ApiError carrying the
// server's {code, message, field}.

export class ApiError extends Error {
  constructor(status, { code = "http", message = `HTTP ${status}`, field = null } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/**
 * One call. `body` is sent as JSON (a string is sent as it is); the answer comes back parsed,
 * or as text with `text: true` or a non-JSON `accept`.
 */
async function request(method, path, options = {}) {
  const { body, token, accept = "application/json", keepalive, text } = options;
  const headers = { Accept: accept };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`/api${path}`, {
    method,
    headers,
    body: body === undefined || typeof body === "string" ? body : JSON.stringify(body),
    keepalive,
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
  return accept === "application/json" && !text ? response.json() : response.text();
}

const session = (id) => `/sessions/${encodeURIComponent(id)}`;

export const createSession = (config) => request("POST", "/sessions", { body: config });
export const getSession = (id) => request("GET", session(id));
export const getData = (id) => request("GET", `${session(id)}/data`);
export const getHistory = (id) => request("GET", `${session(id)}/history`);
export const getHistoryCsv = (id) => request("GET", `${session(id)}/history`, { accept: "text/csv" });
// A snapshot travels as the server wrote it: parsing it in the page would turn its 128-bit
// random-generator state into an inexact float, which the server then rightly refuses.
export const exportSnapshot = (id) => request("GET", `${session(id)}/export`, { text: true });
/** `snapshot`: the JSON text of an exported snapshot. */
export const importSnapshot = (snapshot) => request("POST", "/sessions/import", { body: snapshot });
export const patchSession = (id, token, fields) =>
  request("PATCH", session(id), { body: fields, token });
export const resetSession = (id, token) => request("POST", `${session(id)}/reset`, { token });

/** Deletes a session; `keepalive` lets it finish while the page unloads. */
export const deleteSession = (id, token, keepalive = false) =>
  request("DELETE", session(id), { token, keepalive });

// The timeline of a session (README: "Timeline markers"):
// {entries: [{at, step, epoch, …}], markers, …}, the checkpoints kept so far.
export const getTimeline = (id) => request("GET", `${session(id)}/timeline`);
/** `token` (the run's or its comparison's) lets the server answer without pacing the reads. */
export const getPastBoundary = (id, at, resolution = 64, token = null) =>
  request("GET", `${session(id)}/timeline/${encodeURIComponent(at)}/boundary?resolution=${resolution}`,
    { token });
/** A new session from checkpoint `at` with other fields (e.g. learning_rate) → {id, token, …}. */
export const branchSession = (id, at, fields = {}) =>
  request("POST", `${session(id)}/branch`, { body: { at, ...fields } });
export const rescueSession = (id, token) => request("POST", `${session(id)}/rescue`, { token });

/** {code, watch_url, qr_url, viewers}: the short watch link of a session. */
export const getShare = (id) => request("GET", `${session(id)}/share`);

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

// Comparisons (README: "Comparisons"): runs from one start, driven in lock-step.
const comparison = (id) => `/comparisons/${encodeURIComponent(id)}`;
/** spec: {config, vary, values}: runs of `config` differing only in `vary` → {id, token, …}. */
export const createComparison = (spec) => request("POST", "/comparisons", { body: spec });
export const getComparison = (id) => request("GET", comparison(id));
export const deleteComparison = (id, token, keepalive = false) =>
  request("DELETE", comparison(id), { token, keepalive });
