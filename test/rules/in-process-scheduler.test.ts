import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, lintFiles, where } from '../helpers.js';

const RULE = 'in-process-scheduler';
const dir = `${FIXTURES}/rules/${RULE}`;

describe(RULE, () => {
  it('reports every job of node-cron, cron, node-schedule, @nestjs/schedule and toad-scheduler, at the call or decorator', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire'], rules: [RULE] });
    assert.deepEqual(where(findings), [
      `${RULE} fire/nest/src/billing.service.ts:8`,
      `${RULE} fire/nest/src/billing.service.ts:13`,
      `${RULE} fire/worker-api/src/reminders.js:6`,
      `${RULE} fire/worker-api/src/server.js:10`,
      `${RULE} fire/worker-api/src/server.js:11`,
      `${RULE} fire/worker-api/src/server.js:12`,
      `${RULE} fire/worker-api/src/server.js:14`,
      `${RULE} fire/worker-api/src/server.js:15`,
      `${RULE} fire/worker-api/src/server.js:17`,
      `${RULE} fire/worker-api/src/server.js:22`,
    ]);
    const messages = findings.map((f) => f.message.replace(/ in every replica.*/, ''));
    assert.deepEqual(messages, [
      '@Cron(CronExpression.EVERY_DAY_AT_MIDNIGHT) runs BillingService.chargeSubscriptions()',
      '@Interval(60_000) runs BillingService.retryFailedPayments()',
      "cron.schedule('30 9 * * 1') schedules a job",
      "cron.schedule('0 8 * * *') runs sendDigest()",
      "cron.schedule('*/15 * * * *') schedules a job",
      "cron.schedule('0 * * * *') runs syncStock()",
      "new CronJob('0 3 * * *') runs expireCarts()",
      "CronJob.from({ cronTime: '0 4 * * *' }) runs syncStock()",
      "schedule.scheduleJob('*/5 * * * *') runs reportMetrics()",
      'scheduler.addSimpleIntervalJob(…) schedules a job',
    ]);
    assert.match(findings[0]!.message, /in every replica \(@nestjs\/schedule\): with N replicas it runs N times$/);
    // The decorator, `@` included.
    assert.equal(findings[0]!.column, 3);
    assert.match(findings[3]!.hint!, /move sendDigest\(\) to a Kubernetes CronJob .* leader lock/);
  });

  it('stays silent for distributed node-cron, options it cannot read, BullMQ and Agenda, plain intervals, look-alike methods and scripts', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });

  it('leaves out packages of test helpers, which start servers for tests only', async () => {
    const harness = "const express = require('express');\nconst cron = require('node-cron');\nexports.startTestApp = () => {\n  cron.schedule('* * * * *', () => undefined);\n  return express().listen(0);\n};\n";
    const pkg = (name: string) => ({ [`${name}/package.json`]: `{"name":"${name}","dependencies":{"express":"^4","node-cron":"^3"}}`, [`${name}/index.js`]: harness });
    assert.deepEqual(where((await lintFiles(pkg('integration-tests'), { rules: [RULE] })).findings), []);
    assert.deepEqual(where((await lintFiles(pkg('billing'), { rules: [RULE] })).findings), [`${RULE} billing/index.js:4`]);
  });

  it('finds nothing in the demo shop, whose cart cleanup is a Kubernetes CronJob', async () => {
    const { findings } = await lintDir(`${FIXTURES}/demo`, { rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });

  it('reads node-schedule and cron through ESM named imports too', async () => {
    const { findings } = await lintFiles(
      {
        'package.json': '{"name":"api","type":"module","dependencies":{"fastify":"^4"}}',
        'src/main.ts':
          "import Fastify from 'fastify';\nimport { scheduleJob } from 'node-schedule';\nimport { CronJob } from 'cron';\nscheduleJob('0 0 * * *', () => sync());\nnew CronJob('* * * * *', () => sync()).start();\nawait Fastify().listen({ port: 1, host: '0.0.0.0' });\n",
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), [`${RULE} src/main.ts:4`, `${RULE} src/main.ts:5`]);
  });

  it('reports croner jobs, not a Cron that only computes run times or checks a pattern with a job that does nothing', async () => {
    const { findings } = await lintFiles(
      {
        'package.json': '{"name":"api","type":"module","dependencies":{"express":"^4","croner":"^9"}}',
        'src/main.ts':
          "import express from 'express';\nimport { Cron } from 'croner';\nconst purgeOldData = () => {};\nnew Cron('*/5 * * * *', () => purgeOldData());\nCron('0 3 * * *', { protect: true }, purgeOldData);\nconst next = new Cron('0 * * * *').nextRun();\nconst paused = new Cron('0 * * * *', { paused: true });\nconst opts = { paused: true };\nconst checker = new Cron('0 * * * *', opts);\nnew Cron('0 6 * * *', () => purgeOldData(), { timezone: 'Europe/Oslo' });\nexport function validate(pattern: string) {\n  new Cron(pattern, () => {}).stop();\n}\nexpress().listen(3000);\n",
        'src/legacy.js': "const Cron = require('croner');\nmodule.exports = () => Cron('0 0 * * *', function vacuum() { db.run('VACUUM'); });\n",
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), [`${RULE} src/legacy.js:2`, `${RULE} src/main.ts:4`, `${RULE} src/main.ts:5`, `${RULE} src/main.ts:10`]);
    assert.deepEqual(
      findings.map((f) => f.message.replace(/ in every replica.*/, '')),
      ["Cron('0 0 * * *') runs vacuum()", "new Cron('*/5 * * * *') schedules a job", "Cron('0 3 * * *') runs purgeOldData()", "new Cron('0 6 * * *') schedules a job"],
    );
  });

  it('reads a scheduler required where it is called: require("node-cron").schedule(...)', async () => {
    const { findings } = await lintFiles(
      {
        'package.json': '{"name":"api","dependencies":{"express":"^4"}}',
        'app.js': "const app = require('express')();\nrequire('node-cron').schedule('0 * * * *', () => sync());\napp.listen(3000);\n",
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), [`${RULE} app.js:2`]);
  });
});
