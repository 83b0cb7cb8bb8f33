// The sections of `npm run bench`, the developer's choice of some of them (`--only` / `--skip`; the
// default is the complete run), the CPU time a section took, and which of issue 20's Done-when rows
// a report holds.
import * as fs from 'node:fs';

/** In run order. `what` is what the section measures, for `--list` and the report. */
export const SECTIONS = [
  { id: 'ingest', what: 'JSONL against cat, readline + JSON.parse, polars, pandas and an orjson loop' },
  { id: 'events', what: "event files against cat and TensorBoard's EventAccumulator, and the same points as JSONL" },
  { id: 'scale', what: 'per-run curve-fit CPU against the engines before; scan of 1, 10, 100, 1,000 runs with 1 and 2 fitting threads' },
  { id: 'cold-start', what: 'CLI cold start against bare node' },
  { id: 'memory', what: 'memory held by a 300,000-line run; append one line' },
  { id: 'fits', what: 'Chinchilla and curve fits against SciPy' },
  { id: 'examples', what: 'examples/ end to end, reading while fitting, code lens latency' },
  { id: 'dashboard', what: 'dashboard update with 200 runs of 100,000 points' },
  { id: 'package', what: 'package size, bundle load, activation in the real VS Code' },
  { id: 'recorded', what: 'rows summarised from other runs (integration latency, validate, bench:load, bench:biglog)' },
  { id: 'hostile', what: 'hostile workspaces: text-log patterns, 10,000 runs, npm audit' },
] as const;

export type SectionId = (typeof SECTIONS)[number]['id'];

const IDS: readonly string[] = SECTIONS.map((s) => s.id);

/**
 * The sections `args` ask for: every one by default; `--only a,b` those; `--skip a,b` all but
 * those. An unknown id or option is an error (a typo must not silently measure nothing).
 */
export function selectSections(args: readonly string[]): { run: SectionId[]; leftOut: SectionId[] } | { error: string } {
  let only: string[] | undefined;
  const skip: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const m = /^--(only|skip)(?:=(.*))?$/.exec(args[i]);
    if (!m) return { error: `unknown argument "${args[i]}" (use --only <sections> or --skip <sections>; sections: ${IDS.join(', ')})` };
    const value = m[2] ?? args[++i];
    if (value === undefined || value === '') return { error: `--${m[1]} needs a comma-separated list of sections: ${IDS.join(', ')}` };
    const ids = value.split(',').map((v) => v.trim());
    const unknown = ids.filter((id) => !IDS.includes(id));
    if (unknown.length) return { error: `unknown section(s) ${unknown.join(', ')} (sections: ${IDS.join(', ')})` };
    if (m[1] === 'only') only = [...(only ?? []), ...ids];
    else for (const id of ids) skip.push(id);
  }
  const run = SECTIONS.map((s) => s.id).filter((id) => (only === undefined || only.includes(id)) && !skip.includes(id));
  if (run.length === 0) return { error: 'no section left to run' };
  return { run, leftOut: SECTIONS.map((s) => s.id).filter((id) => !run.includes(id)) };
}

/**
 * CPU milliseconds of this process so far plus those of the children it has waited for
 * (spawnSync's CLI runs, Python peers, VS Code): /proc/self/stat's utime, stime, cutime, cstime.
 * Off Linux, this process alone.
 */
export function cpuMsSoFar(): number {
  try {
    // Fields after the parenthesised command name: state is field 3, utime..cstime are 14..17.
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, k) => sum + Number(fields[k]), 0);
    // USER_HZ is 100 on Linux whatever the kernel's HZ (it is what /proc reports in).
    if (Number.isFinite(ticks)) return ticks * 10;
  } catch {
    /* not Linux */
  }
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Issue 20's Done-when rows and whether the measured figures (`json`, as run.ts fills it) hold each. */
export function doneWhenRows(json: Readonly<Record<string, number>>): { row: string; present: boolean }[] {
  const has = (key: string) => Number.isFinite(json[key]);
  const peer = (prefix: string, name: string) => Object.keys(json).some((k) => k.startsWith(`${prefix}Peer`) && k.toLowerCase().includes(name) && has(k));
  const scans = [1, 10, 100, 1000].every((n) => has(`scan${n}WallMs`) && has(`scan${n}CpuMs`) && has(`scan${n}PoolWallMs`) && has(`scan${n}PoolCpuMs`));
  return [
    { row: 'per-run curve-fit CPU before/after', present: has('fitCpuMeanMs') && has('fitCpuBeforeMeanMs') },
    { row: 'scan of 1, 10, 100, 1,000 runs (wall and CPU, 1 vs 2 threads)', present: scans },
    {
      row: 'JSONL against cat, polars, pandas, orjson loop',
      present: has('jsonlCatMBps') && has('jsonlOursMBps') && ['polars', 'pandas', 'orjson'].every((p) => peer('jsonl', p)),
    },
    { row: "event files against TensorBoard's EventAccumulator", present: has('tfeventsOursMBps') && peer('tfevents', 'eventaccumulator') },
    { row: 'CLI cold start against bare node', present: has('coldStartBareMs') && Object.keys(json).some((k) => k.startsWith('coldStart:')) },
    { row: 'extension activation time (measured in this run)', present: (json.activationMeasuredInRun ?? 0) > 0 },
  ];
}
