/**
 * A copy of `s` that shares no memory with the text it was cut from. V8 keeps a long substring
 * (13 characters or more: a YAML value js-yaml sliced out of a rule file) as a view of its whole
 * parent, so a cache or registry that outlives one rule must hold copies, or it keeps every rule
 * file's text alive (at 100k rules, about half a gigabyte).
 */
export function detached(s: string): string {
  return s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}
