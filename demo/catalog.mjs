// The demo's connectors (demo/connectors/*.json) and outbound applications
// (SPEC §5) bound to them, filled in with the URLs the demo servers got at
// run time. scripts/dev and flow tests register these with the engine.
import { readFileSync } from 'node:fs';
import {
  DEMO_BASIC_CLIENT_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
} from './provider-config.mjs';

const CONNECTORS_DIR = new URL('./connectors/', import.meta.url);

export const DEMO_CONNECTORS = ['demo_oauth', 'demo_client_credentials'];

// The parsed connector definition, e.g. loadConnector('demo_oauth').
export function loadConnector(name) {
  return JSON.parse(readFileSync(new URL(`${name}.json`, CONNECTORS_DIR), 'utf8'));
}

// App objects (SPEC §5) keyed by connector name. providerUrl is the demo
// provider's issuer, apiUrl the demo API's origin, both without a trailing
// slash. `egress` is left unset: the engine derives it from the connector's URLs.
export function demoApps({ providerUrl, apiUrl }) {
  const settings = { provider_url: providerUrl, api_url: apiUrl };
  return {
    demo_oauth: {
      name: 'Demo CRM',
      description: 'The demo API behind the demo OAuth 2.0 provider',
      prompt: 'Connect your demo account so connauth can read and add contacts for you.',
      connector: 'demo_oauth',
      client_id: DEMO_CLIENT_ID,
      client_secret: DEMO_CLIENT_SECRET,
      scopes: ['openid', 'offline_access', 'contacts:read', 'contacts:write'],
      settings,
      enabled: true,
    },
    demo_client_credentials: {
      name: 'Demo CRM (service account)',
      description: 'The demo API with an app-level token (client credentials)',
      prompt: 'Connects with the organisation\'s service credentials; nothing to enter.',
      connector: 'demo_client_credentials',
      client_id: DEMO_BASIC_CLIENT_ID,
      client_secret: DEMO_CLIENT_SECRET,
      scopes: ['contacts:read', 'contacts:write'],
      settings,
      enabled: true,
    },
  };
}
