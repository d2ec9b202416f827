import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractFacts } from '../src/code/extract.js';
import { loadTypeScript } from '../src/code/typescript.js';

async function facts(text: string, file = 'src/health.ts') {
  return extractFacts(await loadTypeScript(), file, text);
}

/** `kind text` of each dependency call a file's handlers wait for. */
async function deps(text: string): Promise<string[]> {
  return (await facts(text)).dependencyCalls.map((d) => `${d.kind} ${d.text}${d.module ? ` [${d.module}]` : ''}`);
}

describe('dependency call facts', () => {
  it('knows clients by their import, through the bindings they create', async () => {
    const found = await deps(
      [
        "import knexFactory from 'knex';",
        "import { Sequelize } from 'sequelize';",
        "import { DataSource } from 'typeorm';",
        "import mysql from 'mysql2/promise';",
        "import mongoose from 'mongoose';",
        "import { createClient } from 'redis';",
        "import got from 'got';",
        "import http from 'node:http';",
        "const knex = knexFactory({ client: 'pg' });",
        'const sequelize = new Sequelize(process.env.DB_URL);',
        "const dataSource = new DataSource({ type: 'postgres' });",
        'const cache = createClient();',
        "export async function checkKnex() { await knex.raw('select 1'); }",
        'export async function checkSequelize() { await sequelize.authenticate(); }',
        "export async function checkTypeorm() { return dataSource.query('SELECT 1'); }",
        "export async function checkMysql() { const c = await mysql.createConnection({}); await c.end(); }",
        'export async function checkMongo() { await mongoose.connection.db.admin().ping(); }',
        "export async function checkCache() { await cache.get('warm'); }",
        "export async function checkUpstream() { await got('http://auth/healthz'); }",
        "export function checkLegacy(cb) { http.get('http://legacy/health', (res) => cb(res.statusCode)); }",
      ].join('\n'),
    );
    assert.deepEqual(found, [
      'database knex.raw [knex]',
      'database sequelize.authenticate [sequelize]',
      'database dataSource.query [typeorm]',
      'database mysql.createConnection [mysql2/promise]',
      'database mongoose.connection.db.admin().ping [mongoose]',
      'cache cache.get [redis]',
      'http got [got]',
      'http http.get [node:http]',
    ]);
  });

  it('judges by name when the client comes from elsewhere, and stays silent on look-alikes', async () => {
    const found = await deps(
      [
        "import { db } from './db';",
        "import { logger } from './logger';",
        'const seen = new Map();',
        "app.get('/healthz', async (req, res) => { await req.app.locals.redis.ping(); res.send('ok'); });",
        "app.get('/a', async (req, res) => { await db.collection('x').findOne({}); res.send('ok'); });",
        "app.get('/b', async (req, res) => { logger.info('probe'); await logger.flush(); res.json({ warm: seen.get('x') }); });",
        "app.get('/c', (req, res) => { db.query('INSERT INTO hits DEFAULT VALUES'); res.send('ok'); });",
        "app.get('/d', async (req, res) => { const users = await usersRepository.count(); res.json({ users }); });",
        'export async function findById(id) { return db.query(id); }',
      ].join('\n'),
    );
    assert.deepEqual(found, ['cache req.app.locals.redis.ping', "database db.collection('x').findOne", 'database usersRepository.count']);
  });

  it('keeps awaited calls of plain functions from health handlers, to follow them', async () => {
    const f = await facts(
      [
        "import { pingDb } from './db';",
        "app.get('/live', async (req, res) => { await Promise.all([pingDb(), this.checkQueue()]); res.send('ok'); });",
        "app.get('/orders', async (req, res) => res.json(await listOrders()));",
      ].join('\n'),
    );
    assert.deepEqual(
      f.localCalls.map((l) => l.callee),
      ['pingDb', 'checkQueue', 'listOrders'],
      'request handlers keep them; the rule follows only those of the liveness handler',
    );
  });

  it('records handlers that answer every path, not not-found handlers or middleware that hands on', async () => {
    const f = await facts(
      [
        "import express from 'express';",
        "import http from 'node:http';",
        'const app = express();',
        "app.use((req, res, next) => { res.set('x', '1'); next(); });",
        "app.use((err, req, res, next) => res.status(500).end());",
        "app.use((req, res) => res.status(404).send('Not found'));",
        "app.use((req, res) => res.sendFile('index.html'));",
        "http.createServer((req, res) => res.end('ok')).listen(3000);",
      ].join('\n'),
    );
    assert.deepEqual(
      f.catchAlls.map((c) => `${c.kind} ${c.owner} ${c.span.line}`),
      ['use app 7', 'listener http 8'],
    );
  });
});
