import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matches, normalisePath, RouteIndex } from '../src/code/route-match.js';
import type { Route } from '../src/code/routes.js';

const AT = { file: 'src/server.js', line: 1, column: 1, endLine: 1, endColumn: 2 };
const route = (method: string, path: string | undefined, exact = true): Route => ({ method, ...(path !== undefined ? { path } : {}), exact, framework: 'express', at: AT });
const paths = (routes: Route[]) => routes.map((r) => `${r.method} ${r.path}${r.exact ? '' : ' (any prefix)'}`);

/** Paths of every kind the pattern maker reads: literal, parameters, optional ones, wildcards, groups, Hapi braces, unknown prefixes, odd characters. */
const TABLE: Route[] = [
  route('GET', '/healthz'),
  route('GET', '/Health/Live'),
  route('GET', '/users/:id'),
  route('GET', '/users/me'),
  route('POST', '/users/me'),
  route('GET', '/opt/:id?'),
  route('GET', '/a/:id?x'),
  route('GET', '/b/{id?}'),
  route('GET', '/b/{id?}c'),
  route('GET', '/c/:rest*'),
  route('GET', '/d/:id+/e'),
  route('GET', '/files/*'),
  route('GET', '/log*'),
  route('GET', '/g/:id(\\d+)/h'),
  route('GET', '/i(/j/k)?/l'),
  route('GET', '/m{/n/o}/p'),
  route('GET', '/q/{p*}'),
  route('GET', '/r/{p}/s'),
  route('GET', '/{…}/ops/status', false),
  route('GET', '/api/{…}/health'),
  route('GET', '/t{…}u/v'),
  route('GET', '/w{x/y'),
  route('GET', '/v1.0/ping'),
  route('GET', '/a:b/c'),
  route('GET', '/x?y/z'),
  route('GET', '/café/menu'),
  route('GET', '/ready/', false),
  route('PUT', '/ready'),
  route('ALL', '/status'),
  route('ALL', '/'),
  route('GET', '/'),
  route('GET', '*'),
  route('GET', '/:tenant/dash'),
  route('HEAD', '/head'),
  route('GET', undefined),
  route('GET', '//double//slash/'),
];

const TARGETS = [
  '/',
  '/healthz',
  '/HEALTHZ',
  '/healthz/',
  '/healthz?deep=1',
  '/health/live',
  '/HEALTH/LIVE/more',
  '/users/42',
  '/users/me',
  '/Users/ME',
  '/users',
  '/Users/users',
  '/opt',
  '/opt/7',
  '/ax',
  '/a/1x',
  '/a',
  '/b',
  '/bc',
  '/b/c',
  '/b/1c',
  '/c',
  '/c/1/2/3',
  '/d/1/e',
  '/files/a/b',
  '/logs',
  '/LOG',
  '/g/12/h',
  '/i/l',
  '/i/j/k/l',
  '/ijk/l',
  '/m/p',
  '/m/n/o/p',
  '/q/a/b',
  '/r/1/s',
  '/ops/status',
  '/x/y/ops/status',
  '/api/health',
  '/api/v1/health',
  '/tzu/v',
  '/t/z/u/v',
  '/w{x/y',
  '/v1.0/ping',
  '/v1x0/ping',
  '/a:b/c',
  '/x?y/z',
  '/café/menu',
  '/CAFÉ/menu',
  '/ready',
  '/pre/ready',
  '/status',
  '/status/live',
  '/acme/dash',
  '/head',
  '/double/slash',
  '/nothing/here',
  '/K/dash',
  'healthz',
];

describe('RouteIndex', () => {
  it('finds the same routes, in the same order, as trying every route', () => {
    const index = new RouteIndex(TABLE);
    for (const t of TARGETS) {
      const target = normalisePath(t);
      assert.deepEqual(paths(index.matching(target)), paths(TABLE.filter((r) => matches(r, target))), t);
    }
  });

  it('tries a path only against the routes filed under its own segments and those with no literal segment, in table order', () => {
    const table = [
      route('GET', '/base/api/v1/items1/:id'),
      route('GET', '/:id'),
      route('GET', '/base/api/v1/items2/:id'),
      route('GET', '/base/api/v2/items3/:id'),
      route('GET', '/healthz'),
      route('GET', '/a/:id?'),
      route('GET', '*'),
      route('GET', undefined),
    ];
    const index = new RouteIndex(table);
    assert.deepEqual(paths(index.candidates('/base/api/v1/items2/42')), ['GET /:id', 'GET /base/api/v1/items2/:id', 'GET /a/:id?', 'GET *']);
    assert.deepEqual(paths(index.candidates('/Healthz')), ['GET /:id', 'GET /healthz', 'GET /a/:id?', 'GET *']);
    assert.deepEqual(paths(index.matching('/base/api/v1/items2/42')), ['GET /base/api/v1/items2/:id', 'GET *']);
  });

  it('keeps routes whose segments are not plain out of the file: a slash an optional parameter takes, groups, braces, non-ASCII', () => {
    const table = [route('GET', '/a/:id?x'), route('GET', '/m{/n/o}/p'), route('GET', '/i(/j/k)?/l'), route('GET', '/café'), route('GET', '/café/menu')];
    const index = new RouteIndex(table);
    // `/ax`, `/m/p` and `/ijk?/l` lack the segments `a`, `n` and `j`, which the routes seem to require.
    assert.deepEqual(paths(index.candidates('/ax')), ['GET /a/:id?x', 'GET /café']);
    assert.deepEqual(paths(index.matching('/ax')), ['GET /a/:id?x']);
    assert.deepEqual(paths(index.matching('/m/p')), ['GET /m{/n/o}/p']);
    assert.deepEqual(paths(index.matching('/ijk?/l')), ['GET /i(/j/k)?/l']);
    assert.deepEqual(paths(index.candidates('/café/menu')), ['GET /a/:id?x', 'GET /café', 'GET /café/menu']);
  });
});
