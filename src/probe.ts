import crypto from 'node:crypto';
import fs from 'node:fs';
import { readText } from './read.js';

/** One question a run asked the file system, and the answer: `['e', path, '1' | '0']` for existence, `['r', path, hash | 'error:CODE']` for contents. */
export type Probe = ['e' | 'r', string, string];

/**
 * The file system reads a run depends on besides the files it lints: the package.json, tsconfig,
 * `.git` and `Chart.yaml` next to them. Every such read goes through one of these, which
 * remembers the answers, so that `--cache` can tell whether a stored result still holds.
 */
export class FsProbe {
  private readonly answers = new Map<string, Probe>();

  exists(file: string): boolean {
    const yes = fs.existsSync(file);
    this.answers.set(`e${file}`, ['e', file, yes ? '1' : '0']);
    return yes;
  }

  /** The file's text (as {@link readText}); throws as it does. */
  read(file: string): string {
    try {
      const text = readText(file);
      this.answers.set(`r${file}`, ['r', file, digest(text)]);
      return text;
    } catch (e) {
      this.answers.set(`r${file}`, ['r', file, failure(e)]);
      throw e;
    }
  }

  /** Every question asked so far, each once. */
  log(): Probe[] {
    return [...this.answers.values()];
  }

  /** Does the file system still answer every question as it did? */
  static stillHolds(probes: readonly Probe[]): boolean {
    for (const [kind, file, answer] of probes) {
      if (kind === 'e') {
        if ((fs.existsSync(file) ? '1' : '0') !== answer) return false;
        continue;
      }
      let now: string;
      try {
        now = digest(readText(file));
      } catch (e) {
        now = failure(e);
      }
      if (now !== answer) return false;
    }
    return true;
  }
}

function digest(text: string): string {
  return crypto.createHash('sha1').update(text).digest('base64url');
}

function failure(e: unknown): string {
  return `error:${(e as NodeJS.ErrnoException).code ?? 'unknown'}`;
}
