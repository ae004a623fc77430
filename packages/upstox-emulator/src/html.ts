/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const STYLE = `
  body { font-family: system-ui, sans-serif; background: #f4f5f9; margin: 0; }
  main { max-width: 26rem; margin: 3rem auto; background: #fff; padding: 2rem; border-radius: 8px;
         box-shadow: 0 1px 4px rgba(0,0,0,.12); }
  h1 { font-size: 1.3rem; margin-top: 0; color: #5a2ca0; }
  label { display: block; margin: 1rem 0 .3rem; font-weight: 600; }
  input { width: 100%; box-sizing: border-box; padding: .55rem; font-size: 1rem; }
  button { margin-top: 1.4rem; padding: .6rem 1.2rem; font-size: 1rem; background: #5a2ca0; color: #fff;
           border: 0; border-radius: 4px; cursor: pointer; }
  button.secondary { background: #888; }
  .error { color: #b00020; font-weight: 600; }
  .note { color: #666; font-size: .85rem; }
  section { border-top: 1px solid #ddd; margin-top: 1rem; }
`;

/** Wraps `body` in a complete HTML document with the emulator's styling. */
export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
