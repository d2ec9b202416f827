import { defineRule } from '../src/rule.js';
import { serviceState, isBookkeeping, isMutation, type BindingWrite } from '../src/code/state.js';
import type { CodeFacts, StateBinding, StateWrite } from '../src/code/facts.js';
import { placeFrom } from '../src/where.js';

const REMOVES = /^(?:delete|del|clear|reset|pop|shift|splice|take|flushAll)$/;
const COUNTS = /^(?:\+\+|--|\+=|-=)$/;
/** Functions that register something: `register`, `registerEventHandler`. */
const REGISTERS = /^register(?:[A-Z_]\w*)?$/;

interface Site {
  file: CodeFacts;
  write: StateWrite;
  target: BindingWrite;
}

/** `carts.set()`, `ordersPlaced++`, `config = …`, `delete sessions[…]`, as written at the site. */
function expression({ write: w }: Site): string {
  // A singleton's field (`Store#items`) as code writes it: `this.items`.
  const target = [w.binding ?? w.import, ...w.path].join('.').replace(/\.\[\]/g, '[…]').replace(/^[\w$]+#/, 'this.');
  if (w.op === 'call') return w.method!.includes('.') ? `${w.method}(${target}, …)` : `${target}.${w.method}()`;
  if (w.op === 'update') return /^(?:\+\+|--)$/.test(w.method ?? '') ? `${target}${w.method}` : `${target} ${w.method} …`;
  if (w.op === 'delete') return `delete ${target}`;
  return `${target} = …`;
}

function kindOf(b: StateBinding): string {
  const value = b.value === 'cache' ? b.lib! : b.value === 'value' ? '' : b.value;
  if (b.decl === 'instance') return `${value} field of the ${b.name.slice(0, b.name.indexOf('#'))} singleton`;
  if (b.decl === 'static') return value ? `static ${value}` : 'static field';
  if (b.decl === 'exports') return value ? `CommonJS export, ${value}` : 'CommonJS export';
  return value || b.decl;
}

export default defineRule({
  id: 'module-state',
  scope: ['code'],
  severity: 'warning',
  summary: 'Module-level binding (or container field of a singleton: a NestJS provider, an instance the module exports) that holds mutable data and is written at run time',
  why: 'Each replica holds its own copy: a second replica cannot see it, scale-in destroys it, and counters, sessions and caches silently diverge.',
  fix: 'Keep shared data in Redis or the database; keep module scope for constants and for clients created once at start-up.',
  check({ app, report }) {
    const done = new Set<string>();
    for (const service of app.services) {
      const index = serviceState(app, service);
      const groups = new Map<string, Site[]>();
      for (const file of index.files) {
        for (const write of file.writes) {
          const target = index.bindingOf(file, write);
          if (!target || !isMutation(target, write) || !index.isRuntime(file, write)) continue;
          // `if (client) return client; return setup();`: setup() assigns client once, whoever asks.
          if (write.binding && write.op === 'assign' && !write.path.length && write.run === 'function' && write.fn && index.onlyInitialises(file, write.fn, write.binding)) continue;
          const b = target.binding;
          if (b.decl === 'instance') {
            if (index.requestScoped(target.owner, b.name.slice(0, b.name.indexOf('#')))) continue;
            // A singleton's method nobody is seen calling (a provider reached through an interface or
            // a factory) may run once at start-up as well as per request: reported only on evidence.
            if ((write.run === 'method' || write.run === 'function') && write.fn && !index.reachedAtRunTime(file, write.fn)) continue;
          }
          const key = `${target.owner.file}#${target.binding.name}`;
          const list = groups.get(key);
          if (list) list.push({ file, write, target });
          else groups.set(key, [{ file, write, target }]);
        }
      }
      for (const [key, unsorted] of groups) {
        if (done.has(key) || isBookkeeping(unsorted[0]!.target.binding, unsorted)) continue;
        done.add(key);
        // The most telling site first: request handlers, then writes that add data rather than remove it.
        const rank = (s: Site) => (s.write.run === 'request' ? 0 : 2) + (REMOVES.test(s.write.method ?? '') ? 1 : 0);
        const sites = unsorted.sort((a, b) => rank(a) - rank(b));
        const { owner, binding } = sites[0]!.target;
        const first = sites[0]!;
        // A singleton's field (`NotesStore#notes`) is shown as written: `this.notes`.
        const name = binding.decl === 'instance' ? `this.${binding.name.slice(binding.name.indexOf('#') + 1)}` : binding.name;
        const where = `${first.write.via} (${placeFrom(owner.file, first.file.file, first.write.viaLine ?? first.write.span.line)})`;
        const label = `"${name}" (${kindOf(binding)})`;
        const reassigned = !first.target.rest.length && (first.write.op === 'assign' || first.write.op === 'update');
        // Counters (`stats.hits++`, `counts.set(k, n + 1)`) and registries (filled by `register…()`) say so, not cache.
        const counter = !reassigned && binding.value !== 'cache' && sites.every((s) => s.write.counts || (s.write.op === 'update' && COUNTS.test(s.write.method ?? '')));
        const registry = !reassigned && binding.value !== 'cache' && sites.every((s) => REGISTERS.test(s.write.fn?.split(/[.#]/).pop() ?? ''));
        const cache = binding.value === 'cache' || (binding.value !== 'value' && /cache|memo/i.test(name.split('.').pop()!)) || (binding.value === 'Map' && sites.every((s) => s.write.method === 'set'));
        let message: string;
        let hint: string;
        if (counter) {
          message = `${label} holds counters updated in ${where}: each replica counts on its own, so totals diverge and scale-in resets them`;
          hint = `keep ${name} in Redis (INCR) or the database; for metrics, use a per-replica prom-client counter and sum across pods`;
        } else if (registry) {
          message = `${label} is a registry filled in ${where}: each replica holds only what was registered with it, so an entry registered through one replica is missing on the others`;
          hint = `if every replica registers the same entries, do it from start-up code; otherwise keep ${name} in Redis or the database so every replica sees them`;
        } else if (cache) {
          message = `${label} is a ${binding.decl === 'instance' ? 'per-process' : 'module-level'} cache filled in ${where}: each replica warms its own copy, so replicas answer with different data and every new pod starts cold`;
          hint = `if per-replica copies and stale reads are acceptable, bound it (lru-cache with max and ttl); otherwise keep ${name} in Redis so every replica reads the same values`;
        } else if (reassigned && COUNTS.test(first.write.method ?? '')) {
          message = `${label} is ${first.write.method!.startsWith('-') ? 'decremented' : 'incremented'} in ${where}: each replica counts on its own, so totals diverge and scale-in resets them`;
          hint = `keep ${name} in Redis (INCR) or the database; for metrics, use a per-replica prom-client counter and sum across pods`;
        } else if (reassigned) {
          message = `${label} is reassigned in ${where}: each replica keeps its own value, so replicas disagree and a new pod starts from the initial one`;
          hint = `keep ${name} in Redis or the database, or pass it with each request instead of holding it in module scope`;
        } else {
          message = `${label} is written from ${where}: each replica keeps its own ${name} and scale-in loses them`;
          hint = `move ${name} to Redis or the database so every replica sees the same data`;
        }
        report({
          at: { file: owner.file, ...binding.span },
          message,
          hint,
          related: sites.slice(0, 3).map((s) => ({
            file: s.file.file,
            line: s.write.span.line,
            column: s.write.span.column,
            message: `${expression(s)} in ${s.write.via}`,
          })),
        });
      }
    }
  },
});
