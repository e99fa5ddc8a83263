// Shopify's authorization code grant, as documented at
// https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant:
// the store's subdomain in every URL, comma-joined scopes, the callback's
// shop/hmac/host/timestamp, an offline token with no expiry and no refresh
// token ({"access_token", "scope"}), X-Shopify-Access-Token on calls, and the
// Admin API's 401 once the app is uninstalled.
import assert from 'node:assert/strict';

const CLIENT = { id: 'fake0shopify0client0id', secret: 'shpss_fakeShopifySecret' };
const shopifyToken = (r) => r.headers['x-shopify-access-token'] ?? null;

export default {
  title: 'Shopify',
  connector: 'shopify',
  // The egress list the entry tells the admin to set.
  egress: ['*.myshopify.com'],
  refresh: false,
  app: { scopes: ['read_orders', 'write_products'] },
  fields: { shop: 'acme' },
  call: { method: 'GET', url: 'orders.json?status=any&limit=1' },
  provider: {
    client: CLIENT,
    authorize: { at: 'acme.myshopify.com/admin/oauth/authorize', pkce: false, require: { scope: 'read_orders,write_products' },
      callback: { shop: 'acme.myshopify.com', hmac: 'da9d83c171400a41f8db91a950508985', host: 'YWNtZS5teXNob3BpZnkuY29tL2FkbWlu', timestamp: '1765150800' } },
    token: {
      at: 'acme.myshopify.com/admin/oauth/access_token',
      clientAuth: 'body',
      refreshes: false,
      answer: (t, grant) => {
        grant.access.add(`shpat_${t.access_token}`);
        return { access_token: `shpat_${t.access_token}`, scope: 'read_orders,write_products' };
      },
    },
    api: [
      { at: 'acme.myshopify.com/admin/api/2025-01/shop.json', credential: shopifyToken, answer: () => ({ shop: { id: 548380009, myshopify_domain: 'acme.myshopify.com' } }) },
      { at: 'acme.myshopify.com/admin/api/2025-01/orders.json', credential: shopifyToken, answer: () => ({ orders: [] }) },
    ],
    unauthorized: () => ({ status: 401, body: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' } }),
  },

  connected(sim, connected) {
    assert.match(connected.connection.access_token, /^shpat_/);
    assert.equal(connected.identity, 'acme.myshopify.com');
    assert.equal(connected.connection.refresh_token, undefined);
    assert.equal(connected.connection.expires_at, undefined, 'offline tokens do not expire');
  },
};
