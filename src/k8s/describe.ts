import type { Location, Related } from '../types.js';
import type { Container, K8sObject } from './objects.js';
import type { YNode } from './yaml.js';

/** `Deployment "checkout"`, with ` (template chart/templates/deploy.yaml)` for Helm output. */
export function describeObject(o: K8sObject): string {
  const name = o.name ? `"${o.name}"` : '(unnamed)';
  return `${o.kind} ${name}`;
}

/** `Deployment "checkout" container "api"`. */
export function describeContainer(c: Container): string {
  const kind = c.sidecar ? 'sidecar' : c.init ? 'init container' : 'container';
  return `${describeObject(c.workload)} ${kind} "${c.name}"`;
}

/** ` (from chart/templates/deploy.yaml)` when Helm output named the template, else ``. */
export function templateSuffix(o: K8sObject): string {
  return o.node.src.template ? ` (from ${o.node.src.template})` : '';
}

/** Where a finding about a container points: its `name:` entry, or the container itself. */
export function containerLoc(c: Container): Location {
  return (c.node.get('name') ?? c.node).loc();
}

/** Where a finding about an object with a missing field points: its `kind:` line. */
export function objectLoc(o: K8sObject): Location {
  return (o.node.get('kind') ?? o.node).loc();
}

/** A related location (file, line, column) at a YAML field, for the other side of a finding. */
export function relatedAt(node: YNode, message: string): Related {
  const { file, line, column } = node.loc();
  return { file, line, column, message };
}
