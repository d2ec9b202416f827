import fs from 'node:fs';

/**
 * The floor: read every code file and parse it once with ts-morph's bundled TypeScript, keeping
 * nothing. No linter can do less work than this on the same files. With `--walk`, also visit every
 * node of every tree once with `ts.forEachChild`, doing nothing at each: the least a linter that
 * looks at the whole tree pays on top of the parse.
 */
const list = fs.readFileSync(process.argv[2]!, 'utf8').split('\n').filter(Boolean);
const walk = process.argv.includes('--walk');
const { ts } = await import('ts-morph');
let nodes = 0;
const visit = (n: import('ts-morph').ts.Node): void => {
  nodes++;
  ts.forEachChild(n, visit);
};
for (const file of list) {
  const text = fs.readFileSync(file, 'utf8');
  const kind = /\.tsx$/.test(file) ? ts.ScriptKind.TSX : /\.[mc]?ts$/.test(file) ? ts.ScriptKind.TS : /\.jsx$/.test(file) ? ts.ScriptKind.JSX : ts.ScriptKind.JS;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, kind);
  if (walk) visit(sf);
  else nodes += sf.statements.length;
}
process.stdout.write(`${list.length} files, ${nodes} ${walk ? 'nodes' : 'top-level statements'}\n`);
