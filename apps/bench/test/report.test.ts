import { describe, expect, it } from 'vitest';
import { humanPart, parseResultLine, renderMarkdown } from '../src/report.js';
import { describeMachine } from '../src/machine.js';

const output = [
  '> @lockstep/tc@0.1.0 bench',
  'committers | rate',
  '1 | 3000',
  '{"package":"@lockstep/tc","machine":{"cores":2},"results":{"group_commit_1":{"value":3000.5,"unit":"commits/s"}}}',
  '',
].join('\n');

describe('benchmark report', () => {
  it('finds the last JSON result line and ignores broken ones', () => {
    expect(parseResultLine(output)?.results.group_commit_1).toEqual({ value: 3000.5, unit: 'commits/s' });
    expect(parseResultLine('{"package": broken\nnothing')).toBeUndefined();
    expect(parseResultLine(`${output}\n{"package":"x","results":{"a":{"value":1,"unit":"u"}}}`)?.package).toBe('x');
  });

  it('keeps the table for people and drops npm chatter and JSON', () => {
    expect(humanPart(output)).toBe('committers | rate\n1 | 3000');
  });

  it('renders the machine, each table and each figure', () => {
    const machine = { cpu: 'Test CPU', cores: 2, memoryGiB: 24, os: 'linux', node: 'v20', fsyncP50Ms: 0.3, fsyncP99Ms: 1.25, loadAverage: [1, 2, 3] as [number, number, number] };
    const md = renderMarkdown(machine, [{ workspace: '@lockstep/tc', ok: true, humanOutput: humanPart(output), result: parseResultLine(output), seconds: 3 }], 'npm run bench', new Date('2026-11-24T00:00:00Z'));
    expect(md).toContain('| Test CPU | 2 | 24 GiB | linux | v20 | 0.30 ms / 1.25 ms |');
    expect(md).toContain('## @lockstep/tc');
    expect(md).toContain('| group_commit_1 | 3,001 | commits/s |');
    expect(md).toContain('on 2026-11-24');
  });

  it('measures a real fsync latency', () => {
    const machine = describeMachine(20);
    expect(machine.cores).toBeGreaterThan(0);
    expect(machine.fsyncP50Ms).toBeGreaterThan(0);
    expect(machine.fsyncP99Ms).toBeGreaterThanOrEqual(machine.fsyncP50Ms);
  });
});
