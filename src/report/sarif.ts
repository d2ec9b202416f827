import type { Report } from './report.js';
import type { Suppressed } from '../suppress.js';
import type { Finding, Severity } from '../types.js';

const LEVEL: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'note' };

/**
 * SARIF 2.1.0, for GitHub code scanning and other viewers: every rule with its description, why it
 * matters and the fix (generated from the registry), every finding with its full region, the hint
 * in the message, and related locations.
 */
export default function sarif(r: Report): string {
  const index = new Map(r.rules.map((rule, i) => [rule.id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'replicalint',
            version: r.version,
            informationUri: 'https://www.npmjs.com/package/replicalint',
            rules: r.rules.map((rule) => ({
              id: rule.id,
              shortDescription: { text: rule.summary },
              fullDescription: { text: rule.why },
              help: { text: `${rule.why}\n\nFix: ${rule.fix}`, markdown: `${rule.why}\n\n**Fix:** ${rule.fix}` },
              defaultConfiguration: { level: LEVEL[rule.severity] },
              properties: { scope: rule.scope },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The working directory of the run' } } },
        results: [...r.findings, ...r.suppressed].map((f: Finding & { suppression?: Suppressed['suppression'] }) => ({
          ruleId: f.ruleId,
          ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
          level: LEVEL[f.severity],
          message: { text: f.hint ? `${f.message}\nFix: ${f.hint}` : f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.file), uriBaseId: '%SRCROOT%' },
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
              },
            },
          ],
          ...(f.suppression
            ? { suppressions: [{ kind: f.suppression.kind === 'directive' ? 'inSource' : 'external', ...(f.suppression.reason ? { justification: f.suppression.reason } : {}) }] }
            : {}),
          ...(f.related?.length
            ? {
                relatedLocations: f.related.map((rel, id) => ({
                  id,
                  message: { text: rel.message },
                  physicalLocation: { artifactLocation: { uri: encodeURI(rel.file), uriBaseId: '%SRCROOT%' }, region: { startLine: rel.line, startColumn: rel.column } },
                })),
              }
            : {}),
        })),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
