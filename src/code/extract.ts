import { parseDirectives } from '../suppress.js';
import { addTime } from '../timing.js';
import { emptyFacts, type CodeFacts } from './facts.js';
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
 * Parse one code file with the compiler and reduce it to facts. The syntax tree is not kept:
 * once this returns, nothing refers to it and it can be collected.
 */
export function extractFacts(ts: Ts, file: string, text: string): CodeFacts {
  const facts = emptyFacts(file);
  facts.directives = parseDirectives(text);
  const t0 = performance.now();
  const kind = scriptKind(ts, file);
  let sf: TS.SourceFile;
  try {
    // No rule reads JSDoc, so its comments are skipped like any other comment (what the compiler's
    // own build mode does); on documented code this is a sixth of the parse.
    sf = ts.createSourceFile(file, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, kind);
  } catch (e) {
    // The compiler's parser recurses: about a thousand nested brackets or calls exhaust the stack.
    if (e instanceof RangeError) return tooDeep(file);
    throw e;
  }
  const t1 = performance.now();
  addTime('parse code', t1 - t0);
  const diag = firstError(ts, sf, kind);
  if (diag) {
    const a = sf.getLineAndCharacterOfPosition(diag.start);
    const b = sf.getLineAndCharacterOfPosition(diag.start + diag.length);
    facts.parseError = {
      message: ts.flattenDiagnosticMessageText(diag.messageText, ' '),
      line: a.line + 1,
      column: a.character + 1,
      endLine: b.line + 1,
      endColumn: b.character + 1,
    };
    return facts;
  }
  try {
    new Walk(ts, sf, facts, COLLECTORS).run();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    // A tree the parser builds without recursing (thousands of `+` or `.then()` in a row) can still be
    // too deep to walk recursively: walked again from the start, without recursion.
    const again = emptyFacts(file);
    again.directives = facts.directives;
    try {
      new Walk(ts, sf, again, COLLECTORS).runWithoutRecursion();
    } catch (e2) {
      if (e2 instanceof RangeError) return tooDeep(file);
      throw e2;
    }
    addTime('extract facts', performance.now() - t1);
    return again;
  }
  addTime('extract facts', performance.now() - t1);
  return facts;
}

/** A file nested too deeply to parse or walk: one problem at its start, as for a syntax error. */
function tooDeep(file: string): CodeFacts {
  const facts = emptyFacts(file);
  facts.parseError = { message: 'nested too deeply to analyse (the parser ran out of stack)', tooDeep: true, line: 1, column: 1, endLine: 1, endColumn: 1 };
  return facts;
}

/**
 * Errors the compiler reports that only strict code makes errors: legacy octal literals (`0755`),
 * decimals with a leading zero (`08`), octal escapes and `\8` `\9` in strings (`"\033[31m"`).
 */
const STRICT_ONLY = new Set([1121, 1487, 1488, 1489]);

/**
 * The first syntax error of a file, as Node sees it: in a CommonJS script (JavaScript with no
 * `import` or `export`, not `.mjs`), strict-only errors outside strict code are no errors, since
 * Node runs that code.
 */
function firstError(ts: Ts, sf: TS.SourceFile, kind: TS.ScriptKind): TS.DiagnosticWithLocation | undefined {
  const diags = (sf as unknown as { parseDiagnostics: TS.DiagnosticWithLocation[] }).parseDiagnostics;
  const js = (kind === ts.ScriptKind.JS || kind === ts.ScriptKind.JSX) && !sf.fileName.endsWith('.mjs');
  const script = js && !(sf as unknown as { externalModuleIndicator?: unknown }).externalModuleIndicator;
  return diags.find((d) => !(script && STRICT_ONLY.has(d.code) && sloppyAt(ts, sf, d.start)));
}

/**
 * Is the code at this offset of a script sloppy (not strict)? Strict are: code under a
 * `'use strict'` directive (of the file or of a function around it), class bodies, and template
 * literals, where octal escapes are always errors.
 */
function sloppyAt(ts: Ts, sf: TS.SourceFile, pos: number): boolean {
  if (usesStrict(ts, sf.statements)) return false;
  const K = ts.SyntaxKind;
  for (let node: TS.Node = sf; ; ) {
    const inner = ts.forEachChild(node, (c) => (c.pos <= pos && pos < c.end ? c : undefined));
    if (!inner) return true;
    node = inner;
    if (ts.isClassLike(node) || (node.kind >= K.FirstTemplateToken && node.kind <= K.LastTemplateToken)) return false;
    const body = ts.isFunctionLike(node) ? (node as TS.FunctionLikeDeclaration).body : undefined;
    if (body && ts.isBlock(body) && usesStrict(ts, body.statements)) return false;
  }
}

/** Does this list of statements start with a `'use strict'` directive? */
function usesStrict(ts: Ts, statements: readonly TS.Statement[]): boolean {
  for (const st of statements) {
    if (!ts.isExpressionStatement(st) || !ts.isStringLiteral(st.expression)) return false;
    if (st.expression.text === 'use strict') return true;
  }
  return false;
}

function scriptKind(ts: Ts, file: string): TS.ScriptKind {
  if (/\.tsx$/.test(file)) return ts.ScriptKind.TSX;
  if (/\.[mc]?ts$/.test(file)) return ts.ScriptKind.TS;
  if (/\.jsx$/.test(file)) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}
