import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDockerfile } from '../src/docker/dockerfile.js';

/** Each instruction as keyword, args and span. */
const instructions = (text: string) =>
  parseDockerfile('Dockerfile', text).stages.flatMap((s) => s.instructions.map((i) => [i.keyword, i.args, `${i.line}:${i.column}-${i.endLine}:${i.endColumn}`]));

describe('parseDockerfile', () => {
  it('joins continuation lines with a space, whitespace after the escape aside', () => {
    assert.deepEqual(instructions('FROM node:20\nRUN apk add \\  \n    curl \\\n\tgit\n  CMD ["node", "a.js"]\n'), [
      ['FROM', 'node:20', '1:1-1:13'],
      ['RUN', 'apk add  curl  git', '2:1-4:5'],
      ['CMD', '["node", "a.js"]', '5:3-5:23'],
    ]);
  });

  it('reads the escape character of the parser directive, and drops an escape on the last line', () => {
    assert.deepEqual(instructions('# escape=`\nFROM node:20\nRUN echo a `\n  b\nCMD node \\\n'), [
      ['FROM', 'node:20', '2:1-2:13'],
      ['RUN', 'echo a  b', '3:1-4:4'],
      ['CMD', 'node \\', '5:1-5:11'],
    ]);
    assert.deepEqual(instructions('FROM node:20\nCMD node \\'), [
      ['FROM', 'node:20', '1:1-1:13'],
      ['CMD', 'node', '2:1-2:11'],
    ]);
  });

  it('starts an instruction after a line of only the escape character, on its first line with text', () => {
    assert.deepEqual(instructions('FROM node:20\n\\\n\n  \\  \n\nCMD ["node", "a.js"]\n'), [
      ['FROM', 'node:20', '1:1-1:13'],
      ['CMD', '["node", "a.js"]', '6:1-6:21'],
    ]);
  });

  it('drops comment lines and empty lines inside an instruction, which goes on after them', () => {
    assert.deepEqual(instructions('FROM node:20\nRUN apt-get update && \\\n  # curl for the probe\n    apt-get install -y curl && \\\n\n    rm -rf /var/lib/apt\nCMD node a.js\n'), [
      ['FROM', 'node:20', '1:1-1:13'],
      ['RUN', 'apt-get update &&  apt-get install -y curl &&  rm -rf /var/lib/apt', '2:1-6:24'],
      ['CMD', 'node a.js', '7:1-7:14'],
    ]);
    // A comment after the last line of an instruction is not part of it.
    assert.deepEqual(instructions('FROM node:20\nRUN a \\\n  b\n# c \\\nCMD d\n'), [
      ['FROM', 'node:20', '1:1-1:13'],
      ['RUN', 'a  b', '2:1-3:4'],
      ['CMD', 'd', '5:1-5:6'],
    ]);
  });

  it('joins an instruction of thousands of lines', () => {
    const names = Array.from({ length: 2000 }, (_, i) => `pkg-${i}`);
    const text = `FROM node:20\nRUN apk add \\\n${names.map((n) => `    ${n} \\`).join('\n')}\n    last\nCMD ["node", "a.js"]\n`;
    assert.deepEqual(instructions(text), [
      ['FROM', 'node:20', '1:1-1:13'],
      ['RUN', `apk add  ${names.join('  ')}  last`, '2:1-2003:9'],
      ['CMD', '["node", "a.js"]', '2004:1-2004:21'],
    ]);
  });
});
