// The caller's request body on its way through the proxy (SPEC §7). An
// isolate serves every tenant's requests within one memory limit (128 MB on
// Workers), so a body is held in memory only when something needs it:
//  - a payload apply rule (SPEC §2.4) rewrites it: the whole body, as text;
//  - a signing apply rule (SPEC §10) hashes it: the whole body, as bytes;
//  - a small body (up to LIMITS.replayBodyBytes) is kept so that the one
//    retry after a refresh (SPEC §2.5 rule 3) can send it again;
//  - a body without Content-Length (chunked) is read whole, so that one over
//    the limit is refused with 413 instead of reaching the upstream cut;
// a larger body with a Content-Length streams to the upstream as it arrives
// and cannot be sent twice (after a refresh its first answer is the caller's). Bytes held for
// all requests of the isolate together stay under
// LIMITS.isolateBufferedBytes: beyond it the request answers 503 with
// Retry-After instead of taking memory the other requests need.
import { ok, fail } from './result.mjs';
import { LIMITS, drainBody, drainReader } from './limits.mjs';

// The content types a payload rule can rewrite: JSON, form, text.
const TEXT_BODY = /^(application\/(json|[a-z0-9.+-]*\+json|x-www-form-urlencoded)|text\/)/i;

let heldBytes = 0; // bytes held right now by this isolate's proxied requests

/** Bytes the isolate's proxied requests hold right now (tests, diagnostics). */
export function heldRequestBytes() {
  return heldBytes;
}

/** GET and HEAD: no body. */
export const NO_BODY = Object.freeze({ body: '', bytes: null, replayable: true, release() {} });

/**
 * The body of a proxied request: {body: text for the engine ('' unless a
 * payload rule may read it), bytes: Uint8Array | ReadableStream | null,
 * replayable, release()}; the caller calls release() when the request is
 * done. Fails with payload_too_large (413) over LIMITS.proxyBodyBytes, or
 * server_busy (503, Retry-After) when the isolate holds too much already.
 * `payloadRules`: whether an apply rule of the connection has a payload;
 * `signs`: whether one signs requests (the body is then always held).
 */
export async function proxyRequestBody(request, fields, payloadRules, signs = false) {
  if (!request.body) return ok(NO_BODY);
  const limit = LIMITS.proxyBodyBytes;
  const declared = fields['content-length'] === undefined ? null : Number(fields['content-length']);
  if (declared !== null && declared > limit) {
    await drainBody(request.body);
    return tooLarge(limit);
  }
  const text = payloadRules && TEXT_BODY.test(fields['content-type'] ?? '');
  // A declared length the runtime's stream keeps on the way up: streamed,
  // unless a payload rule needs it whole or it is small enough to keep.
  if (!text && !signs && declared !== null && declared > LIMITS.replayBodyBytes) {
    return ok({ body: '', bytes: request.body, replayable: false, release() {} });
  }
  // Held: needed whole, small, or chunked with no declared length (a stream
  // cut at the limit would reach the upstream as a shorter body that looks
  // complete, so it is read first and refused whole with 413).
  const held = await hold(request.body.getReader(), limit);
  if (!held.ok) return held;
  const { bytes, release } = held.value;
  return ok({ body: text ? new TextDecoder().decode(bytes) : '', bytes, replayable: true, release });
}

// Reads the whole body (413 over `limit`), each chunk counted against the
// isolate's budget as it arrives.
async function hold(reader, limit) {
  const chunks = [];
  let size = 0;
  const release = () => {
    heldBytes -= size;
    size = 0;
  };
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      const length = next.value.byteLength;
      if (size + length > limit) {
        release();
        await drainReader(reader);
        return tooLarge(limit);
      }
      if (heldBytes + length > LIMITS.isolateBufferedBytes) {
        release();
        await drainReader(reader); // read, not held: a reset would fail the client's next request
        return fail('server_busy', 'the service is handling too many large request bodies: retry shortly', { retryAfter: 1 });
      }
      heldBytes += length;
      size += length;
      chunks.push(next.value);
    }
  } catch {
    release();
    return fail('invalid_request', 'the request body could not be read');
  }
  const bytes = chunks.length === 1 ? chunks[0] : concat(chunks, size);
  return ok({ bytes, release });
}

function concat(chunks, size) {
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function tooLarge(limit) {
  return fail('payload_too_large', `the request body exceeds the limit of ${limit} bytes`);
}
