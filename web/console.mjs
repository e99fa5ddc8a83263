// The standalone console served at the edge's `/`: a shell around the
// embeddable components (connauth-elements.mjs).
//
// Session: the host platform opens `/#token=<session token>`. The token is
// taken from the fragment (never sent to any server in a URL) and removed
// from the address bar at once; it is kept in this tab's sessionStorage so a
// reload does not ask again, and dropped on Sign out. Without one, the
// console asks for it. Admin views appear only for role "admin" (the edge
// enforces roles; this only hides what would be refused).
import { configure, isAdmin, onConfig, readClaims } from './lib/config.mjs';
import { h, icon } from './lib/dom.mjs';
import { ConnauthElement, define } from './lib/element.mjs';
import { TOKENS } from './lib/styles.mjs';
import { getEngine } from './lib/engine.mjs';
import './connauth-elements.mjs';

const STORAGE_KEY = 'connauth.session';

// ---- the token, before anything renders -----------------------------------------
function takeTokenFromFragment() {
  const fragment = new URLSearchParams(globalThis.location.hash.slice(1));
  const token = fragment.get('token');
  if (token === null) return null;
  fragment.delete('token');
  const rest = fragment.toString();
  globalThis.history.replaceState(globalThis.history.state, '', `${globalThis.location.pathname}${globalThis.location.search}${rest ? `#${rest}` : ''}`);
  return token.trim();
}

const fromUrl = takeTokenFromFragment();
if (fromUrl) sessionStorage.setItem(STORAGE_KEY, fromUrl);

const VIEWS = {
  connections: { title: 'Your connections', nav: 'Connections', icon: 'plug', admin: false,
    lead: 'Connect your accounts once; automations then reach each provider on your behalf through connauth.' },
  apps: { title: 'Apps', nav: 'Apps', icon: 'grid', admin: true,
    lead: 'Outbound applications: the clients and credentials your organisation\'s users connect with.' },
  connectors: { title: 'Connectors', nav: 'Connectors', icon: 'code', admin: true,
    lead: 'How connauth authorizes against each provider. Every save is a new version; any version can be restored.' },
  health: { title: 'Health', nav: 'Health', icon: 'activity', admin: true,
    lead: 'Every connection of your organisation, lost and degraded first: see what broke and what to do before an automation fails.' },
  webhooks: { title: 'Webhooks', nav: 'Webhooks', icon: 'link', admin: true,
    lead: 'Your systems hear about every connection status change and admin change as it happens, signed per the Standard Webhooks specification.' },
  audit: { title: 'Audit log', nav: 'Audit', icon: 'history', admin: true,
    lead: 'Who changed which app, connector, webhook or connection, and when. Field names only: values, and secrets above all, are never recorded.' },
};

const SHELL = `
:host { display: block; min-height: 100vh; background: var(--ca-bg); }
.top { background: var(--ca-surface); border-bottom: 1px solid var(--ca-border); position: sticky; top: 0; z-index: 5; }
.top-inner { max-width: 1280px; margin: 0 auto; padding: 0 20px; display: flex; flex-wrap: wrap; align-items: center; gap: 4px 24px; min-height: 60px; }
.brand { display: flex; align-items: center; gap: 10px; font-weight: 700; font-size: 1.05rem; letter-spacing: -.01em; color: var(--ca-text); text-decoration: none; }
.logo { width: 28px; height: 28px; border-radius: 8px; background: linear-gradient(135deg, #4f46e5, #7c3aed); display: grid; place-items: center; color: #fff; }
nav.tabs { display: flex; gap: 2px; align-self: stretch; overflow-x: auto; }
nav.tabs a { display: inline-flex; align-items: center; gap: 7px; padding: 0 12px; color: var(--ca-muted); text-decoration: none; font-weight: 550;
  border-bottom: 2px solid transparent; min-height: 58px; white-space: nowrap; }
nav.tabs a:hover { color: var(--ca-text); }
nav.tabs a[aria-current="page"] { color: var(--ca-primary); border-bottom-color: var(--ca-primary); }
nav.tabs a:focus-visible { box-shadow: inset var(--ca-focus); border-radius: 6px; }
.who { margin-left: auto; display: flex; align-items: center; gap: 10px; font-size: .88rem; }
.who .name { font-weight: 600; }
main { max-width: 1280px; margin: 0 auto; padding: 28px 20px 60px; }
.page-head { margin-bottom: 22px; }
.page-head h1 { font-size: 1.55rem; letter-spacing: -.015em; }
.page-head p { color: var(--ca-muted); margin-top: 4px; max-width: 62ch; }
.signin { max-width: 460px; margin: 12vh auto 0; padding: 0 16px; }
.signin .card-body { padding: 28px; }
.signin h1 { font-size: 1.35rem; }
.signin input { font-family: var(--ca-mono); font-size: .85rem; }
.skip { position: absolute; left: 8px; top: -40px; background: var(--ca-surface); padding: 6px 10px; border-radius: 6px; z-index: 20; }
.skip:focus { top: 8px; }
@media (max-width: 640px) {
  .top-inner { padding: 8px 14px 0; column-gap: 12px; }
  .who { order: 2; margin-left: auto; }
  nav.tabs { order: 3; width: 100%; }
  nav.tabs a { min-height: 44px; }
  main { padding: 20px 14px 48px; }
  .who .org { display: none; }
  .who { gap: 6px; }
  .who .label { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
}
`;

class ConnauthConsole extends ConnauthElement {
  static styles = SHELL;
  #view = 'connections';
  #reason = null; // why the sign-in form is shown again

  connectedCallback() {
    super.connectedCallback();
    onConfig('unauthorized', () => this.#signOut('The service refused your session (expired or not valid here). Paste a new token.'));
    window.addEventListener('hashchange', () => this.#route());
    this.#route(false);
    getEngine().catch((error) => console.error('connauth: engine failed to load', error));
  }

  #route(render = true) {
    const wanted = /^#\/?([a-z]+)/.exec(globalThis.location.hash)?.[1];
    const allowed = Object.keys(VIEWS).filter((v) => !VIEWS[v].admin || isAdmin());
    this.#view = allowed.includes(wanted) ? wanted : 'connections';
    if (render) this.render();
  }

  render() {
    super.render();
    // A narrow window scrolls the tabs sideways: keep the current one in sight.
    this.viewRoot.querySelector('nav.tabs a[aria-current="page"]')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }

  /** What follows the view in the fragment (#/apps/<id> → the id). */
  #subpath() {
    const rest = /^#\/?[a-z]+\/([^/?]+)/.exec(globalThis.location.hash)?.[1];
    try { return rest ? decodeURIComponent(rest) : ''; } catch { return ''; }
  }

  #signOut(reason = null) {
    sessionStorage.removeItem(STORAGE_KEY);
    this.#reason = reason;
    configure({});
  }

  async #signIn(event) {
    event.preventDefault();
    const input = event.currentTarget.querySelector('input');
    const token = input.value.trim();
    const claims = readClaims(token);
    if (!claims) {
      this.#reason = 'That is not a session token: expected three base64url parts separated by dots (a JWT).';
      this.render();
      this.viewRoot.querySelector('input')?.focus();
      return;
    }
    if (claims.exp && claims.exp * 1000 < Date.now()) {
      this.#reason = 'That session token has expired. Ask your platform for a new one.';
      this.render();
      this.viewRoot.querySelector('input')?.focus();
      return;
    }
    sessionStorage.setItem(STORAGE_KEY, token);
    this.#reason = null;
    configure({ token });
  }

  configChanged() {
    this.#route(false);
    this.render();
    document.title = this.session ? `${VIEWS[this.#view].title} · connauth` : 'Sign in · connauth';
  }

  view() {
    return this.session ? this.#console() : this.#signInView();
  }

  #signInView() {
    const reason = this.#reason;
    return h('div', { class: 'signin' },
      h('div', { class: 'card' }, h('div', { class: 'card-body stack-lg' },
        h('div', { class: 'brand' }, h('span', { class: 'logo' }, icon('link', 16)), 'connauth'),
        h('div', { class: 'stack-sm' }, h('h1', {}, 'Sign in to the console'),
          h('p', { class: 'muted' }, 'Paste the session token your platform issued for you. It stays in this browser tab and is sent only to this service.')),
        reason ? h('div', { class: 'callout tone-warn', role: 'alert' }, icon('alert'), h('p', { class: 'callout-text' }, reason)) : null,
        h('form', { class: 'stack', onsubmit: (e) => this.#signIn(e) },
          h('div', { class: 'field' }, h('label', { for: 'token' }, 'Session token'),
            h('input', { id: 'token', 'data-key': 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'token-hint',
              placeholder: 'eyJhbGciOiJIUzI1NiIs…' }),
            h('span', { class: 'hint', id: 'token-hint' }, 'Tip: your platform can open this page as ', h('code', {}, '/#token=…'), ' to sign you in directly.')),
          h('button', { class: 'btn btn-primary', type: 'submit' }, 'Open console')))));
  }

  #console() {
    const s = this.session;
    const view = VIEWS[this.#view];
    const tabs = Object.entries(VIEWS).filter(([, v]) => !v.admin || isAdmin());
    let content;
    if (this.#view === 'apps') {
      // #/apps/<id>: the app a Health row links to.
      content = h('connauth-apps', { app: this.#subpath() || false });
    } else if (this.#view === 'health') {
      content = h('connauth-health', { 'app-href': '#/apps/{id}' });
    } else if (this.#view === 'webhooks') {
      content = h('connauth-webhooks', {});
    } else if (this.#view === 'audit') {
      content = h('connauth-audit', {});
    } else if (this.#view === 'connectors') {
      content = h('connauth-connectors', {});
    } else {
      content = h('connauth-connections', {});
    }
    return [
      h('a', { class: 'skip', href: '#main', onclick: (e) => { e.preventDefault(); this.viewRoot.querySelector('main')?.focus(); } }, 'Skip to content'),
      h('header', { class: 'top' }, h('div', { class: 'top-inner' },
        h('a', { class: 'brand', href: '#/connections' }, h('span', { class: 'logo' }, icon('link', 16)), 'connauth'),
        h('nav', { class: 'tabs', 'aria-label': 'Console' }, tabs.map(([key, v]) => h('a', { href: `#/${key}`, 'aria-current': key === this.#view ? 'page' : false, 'data-key': `tab-${key}` },
          icon(v.icon), v.nav))),
        h('div', { class: 'who' },
          h('span', { class: 'org muted' }, s.org ?? ''),
          h('span', { class: 'name' }, s.sub ?? 'you'),
          h('span', { class: ['badge', 'plain', s.role === 'admin' ? 'tone-info' : 'tone-neutral'] }, s.role === 'admin' ? 'Admin' : 'Member'),
          h('button', { class: 'btn btn-sm btn-ghost', type: 'button', 'data-key': 'sign-out', onclick: () => this.#signOut() }, icon('logout', 14), h('span', { class: 'label' }, 'Sign out'))))),
      h('main', { id: 'main', tabindex: '-1' },
        h('div', { class: 'page-head' }, h('h1', {}, view.title), h('p', {}, view.lead)),
        content),
    ];
  }
}

define('connauth-console', ConnauthConsole);

// Page-level look (the shell's shadow root has the rest).
const page = new CSSStyleSheet();
page.replaceSync(`${TOKENS} html, body { margin: 0; background: var(--ca-bg); font-family: var(--ca-font); color: var(--ca-text); }`);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, page];

configure({ token: sessionStorage.getItem(STORAGE_KEY) ?? undefined });
