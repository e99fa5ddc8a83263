// What a connect button must know about an app's connector before the click:
// whether it is OAuth (a popup) or takes field values (a form), which fields
// the user fills in, and whether the popup must have no opener (SPEC §2.2
// `noopener`).
//
// Sources, best first:
//  1. `app.auth` = {type, fields, noopener, options?} if the edge includes it
//     in the app view (members cannot read connectors);
//  2. the connector itself, for admins (GET /api/connectors/{name}): its
//     engine summary plus `authorization.noopener`;
//  3. otherwise unknown: the button treats the app as OAuth and switches to
//     a form if the edge answers that fields are needed.

/** "name" | "name@3" → {name, version|null}. */
export function parseConnectorRef(ref) {
  const m = /^([a-z][a-z0-9_-]{0,63})(?:@([1-9][0-9]*))?$/.exec(String(ref ?? ''));
  return m ? { name: m[1], version: m[2] ? Number(m[2]) : null } : null;
}

/** {type, fields, options, noopener, known} for `app`. */
export async function authInfo(api, app, { admin }) {
  if (app.auth && typeof app.auth === 'object') {
    return { type: app.auth.type, fields: app.auth.fields ?? [], options: app.auth.options ?? [], noopener: app.auth.noopener === true, known: true };
  }
  if (admin) {
    const ref = parseConnectorRef(app.connector);
    if (ref) {
      const answer = await api.getConnector(ref.name, ref.version);
      if (answer.ok && answer.value.summary) {
        const { summary, definition } = answer.value;
        const noopener = definition?.authorization?.noopener === true;
        return { type: summary.type, fields: summary.fields ?? [], options: summary.options ?? [], noopener, known: true, definition };
      }
    }
  }
  return { type: 'oauth2', fields: [], options: [], noopener: false, known: false };
}

/** The fields the user must fill in: the connector's, minus those the app's settings already set. */
export function userFields(info, app, optionKey) {
  const settings = app.settings ?? {};
  const secretSettings = new Set(app.secret_settings ?? []);
  const setByApp = (f) => (settings[f.name] !== undefined && settings[f.name] !== null && settings[f.name] !== '') || secretSettings.has(f.name);
  const option = info.options?.find((o) => o.key === optionKey);
  return [...(info.fields ?? []), ...(option?.fields ?? [])].filter((f) => !setByApp(f));
}

/** The authorization type in force for a multi connector's selected option. */
export function effectiveType(info, optionKey) {
  if (info.type !== 'multi') return info.type;
  return info.options?.find((o) => o.key === optionKey)?.type ?? null;
}
