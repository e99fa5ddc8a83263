// The connector catalog as one console asset (web/catalog.json in the
// bundle): every connectors/catalog/*.json, validated by the engine, with
// what the console's "New app" list shows before anything is chosen.
//
//   {"entries": [{name, title, description, documentation, type, options,
//                 fields, signing_keys, scopes, definition}, ...]}   sorted by title
//
// `type`, `options` and `fields` are the engine's reading of the definition
// (the same summary GET /api/connectors/{name} answers); `scopes` are the
// definition's own (each `multi` option's too). A file the engine refuses
// stops the build with every problem at its JSON pointer: the console must
// never offer a connector the edge would refuse.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @param {string} dir the catalog directory (connectors/catalog)
 * @param {{validate: (text: string) => object}} engine the loaded engine (wasm/connauth.mjs)
 * @returns {{entries: object[]}} the asset's content; throws an Error saying which file and where
 */
export function buildCatalog(dir, engine) {
  let names;
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    if (error.code === 'ENOENT') return { entries: [] }; // no catalog yet: the console offers none
    throw error;
  }
  const entries = [];
  const problems = [];
  const suggested = suggestedScopes(dir, problems);
  for (const file of names) {
    const text = readFileSync(join(dir, file), 'utf8');
    const where = `connectors/catalog/${file}`;
    let definition;
    try {
      definition = JSON.parse(text);
    } catch (error) {
      problems.push(`${where}: not JSON (${error.message})`);
      continue;
    }
    const checked = engine.validate(text);
    if (!checked.ok) {
      for (const { path, message } of checked.errors ?? [{ path: '', message: checked.error?.message }]) {
        problems.push(`${where} ${path || '(document)'}: ${message}`);
      }
      continue;
    }
    if (`${definition.name}.json` !== file) {
      problems.push(`${where} /name: must be the file's name without .json ("${file.slice(0, -5)}")`);
      continue;
    }
    entries.push(entryOf(definition, checked.value, suggested[definition.name]));
  }
  for (const name of Object.keys(suggested)) {
    if (!entries.some((e) => e.name === name)) problems.push(`connectors/catalog/${SUGGESTED} /${name}: no catalog entry has this name`);
  }
  if (problems.length) throw new Error(`the connector catalog has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  ${problems.join('\n  ')}`);
  entries.sort((a, b) => a.title.localeCompare(b.title, 'en') || a.name.localeCompare(b.name));
  return { entries };
}

// Scopes an admin starts from when an entry's connector names none (the
// app's scopes are then the ones requested, and a connector's own `scopes`
// would replace them): {name: [scope, ...]}, kept beside the entries.
const SUGGESTED = 'meta/app_scopes.json';

function suggestedScopes(dir, problems) {
  let map;
  try {
    map = JSON.parse(readFileSync(join(dir, SUGGESTED), 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return {};
    problems.push(`connectors/catalog/${SUGGESTED}: ${error.message}`);
    return {};
  }
  const valid = {};
  for (const [name, scopes] of Object.entries(map && typeof map === 'object' && !Array.isArray(map) ? map : {})) {
    if (Array.isArray(scopes) && scopes.every((s) => typeof s === 'string' && s)) valid[name] = scopes;
    else problems.push(`connectors/catalog/${SUGGESTED} /${name}: must be a list of scope names`);
  }
  return valid;
}

function entryOf(definition, summary, suggested = []) {
  const auth = definition.authorization ?? {};
  const optionAuths = auth.type === 'multi' ? Object.values(auth.options ?? {}) : [];
  // Every field a user or the admin may be asked for, once (a multi option's too).
  const fields = [];
  for (const field of [...summary.fields, ...(summary.options ?? []).flatMap((o) => o.fields ?? [])]) {
    if (!fields.some((f) => f.name === field.name)) fields.push(field);
  }
  const named = [...new Set([auth, ...optionAuths].flatMap((a) => (Array.isArray(a?.scopes) ? a.scopes : [])))];
  const scopes = named.length ? named : suggested;
  return {
    name: summary.name,
    title: summary.title,
    description: typeof definition.description === 'string' ? definition.description : '',
    documentation: typeof definition.documentation === 'string' ? definition.documentation : null,
    type: summary.type,
    options: (summary.options ?? []).map(({ key, type }) => ({ key, type })),
    fields,
    signing_keys: summary.signing_keys ?? [],
    scopes,
    definition,
  };
}
