import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyFacts, type CodeFacts, type ExportFact, type FnCall, type ImportFact, type StateBinding, type StateWrite } from '../src/code/facts.js';
import { ModuleIndex } from '../src/code/modules.js';
import { StateIndex } from '../src/code/state.js';

const SPAN = { line: 1, column: 1, endLine: 1, endColumn: 2 };

const binding = (name: string, more: Partial<StateBinding> = {}): StateBinding => ({ name, decl: 'const', value: 'Map', span: SPAN, ...more });
const own = (...names: string[]): ExportFact[] => names.map((name) => ({ name, local: name }));
const star = (module: string): ExportFact => ({ name: '*', from: `./${module}`, imported: '*' });
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

/** A chain of `n` modules, each `export * from` the next (the last one back to the first for a ring), each exporting `s<i>` itself. */
function starChain(n: number, ring: boolean): CodeFacts[] {
  return Array.from({ length: n }, (_, i) => mod(`c${i}`, [...(i + 1 < n || ring ? [star(`c${(i + 1) % n}`)] : []), ...own(`s${i}`)]));
}

/**
 * A chain of `n` modules passing `x` on from the next one (the last one back to the first for a ring,
 * else declaring it): by `import { x } from` and `export { x }`, `export { x } from` (every fourth
 * from the third) or `export * from` (every fourth).
 */
function passChain(n: number, ring: boolean): CodeFacts[] {
  return Array.from({ length: n }, (_, i) => {
    const next = i + 1 < n ? i + 1 : ring ? 0 : undefined;
    if (next === undefined) return mod(`r${i}`, own('x'));
    if (i % 4 === 2) return mod(`r${i}`, [{ name: 'x', from: `./r${next}`, imported: 'x' }]);
    if (i % 4 === 3) return mod(`r${i}`, [star(`r${next}`)]);
    return mod(`r${i}`, [{ name: 'x', local: 'x' }], { bindings: [], imports: [esm('x', `r${next}`)] });
  });
}

/** Calls making a chain: each of `names` calls the next; the first is called from `first`. */
function callChain(names: string[], run: FnCall['run'], first: FnCall['run']): FnCall[] {
  return [{ name: names[0]!, path: [], run: first }, ...names.slice(1).map((name, i) => ({ name, path: [], run, fn: names[i] }))];
}

describe('state index', () => {
  it('follows `export *` through a chain or a ring of thousands of modules, eight stars deep at most', () => {
    const names = ['s0', 's1', 's8', 's9', 's4999', 'none'];
    const near = ['src/c0.ts#s0', 'src/c1.ts#s1', 'src/c8.ts#s8', undefined, undefined, undefined];
    assert.deepEqual(lands(starChain(5000, false), importing('c0', names)), near);
    // In a ring, also from inside it around the end.
    const ring = importing('c0', names);
    for (const n of ['s4999', 's0', 's3', 's4', 's4994']) ring.imports.push(esm(`${n}'`, 'c4995', [n]));
    assert.deepEqual(lands(starChain(5000, true), ring), [...near, 'src/c4999.ts#s4999', 'src/c0.ts#s0', 'src/c3.ts#s3', undefined, undefined]);
  });

  it("takes a barrel's own exports first, then its stars in order, through cycles of stars", () => {
    const files = [
      mod('barrel', [star('missing'), star('a'), star('ring1'), star('b'), ...own('shadow'), { name: 'renamed', from: './b', imported: 'b1' }, star('def')]),
      mod('a', [...own('dup', 'shadow', 'a1'), star('a2')]),
      mod('a2', own('nested', 'late')),
      mod('ring1', [star('ring2'), ...own('r1')]),
      mod('ring2', [star('ring1'), ...own('r2')]),
      mod('b', own('dup', 'nested', 'late', 'b1')),
      mod('def', [{ name: 'default', local: 'def' }]),
    ];
    const names = ['dup', 'shadow', 'nested', 'late', 'r2', 'b1', 'renamed', 'a1', 'none'];
    const main = importing('barrel', names);
    main.imports.push(esm('d', 'barrel', []));
    assert.deepEqual(lands(files, main), [
      'src/a.ts#dup',
      'src/barrel.ts#shadow',
      // a's own star comes before b, though b exports the name itself.
      'src/a2.ts#nested',
      'src/a2.ts#late',
      'src/ring2.ts#r2',
      'src/b.ts#b1',
      'src/b.ts#b1',
      'src/a.ts#a1',
      undefined,
      'src/def.ts#def',
    ]);
    // With no cycle among the stars, and in the other order.
    const plain = [...files, mod('ab', [star('a'), star('b')]), mod('ba', [star('b'), star('a'), ...own('shadow')])];
    assert.deepEqual(lands(plain, importing('ab', ['dup', 'nested', 'late', 'b1', 'none'])), ['src/a.ts#dup', 'src/a2.ts#nested', 'src/a2.ts#late', 'src/b.ts#b1', undefined]);
    assert.deepEqual(lands(plain, importing('ba', ['dup', 'nested', 'late', 'a1', 'shadow'])), ['src/b.ts#dup', 'src/b.ts#nested', 'src/b.ts#late', 'src/a.ts#a1', 'src/ba.ts#shadow']);
  });

  it('follows a name imported and exported again through a chain of thousands of modules, and gives up around a ring', () => {
    const main = mod('main', [], { imports: [esm('a', 'r0', ['x']), esm('b', 'r2', ['x']), esm('c', 'r0', ['x', 'deep']), esm('d', 'r0', ['none'])] });
    assert.deepEqual(lands(passChain(5, false), main), ['src/r4.ts#x', 'src/r4.ts#x', 'src/r4.ts#x.deep', undefined]);
    const ring = mod('main', [], { imports: [esm('a', 'r0', ['x']), esm('b', 'r3', ['x']), esm('c', 'r1', ['x', 'deep']), esm('d', 'r2', ['x'])] });
    assert.deepEqual(lands(passChain(5, true), ring), ['src/r4.ts#x', 'src/r4.ts#x', 'src/r0.ts#x.deep', 'src/r4.ts#x']);
    // Two modules importing the name from each other.
    const pair = [mod('p', [{ name: 'x', local: 'x' }], { bindings: [], imports: [esm('x', 'q')] }), mod('q', [{ name: 'x', local: 'x' }], { bindings: [], imports: [esm('x', 'p')] })];
    assert.deepEqual(lands(pair, mod('main', [], { imports: [esm('a', 'p', ['x']), esm('b', 'q', ['x'])] })), ['src/q.ts#x', 'src/q.ts#x']);
    assert.deepEqual(lands(passChain(5000, false), main), ['src/r4999.ts#x', 'src/r4999.ts#x', 'src/r4999.ts#x.deep', undefined]);
    assert.deepEqual(lands(passChain(5000, true), ring), ['src/r0.ts#x', 'src/r0.ts#x', 'src/r0.ts#x.deep', 'src/r0.ts#x']);
  });

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

  it('asks about start-up code along call chains of thousands of functions, and around a ring of them', () => {
    const names = Array.from({ length: 5000 }, (_, i) => `load${i}`);
    const app = (first: FnCall['run'], ring = false) => {
      const calls = callChain(names, 'function', first);
      if (ring) calls.push({ name: 'load0', path: [], run: 'function', fn: 'load4999' });
      return mod('app', [], { fnCalls: calls });
    };
    const startup = (f: CodeFacts, fn: string) => index([f]).isStartupFunction(f, fn);
    assert.equal(startup(app('top'), 'load4999'), true);
    assert.equal(startup(app('request'), 'load4999'), false);
    // Around a ring, a function met again counts as run time until it is answered.
    assert.equal(startup(app('top', true), 'load4999'), false);
    const methods = names.map((n) => `Loader#${n}`);
    const loader = (first: FnCall['run']) => mod('loader', [], { fnCalls: callChain(methods, 'method', first) });
    assert.equal(startup(loader('startup'), 'Loader#load4999'), true);
    assert.equal(startup(loader('callback'), 'Loader#load4999'), false);
  });

  it('asks whether methods are reached at run time along call chains of thousands, answering in the order asked', () => {
    const methods = Array.from({ length: 5000 }, (_, i) => `Registry#step${i}`);
    const registry = (first: FnCall['run']) => mod('registry', [], { fnCalls: callChain(methods, 'method', first) });
    const reached = (f: CodeFacts, fn: string) => index([f]).reachedAtRunTime(f, fn);
    assert.equal(reached(registry('request'), 'Registry#step4999'), true);
    assert.equal(reached(registry('top'), 'Registry#step4999'), false);
    // `a` and `b` call each other, and a request calls `a`: asked first, `b` is reached through `a`;
    // asked after `a`, it keeps the answer it got while `a` was being asked.
    const pair = mod('pair', [], {
      fnCalls: [
        { name: 'a', path: [], run: 'function', fn: 'b' },
        { name: 'b', path: [], run: 'function', fn: 'a' },
        { name: 'a', path: [], run: 'request' },
      ],
    });
    const ix = index([pair]);
    assert.deepEqual([ix.reachedAtRunTime(pair, 'a'), ix.reachedAtRunTime(pair, 'b')], [true, false]);
    const iy = index([pair]);
    assert.deepEqual([iy.reachedAtRunTime(pair, 'b'), iy.reachedAtRunTime(pair, 'a')], [true, true]);
  });
});
