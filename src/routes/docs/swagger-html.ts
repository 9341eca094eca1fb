import { SWAGGER_UI, vendorUrl } from './vendor';

/**
 * Swagger UI's start: the spec from /openapi.json, Authorize through the OAuth2 flows of the
 * `bearer` scheme (POST /token) and the `ApiKey` scheme, never kept across reloads
 * (persistAuthorization: false), and no badge from validator.swagger.io (the page reaches no
 * other origin). It is the page's only inline script, allowed by its SHA-256 in the page's CSP
 * (docs.csp.ts), so it is plain text here: no eval, no second script.
 *
 * The operations' own `security` (docs.index.ts) makes "Try it out" send an authorized key; the
 * token request of Authorize's OAuth2 flows is no operation, so requestInterceptor adds the key
 * there: Swagger UI's authorizeRequest passes getConfigs().requestInterceptor to its fetch, with
 * the absolute URL and a plain headers object. With it, a password-flow token obtained on the
 * page is bound to the client, and REQUIRE_API_KEY=on works from the page. It adds the key to
 * this origin's /token only; everywhere else the operations' security decides.
 */
const BOOTSTRAP = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  persistAuthorization: false,
  validatorUrl: null,
  deepLinking: false,
  requestInterceptor: function (request) {
    var key = window.ui && window.ui.authSelectors.authorized().getIn(['ApiKey', 'value']);
    var target = new URL(request.url, window.location.href);
    if (key && target.origin === window.location.origin && target.pathname === '/token') request.headers['X-API-Key'] = key;
    return request;
  },
});`;

/** /docs: Swagger UI from this Worker's own assets (the pinned swagger-ui-dist). */
export const renderSwaggerUi = (title: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} (Swagger UI)</title>
<link rel="stylesheet" href="${vendorUrl(SWAGGER_UI, 'swagger-ui.css')}">
</head>
<body>
<div id="swagger-ui"></div>
<noscript><p>Swagger UI needs JavaScript. The document itself is <a href="/openapi.json">/openapi.json</a>.</p></noscript>
<script src="${vendorUrl(SWAGGER_UI, 'swagger-ui-bundle.js')}"></script>
<script>${BOOTSTRAP}</script>
</body>
</html>
`;
