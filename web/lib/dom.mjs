// DOM building without HTML strings: every text goes in as a text node or an
// attribute value, so nothing the API returns can become markup (the page
// runs under Trusted Types: innerHTML with a string would throw anyway).

const PROPERTIES = new Set(['value', 'checked', 'selected', 'indeterminate', 'selectionStart', 'selectionEnd']);

/**
 * h('button', {class: 'btn', onclick: fn, 'aria-label': 'Close'}, 'text', child, [more])
 * - `class`, `text` (textContent), `on<event>` (listener), `dataset` (object);
 * - value/checked/selected set as properties; false/null/undefined skip an attribute; true sets it empty;
 * - children: strings, numbers, nodes, arrays; null/false are skipped.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  applyProps(el, props);
  append(el, children);
  return el;
}

function applyProps(el, props) {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (key === 'class') {
      if (value) el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    } else if (key === 'text') {
      el.textContent = value ?? '';
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (PROPERTIES.has(key)) {
      el[key] = value;
    } else if (value !== false && value !== null && value !== undefined) {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// ---- icons (24×24 stroke icons, drawn from path data) -------------------------

const ICONS = {
  check: ['M20 6 9 17l-5-5'],
  'check-circle': ['M22 11.08V12a10 10 0 1 1-5.93-9.14', 'M22 4 12 14.01l-3-3'],
  alert: ['M10.29 3.86 1.82 18a2 2 0 0 0 1.71 3h16.94a2 2 0 0 0 1.71-3L13.71 3.86a2 2 0 0 0-3.42 0z', 'M12 9v4', 'M12 17h.01'],
  'x-circle': ['M12 2a10 10 0 1 0 0 20 10 10 0 1 0 0-20z', 'm15 9-6 6', 'm9 9 6 6'],
  x: ['M18 6 6 18', 'm6 6 12 12'],
  plug: ['M12 22v-5', 'M9 8V2', 'M15 8V2', 'M18 8v5a4 4 0 0 1-4 4h-4a4 4 0 0 1-4-4V8Z'],
  refresh: ['M21 12a9 9 0 1 1-3-6.7L21 8', 'M21 3v5h-5'],
  external: ['M15 3h6v6', 'M10 14 21 3', 'M18 13v6a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h6'],
  clock: ['M12 2a10 10 0 1 0 0 20 10 10 0 1 0 0-20z', 'M12 6v6l4 2'],
  user: ['M19 21v-2a4 4 0 0 0-4-4H9a4 4 0 0 0-4 4v2', 'M12 3a4 4 0 1 0 0 8 4 4 0 1 0 0-8z'],
  shield: ['M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z'],
  plus: ['M12 5v14', 'M5 12h14'],
  trash: ['M3 6h18', 'M19 6v14a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2V6', 'M8 6V4a2 2 0 0 1 2-2h4a2 2 0 0 1 2 2v2'],
  power: ['M18.36 6.64a9 9 0 1 1-12.73 0', 'M12 2v10'],
  rotate: ['M3 12a9 9 0 1 0 3-6.7L3 8', 'M3 3v5h5'],
  edit: ['M12 20h9', 'M16.5 3.5a2.12 2.12 0 0 1 3 3L7 19l-4 1 1-4Z'],
  code: ['m16 18 6-6-6-6', 'm8 6-6 6 6 6'],
  grid: ['M3 3h7v7H3z', 'M14 3h7v7h-7z', 'M14 14h7v7h-7z', 'M3 14h7v7H3z'],
  link: ['M10 13a5 5 0 0 0 7.54.54l3-3a5 5 0 0 0-7.07-7.07l-1.72 1.71', 'M14 11a5 5 0 0 0-7.54-.54l-3 3a5 5 0 0 0 7.07 7.07l1.71-1.71'],
  key: ['M21 2l-2 2', 'M15.5 7.5 19 4', 'M15.5 7.5l3 3L22 7l-3-3', 'M11.39 11.61a5.5 5.5 0 1 1-7.78 7.78 5.5 5.5 0 0 1 7.78-7.78z'],
  history: ['M3 12a9 9 0 1 0 3-6.7L3 8', 'M3 3v5h5', 'M12 7v5l4 2'],
  eye: ['M2 12s3-7 10-7 10 7 10 7-3 7-10 7-10-7-10-7Z', 'M12 9a3 3 0 1 0 0 6 3 3 0 1 0 0-6z'],
  logout: ['M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4', 'm16 17 5-5-5-5', 'M21 12H9'],
  info: ['M12 2a10 10 0 1 0 0 20 10 10 0 1 0 0-20z', 'M12 16v-4', 'M12 8h.01'],
  play: ['m6 3 14 9-14 9V3z'],
  activity: ['M22 12h-4l-3 9L9 3l-3 9H2'],
};

const SVG = 'http://www.w3.org/2000/svg';

/** A decorative icon (aria-hidden); give the button or text next to it the label. */
export function icon(name, size = 16) {
  const svg = document.createElementNS(SVG, 'svg');
  for (const [k, v] of Object.entries({ width: size, height: size, viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor',
    'stroke-width': 2, 'stroke-linecap': 'round', 'stroke-linejoin': 'round', 'aria-hidden': 'true', focusable: 'false', class: 'icon' })) {
    svg.setAttribute(k, String(v));
  }
  for (const d of ICONS[name] ?? []) {
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

/** A spinner for progress states (decorative: the text next to it says what is happening). */
export function spinner() {
  return h('span', { class: 'spinner', 'aria-hidden': 'true' });
}

/**
 * Re-renders a container's content while keeping the keyboard focus on the
 * element with the same data-key (re-rendering replaces nodes).
 */
export function rerender(container, build) {
  // The focused element inside `container` (seen from its shadow root, if any).
  const scope = container.getRootNode();
  const active = scope.activeElement && container.contains(scope.activeElement) ? scope.activeElement : null;
  const key = active?.dataset?.key;
  const selection = key && 'selectionStart' in active ? [active.selectionStart, active.selectionEnd] : null;
  container.replaceChildren(...[build()].flat());
  if (key) {
    const again = container.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again) {
      again.focus({ preventScroll: true });
      if (selection) try { again.setSelectionRange(...selection); } catch { /* not a text input */ }
    }
  }
}

let ids = 0;
/** A document-unique id for label/aria wiring. */
export function uid(prefix = 'ca') {
  ids += 1;
  return `${prefix}-${ids}`;
}
