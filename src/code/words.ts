/** Word boundaries inside an identifier or an expression's text: non-alphanumerics, `camelCase` humps and `HTTPServer`-style acronyms. */
const BOUNDARY = /[^A-Za-z0-9$]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/;

/** The words of a name: `checkDbPool` → check, Db, Pool; `HEALTH_CHECK_URL` → HEALTH, CHECK, URL; `config.healthPath` → config, health, Path. */
export function nameWords(name: string): readonly string[] {
  let words = known.get(name);
  if (!words) {
    words = name.split(BOUNDARY).filter(Boolean);
    if (known.size < 10_000) known.set(name, words);
  }
  return words;
}

/** Names repeat across calls and files (`shutdown`, `handler`): each is split once. */
const known = new Map<string, readonly string[]>();

/** Does a name have a whole word that matches (`checkDb` has `check` and `Db`; `signupUser` has no `sig`)? */
export function hasWord(name: string | undefined, word: RegExp): boolean {
  return !!name && nameWords(name).some((w) => word.test(w));
}
