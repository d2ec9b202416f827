import path from 'node:path';

/**
 * Another place named inside a finding's message, written from the finding's own file: `line 9`
 * in the same file, `routes/carts.ts:9` beside it. The full path is in the finding's related
 * locations; the message stays short.
 */
export function placeFrom(findingFile: string, file: string, line: number): string {
  if (file === findingFile) return `line ${line}`;
  const rel = path.posix.relative(path.posix.dirname(findingFile), file);
  return `${rel.length < file.length ? rel : file}:${line}`;
}
