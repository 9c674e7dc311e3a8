/**
 * The trace as one self-contained HTML page: the page's script and style are inlined, the trace
 * rides in a JSON script element, and a Content-Security-Policy forbids every fetch, so the page
 * works from a file, offline. The script builds the views with `textContent` only: nothing from
 * a message is ever parsed as HTML.
 *
 * What the page shows once is embedded once: a result's steps are its job's step messages, and a
 * search message's tree and reasoning are its row in the searches table, so those bodies say so
 * instead of carrying them again.
 */
import { readFileSync } from 'node:fs';
import type { TraceMessage, TraceModel } from './model.ts';

const asset = (name: string) => readFileSync(new URL(`./viewer/${name}`, import.meta.url), 'utf8');

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside a `<script>` element: no `<`, `>`, `&` or line separators survive. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function withoutRepeats(m: TraceMessage, jobsWithSteps: ReadonlySet<string>): TraceMessage {
  const body = m.body && typeof m.body === 'object' && !Array.isArray(m.body) ? (m.body as Record<string, unknown>) : undefined;
  if (!body) return m;
  if (m.kind === 'result' && Array.isArray(body.steps) && m.job && jobsWithSteps.has(m.job)) {
    return { ...m, body: { ...body, steps: `[${body.steps.length} steps: this job's step messages]` } };
  }
  if (m.kind === 'search' && ('tree' in body || 'steps' in body)) {
    const { tree: _tree, steps: _steps, ...rest } = body;
    return { ...m, body: { ...rest, tree: '[in the searches table]' } };
  }
  return m;
}

/** The model as the page embeds it: each body's parts shown elsewhere on the page left out. */
export function pageModel(model: TraceModel): TraceModel {
  const jobsWithSteps = new Set(model.messages.filter((m) => m.kind === 'step' && m.job).map((m) => m.job!));
  return { ...model, messages: model.messages.map((m) => withoutRepeats(m, jobsWithSteps)) };
}

export function renderHtml(model: TraceModel): string {
  const title = `retrace · run ${model.run}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
${asset('viewer.css')}
</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p id="summary">${model.messages.length} messages · ${model.agents.length} agents · started ${escapeHtml(model.started)}</p>
<noscript><p>This page needs JavaScript to draw the trace.</p></noscript>
</header>
<main id="app"></main>
<script type="application/json" id="retrace-trace">${scriptJson(pageModel(model))}</script>
<script>
${asset('viewer.js')}
</script>
</body>
</html>
`;
}
