import { describe, expect, it } from 'vitest';
import type { JobGraphJson } from '../../runtime/graph/jobgraph/JobGraphJson.js';
import { formatJobGraph, formatJobGraphs } from './JobGraphPrinter.js';

const wordcount: JobGraphJson = {
  jobId: '0123456789abcdef0123456789abcdef',
  jobName: 'wordcount',
  runtimeMode: 'STREAMING',
  vertices: [
    {
      id: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      name: 'Source: Collection Source -> Flat Map',
      parallelism: 1,
      maxParallelism: 128,
      slotSharingGroup: 'default',
      operators: [
        { id: 1, name: 'Source: Collection Source' },
        { id: 2, name: 'Flat Map', uid: 'tokenizer' },
      ],
    },
    {
      id: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
      name: 'Keyed Aggregation -> Sink: Print to Std. Out',
      parallelism: 4,
      maxParallelism: 256,
      slotSharingGroup: 'sinks',
      operators: [
        { id: 4, name: 'Keyed Aggregation' },
        { id: 5, name: 'Sink: Print to Std. Out' },
      ],
    },
  ],
  edges: [{ source: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', target: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', partitioner: 'HASH', resultPartitionType: 'PIPELINED' }],
};

describe('formatJobGraph', () => {
  it('prints vertices with chained operators and edges', () => {
    const text = formatJobGraph(wordcount);
    expect(text).toBe(
      [
        'Job "wordcount" (0123456789abcdef0123456789abcdef), STREAMING',
        '  2 vertices, 1 edge',
        '',
        '[1] Source: Collection Source -> Flat Map',
        '    id                  aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        '    parallelism         1',
        '    max parallelism     128',
        '    slot sharing group  default',
        '    operators (2, chained):',
        '      1. Source: Collection Source  [operator 1]',
        '      2. Flat Map  [operator 2, uid "tokenizer"]',
        '',
        '[2] Keyed Aggregation -> Sink: Print to Std. Out',
        '    id                  bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
        '    parallelism         4',
        '    max parallelism     256',
        '    slot sharing group  sinks',
        '    inputs              [1] Source: Collection Source -> Flat Map (HASH, PIPELINED)',
        '    operators (2, chained):',
        '      1. Keyed Aggregation  [operator 4]',
        '      2. Sink: Print to Std. Out  [operator 5]',
        '',
        'Edges:',
        '  [1] Source: Collection Source -> Flat Map  --HASH, PIPELINED-->  [2] Keyed Aggregation -> Sink: Print to Std. Out',
      ].join('\n'),
    );
  });

  it('handles a single vertex without edges and unknown edge ends', () => {
    const g: JobGraphJson = {
      ...wordcount,
      runtimeMode: 'BATCH',
      vertices: [wordcount.vertices[0]!],
      edges: [{ source: 'cccc', target: wordcount.vertices[0]!.id, partitioner: 'REBALANCE', resultPartitionType: 'BLOCKING' }],
    };
    const text = formatJobGraph(g);
    expect(text).toContain('BATCH');
    expect(text).toContain('1 vertex, 1 edge');
    expect(text).toContain('[?] cccc  --REBALANCE, BLOCKING-->  [1] Source: Collection Source -> Flat Map');
    expect(formatJobGraph({ ...g, edges: [] })).toContain('Edges: none');
  });
});

describe('formatJobGraphs', () => {
  it('numbers several graphs and explains an empty plan', () => {
    const text = formatJobGraphs([wordcount, { ...wordcount, jobName: 'second' }]);
    expect(text).toMatch(/^=== JobGraph 1 of 2 ===\nJob "wordcount"/);
    expect(text).toContain('=== JobGraph 2 of 2 ===\nJob "second"');
    expect(formatJobGraphs([wordcount])).not.toContain('===');
    expect(formatJobGraphs([])).toContain('did not call execute()');
  });
});
