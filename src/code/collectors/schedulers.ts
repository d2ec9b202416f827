import type { ScheduledJob } from '../facts.js';
import type { TS } from '../typescript.js';
import type { Collector, Walk } from '../walk.js';
import { importsAnyOf } from './names.js';

/** Scheduler calls by module and member path (`CronJob.from` is `['CronJob', 'from']`); BullMQ and Agenda share their state and are absent on purpose. */
const SCHEDULE_CALLS: Record<string, string[]> = {
  'node-cron': ['schedule', 'createTask'],
  cron: ['CronJob', 'CronJob.from', 'job'],
  'node-schedule': ['scheduleJob'],
  // `new Cron(pattern, [options,] fn)`; the default export is the same class.
  croner: ['Cron', ''],
};
const TOAD_METHODS = new Set(['addSimpleIntervalJob', 'addIntervalJob', 'addCronJob', 'addLongIntervalJob']);
const TOAD_MODULES = new Set(['toad-scheduler', '@fastify/schedule']);
const NEST_DECORATORS = new Set(['Cron', 'Interval']);

/** Modules whose calls this collector reads: a file that imports none of them is skipped. */
const MODULES = new Set([...Object.keys(SCHEDULE_CALLS), ...TOAD_MODULES, '@nestjs/schedule']);

/**
 * Periodic jobs run by in-process scheduler libraries: node-cron `schedule`, cron `CronJob`,
 * node-schedule `scheduleJob`, croner `Cron`, `@nestjs/schedule` `@Cron`/`@Interval`, toad-scheduler jobs.
 */
export const schedulers: Collector = {
  kinds: ['CallExpression', 'NewExpression', 'Decorator'],
  visit(node, w) {
    const ts = w.ts;
    // Only files that import a scheduler library (so far: a `require` may sit in a function) can schedule with it.
    if (!importsAnyOf(w, MODULES, ts.isDecorator(node) ? undefined : (node as TS.CallExpression | TS.NewExpression).expression)) return;
    if (ts.isDecorator(node)) return decorator(w, node);
    const call = node as TS.CallExpression | TS.NewExpression;
    const args = call.arguments ?? [];
    const origin = w.resolve(call.expression);
    const member = origin?.path.join('.');
    if (origin && member !== undefined && SCHEDULE_CALLS[origin.module]?.includes(member)) {
      // cron takes (cronTime, onTick, ...) or one object { cronTime, onTick }.
      const obj = args[0] && ts.isObjectLiteralExpression(w.unwrap(args[0])) ? (w.unwrap(args[0]) as TS.ObjectLiteralExpression) : undefined;
      const prop = (name: string) => obj?.properties.find((p): p is TS.PropertyAssignment => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === name)?.initializer;
      const cronTime = prop('cronTime');
      const shown = obj ? (cronTime && ts.isStringLiteralLike(cronTime) ? `{ cronTime: '${cronTime.text}' }` : '{…}') : firstArg(w, args[0]);
      const job: ScheduledJob = {
        lib: origin.module,
        call: `${ts.isNewExpression(call) ? 'new ' : ''}${w.text(call.expression, 40)}(${shown})`,
        span: w.span(call),
      };
      // croner takes options and the function in either order; without a function, `Cron(pattern)`
      // or `Cron(pattern, options)` only computes run times.
      const callback = origin.module === 'croner' ? cronerJob(w, args) : obj ? prop('onTick') : args[1];
      if (origin.module === 'croner' && !callback) return;
      // A job that does nothing (`new Cron(pattern, () => {})` to check a pattern) runs nothing N times.
      if (callback && doesNothing(w, callback)) return;
      const fn = jobName(w, callback);
      if (fn) job.job = fn;
      if (origin.module === 'node-cron') job.options = w.arg(args[2]);
      if (origin.module === 'node-cron' && !args[2]) delete job.options;
      w.facts.schedulers.push(job);
      return;
    }
    const callee = w.unwrap(call.expression);
    if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(callee) || !TOAD_METHODS.has(callee.name.text)) return;
    const recv = w.originOf(callee.expression)?.module;
    const toadFile = w.facts.imports.some((i) => TOAD_MODULES.has(i.module)) && !w.facts.imports.some((i) => i.module === '@nestjs/schedule');
    if (recv === undefined ? !toadFile : !TOAD_MODULES.has(recv)) return;
    w.facts.schedulers.push({ lib: recv ?? 'toad-scheduler', call: `${w.text(callee, 50)}(${firstArg(w, args[0])})`, span: w.span(call) });
  },
};

/** `@Cron('0 3 * * *')` / `@Interval(60_000)` from @nestjs/schedule, on a method. */
function decorator(w: Walk, d: TS.Decorator): void {
  const ts = w.ts;
  const e = d.expression;
  if (!ts.isCallExpression(e)) return;
  const origin = w.resolve(e.expression);
  if (origin?.module !== '@nestjs/schedule' || !NEST_DECORATORS.has(origin.path[0] ?? '')) return;
  const method = w.parent(1);
  const cls = w.parent(2);
  const mname = method && ts.isMethodDeclaration(method) && ts.isIdentifier(method.name) ? method.name.text : undefined;
  const cname = cls && ts.isClassDeclaration(cls) ? cls.name?.text : undefined;
  w.facts.schedulers.push({
    lib: '@nestjs/schedule',
    call: w.text(d, 60),
    ...(mname ? { job: `${cname ? cname + '.' : ''}${mname}()` } : {}),
    span: w.span(d),
  });
}

function doesNothing(w: Walk, e: TS.Expression): boolean {
  const ts = w.ts;
  const u = w.unwrap(e);
  return (ts.isArrowFunction(u) || ts.isFunctionExpression(u)) && ts.isBlock(u.body) && u.body.statements.length === 0;
}

/** The function of `new Cron(pattern, fn, options)` or `new Cron(pattern, options, fn)`: a function, or a name that is no options object. */
function cronerJob(w: Walk, args: readonly TS.Expression[]): TS.Expression | undefined {
  const ts = w.ts;
  const rest = args.slice(1, 3).map((a) => w.unwrap(a));
  return (
    rest.find((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a)) ??
    rest.find((a) => (ts.isIdentifier(a) || ts.isPropertyAccessExpression(a)) && !/(?:^|\.)(?:opts|options|config|cfg|settings|conf)$/i.test(w.text(a))) ??
    rest.find((a) => ts.isCallExpression(a) && ts.isPropertyAccessExpression(a.expression) && a.expression.name.text === 'bind')
  );
}

function firstArg(w: Walk, a: TS.Expression | undefined): string {
  if (!a) return '';
  const ts = w.ts;
  if (ts.isStringLiteralLike(a)) return `'${a.text}'`;
  const t = w.text(a, 40);
  return t.length < 40 ? t : '…';
}

/** `runReport`, `this.runReport`, `this.runReport.bind(this)` or `function runReport() {}` → `runReport()`. */
function jobName(w: Walk, a: TS.Expression | undefined): string | undefined {
  if (!a) return undefined;
  const ts = w.ts;
  let e = w.unwrap(a);
  if (ts.isFunctionExpression(e)) return e.name ? `${e.name.text}()` : undefined;
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'bind') e = e.expression.expression;
  const c = w.chain(e);
  return c ? `${c[c.length - 1]}()` : undefined;
}
