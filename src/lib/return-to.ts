const MAX_LENGTH = 512;
/** One leading `/`, then neither `/` nor `\`; no backslash, whitespace or control character anywhere (browsers drop tabs and newlines, so `/\t/evil` would become `//evil`). */
const LOCAL_PATH = /^\/(?![/\\])[^\\\s\u0000-\u001f\u007f]*$/;

/**
 * Where a page may send the browser after a login: a local path only (SPEC "Browser pages"),
 * anything else ignored (`undefined`), so a link to /login cannot redirect someone off the site.
 *
 * @example safeReturnTo('/account?tab=sessions') // '/account?tab=sessions'
 * @example safeReturnTo('//evil.example')         // undefined
 */
export function safeReturnTo(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_LENGTH || !LOCAL_PATH.test(value)) return undefined;
  return value;
}
