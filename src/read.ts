import fs from 'node:fs';

/** Read a text file as UTF-8 without its byte-order mark, which editors do not count as a column. */
export function readText(file: string): string {
  return stripBom(fs.readFileSync(file, 'utf8'));
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
