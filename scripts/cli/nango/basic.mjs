// auth_mode BASIC -> a `basic_auth` connector (RFC 7617) over the
// connection's username and password.
import { applyRules } from './apply.mjs';

const username = (entry) => `connection.${entry.fields.credential('username', { label: 'Username' })}`;
const password = (entry) => `connection.${entry.fields.credential('password', { label: 'Password', secret: true })}`;

export const placeholders = {
  username, password, 'credentials.username': username, 'credentials.password': password,
};

// `Authorization: Basic ${base64(${username}:${password})}` is what the
// connector's basic rule sends already.
export function isDefaultHeader(name, value) {
  return name.toLowerCase() === 'authorization' &&
    /^Basic \$\{base64\(\$\{(credentials\.)?username\}:\$\{(credentials\.)?password\}\)\}$/.test(String(value));
}

export function authorize(entry, proxy) {
  const user = `{{${username(entry)}}}`;
  const secret = password(entry);
  // Nango lets some providers take a username alone (an API key as the
  // username); an optional password is sent empty.
  const optional = entry.fields.list().find((f) => `connection.${f.name}` === secret)?.optional;
  const pass = `{{${secret}${optional ? ' | default: ""' : ''}}}`;
  const apply = applyRules(proxy, { basic: { username: user, password: pass } });
  const isDefault = !optional && Object.keys(apply[0]).length === 1;
  return isDefault ? { type: 'basic_auth' } : { type: 'basic_auth', apply };
}
