import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readPlainYaml } from '../src/k8s/yaml-fast.js';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { parseYamlWithLibrary } from '../src/k8s/yaml-parse.js';
import { FIXTURES } from './helpers.js';

/** The reader must read `text` itself, and give exactly what the library gives. */
function same(text: string): void {
  const fast = readPlainYaml(text);
  assert.ok(fast, `the plain reader declined ${JSON.stringify(text)}`);
  assert.deepEqual(fast, parseYamlWithLibrary(text));
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

describe('plain YAML reader', () => {
  it('gives what the yaml library gives, or declines, on every fixture manifest', () => {
    let read = 0;
    const files = yamlFiles(FIXTURES);
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const fast = readPlainYaml(text);
      if (!fast) continue;
      read++;
      assert.deepEqual(fast, parseYamlWithLibrary(text), file);
    }
    // Nearly every fixture is plain block YAML; the rest (anchors, broken files, templates) go to the library.
    assert.ok(read > files.length * 0.8, `read ${read} of ${files.length}`);
  });

  it('reads the demo manifests itself', () => {
    for (const f of ['catalog.yaml', 'checkout.yaml']) same(fs.readFileSync(path.join(FIXTURES, 'demo', 'k8s', f), 'utf8'));
  });

  it('types plain scalars by the YAML 1.2 core schema', () => {
    same('a: 1\nb: -2\nc: 0o17\nd: 0x1F\ne: 1.5\nf: .5\ng: 1e3\nh: true\ni: False\nj: null\nk: ~\nl:\nm: yes\nn: 012\no: 100m\np: "3000"\nq: \'it\'\'s\'\n');
  });

  it('reads flow collections on one line', () => {
    same('command: ["node", "server.js"]\nlabels: { app: web, tier: "api" }\nempty: {}\nnone: []\nmetric: { name: cpu, target: { type: Utilization, averageUtilization: 70 } }\n');
  });

  it('reads a sequence at its key column, compact maps and empty items', () => {
    same('containers:\n- name: app\n  image: shop/app:1.0\n  ports:\n  - containerPort: 3000\n-\nvolumes: []\n');
  });

  it('ends nodes where the library does around comments and blank lines', () => {
    // A comment at a collection's column after its last item ends the collection further down (range[2]).
    same('spec:\n  v:\n  - m: 1\n  # c\nnext: 1\n');
    same('strategy:\n  matrix:\n    language: ["js"]\n    # a note\n\n  steps: 1\n');
    // A more indented comment below a scalar ends with the scalar.
    same('a:\n  b: 1\n\n    # c\nd: 1\n');
    // At the top level, comments at column 0 after a key-column sequence are the document's.
    same('scopes:\n- shipping\n# note');
    same('a: 1 # trailing\n\n\n');
  });

  it('reads documents, empty ones a `---` starts, and Helm `# Source:` comments', () => {
    same('a: 1\n---\n---   \n\n# Source: chart/templates/api.yaml\nkind: Service\n---\n');
    assert.equal(readPlainYaml('---\n# Source: chart/templates/api.yaml\nkind: Service\n')?.docs[0]?.template, 'chart/templates/api.yaml');
  });

  it('reads Windows line breaks, alone or mixed with plain ones', () => {
    const demo = fs.readFileSync(path.join(FIXTURES, 'demo', 'k8s', 'checkout.yaml'), 'utf8');
    same(demo.replace(/\n/g, '\r\n'));
    same('# replicalint-disable-next-line single-replica -- batch job\r\nspec:\r\n  replicas: 1 \r\n  tags: [a, "b"]\r\n\r\n  # c\r\nnext: 1\n---\r\nkind: Service');
  });

  it('leaves everything else to the library', () => {
    const declined = [
      'a: &x 1\nb: *x\n', // anchors and aliases
      'base: &b\n  cpu: 1\nreq:\n  <<: *b\n', // merge keys
      'a: !!str 1\n', // tags
      'script: |\n  echo hi\n', // block scalars
      'a: one\n  two\n', // a multi-line plain scalar
      'a: "x\\ny"\n', // escapes
      'a:\n\tb: 1\n', // tabs
      'a: 1\rb: 2\n', // a lone carriage return
      'a: 1\r', // one at the very end
      'a: 1\na: 2\n', // a duplicate key
      '1: a\n', // a key that is not a string
      'a: .inf\n',
      '%YAML 1.2\n---\na: 1\n',
      'a: 1\n...\n',
      'a: b: c\n', // an error
      'a:\n# c\nb: 1\n', // a comment after an empty value: it ends that value
      '# Source: chart/templates/x.yaml\nkind: Service\n', // the library sees no template here
      '- a\n#\n-\n', // a comment above an empty item ends it
      'a: {"<<": a}\n', // a quoted merge key in a flow map
      'a: [a, -]\n', // an error: a block item inside a flow collection
      '---\u00a0\na: 1\n', // not a document marker: U+00A0 is no YAML space
      `${'k'.repeat(1025)}: 1\n`, // the library's 1024-character limit on implicit keys
      `a: ${'['.repeat(4000)}${']'.repeat(4000)}\n`, // nested deeper than the reader goes
    ];
    for (const text of declined) assert.equal(readPlainYaml(text), undefined, JSON.stringify(text));
  });
});

describe('YAML read with the library', () => {
  /** What the library gives with its own check of repeated keys: the first error, placed. */
  function libraryProblem(text: string): object | undefined {
    const lines = new LineCounter();
    for (const doc of parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, merge: true }) as Document.Parsed[]) {
      const err = doc.errors[0];
      if (!err) continue;
      const a = lines.linePos(err.pos[0]);
      const b = lines.linePos(Math.max(err.pos[0], err.pos[1]));
      return { message: err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''), line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
    }
    return undefined;
  }

  it("reports a repeated key, or none, where the library's own check does", () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `  KEY_${i}: "v${i}"`).join('\n');
    const texts = [
      'a: 1\nb: {x: 1, x: 2}\n', // in a flow map
      '---\na: 1\n---\nb: |\n  x\nb: 2\n', // in a later document
      'a:\n  a: 1\n  b: 2\nb: [{c: 1}, {c: 2}]\n', // the same key in different maps is no repeat
      'a: |\n  x\nb: [unclosed\na: 2\n', // another error as well
      '? [a]\n: 1\n? [a]\n: 2\n', // keys that are not scalars never repeat
      '1: a\n"1": b\nc: |\n  x\n', // the number 1 and the string "1" differ
      'a: &x {k: 1}\nb: *x\nc: *x\nd: |\n  x\n', // aliases repeat a map, not a key
      `data:\n  conf: |\n    x\n${keys}\n  KEY_2999: again\n`, // a big map, repeated at its end
      `data:\n  conf: |\n    x\n${keys}\n`,
    ];
    for (const text of texts) {
      const parsed = parseYamlWithLibrary(text);
      assert.deepEqual(parsed.problem, libraryProblem(text), JSON.stringify(text.slice(0, 60)));
      if (!parsed.problem) assert.ok(parsed.docs.length > 0);
    }
    assert.deepEqual(parseYamlWithLibrary(texts[7]!).problem, { message: 'Map keys must be unique', line: 3004, column: 3, endLine: 3004, endColumn: 4 });
  });
});
