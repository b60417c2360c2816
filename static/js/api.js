// The REST calls of the README's "REST API", as plain async functions. No DOM here: callers get
// parsed JSON (or text) and an ApiError carrying the server's {code, message, field}.

export class ApiError extends Error {
  constructor(status, { code = "http", message = `HTTP ${status}`, field = null } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

async function request(method, path, { body, token, accept = "application/json", keepalive } = {}) {
  const headers = { Accept: accept };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`/api${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
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
  return accept === "application/json" ? response.json() : response.text();
}

const session = (id) => `/sessions/${encodeURIComponent(id)}`;

export const createSession = (config) => request("POST", "/sessions", { body: config });
export const getSession = (id) => request("GET", session(id));
export const getData = (id) => request("GET", `${session(id)}/data`);
export const getHistory = (id) => request("GET", `${session(id)}/history`);
export const getHistoryCsv = (id) => request("GET", `${session(id)}/history`, { accept: "text/csv" });
export const exportSnapshot = (id) => request("GET", `${session(id)}/export`);
export const importSnapshot = (snapshot) => request("POST", "/sessions/import", { body: snapshot });
export const patchSession = (id, token, fields) =>
  request("PATCH", session(id), { body: fields, token });
export const resetSession = (id, token) => request("POST", `${session(id)}/reset`, { token });

/** Deletes a session; `keepalive` lets it finish while the page unloads. */
export const deleteSession = (id, token, keepalive = false) =>
  request("DELETE", session(id), { token, keepalive });
