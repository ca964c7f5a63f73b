// Top self-time frames of V8 .cpuprofile files (node --cpu-prof writes one per thread: main and each
// worker-thread slot). Used for B10's before/after profiles.
//   node dist/bench/b10-cpuprofile-top.js <file.cpuprofile | dir> [top=25]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface FrameTime { frame: string; selfMs: number; share: number }

/** Self time per frame (function + file:line), most first; idle and the program root left out of the shares. */
export function topSelfFrames(profile: CpuProfile, top: number): { totalMs: number; busyMs: number; frames: FrameTime[] } {
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) byId.set(n.id, n);
  const self = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    if (!node) continue;
    const f = node.callFrame;
    // Modules evaluated from source text (msgpackr's inline packer) have their whole source as the url.
    const where = f.url.startsWith('file:') || f.url.startsWith('/') || f.url.startsWith('node:') ? basename(f.url) : f.url.length > 40 ? '(inline module)' : f.url;
    const file = f.url === '' ? '' : ` ${where}:${f.lineNumber + 1}`;
    const key = `${f.functionName || '(anonymous)'}${file}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  const idle = (self.get('(idle)') ?? 0) + (self.get('(program)') ?? 0);
  const busy = total - idle;
  const frames = [...self.entries()]
    .filter(([k]) => k !== '(idle)' && k !== '(program)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, us]) => ({ frame, selfMs: us / 1000, share: busy > 0 ? us / busy : 0 }));
  return { totalMs: total / 1000, busyMs: busy / 1000, frames };
}

/** A markdown table of one profile's top frames. */
export function framesTable(name: string, p: CpuProfile, top: number): string {
  const r = topSelfFrames(p, top);
  const rows = r.frames.map((f) => `| ${f.frame.replace(/\|/g, '\\|')} | ${f.selfMs.toFixed(0)} | ${(f.share * 100).toFixed(1)} % |`);
  return `${name}: ${r.busyMs.toFixed(0)} ms busy of ${r.totalMs.toFixed(0)} ms sampled\n\n| frame (self time) | ms | share of busy |\n|---|---:|---:|\n${rows.join('\n')}\n`;
}

function main(): void {
  const target = process.argv[2];
  const top = Number(process.argv[3] ?? 25);
  if (!target) { console.error('usage: b10-cpuprofile-top <file.cpuprofile | dir> [top]'); process.exit(2); }
  const files = statSync(target).isDirectory() ? readdirSync(target).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(target, f)) : [target];
  for (const f of files) console.log(framesTable(basename(f), JSON.parse(readFileSync(f, 'utf8')) as CpuProfile, top));
}

if (process.argv[1] && basename(process.argv[1]).startsWith('b10-cpuprofile-top')) main();
