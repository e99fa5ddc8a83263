// What a connect button must know about an app's connector before the click:
// whether it is OAuth (a popup) or takes field values (a form), which fields
// the user fills in, which `multi` options the user chooses between and
// through which connection field, and whether the popup must have no opener
// (SPEC §2.2 `noopener`). All of it is the engine's connect form
// (engine.connectForm, wasm/core/connect_form.h): nothing here reads a
// definition or knows which field a selector reads.
//
// Sources, best first:
//  1. `app.auth`, the engine's form as the edge includes it in the app view
//     (members cannot read connectors);
//  2. the connector itself, for admins (GET /api/connectors/{name}), through
//     the engine in the page;
//  3. otherwise unknown: the button treats the app as OAuth and switches to
//     a form if the edge answers that fields are needed.

/** "name" | "name@3" → {name, version|null}. */
export function parseConnectorRef(ref) {
  const m = /^([a-z][a-z0-9_-]{0,63})(?:@([1-9][0-9]*))?$/.exec(String(ref ?? ''));
  return m ? { name: m[1], version: m[2] ? Number(m[2]) : null } : null;
}

/**
 * {type, option, choiceField, options, fields, noopener, known} for `app`:
 * the type and fields in force with nothing entered yet, and for a choice
 * the options, each with its type and the fields it asks for.
 */
export async function authInfo(api, app, { admin, engine }) {
  if (app.auth && typeof app.auth === 'object') return fromForm(app.auth);
  if (admin && engine) {
    const ref = parseConnectorRef(app.connector);
    if (ref) {
      const answer = await api.getConnector(ref.name, ref.version);
      if (answer.ok && answer.value.definition) {
        const settings = { settings: app.settings ?? {}, secret_settings: app.secret_settings ?? [] };
        const form = engine.connectForm(answer.value.definition, { connection: {}, app: settings });
        if (form.ok) return fromForm(form.value);
      }
    }
  }
  return { type: 'oauth2', option: null, choiceField: null, options: [], fields: [], noopener: false, known: false };
}

function fromForm(form) {
  return {
    type: form.type ?? null,
    option: form.option ?? null,
    choiceField: form.choice_field ?? null,
    options: form.options ?? [],
    fields: form.fields ?? [],
    noopener: form.noopener === true,
    known: true,
  };
}

/**
 * What connecting through the chosen option means: {type, fields,
 * noopener}. Without a choice to make, the form's own.
 */
export function chosen(info, optionKey) {
  if (!info.choiceField) return { type: info.type, fields: info.fields, noopener: info.noopener };
  const option = info.options.find((o) => o.key === optionKey);
  return option ? { type: option.type, fields: option.fields, noopener: option.noopener === true } : { type: null, fields: info.fields, noopener: false };
}
