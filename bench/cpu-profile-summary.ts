/**
 * Where the CPU went in a V8 `.cpuprofile` (from `node --cpu-prof`): self time by package or source
 * directory, and by function. `npx tsx bench/cpu-profile-summary.ts FILE [--top N]`
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** `node_modules/@scope/pkg`, `node_modules/pkg`, `src/<dir>`, `bench`, `node:<internal>`, or a V8 pseudo-frame. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return `(${functionName || 'native'})`;
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [first = '', second = ''] = url.slice(modules + 'node_modules/'.length).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  if (url.startsWith('node:')) return url.split('/')[0] ?? url;
  const source = url.match(/\/(src\/[^/]+|bench|test)\//);
  return source?.[1] ?? url;
}

export function summarise(profile: CpuProfile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const [id, micros] of self) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    total += micros;
    const area = areaOf(frame.url, frame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + micros);
    const name = `${frame.functionName || '(anonymous)'} ${area}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + micros);
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return { totalMs: total / 1000, areas: sorted(areas), functions: sorted(functions) };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' } } });
  const top = Number(values.top ?? 25);
  for (const file of positionals) {
    const summary = summarise(JSON.parse(await readFile(file, 'utf8')) as CpuProfile);
    const line = ([name, micros]: [string, number]) =>
      `${(micros / 1000).toFixed(0).padStart(8)} ms ${((micros / 10 / summary.totalMs) | 0).toString().padStart(3)} %  ${name}`;
    console.log(`${file}: ${summary.totalMs.toFixed(0)} ms sampled\n-- self time by area`);
    for (const entry of summary.areas.slice(0, top)) console.log(line(entry));
    console.log('-- self time by function');
    for (const entry of summary.functions.slice(0, top)) console.log(line(entry));
  }
}

if (process.argv[1]?.endsWith('cpu-profile-summary.ts')) await main();
