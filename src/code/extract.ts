import { parseDirectives } from '../suppress.js';
import type { Span } from '../types.js';
import { addTime, timed } from '../timing.js';
import { compactFacts, emptyFacts, type CodeFacts } from './facts.js';
import { Walk, type Collector } from './walk.js';
import type { TS, Ts } from './typescript.js';
import { libCalls } from './collectors/lib-calls.js';
import { methodCalls } from './collectors/method-calls.js';
import { servers } from './collectors/servers.js';
import { signals } from './collectors/signals.js';
import { bindings } from './collectors/bindings.js';
import { clients } from './collectors/clients.js';
import { constants } from './collectors/constants.js';
import { instances } from './collectors/instances.js';
import { lifecycle } from './collectors/lifecycle.js';
import { routes } from './collectors/routes.js';
import { schedulers } from './collectors/schedulers.js';
import { stores } from './collectors/stores.js';
import { timers } from './collectors/timers.js';
import { dependencies } from './collectors/dependencies.js';
import { catchAlls } from './collectors/catch-alls.js';
import { globals } from './collectors/globals.js';

/** Every fact collector; each sees only the syntax kinds it asks for, in one walk per file. */
export const COLLECTORS: Collector[] = [
  libCalls,
  servers,
  signals,
  methodCalls,
  // Routes, servers and shutdown.
  constants,
  instances,
  routes,
  lifecycle,
  clients,
  // State and timers.
  bindings,
  timers,
  schedulers,
  stores,
  // Cross rules.
  dependencies,
  catchAlls,
  // Clients and health.
  globals,
];

/**
 * Parse one code file with the compiler and reduce it to facts. Neither the syntax tree nor the
 * text is kept: once this returns, nothing refers to them and they can be collected (`strings`
 * holds the run's copies of the facts' long strings, see {@link compactFacts}).
 */
export function extractFacts(ts: Ts, file: string, text: string, strings = new Map<string, string>()): CodeFacts {
  const facts = emptyFacts(file);
  facts.directives = timed('read suppressions', () => parseDirectives(text));
  const t0 = performance.now();
  const kind = scriptKind(ts, file);
  let sf: TS.SourceFile;
  try {
    // No rule reads JSDoc, so its comments are skipped like any other comment (what the compiler's
    // own build mode does); on documented code this is a sixth of the parse.
    sf = ts.createSourceFile(file, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, kind);
  } catch (e) {
    // The compiler's parser recurses: about a thousand nested brackets or calls exhaust the stack.
    if (!(e instanceof RangeError)) throw e;
    addTime('parse code', performance.now() - t0);
    return tooDeep(file);
  }
  const t1 = performance.now();
  addTime('parse code', t1 - t0);
  const { error, strictOnly } = syntaxErrors(ts, sf, kind);
  if (error) {
    facts.parseError = located(ts, sf, error);
    addTime('extract facts', performance.now() - t1);
    return compactFacts(facts, strings);
  }
  let out = facts;
  try {
    new Walk(ts, sf, facts, COLLECTORS).run();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    // A tree the parser builds without recursing (thousands of `+` or `.then()` in a row) can still be
    // too deep to walk recursively: walked again from the start, without recursion (up to a depth).
    out = emptyFacts(file);
    out.directives = facts.directives;
    try {
      new Walk(ts, sf, out, COLLECTORS).runWithoutRecursion();
    } catch (e2) {
      if (!(e2 instanceof RangeError)) throw e2;
      addTime('extract facts', performance.now() - t1);
      return tooDeep(file);
    }
  }
  if (strictOnly) out.strictOnlyError = located(ts, sf, strictOnly);
  compactFacts(out, strings);
  addTime('extract facts', performance.now() - t1);
  return out;
}

function located(ts: Ts, sf: TS.SourceFile, d: TS.DiagnosticWithLocation): Span & { message: string } {
  const a = sf.getLineAndCharacterOfPosition(d.start);
  const b = sf.getLineAndCharacterOfPosition(d.start + d.length);
  return { message: ts.flattenDiagnosticMessageText(d.messageText, ' '), line: a.line + 1, column: a.character + 1, endLine: b.line + 1, endColumn: b.character + 1 };
}

/** A file nested too deeply to parse or walk: one problem at its start, as for a syntax error. */
function tooDeep(file: string): CodeFacts {
  const facts = emptyFacts(file);
  facts.parseError = { message: 'nested too deeply to analyse', tooDeep: true, line: 1, column: 1, endLine: 1, endColumn: 1 };
  return facts;
}

/**
 * Errors the compiler reports that only strict code makes errors: legacy octal literals (`0755`),
 * decimals with a leading zero (`08`), octal escapes and `\8` `\9` in strings (`"\033[31m"`).
 */
const STRICT_ONLY = new Set([1121, 1487, 1488, 1489]);

/**
 * The first syntax error of a file, as the language defines it for the file. In JavaScript that
 * may be a CommonJS script (no `import` or `export`, not `.mjs`), strict-only errors outside strict
 * code are left out, since Node runs that code; the first of them is still returned as
 * `strictOnly`, an error after all if the file's package makes its `.js` files ES modules.
 */
function syntaxErrors(ts: Ts, sf: TS.SourceFile, kind: TS.ScriptKind): { error?: TS.DiagnosticWithLocation; strictOnly?: TS.DiagnosticWithLocation } {
  const diags = (sf as unknown as { parseDiagnostics: TS.DiagnosticWithLocation[] }).parseDiagnostics;
  if (!diags.length) return {};
  const js = (kind === ts.ScriptKind.JS || kind === ts.ScriptKind.JSX) && !sf.fileName.endsWith('.mjs');
  const script = js && !(sf as unknown as { externalModuleIndicator?: unknown }).externalModuleIndicator;
  const excused = script ? diags.filter((d) => STRICT_ONLY.has(d.code) && sloppyAt(ts, sf, d.start)) : [];
  if (!excused.length) return { error: diags[0] };
  // The parser keeps one error per position, so a real error at such a literal (`f("a" 0755)`)
  // shows only as the octal one. Parsed again with those literals masked (same length), an error
  // at one of their positions shows; errors elsewhere are the first parse's (masking changes what
  // follows a literal: `0755.toString()` is valid, `1755.toString()` is not).
  const starts = new Set(excused.map((d) => d.start));
  const text = sf.text.split('');
  for (const d of excused) text[d.start] = text[d.start] === '\\' ? 'x' : '1';
  const again = ts.createSourceFile(sf.fileName, text.join(''), { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, kind);
  const hidden = (again as unknown as { parseDiagnostics: TS.DiagnosticWithLocation[] }).parseDiagnostics.filter((d) => starts.has(d.start));
  const error = [...diags.filter((d) => !excused.includes(d)), ...hidden].sort((a, b) => a.start - b.start)[0];
  return error ? { error } : { strictOnly: excused[0] };
}

/**
 * Is the code at this offset of a script sloppy (not strict)? Strict are: the code of a function
 * under a `'use strict'` directive (of the file or of the function: its parameters and body, not
 * its computed name), class bodies, and template literals, where octal escapes are always errors.
 * (Node 20 lets a legacy octal through in a class field; the language does not, nor does the compiler.)
 */
function sloppyAt(ts: Ts, sf: TS.SourceFile, pos: number): boolean {
  if (usesStrict(ts, sf, sf.statements)) return false;
  const K = ts.SyntaxKind;
  for (let node: TS.Node = sf; ; ) {
    const inner = ts.forEachChild(node, (c) => (c.pos <= pos && pos < c.end ? c : undefined));
    if (!inner) return true;
    node = inner;
    if (ts.isClassLike(node) || (node.kind >= K.FirstTemplateToken && node.kind <= K.LastTemplateToken)) return false;
    if (!ts.isFunctionLike(node)) continue;
    const fn = node as TS.FunctionLikeDeclaration;
    const body = fn.body;
    if (body && ts.isBlock(body) && usesStrict(ts, sf, body.statements) && !(fn.name && pos < fn.name.end)) return false;
  }
}

/** Does this list of statements start with a `'use strict'` directive (written so, with no escapes)? */
function usesStrict(ts: Ts, sf: TS.SourceFile, statements: readonly TS.Statement[]): boolean {
  for (const st of statements) {
    if (!ts.isExpressionStatement(st) || !ts.isStringLiteral(st.expression)) return false;
    const raw = sf.text.slice(st.expression.getStart(sf) + 1, st.expression.end - 1);
    if (raw === 'use strict') return true;
  }
  return false;
}

function scriptKind(ts: Ts, file: string): TS.ScriptKind {
  if (/\.tsx$/.test(file)) return ts.ScriptKind.TSX;
  if (/\.[mc]?ts$/.test(file)) return ts.ScriptKind.TS;
  if (/\.jsx$/.test(file)) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}
