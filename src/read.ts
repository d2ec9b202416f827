import fs from 'node:fs';

/** Read a text file as UTF-8 without its byte-order mark, which editors do not count as a column. */
export function readText(file: string): string {
  return stripBom(fs.readFileSync(file, UTF8));
}

/** One options object for every read: given the encoding as a string, Node copies its defaults into a new one per call. */
const UTF8 = { encoding: 'utf8' } as const;

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
