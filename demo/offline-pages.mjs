// oidc-provider's devInteractions pages (login, consent) start their CSS with
// `@import url(https://fonts.googleapis.com/...)`. On a loopback-only machine
// that import can only fail, and a browser holds the page's load event until
// it does, which slows or times out popup tests. This Koa middleware drops
// the import from HTML the provider renders; the pages are otherwise unchanged.
const WEB_FONT_IMPORT = /@import url\(https?:\/\/fonts\.googleapis\.com[^)]*\);?/g;

export async function offlinePages(ctx, next) {
  await next();
  if (typeof ctx.body === 'string' && ctx.response.is('html')) {
    ctx.body = ctx.body.replace(WEB_FONT_IMPORT, '');
  }
}
