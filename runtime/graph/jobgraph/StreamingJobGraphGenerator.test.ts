import { describe, it, expect } from 'vitest';
import { StreamExecutionEnvironment, DiscardingSink } from 'tsflink';
import { StreamingJobGraphGenerator } from './StreamingJobGraphGenerator.js';
import { jobGraphToJson } from './JobGraph.js';
import { ExecutionGraph, pointwiseConsumersOf } from '../executiongraph/ExecutionGraph.js';

const plan = (env: StreamExecutionEnvironment) => new StreamingJobGraphGenerator(env.getStreamGraph('t', false)).generate();
const names = (env: StreamExecutionEnvironment): string[] => plan(env).vertices.map((v) => v.name);

describe('operator chaining (Flink\'s rules)', () => {
  it('chains forward edges of equal parallelism; keyBy starts a new vertex', () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    env.fromSequence(1, 10).map((x) => x).filter(() => true).keyBy((x) => x % 2).sum(0 as never).print();
    const g = plan(env);
    expect(g.vertices.map((v) => v.name)).toEqual(['Source: Sequence Source -> Map -> Filter', 'Keyed Aggregation -> Sink: Print to Std. Out']);
    expect(g.edges.map((e) => [e.partitioner, e.distributionPattern, e.resultPartitionType])).toEqual([['HASH', 'ALL_TO_ALL', 'PIPELINED']]);
    expect(g.vertices[0].operators.map((o) => o.name)).toEqual(['Sequence Source', 'Map', 'Filter']);
  });

  it('does not chain across a parallelism change, disableChaining, startNewChain or another slot sharing group', () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    const s = env.fromSequence(1, 10);
    s.map((x) => x).name('A').map((x) => x).name('B').setParallelism(1).print().setParallelism(1);
    expect(names(env)).toEqual(['Source: Sequence Source -> A', 'B -> Sink: Print to Std. Out']);
    const env2 = StreamExecutionEnvironment.createLocalEnvironment(1);
    env2.fromElements(1).map((x) => x).name('A').disableChaining().map((x) => x).name('B').map((x) => x).name('C').startNewChain()
      .map((x) => x).name('D').slotSharingGroup('other').sinkTo(new DiscardingSink());
    expect(names(env2)).toEqual(['Source: Collection Source', 'A', 'B', 'C', 'D -> Sink: DiscardingSink']);
    const g = plan(env2);
    expect(g.vertices.map((v) => v.slotSharingGroup)).toEqual(['default', 'default', 'default', 'default', 'other']);
  });

  it('an operator with two inputs is a chain head; union of two sources gives two edges', () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    env.fromElements(1).union(env.fromElements(2)).map((x) => x).print();
    const g = plan(env);
    expect(g.vertices.map((v) => v.name)).toEqual(['Source: Collection Source', 'Source: Collection Source', 'Map -> Sink: Print to Std. Out']);
    expect(g.edges.length).toBe(2);
    expect(g.edges.every((e) => e.partitioner === 'FORWARD' && e.distributionPattern === 'POINTWISE')).toBe(true);
  });

  it('BATCH marks exchanges BLOCKING; the JSON plan names vertices, operators and edges', () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(3).setRuntimeMode('BATCH');
    env.fromSequence(1, 3).rebalance().map((x) => x).uid('my-map').print();
    const j = jobGraphToJson(plan(env));
    expect(j.runtimeMode).toBe('BATCH');
    expect(j.edges).toEqual([{ source: j.vertices[0].id, target: j.vertices[1].id, partitioner: 'REBALANCE', resultPartitionType: 'BLOCKING' }]);
    expect(j.vertices[1].operators[0]).toEqual({ id: 3, name: 'Map', uid: 'my-map' });
    expect(j.vertices[0].id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('forward with a parallelism change is rejected like Flink', () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    env.fromSequence(1, 3).forward().map((x) => x).setParallelism(3).print();
    expect(() => env.getStreamGraph()).toThrow(/Forward partitioning does not allow change of parallelism/);
  });

  it('the fingerprint is stable for the same program and changes with the structure', () => {
    const build = (p: number): string => {
      const env = StreamExecutionEnvironment.createLocalEnvironment(p);
      env.fromSequence(1, 3).map((x) => x + 1).keyBy((x) => x).sum(0 as never).print();
      return env.getStreamGraph().fingerprint();
    };
    expect(build(2)).toBe(build(2));
    expect(build(2)).not.toBe(build(3));
  });
});

describe('ExecutionGraph', () => {
  it('unfolds vertices into subtasks with attempt numbers and wires channels', () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    env.fromSequence(1, 10).rescale().map((x) => x).setParallelism(4).keyBy((x) => x).map((x) => x).setParallelism(3).print().setParallelism(3);
    const eg = new ExecutionGraph(plan(env));
    const [src, map1, map2] = [...eg.jobVertices.values()];
    expect(src.taskVertices.length).toBe(2);
    expect(map1.taskVertices[3].currentExecution.attemptNumber).toBe(0);
    expect(map1.taskVertices[3].currentExecution.state).toBe('CREATED');
    // rescale 2 → 4: producer 0 has two subpartitions for consumers 0 and 1.
    expect(eg.producedPartitions(src.taskVertices[0])[0].numSubpartitions).toBe(2);
    expect(eg.consumedChannels(map1.taskVertices[1])[0].channels.map((c) => [c.producer.subtaskIndex, c.subpartition])).toEqual([[0, 1]]);
    expect(eg.consumedChannels(map1.taskVertices[2])[0].channels.map((c) => [c.producer.subtaskIndex, c.subpartition])).toEqual([[1, 0]]);
    // keyBy 4 → 3: every consumer reads its subpartition from all producers.
    expect(eg.consumedChannels(map2.taskVertices[2])[0].channels.map((c) => [c.producer.subtaskIndex, c.subpartition])).toEqual([[0, 2], [1, 2], [2, 2], [3, 2]]);
    const next = map1.taskVertices[0].resetForNewExecution();
    expect(next.attemptNumber).toBe(1);
    expect(next.transitionState('RUNNING')).toBe(false); // CREATED → RUNNING is not a legal transition
    expect(pointwiseConsumersOf(1, 2, 5)).toEqual([3, 4]);
  });
});
