// Reads a WebAssembly binary's layout: the size of each section and, when a
// name section is present (a --profiling-funcs build), each function's body
// size with its name. scripts/bench reports the section sizes; the function
// sizes are for finding what makes the module large.

function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(b & 0x80)) return [value, at];
  }
}

const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export',
  'start', 'element', 'code', 'data', 'datacount', 'tag'];

/** {sections: [{name, bytes}], functions: [{name, bytes}]} */
export function wasmLayout(bytes) {
  const sections = [];
  let importedFunctions = 0;
  const bodies = [];
  const names = new Map();
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    let size;
    [size, at] = leb(bytes, at + 1);
    const start = at;
    const end = at + size;
    let name = SECTION_NAMES[id] ?? `section ${id}`;
    if (id === 0) {
      let len;
      [len, at] = leb(bytes, at);
      const custom = new TextDecoder().decode(bytes.subarray(at, at + len));
      name = `custom:${custom}`;
      at += len;
      if (custom === 'name') readNames(bytes, at, end, names);
    } else if (id === 2) {
      let count;
      [count, at] = leb(bytes, at);
      for (let i = 0; i < count; i += 1) {
        for (let k = 0; k < 2; k += 1) {
          let len;
          [len, at] = leb(bytes, at);
          at += len;
        }
        const kind = bytes[at++];
        if (kind === 0) { [, at] = leb(bytes, at); importedFunctions += 1; }
        else if (kind === 1) { at += 1; const flags = bytes[at++]; [, at] = leb(bytes, at); if (flags & 1) [, at] = leb(bytes, at); }
        else if (kind === 2) { const flags = bytes[at++]; [, at] = leb(bytes, at); if (flags & 1) [, at] = leb(bytes, at); }
        else if (kind === 3) { at += 2; }
        else if (kind === 4) { at += 1; [, at] = leb(bytes, at); }
      }
    } else if (id === 10) {
      let count;
      [count, at] = leb(bytes, at);
      for (let i = 0; i < count; i += 1) {
        let len;
        [len, at] = leb(bytes, at);
        bodies.push(len);
        at += len;
      }
    }
    sections.push({ name, bytes: end - start });
    at = end;
  }
  const functions = bodies.map((b, i) => ({ name: names.get(importedFunctions + i) ?? `f${importedFunctions + i}`, bytes: b }));
  return { sections, functions };
}

function readNames(bytes, at, end, names) {
  while (at < end) {
    const kind = bytes[at++];
    let size;
    [size, at] = leb(bytes, at);
    const next = at + size;
    if (kind === 1) {
      let count;
      [count, at] = leb(bytes, at);
      for (let i = 0; i < count; i += 1) {
        let index;
        let len;
        [index, at] = leb(bytes, at);
        [len, at] = leb(bytes, at);
        names.set(index, new TextDecoder().decode(bytes.subarray(at, at + len)));
        at += len;
      }
    }
    at = next;
  }
}
