// The components' look, as constructable style sheets adopted by each shadow
// root: the console's CSP allows no inline <style>, and a host console's own
// CSS cannot leak in or out. Colours are custom properties, so a host can
// theme the components from outside: connauth-connect { --ca-primary: teal }.

export const TOKENS = `
:host, :root {
  --ca-font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  --ca-mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
  --ca-bg: #f5f6f8;
  --ca-surface: #ffffff;
  --ca-surface-2: #f9fafb;
  --ca-border: #e2e5ea;
  --ca-border-strong: #c9ced6;
  --ca-text: #1b1f24;
  --ca-muted: #5b6573;
  --ca-primary: #4338ca;
  --ca-primary-hover: #3730a3;
  --ca-primary-soft: #eef0ff;
  --ca-ok: #15803d;   --ca-ok-soft: #e7f7ed;
  --ca-warn: #a15c07; --ca-warn-soft: #fff6e0;
  --ca-bad: #b42318;  --ca-bad-soft: #fdecea;
  --ca-off: #5b6573;  --ca-off-soft: #eef0f3;
  --ca-info: #1d5bd8; --ca-info-soft: #e8f0fe;
  --ca-radius: 10px;
  --ca-radius-sm: 7px;
  --ca-shadow: 0 1px 2px rgba(16, 24, 40, .05), 0 1px 3px rgba(16, 24, 40, .08);
  --ca-shadow-lg: 0 12px 32px rgba(16, 24, 40, .18);
  --ca-focus: 0 0 0 3px rgba(67, 56, 202, .35);
}
`;

export const BASE = `
:host { display: block; font-family: var(--ca-font); color: var(--ca-text); font-size: 14px; line-height: 1.5; }
:host([hidden]), [hidden] { display: none !important; }
* { box-sizing: border-box; }
h1, h2, h3, h4 { margin: 0; line-height: 1.3; font-weight: 600; }
h2 { font-size: 1.15rem; }
h3 { font-size: 1rem; }
h4 { font-size: .9rem; }
p { margin: 0; }
a { color: var(--ca-primary); }
code, .mono { font-family: var(--ca-mono); font-size: .86em; }
.muted { color: var(--ca-muted); }
.small { font-size: .85rem; }
.nowrap { white-space: nowrap; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.stack { display: flex; flex-direction: column; gap: 12px; }
.stack-sm { display: flex; flex-direction: column; gap: 6px; }
.stack-lg { display: flex; flex-direction: column; gap: 20px; }
.row { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
.row-between { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 8px 16px; }
.grow { flex: 1 1 auto; min-width: 0; }
.icon { flex: none; vertical-align: -3px; }

/* cards */
.card { background: var(--ca-surface); border: 1px solid var(--ca-border); border-radius: var(--ca-radius); box-shadow: var(--ca-shadow); }
.card-body { padding: 18px 20px; }
.card-head { padding: 16px 20px; border-bottom: 1px solid var(--ca-border); }
.card-foot { padding: 12px 20px; border-top: 1px solid var(--ca-border); background: var(--ca-surface-2); border-radius: 0 0 var(--ca-radius) var(--ca-radius); }

/* buttons */
.btn { display: inline-flex; align-items: center; justify-content: center; gap: 6px; min-height: 36px; padding: 7px 14px;
  font: inherit; font-weight: 550; color: var(--ca-text); background: var(--ca-surface); border: 1px solid var(--ca-border-strong);
  border-radius: var(--ca-radius-sm); cursor: pointer; text-decoration: none; white-space: nowrap; transition: background .12s, border-color .12s, box-shadow .12s; }
.btn:hover { background: var(--ca-surface-2); border-color: #b3b9c3; }
.btn:focus-visible, .link-btn:focus-visible, a:focus-visible, summary:focus-visible { outline: none; box-shadow: var(--ca-focus); }
.btn:disabled, .btn[aria-disabled="true"] { opacity: .55; cursor: not-allowed; }
.btn-primary { color: #fff; background: var(--ca-primary); border-color: var(--ca-primary); }
.btn-primary:hover { background: var(--ca-primary-hover); border-color: var(--ca-primary-hover); }
.btn-danger { color: #fff; background: var(--ca-bad); border-color: var(--ca-bad); }
.btn-danger:hover { background: #912018; border-color: #912018; }
.btn-ghost { background: transparent; border-color: transparent; color: var(--ca-muted); }
.btn-ghost:hover { background: var(--ca-off-soft); border-color: transparent; color: var(--ca-text); }
.btn-sm { min-height: 30px; padding: 4px 10px; font-size: .86rem; }
.link-btn { font: inherit; color: var(--ca-primary); background: none; border: 0; padding: 0; cursor: pointer; text-decoration: underline; border-radius: 3px; }

/* badges */
.badge { display: inline-flex; align-items: center; gap: 6px; padding: 2px 10px 2px 8px; border-radius: 999px; font-size: .8rem; font-weight: 600; white-space: nowrap; }
.badge::before { content: ""; width: 7px; height: 7px; border-radius: 50%; background: currentColor; }
.badge.plain::before { display: none; }
.tone-ok { color: var(--ca-ok); background: var(--ca-ok-soft); }
.tone-warn { color: var(--ca-warn); background: var(--ca-warn-soft); }
.tone-bad { color: var(--ca-bad); background: var(--ca-bad-soft); }
.tone-off, .tone-neutral { color: var(--ca-off); background: var(--ca-off-soft); }
.tone-info { color: var(--ca-info); background: var(--ca-info-soft); }
.chip { display: inline-block; padding: 1px 8px; border-radius: 6px; background: var(--ca-off-soft); color: var(--ca-muted); font-size: .8rem; font-family: var(--ca-mono); }

/* callouts */
.callout { display: flex; gap: 10px; padding: 12px 14px; border-radius: var(--ca-radius-sm); border: 1px solid transparent; }
.callout .icon { margin-top: 2px; }
.callout.tone-warn { border-color: #f3d48b; }
.callout.tone-bad { border-color: #f5b8b1; }
.callout.tone-info { border-color: #bcd0fb; }
.callout.tone-ok { border-color: #a8dcb9; }
.callout .callout-text { color: var(--ca-text); }
.callout h4 { color: inherit; margin-bottom: 2px; }

/* forms */
label, .label { font-weight: 550; font-size: .9rem; }
.field { display: flex; flex-direction: column; gap: 5px; }
.hint { color: var(--ca-muted); font-size: .82rem; }
.field-error { color: var(--ca-bad); font-size: .84rem; display: flex; gap: 5px; align-items: flex-start; }
input[type=text], input[type=password], input[type=url], input[type=number], input:not([type]), select, textarea {
  font: inherit; color: var(--ca-text); width: 100%; min-height: 38px; padding: 7px 10px; background: var(--ca-surface);
  border: 1px solid var(--ca-border-strong); border-radius: var(--ca-radius-sm); }
textarea { min-height: 80px; resize: vertical; }
input:focus, select:focus, textarea:focus { outline: none; border-color: var(--ca-primary); box-shadow: var(--ca-focus); }
[aria-invalid="true"] { border-color: var(--ca-bad) !important; }
[aria-invalid="true"]:focus { box-shadow: 0 0 0 3px rgba(180, 35, 24, .25) !important; }
input[readonly] { background: var(--ca-surface-2); }
.check { display: flex; gap: 8px; align-items: flex-start; font-weight: 500; }
.check input { margin-top: 3px; width: 16px; height: 16px; accent-color: var(--ca-primary); }
fieldset { border: 1px solid var(--ca-border); border-radius: var(--ca-radius-sm); padding: 12px 14px 14px; margin: 0; }
legend { font-weight: 600; padding: 0 6px; font-size: .9rem; }
.form-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); gap: 14px 18px; }
.form-grid .wide { grid-column: 1 / -1; }

/* lists and tables */
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; margin: 0; }
dl.facts dt { color: var(--ca-muted); }
dl.facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
table { width: 100%; border-collapse: collapse; font-size: .9rem; }
th { text-align: left; font-weight: 600; color: var(--ca-muted); font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; }
th, td { padding: 8px 10px; border-bottom: 1px solid var(--ca-border); vertical-align: top; }
tr:last-child td { border-bottom: 0; }
.table-wrap { overflow-x: auto; }

details > summary { cursor: pointer; font-weight: 550; list-style: none; display: inline-flex; align-items: center; gap: 6px; border-radius: 4px; }
details > summary::-webkit-details-marker { display: none; }
details > summary::before { content: "▸"; color: var(--ca-muted); transition: transform .12s; display: inline-block; }
details[open] > summary::before { transform: rotate(90deg); }

/* progress */
.spinner { width: 16px; height: 16px; border-radius: 50%; border: 2px solid currentColor; border-right-color: transparent;
  display: inline-block; animation: ca-spin .8s linear infinite; flex: none; }
@keyframes ca-spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .spinner { animation-duration: 2.4s; } }

/* dialogs */
dialog { border: 0; padding: 0; border-radius: 14px; box-shadow: var(--ca-shadow-lg); color: var(--ca-text); width: min(560px, calc(100vw - 24px)); max-height: calc(100vh - 48px); }
dialog.wide { width: min(820px, calc(100vw - 24px)); }
dialog::backdrop { background: rgba(16, 24, 40, .45); }
.dialog-head { padding: 18px 22px 8px; }
.dialog-body { padding: 8px 22px 18px; }
.dialog-foot { padding: 14px 22px; display: flex; flex-wrap: wrap; justify-content: flex-end; gap: 8px; border-top: 1px solid var(--ca-border); background: var(--ca-surface-2); position: sticky; bottom: 0; }

.empty { text-align: center; padding: 36px 20px; color: var(--ca-muted); }
.empty h3 { color: var(--ca-text); margin-bottom: 4px; }
.toast { position: fixed; right: 16px; bottom: 16px; z-index: 10; max-width: min(420px, calc(100vw - 32px)); }
`;

function sheetOf(text) {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(text);
  return sheet;
}

let shared = null;
const own = new Map(); // component CSS text -> its sheet, made once per page

/** The style sheets every component adopts (created once per page). */
export function baseSheets() {
  shared ??= [sheetOf(TOKENS), sheetOf(BASE)];
  return shared;
}

/** A component's own sheet on top of the shared ones. */
export function sheets(extra = '') {
  if (!extra) return baseSheets();
  if (!own.has(extra)) own.set(extra, sheetOf(extra));
  return [...baseSheets(), own.get(extra)];
}
