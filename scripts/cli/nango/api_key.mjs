// auth_mode API_KEY -> an `api_key` connector: the key is a secret
// connection field, placed where Nango's proxy puts `${apiKey}`.
import { applyRules } from './apply.mjs';
import { Skip } from './skip.mjs';

const key = (entry) => `connection.${entry.fields.credential('apiKey', { label: 'API key', secret: true })}`;

export const placeholders = {
  apiKey: key,
  'credentials.apiKey': key,
  'credentials.*': (entry, name) => `connection.${entry.fields.credential(name, { label: name, secret: true })}`,
};

export function authorize(entry, proxy) {
  const apply = applyRules(proxy);
  if (!apply) throw new Skip(['proxy'], 'says nowhere where the API key goes (proxy.headers or proxy.query)');
  return { type: 'api_key', apply };
}
