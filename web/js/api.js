// Talks to the REST API (docs/api.md): JSON in and out, the session cookie, and the CSRF token on every
// request that changes something. Errors arrive as problem+json and are thrown as ApiError.

let csrfToken = sessionStorage.getItem("spegla.csrf") || "";

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.code = this.problem.code || "";
    this.errors = this.problem.errors || [];  // [{field, message}] or [{line, column, message}]
  }
}

function remember(session) {
  csrfToken = session.csrf_token || "";
  sessionStorage.setItem("spegla.csrf", csrfToken);
}

export async function request(method, path, { body, headers = {}, raw = false } = {}) {
  const init = { method, headers: { ...headers }, credentials: "same-origin" };
  if (body !== undefined) {
    if (typeof body === "string" || body instanceof Blob) {
      init.body = body;  // a file goes as it is, with the Content-Type the caller gives
    } else {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
  }
  if (method !== "GET" && method !== "HEAD") init.headers["X-CSRF-Token"] = csrfToken;
  const response = await fetch(path, init);
  if (raw && response.ok) return response;
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json() : null;
  if (!response.ok) throw new ApiError(response.status, data);
  if (data && typeof data === "object") data._etag = response.headers.get("ETag");
  return data;
}

export const get = (path) => request("GET", path);
export const post = (path, body = {}) => request("POST", path, { body });
export const patch = (path, body, headers) => request("PATCH", path, { body, headers });
export const del = (path) => request("DELETE", path);

export async function login(username, password) {
  const session = await post("/api/session", { username, password });
  remember(session);
  return session;
}

export async function me() {
  const session = await get("/api/me");
  remember(session);
  return session;
}

export async function logout() {
  try {
    await del("/api/session");
  } finally {
    csrfToken = "";
    sessionStorage.removeItem("spegla.csrf");
  }
}
