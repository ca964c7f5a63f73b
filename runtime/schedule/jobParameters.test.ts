import { describe, it, expect } from 'vitest';
import { StreamExecutionEnvironment, RichMapFunction } from 'tsflink';
import { formatJobParameters, parseJobParameters } from '../configuration/PipelineOptions.js';

// A scheduled run's parameters reach every function through pipeline.global-job-parameters
// (Flink's global job parameters) and getRuntimeContext().getJobParameter.
describe('global job parameters', () => {
  it("parse Flink's key:value,key:value syntax with quotes; format is its inverse; bad entries are named", () => {
    const params = { ds: '2026-11-02', interval_start: '2026-11-02T00:00:00+01:00', 'odd,key': "it's: a, b", empty: '' };
    const text = formatJobParameters(params);
    expect(text).toBe("ds:2026-11-02,interval_start:'2026-11-02T00:00:00+01:00','odd,key':'it''s: a, b',empty:''");
    expect(parseJobParameters(text)).toEqual(params);
    expect(parseJobParameters(' a:1 , b : 2,c:x:y ')).toEqual({ a: '1', b: '2', c: 'x:y' });
    expect(parseJobParameters(undefined)).toEqual({});
    expect(() => parseJobParameters('a:1,region')).toThrow(/'region' is not key:value/);
    expect(() => parseJobParameters("a:'1")).toThrow(/unclosed quote/);
  });

  it('getRuntimeContext().getJobParameter reads them in the running task, with a default for a missing key', async () => {
    class Tag extends RichMapFunction<number, string> {
      map(i: number): string {
        const ctx = this.getRuntimeContext();
        return `${ctx.getJobParameter('ds', '?')}/${ctx.getJobParameter('run_id', '?')}/${ctx.getJobParameter('missing', 'dflt')}/${Object.keys(ctx.getGlobalJobParameters()).length}/${i}`;
      }
    }
    const env = StreamExecutionEnvironment.createLocalEnvironment(2, { 'pipeline.global-job-parameters': formatJobParameters({ ds: '2026-11-02', run_id: 'scheduled__20261101T230000Z' }) });
    const out = await env.fromSequence(1, 4).map(new Tag()).executeAndCollect();
    expect(out.sort()).toEqual([1, 2, 3, 4].map((i) => `2026-11-02/scheduled__20261101T230000Z/dflt/2/${i}`));
  });
});
