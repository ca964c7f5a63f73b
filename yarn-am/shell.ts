/** Quotes a word for the bash launch script of a YARN container. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_/.:=@,+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
