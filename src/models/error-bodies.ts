/**
 * A `fetch` for the `openai` client that keeps what a server says when it refuses a request. The
 * client reads an error's text only from OpenAI's shape (`{"error": {"message": ...}}`); vLLM and
 * SGLang answer `{"object": "error", "message": ..., "type": ..., "code": ...}`, and proxies answer
 * plain text or HTML, so their words were lost ("429 status code (no body)"). Here an error
 * response in another shape is given to the client in OpenAI's, its message the server's own
 * words (cut to 2,000 characters); status and headers (Retry-After) are kept as they were.
 */
const MAX_TEXT = 2000;

function reshaped(text: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const plain = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
    return plain ? JSON.stringify({ error: { message: plain.slice(0, MAX_TEXT) } }) : undefined;
  }
  if (typeof body !== 'object' || body === null || 'error' in body) return undefined;
  const message = (body as { message?: unknown; detail?: unknown }).message ?? (body as { detail?: unknown }).detail;
  const said = typeof message === 'string' ? message : JSON.stringify(body);
  const { type, code } = body as { type?: unknown; code?: unknown };
  return JSON.stringify({ error: { message: said.slice(0, MAX_TEXT), ...(typeof type === 'string' ? { type } : {}), ...(code !== undefined ? { code } : {}) } });
}

export const fetchKeepingErrorBodies: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (response.ok) return response;
  const text = await response.text();
  const body = reshaped(text) ?? text;
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  if (body !== text) headers.set('content-type', 'application/json');
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
};
