/** Text into HTML: the five characters that can change markup (OWASP rule #1). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/**
 * JSON inside <script type="application/json">: `<` would let `</script>` or
 * `<!--` end the element; U+2028/U+2029 are line terminators to older JS parsers
 * (Lighthouse report generator, report-generator.js sanitizeJson).
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
