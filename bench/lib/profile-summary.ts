/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): busy time, and the functions that took the
 * most of it by self time and by inclusive time, as shares of the busy samples (idle ones left out).
 */
import { readFileSync } from 'node:fs';

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

/** One function's share of the busy time. */
export interface Hotspot {
  name: string;
  share: number;
}

/** What `summariseProfile` reports. */
export interface ProfileSummary {
  busySeconds: number;
  self: Hotspot[];
  inclusive: Hotspot[];
}

/** `name file:line`, with the file's last two path segments. */
function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
}

/**
 * Reads and summarises one profile.
 *
 * @example
 * const { busySeconds, self } = summariseProfile('prof/CPU.….cpuprofile', 20);
 */
export function summariseProfile(file: string, top: number): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const selfById = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfById.set(id, (selfById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  let busy = 0;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, micros] of selfById) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    busy += micros;
    self.set(label(node), (self.get(label(node)) ?? 0) + micros);
    // Each function counted once per sample, however deep it recurses.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = label(byId.get(at)!);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
    }
  }
  const ranked = (times: Map<string, number>) =>
    [...times]
      .sort((x, y) => y[1] - x[1])
      .slice(0, top)
      .map(([name, micros]) => ({ name, share: micros / busy }));
  return { busySeconds: busy / 1e6, self: ranked(self), inclusive: ranked(inclusive) };
}
