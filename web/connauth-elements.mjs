// connauth's embeddable components: import this module once, call
// configure() with your console's session token, and place the elements.
//
//   <script type="module">
//     import { configure } from 'https://EDGE/assets/web/connauth-elements.mjs';
//     configure({ token: mySessionToken, baseUrl: 'https://EDGE' });
//   </script>
//   <connauth-connect app="APP_ID"></connauth-connect>   one user's connection to one app
//   <connauth-connections></connauth-connections>        every app of the org, connect cards
//   <connauth-apps></connauth-apps>                      admin: outbound applications
//   <connauth-connectors></connauth-connectors>          admin: connector editor, versions, apply preview
//   <connauth-apply-preview></connauth-apply-preview>    admin: .definition = connector, .apps = [...]
//   <connauth-health></connauth-health>                  admin: every connection of the org, lost and degraded first
//   <connauth-webhooks></connauth-webhooks>              admin: webhooks (secret shown once) and their deliveries
//   <connauth-audit></connauth-audit>                    admin: the audit log, newest first
//
// See web/README.md.
export { configure, getSession, isAdmin, onConfig } from './lib/config.mjs';
export { getEngine } from './lib/engine.mjs';
export { ConnauthConnect } from './elements/connauth-connect.mjs';
export { ConnauthConnections } from './elements/connauth-connections.mjs';
export { ConnauthApps } from './elements/connauth-apps.mjs';
export { ConnauthConnectors } from './elements/connauth-connectors.mjs';
export { ConnauthApplyPreview } from './elements/connauth-apply-preview.mjs';
export { ConnauthHealth } from './elements/connauth-health.mjs';
export { ConnauthWebhooks } from './elements/connauth-webhooks.mjs';
export { ConnauthAudit } from './elements/connauth-audit.mjs';
