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
  // No rule reads JSDoc, so its comments are skipped like any other comment (what the compiler's
  // own build mode does); on documented code this is a sixth of the parse.
  const sf = ts.createSourceFile(file, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, scriptKind(ts, file));
  const t1 = performance.now();
  addTime('parse code', t1 - t0);
  const diag = (sf as unknown as { parseDiagnostics: TS.DiagnosticWithLocation[] }).parseDiagnostics[0];
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
  new Walk(ts, sf, facts, COLLECTORS).run();
  addTime('extract facts', performance.now() - t1);
  return facts;
}

function scriptKind(ts: Ts, file: string): TS.ScriptKind {
  if (/\.tsx$/.test(file)) return ts.ScriptKind.TSX;
  if (/\.[mc]?ts$/.test(file)) return ts.ScriptKind.TS;
  if (/\.jsx$/.test(file)) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}
