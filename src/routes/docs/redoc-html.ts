import { REDOC, vendorUrl } from './vendor';

/**
 * /redocs: ReDoc (v2, the pinned `redoc` package's standalone bundle, served from this Worker's
 * assets). The bundle finds the `<redoc>` element and loads its `spec-url` by itself, so the page
 * has no inline script; its own styles are inline (the CSP allows inline styles here, see
 * docs.csp.ts).
 */
export const renderRedoc = (title: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} (ReDoc)</title>
<style>body{margin:0;padding:0}</style>
</head>
<body>
<redoc spec-url="/openapi.json"></redoc>
<noscript><p>ReDoc needs JavaScript. The document itself is <a href="/openapi.json">/openapi.json</a>.</p></noscript>
<script src="${vendorUrl(REDOC, 'bundles/redoc.standalone.js')}"></script>
</body>
</html>
`;
