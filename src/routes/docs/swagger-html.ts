import { SWAGGER_UI, vendorUrl } from './vendor';

/**
 * Swagger UI's start: the spec from /openapi.json, Authorize through the password flow of the
 * `bearer` scheme (POST /token), never kept across reloads (persistAuthorization: false), and no
 * badge from validator.swagger.io (the page reaches no other origin). It is the page's only
 * inline script, allowed by its SHA-256 in the page's CSP (docs.csp.ts).
 */
const BOOTSTRAP =
  "window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', persistAuthorization: false, validatorUrl: null, deepLinking: false });";

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
