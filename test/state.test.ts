import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyFacts, type CodeFacts, type ExportFact, type ImportFact, type StateBinding, type StateWrite } from '../src/code/facts.js';
import { ModuleIndex } from '../src/code/modules.js';
import { StateIndex } from '../src/code/state.js';

const SPAN = { line: 1, column: 1, endLine: 1, endColumn: 2 };

const binding = (name: string, more: Partial<StateBinding> = {}): StateBinding => ({ name, decl: 'const', value: 'Map', span: SPAN, ...more });
const own = (...names: string[]): ExportFact[] => names.map((name) => ({ name, local: name }));
const esm = (local: string, module: string, path = [local]): ImportFact => ({ local, module: `./${module}`, path, kind: 'esm', line: 1 });
const write = (w: Partial<StateWrite>): StateWrite => ({ run: 'request', path: [], op: 'call', method: 'set', span: SPAN, ...w });

/** The facts of `src/<name>.ts`: these exports, a binding for each local one, and `more`. */
function mod(name: string, exports: ExportFact[], more: Partial<CodeFacts> = {}): CodeFacts {
  const f = emptyFacts(`src/${name}.ts`);
  f.moduleExports = exports;
  f.bindings = exports.filter((e) => e.local).map((e) => binding(e.local!));
  return Object.assign(f, more);
}

/** The state queries over these files, all of them running in the replicas. */
function index(files: CodeFacts[]): StateIndex {
  return new StateIndex(new ModuleIndex([{ dir: '/repo', folder: '.', files, dockerfiles: [] }]), files, files);
}

/** Where each import of `main` lands: `file#local.rest`, or undefined. */
function lands(files: CodeFacts[], main: CodeFacts): (string | undefined)[] {
  const ix = index([...files, main]);
  return main.imports.map((i) => {
    const t = ix.importTarget(main, i.local, []);
    return t && `${t.file.file}#${[t.local, ...t.rest].join('.')}`;
  });
}

/** `main` importing each name from `module`. */
const importing = (module: string, names: string[]) => mod('main', [], { imports: names.map((n) => esm(n, module)) });

describe('state index', () => {
  it('finds the first binding and the first import of a name', () => {
    const store = mod('store', own('registry'), {
      bindings: [
        binding('registry'),
        binding('dup', { decl: 'let' }),
        binding('dup'),
        binding('Store#items', { decl: 'instance', vars: ['registry'] }),
        binding('Other#items', { decl: 'instance', vars: ['registry'] }),
        binding('Store#byId', { decl: 'instance', vars: ['registry', 'registry'] }),
        binding('Registry.items', { decl: 'static' }),
      ],
    });
    const ix = index([store]);
    assert.equal(ix.bindingOf(store, write({ binding: 'dup' }))?.binding.decl, 'let');
    const main = mod('main', [], { imports: [esm('registry', 'store'), esm('registry', 'other')] });
    const other = mod('other', own('registry'));
    const both = index([store, other, main]);
    const field = (path: string[]) => {
      const b = both.bindingOf(main, write({ import: 'registry', path }));
      return b && `${b.owner.file}#${b.binding.name} ${b.rest.join('.')}`;
    };
    assert.deepEqual([field(['items', 'x']), field(['byId']), field(['size']), field([])], ['src/store.ts#Store#items x', 'src/store.ts#Store#byId ', 'src/store.ts#registry size', 'src/store.ts#registry ']);
    // An exported name some binding continues (`Registry.items`) is the file's own, even where an import has the name too.
    const shadowing = mod('shadowing', own('Registry'), { bindings: [binding('Registry.items', { decl: 'static' })], imports: [esm('Registry', 'store')] });
    assert.deepEqual(lands([store, shadowing], importing('shadowing', ['Registry'])), ['src/shadowing.ts#Registry']);
  });
});
