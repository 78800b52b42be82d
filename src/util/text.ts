/**
 * A thrown value's message fit for a one-line error: libraries' messages (and strings taken from
 * a user's file) may hold newlines or control characters, and a throw may not even be an Error.
 */
export function oneLine(e: unknown, max = 160): string {
  const s = String(e instanceof Error ? e.message : e).replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

/** A string from a user's file, quoted so that a newline in it cannot break the one-line error. */
export const quoted = (s: unknown): string => oneLine(JSON.stringify(s) ?? String(s));

/** A name from a user's file as is when plain, else quoted. */
export const printable = (s: string): string => (/^[\x20-\x7e]{1,100}$/.test(s) ? s : quoted(s));
