import { defineRule } from '../src/rule.js';
import { serviceState } from '../src/code/state.js';

export default defineRule({
  id: 'unbounded-timer',
  scope: ['code'],
  severity: 'warning',
  summary: 'Interval or self-rescheduling timeout that is never cleared (an error inside a request handler)',
  why: 'The timer keeps the process alive past SIGTERM, keeps running after the server closed, and leaks work and memory over time; one created per request leaks one timer per request.',
  fix: 'Keep the handle and clear it on shutdown (clearInterval in the SIGTERM handler or a stop() the shutdown path calls), or unref() an interval created once at start-up.',
  check({ app, report }) {
    const done = new Set<string>();
    for (const service of app.services) {
      const index = serviceState(app, service);
      const cleared = index.clearedHandles();
      for (const file of index.files) {
        const { unrefed, returned } = file.timerHandles;
        for (const t of file.timers) {
          const key = `${file.file}:${t.span.line}:${t.span.column}`;
          if (done.has(key) || t.passed) continue;
          if (t.handle && (cleared.has(`${file.file}#${t.handle}`) || returned.includes(t.handle))) continue;
          done.add(key);
          const at = { file: file.file, ...t.span };
          const unref = t.unref || (!!t.handle && unrefed.includes(t.handle));
          const where = t.via ? `in ${t.via} (line ${t.viaLine})` : 'at module top level';
          const keep = t.handle ? `clearInterval(${t.handle})` : 'const timer = setInterval(...) and clearInterval(timer)';
          if (t.call === 'setTimeout') {
            if (!t.rearms || t.stopPath || unref) continue;
            report({
              at,
              message: `setTimeout re-arms ${t.rearms}() with no stop path: the loop keeps running after the server closed and holds the process past SIGTERM`,
              hint: `keep the handle and clearTimeout it on shutdown, or return early from ${t.rearms}() once a stopping flag is set`,
            });
          } else if (t.run === 'request' || t.run === 'callback') {
            const per = t.run === 'request' ? 'every request starts' : 'each time it runs, it starts';
            report({
              at,
              severity: 'error',
              message: `setInterval ${where} is never cleared: ${per} another timer that runs forever and keeps what it references in memory`,
              hint: t.run === 'request' ? `clear it when the request ends: req.on('close', () => ${keep.replace(/^const timer = setInterval\(\.\.\.\) and /, '')})` : `keep the handle and ${keep.replace(/^const timer = setInterval\(\.\.\.\) and /, '')} when the work is done, or create one interval at start-up instead`,
            });
          } else if (!unref) {
            const startup = !index.isRuntime(file, t);
            report({
              at,
              message: startup
                ? `setInterval ${where} is never cleared: it keeps the process alive past SIGTERM and keeps working after the server closed`
                : `setInterval ${where} is never cleared: each call starts another timer, and none stops on shutdown`,
              hint: startup
                ? `${t.handle ? '' : 'keep the handle: '}${keep} in the SIGTERM handler, or call .unref() on it if it may simply stop with the process`
                : `keep the handle and ${keep.replace(/^const timer = setInterval\(\.\.\.\) and /, '')} in a stop()/close() that the shutdown path calls`,
            });
          }
        }
      }
    }
  },
});
