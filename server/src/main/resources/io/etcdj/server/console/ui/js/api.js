// The member's HTTP API as the console uses it: etcd's JSON gateway (/v3/...) and the console's own endpoints
// (/ui/api/v1/...). The auth token lives only in this module's memory: never a cookie, never localStorage, gone when
// the page closes. Every call sends it in the Authorization header, as etcd's gateway takes it.

let token = null;

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
  /** The token is missing, invalid or expired: the user must log in (again). */
  get needsLogin() {
    return this.code === 16 || /user name is empty|invalid auth token/.test(this.message);
  }
}

export function setToken(t) { token = t; }
export function hasToken() { return token !== null; }

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/** base64 of a string's UTF-8 bytes, or of a Uint8Array. */
export function b64(value) {
  const bytes = typeof value === 'string' ? encoder.encode(value) : value;
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/** The bytes of a base64 string (absent fields are empty). */
export function unb64(s) {
  if (!s) return new Uint8Array(0);
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A base64 field as text (invalid UTF-8 replaced). */
export function text(s) { return decoder.decode(unb64(s)); }

/** The bytes as text when they are valid UTF-8 without control characters (other than whitespace), else null. */
export function asText(bytes) {
  try {
    const t = strictDecoder.decode(bytes);
    return /[\u0000-\u0008\u000e-\u001f]/.test(t) ? null : t;
  } catch (e) {
    return null;
  }
}

/** etcd's range_end for every key with this prefix (bytes), as base64; "\0" (AA==) for the empty prefix. */
export function prefixEnd(prefix) {
  const p = typeof prefix === 'string' ? encoder.encode(prefix) : prefix;
  for (let i = p.length - 1; i >= 0; i--) {
    if (p[i] !== 0xff) {
      const end = p.slice(0, i + 1);
      end[i]++;
      return b64(end);
    }
  }
  return 'AA==';
}

function headers() {
  const h = { 'Content-Type': 'application/json' };
  if (token !== null) h['Authorization'] = token;
  return h;
}

/** POSTs a JSON body to one of the member's endpoints; the parsed answer, or an ApiError. */
export async function call(path, body = {}, signal = undefined) {
  const r = await fetch(path, { method: 'POST', headers: headers(), body: JSON.stringify(body), signal });
  const t = await r.text();
  let json = null;
  try { json = t ? JSON.parse(t) : {}; } catch (e) { /* not JSON: reported below */ }
  if (!r.ok) {
    const msg = json && (json.message || json.error) ? (json.message || json.error) : t.trim();
    throw new ApiError(r.status, json ? json.code : undefined, msg);
  }
  if (json === null) throw new ApiError(r.status, undefined, 'unexpected answer: ' + t.slice(0, 200));
  return json;
}

/**
 * A streaming gateway call (/v3/watch): sends one request object and hands each {"result": ...} line to onResult
 * until the stream ends or the signal aborts it. Resolves when the stream ends; rejects with the stream's error.
 */
export async function stream(path, body, onResult, signal) {
  const r = await fetch(path, { method: 'POST', headers: headers(), body: JSON.stringify(body), signal });
  if (!r.ok) {
    const t = await r.text();
    let msg = t;
    try { const j = JSON.parse(t); msg = j.message || j.error || t; } catch (e) { /* plain text */ }
    throw new ApiError(r.status, undefined, msg);
  }
  const reader = r.body.getReader();
  let buffered = '';
  const lines = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += lines.decode(value, { stream: true });
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (!line) continue;
      const msg = JSON.parse(line);
      if (msg.error) throw new ApiError(msg.error.http_code, msg.error.grpc_code, msg.error.message);
      onResult(msg.result);
    }
  }
}

// --- the calls the console makes -----------------------------------------------------------------------------

export const kv = {
  get: (key, revision = 0) => call('/v3/kv/range', { key: b64(key), revision: String(revision) }),
  /** Every version of one key is one range at an older revision: see history.js. */
  put: (key, value) => call('/v3/kv/put', { key: b64(key), value: b64(value) }),
  /** Puts only if the key's mod revision is still the one seen (0: the key must not exist). */
  putIfUnchanged: (key, value, modRevision) => call('/v3/kv/txn', {
    compare: [{ key: b64(key), target: 'MOD', result: 'EQUAL', mod_revision: String(modRevision) }],
    success: [{ request_put: { key: b64(key), value: b64(value) } }],
    failure: [{ request_range: { key: b64(key) } }],
  }),
  deleteIfUnchanged: (key, modRevision) => call('/v3/kv/txn', {
    compare: [{ key: b64(key), target: 'MOD', result: 'EQUAL', mod_revision: String(modRevision) }],
    success: [{ request_delete_range: { key: b64(key) } }],
    failure: [{ request_range: { key: b64(key) } }],
  }),
  deletePrefix: (prefix) => call('/v3/kv/deleterange', { key: b64(prefix), range_end: prefixEnd(prefix) }),
  countPrefix: (prefix) => call('/v3/kv/range', { key: b64(prefix), range_end: prefixEnd(prefix), count_only: true }),
  compact: (revision) => call('/v3/kv/compaction', { revision: String(revision), physical: true }),
};

export const consoleApi = {
  children: (prefix, revision, cont) => call('/ui/api/v1/children', {
    prefix: b64(prefix), revision: String(revision || 0), continue: cont || undefined, limit: 200,
  }),
  search: (params, signal) => call('/ui/api/v1/search', params, signal),
  usage: (cont) => call('/ui/api/v1/usage', { continue: cont || undefined }),
  diff: (params) => call('/ui/api/v1/diff', params),
};
