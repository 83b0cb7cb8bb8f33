// Short quotes of what was read, for diagnostics and notes. A file may hold a line of megabytes or a
// token in a config value: a message shows at most a few dozen characters of it. V8 keeps a
// `slice()` of a string as a view that pins the whole original in memory; a diagnostic that lives
// as long as its run must hold a copy instead.

/** A fresh copy of `s` (not a view into a larger string). */
export function copyString(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

/** At most `max` characters of `text` (cut ones end in `…`, with the full length said), copied. */
export function excerpt(text: string, max = 60): string {
  if (text.length <= max) return copyString(text);
  return `${copyString(text.slice(0, Math.max(1, max - 1)))}… (${text.length} characters)`;
}
