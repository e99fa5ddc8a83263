// Where a JSON pointer (RFC 6901) sits in a JSON text, so that the engine's
// problems ({path, message}) can be shown at their place in the editor. A
// small position-recording JSON scanner: it stops at the first syntax error
// and keeps what it mapped until there.

/**
 * @returns {Map<string, {start: number, end: number, keyStart?: number}>}
 *   pointer → the value's [start, end) offsets, and its member name's start.
 */
export function locateAll(text) {
  const map = new Map();
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const fail = () => {
    throw new SyntaxError('stop');
  };
  const string = () => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail();
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const value = (path, keyStart) => {
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') i++;
      else {
        for (;;) {
          ws();
          if (text[i] !== '"') fail();
          const ks = i;
          const key = string();
          ws();
          if (text[i] !== ':') fail();
          i++;
          value(`${path}/${escapeToken(key)}`, ks);
          ws();
          if (text[i] === ',') { i++; continue; }
          if (text[i] === '}') { i++; break; }
          fail();
        }
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') i++;
      else {
        for (let n = 0; ; n++) {
          value(`${path}/${n}`);
          ws();
          if (text[i] === ',') { i++; continue; }
          if (text[i] === ']') { i++; break; }
          fail();
        }
      }
    } else if (c === '"') {
      string();
    } else if (/[-0-9tfn]/.test(c ?? '')) {
      while (i < text.length && /[-+0-9.eEa-z]/.test(text[i])) i++;
    } else {
      fail();
    }
    map.set(path, keyStart === undefined ? { start, end: i } : { start, end: i, keyStart });
  };
  try {
    value('');
  } catch {
    // keep what was mapped
  }
  return map;
}

export function escapeToken(token) {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The text range to mark for `pointer`: its member (name and value) if it
 * exists; else the nearest ancestor that does (a missing key is reported at
 * the object that lacks it). `exact` says which.
 */
export function rangeOf(map, pointer) {
  let p = pointer;
  for (;;) {
    const found = map.get(p);
    if (found) {
      const start = found.keyStart ?? found.start;
      // An ancestor object: mark its first line only, not the whole block.
      return { start, end: p === pointer ? found.end : Math.min(found.end, start + Math.max(1, found.start - start + 1)), exact: p === pointer };
    }
    if (p === '') return null;
    p = p.slice(0, p.lastIndexOf('/'));
  }
}

/** 1-based line and column of `offset`. */
export function lineColumn(text, offset) {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}

/** The offset of a 1-based line and column (for the engine's JSON syntax errors). */
export function offsetOf(text, line, column) {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return Math.min(text.length, offset + Math.max(0, column - 1));
}
