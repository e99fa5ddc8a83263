// Size limits of the edge service, with the readers that enforce them. Every
// limit is documented here with its value (and in edge/README.md); bodies
// over a limit answer 413 and oversized headers 431, before anything is
// parsed or stored.
import { ok, fail } from './result.mjs';

export const LIMITS = Object.freeze({
  /** JSON bodies of /api routes other than connectors (apps, connect, rollback). */
  apiBodyBytes: 256 * 1024,
  /** A connector definition (PUT /api/connectors/{name}). */
  connectorBytes: 256 * 1024,
  /** A request body forwarded by the proxy (request_body.mjs: streamed unless a payload rule needs it). */
  proxyBodyBytes: 10 * 1024 * 1024,
  /** A proxied body up to this size is kept, so that the retry after a refresh can send it again. */
  replayBodyBytes: 256 * 1024,
  /** Request body bytes one isolate holds at once for all proxied requests (503 above). */
  isolateBufferedBytes: 32 * 1024 * 1024,
  /** All request header names and values together (431 above). */
  headerBytes: 32 * 1024,
  /** A session token (the Authorization header's bearer value). */
  sessionTokenBytes: 8 * 1024,
  /** The serialized app record (name, prompt, settings, egress...). */
  appRecordBytes: 64 * 1024,
  /** The user's connection field values (POST /connect), serialized. */
  connectionFieldsBytes: 64 * 1024,
  /**
   * How much of an oversized body is still read (and discarded) after the
   * limit before the stream is cancelled: an HTTP/1.1 server that answers
   * 413 without reading the body resets the client's connection, which
   * would fail its next request on that connection.
   */
  drainBytes: 16 * 1024 * 1024,
  /**
   * How much of an upstream response body the proxy reads to classify it
   * when the connector has body signals (SPEC §2.5: "bodies are matched up to
   * a documented size limit (default 1 MiB)"); the rest is streamed unread.
   */
  classifyBodyBytes: 1024 * 1024,
});

/**
 * The 431 check on a request's header block, given its size as
 * http_headers.readRequestHead measures it (names and values, 4 bytes each
 * for ": " and CRLF).
 */
export function checkHeaderSize(size) {
  return size > LIMITS.headerBytes
    ? fail('headers_too_large', `request headers exceed ${LIMITS.headerBytes} bytes`)
    : ok(size);
}

/**
 * Reads a request body into bytes, refusing more than `limit` bytes: first by
 * Content-Length, then while streaming (a chunked body has none).
 */
export async function readBodyBytes(request, limit) {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) {
    await drain(request.body?.getReader());
    return tooLarge(limit);
  }
  if (!request.body) return ok(new Uint8Array(0));
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await drain(reader);
      return tooLarge(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return ok(out);
}

/** Reads a JSON object body: 413 over `limit`, 400 invalid_json if malformed or not an object. */
export async function readJsonObject(request, limit = LIMITS.apiBodyBytes) {
  const bytes = await readBodyBytes(request, limit);
  if (!bytes.ok) return bytes;
  let value;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.value));
  } catch {
    return fail('invalid_json', 'the request body is not valid JSON (UTF-8)');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail('invalid_json', 'the request body must be a JSON object');
  }
  return ok(value);
}

/** Reads and discards up to LIMITS.drainBytes of `reader`, then cancels it. */
export async function drainReader(reader) {
  return drain(reader);
}

/** drainReader for a whole body stream (null: nothing to drain). */
export async function drainBody(body) {
  return drain(body?.getReader());
}

// Reads and discards up to LIMITS.drainBytes more, then gives up.
async function drain(reader) {
  if (!reader) return;
  try {
    let drained = 0;
    while (drained <= LIMITS.drainBytes) {
      const { done, value } = await reader.read();
      if (done) return;
      drained += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // the client went away: nothing to drain
  }
}

function tooLarge(limit) {
  return fail('payload_too_large', `the request body exceeds the limit of ${limit} bytes`);
}
