/**
 * A response body as JSON, or `undefined` when it is not JSON (an HTML error page, an empty body, a
 * proxy's text): each system's error table then reads the status and the raw text instead.
 */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
