/** A static, script-free reference view of the OpenAPI document (served at /redocs). */
type Operation = { summary?: string; description?: string; tags?: string[]; security?: unknown[]; responses?: Record<string, { description?: string }> };
type Doc = { info: { title: string; version: string; description?: string }; paths?: Record<string, Record<string, Operation>> };

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function renderReference(doc: Doc): string {
  const sections = Object.entries(doc.paths ?? {}).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const responses = Object.entries(op.responses ?? {})
        .map(([status, r]) => `<li><code>${escapeHtml(status)}</code> ${escapeHtml(r.description ?? '')}</li>`)
        .join('');
      const auth = op.security && op.security.length > 0 ? ' <em>(bearer token)</em>' : '';
      return `<section><h3><code>${method.toUpperCase()} ${escapeHtml(path)}</code>${auth}</h3><p>${escapeHtml(op.summary ?? '')}</p>${op.description ? `<p>${escapeHtml(op.description)}</p>` : ''}<ul>${responses}</ul></section>`;
    }),
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(doc.info.title)} reference</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}section{border-top:1px solid #ddd;padding:.5rem 0}code{background:#f4f4f4;padding:0 .2rem}</style></head>
<body><h1>${escapeHtml(doc.info.title)} <small>${escapeHtml(doc.info.version)}</small></h1><p>${escapeHtml(doc.info.description ?? '')}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Interactive: <a href="/docs">/docs</a>.</p>${sections.join('\n')}</body></html>`;
}
