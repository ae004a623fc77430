/** The small pages the callback server answers with (no scripts, no external resources). */
export function page(title: string, body: string, ok: boolean): string {
  const colour = ok ? '#116611' : '#a11';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}
h1{color:${colour};font-size:1.5rem}</style></head>
<body><h1 id="result">${title}</h1><p>${body}</p></body></html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
