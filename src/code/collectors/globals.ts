import type { Collector } from '../walk.js';
import type { TS } from '../typescript.js';

/** Browser globals a file may declare for itself (`function save(document) {...}`): its uses of them are then its own. */
const WATCHED = new Set(['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'FileReader', 'XMLHttpRequest']);
/** Globals that exist only in a browser, used as `window.x`, `document.x`, `localStorage.x`. */
const BROWSER_OBJECTS = new Set(['window', 'document', 'navigator', 'localStorage', 'sessionStorage']);
/** Browser-only constructors: `new FileReader()`. */
const BROWSER_CLASSES = new Set(['FileReader', 'XMLHttpRequest']);

/**
 * Which runtime globals a file declares itself (a function, variable, parameter or class named
 * `document` or `window`), which browser-only globals it uses, and whether it checks where it runs
 * (`typeof window`). A file that uses the DOM without such a check is browser code, even when the
 * server imports it for something else.
 */
export const globals: Collector = {
  kinds: ['FunctionDeclaration', 'VariableDeclaration', 'Parameter', 'BindingElement', 'ClassDeclaration', 'PropertyAccessExpression', 'NewExpression', 'TypeOfExpression'],
  visit(node, w) {
    const ts = w.ts;
    const facts = w.facts;
    if (ts.isPropertyAccessExpression(node)) {
      const o = node.expression;
      if (ts.isIdentifier(o) && BROWSER_OBJECTS.has(o.text) && !facts.browserGlobals.includes(o.text)) facts.browserGlobals.push(o.text);
      return;
    }
    if (ts.isNewExpression(node)) {
      const c = node.expression;
      if (ts.isIdentifier(c) && BROWSER_CLASSES.has(c.text) && !facts.browserGlobals.includes(c.text)) facts.browserGlobals.push(c.text);
      return;
    }
    if (ts.isTypeOfExpression(node)) {
      const e = w.unwrap(node.expression);
      if (ts.isIdentifier(e) && BROWSER_OBJECTS.has(e.text)) facts.checksRuntime = true;
      return;
    }
    const name = (node as TS.NamedDeclaration).name;
    if (name && ts.isIdentifier(name) && WATCHED.has(name.text) && !facts.ownGlobals.includes(name.text)) facts.ownGlobals.push(name.text);
  },
};
