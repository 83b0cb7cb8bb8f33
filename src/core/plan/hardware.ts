// Accelerators a plan can be costed on: peak dense FLOP/s per precision, memory and a price.
//
// Peak numbers are the vendors' dense (no 2:4 sparsity) tensor-core figures from their datasheets:
// * NVIDIA H100 SXM5 datasheet (2023): BF16/FP16 989 TFLOP/s, FP8 1,979, TF32 495; 80 GB HBM3.
// * NVIDIA H200 SXM datasheet (2024): same compute as H100 SXM; 141 GB HBM3e.
// * NVIDIA DGX B200 datasheet (2024): 72 PFLOP/s FP8 training for 8 GPUs → 9 sparse / 4.5 dense
//   FP8 per GPU; BF16 2.25 dense; 1,440 GB for 8 GPUs → 180 GB each.
// * NVIDIA A100 datasheet (2021): BF16/FP16 312 TFLOP/s, TF32 156; 40 or 80 GB; no FP8.
// * NVIDIA L40S datasheet (2023): BF16 362.05 TFLOP/s, FP8 733 (dense halves of 733/1,466); 48 GB.
// * AMD Instinct MI300X datasheet (2023): BF16/FP16 1,307.4 TFLOP/s, FP8 2,614.9 dense; 192 GB HBM3.
// * Google Cloud TPU docs, "TPU v5e" and "TPU v5p" (per chip): v5e 197 TFLOP/s BF16, 394 INT8,
//   16 GB HBM2; v5p 459 TFLOP/s BF16, 918 INT8, 95 GB HBM2e.
// Prices are rough cloud on-demand rates per accelerator-hour (USD, late 2025) and are only
// placeholders: users set their own in `scalingLens.hardware.profiles` / `.prices`.

import { maxOf } from '../../shared/arrays';
export type Precision = 'fp32' | 'tf32' | 'bf16' | 'fp16' | 'fp8' | 'int8';

export interface HardwareProfile {
  id: string;
  name: string;
  /** Peak dense FLOP/s by precision (missing = not supported by the tensor cores). */
  peakFlops: Partial<Record<Precision, number>>;
  /** Accelerator memory in bytes. */
  memoryBytes: number;
  /** Price per accelerator-hour in USD. */
  usdPerHour: number;
  /** Where the peak numbers come from. */
  source: string;
}

const T = 1e12;
const GB = 1e9;

export const BUILTIN_HARDWARE: readonly HardwareProfile[] = [
  {
    id: 'H100',
    name: 'NVIDIA H100 SXM 80GB',
    peakFlops: { bf16: 989 * T, fp16: 989 * T, fp8: 1979 * T, tf32: 495 * T, fp32: 67 * T },
    memoryBytes: 80 * GB,
    usdPerHour: 2.5,
    source: 'NVIDIA H100 Tensor Core GPU datasheet (SXM, dense)',
  },
  {
    id: 'H200',
    name: 'NVIDIA H200 SXM 141GB',
    peakFlops: { bf16: 989 * T, fp16: 989 * T, fp8: 1979 * T, tf32: 495 * T, fp32: 67 * T },
    memoryBytes: 141 * GB,
    usdPerHour: 3.5,
    source: 'NVIDIA H200 Tensor Core GPU datasheet (SXM, dense)',
  },
  {
    id: 'B200',
    name: 'NVIDIA B200 180GB',
    peakFlops: { bf16: 2250 * T, fp16: 2250 * T, fp8: 4500 * T, tf32: 1100 * T },
    memoryBytes: 180 * GB,
    usdPerHour: 5.0,
    source: 'NVIDIA DGX B200 datasheet (per GPU, dense)',
  },
  {
    id: 'A100-80GB',
    name: 'NVIDIA A100 SXM 80GB',
    peakFlops: { bf16: 312 * T, fp16: 312 * T, tf32: 156 * T, fp32: 19.5 * T },
    memoryBytes: 80 * GB,
    usdPerHour: 1.6,
    source: 'NVIDIA A100 Tensor Core GPU datasheet (dense)',
  },
  {
    id: 'A100-40GB',
    name: 'NVIDIA A100 SXM 40GB',
    peakFlops: { bf16: 312 * T, fp16: 312 * T, tf32: 156 * T, fp32: 19.5 * T },
    memoryBytes: 40 * GB,
    usdPerHour: 1.2,
    source: 'NVIDIA A100 Tensor Core GPU datasheet (dense)',
  },
  {
    id: 'L40S',
    name: 'NVIDIA L40S 48GB',
    peakFlops: { bf16: 362 * T, fp16: 362 * T, fp8: 733 * T, tf32: 183 * T },
    memoryBytes: 48 * GB,
    usdPerHour: 1.0,
    source: 'NVIDIA L40S datasheet (dense)',
  },
  {
    id: 'MI300X',
    name: 'AMD Instinct MI300X 192GB',
    peakFlops: { bf16: 1307.4 * T, fp16: 1307.4 * T, fp8: 2614.9 * T, tf32: 653.7 * T },
    memoryBytes: 192 * GB,
    usdPerHour: 2.5,
    source: 'AMD Instinct MI300X datasheet (dense)',
  },
  {
    id: 'TPUv5e',
    name: 'Google TPU v5e (per chip)',
    peakFlops: { bf16: 197 * T, int8: 394 * T },
    memoryBytes: 16 * GB,
    usdPerHour: 1.2,
    source: 'Google Cloud TPU v5e documentation (per chip)',
  },
  {
    id: 'TPUv5p',
    name: 'Google TPU v5p (per chip)',
    peakFlops: { bf16: 459 * T, int8: 918 * T },
    memoryBytes: 95 * GB,
    usdPerHour: 4.2,
    source: 'Google Cloud TPU v5p documentation (per chip)',
  },
];

/**
 * Model FLOPs utilisation assumed for wall-clock and GPU-hours: achieved model FLOP/s (6N-style
 * count, no recomputation) over peak. ~40% is typical of well-tuned dense BF16 training
 * (PaLM reports 46%, Llama 3 405B 38–43% on H100).
 */
export const DEFAULT_MFU = 0.4;
export const DEFAULT_HARDWARE_ID = 'H100';

/** Hardware settings as the user gives them (`scalingLens.hardware.*`), already parsed from JSON. */
export interface HardwareSettings {
  /** Extra or overriding profiles: `{id, name?, peakFlops: {bf16: 989e12, ...}, memoryGB, usdPerHour}`. */
  profiles?: unknown[];
  /** Id of the default profile. */
  default?: string;
  /** Price overrides per profile id, USD per accelerator-hour. */
  prices?: Record<string, unknown>;
  /** MFU for time estimates (0 < mfu ≤ 1). */
  mfu?: number;
}

export interface HardwareTable {
  profiles: HardwareProfile[];
  defaultId: string;
  mfu: number;
  /** Settings entries that were ignored, and why. */
  problems: string[];
}

const PRECISIONS: readonly Precision[] = ['fp32', 'tf32', 'bf16', 'fp16', 'fp8', 'int8'];

function positive(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

/** The built-in table merged with the user's profiles and prices; bad entries are skipped with a reason. */
export function hardwareTable(settings: HardwareSettings = {}): HardwareTable {
  const problems: string[] = [];
  const byId = new Map<string, HardwareProfile>(BUILTIN_HARDWARE.map((p) => [p.id.toLowerCase(), { ...p, peakFlops: { ...p.peakFlops } }]));
  (settings.profiles ?? []).forEach((raw, i) => {
    if (typeof raw !== 'object' || raw === null) return void problems.push(`hardware profile #${i + 1} is not an object`);
    const r = raw as Record<string, unknown>;
    const id = typeof r.id === 'string' && r.id.trim() ? r.id.trim() : undefined;
    if (!id) return void problems.push(`hardware profile #${i + 1} has no "id"`);
    const base = byId.get(id.toLowerCase());
    const peak: Partial<Record<Precision, number>> = { ...(base?.peakFlops ?? {}) };
    if (typeof r.peakFlops === 'object' && r.peakFlops !== null) {
      for (const [k, v] of Object.entries(r.peakFlops as Record<string, unknown>)) {
        const p = k.toLowerCase() as Precision;
        const value = positive(v);
        if (!PRECISIONS.includes(p) || value === undefined)
          problems.push(`hardware profile "${id}": peakFlops.${k} ignored (precision one of ${PRECISIONS.join(', ')}, value FLOP/s > 0)`);
        else peak[p] = value;
      }
    }
    const memoryGB = positive(r.memoryGB);
    const memoryBytes = memoryGB !== undefined ? memoryGB * GB : base?.memoryBytes;
    const usdPerHour = positive(r.usdPerHour) ?? base?.usdPerHour;
    if (Object.keys(peak).length === 0 || memoryBytes === undefined || usdPerHour === undefined) {
      return void problems.push(`hardware profile "${id}" needs peakFlops, memoryGB and usdPerHour`);
    }
    byId.set(id.toLowerCase(), {
      id,
      name: typeof r.name === 'string' ? r.name : id,
      peakFlops: peak,
      memoryBytes,
      usdPerHour,
      source: base ? `${base.source}, changed in settings` : 'user settings',
    });
  });
  for (const [id, v] of Object.entries(settings.prices ?? {})) {
    const p = byId.get(id.toLowerCase());
    const price = positive(v);
    if (!p) problems.push(`price for unknown hardware "${id}" ignored`);
    else if (price === undefined) problems.push(`price for "${id}" must be a positive number of USD per hour`);
    else p.usdPerHour = price;
  }
  let defaultId = DEFAULT_HARDWARE_ID;
  if (settings.default !== undefined) {
    const p = byId.get(String(settings.default).toLowerCase());
    if (p) defaultId = p.id;
    else problems.push(`default hardware "${String(settings.default)}" is not a known profile; using ${DEFAULT_HARDWARE_ID}`);
  }
  let mfu = DEFAULT_MFU;
  if (settings.mfu !== undefined) {
    if (typeof settings.mfu === 'number' && settings.mfu > 0 && settings.mfu <= 1) mfu = settings.mfu;
    else problems.push(`MFU must be in (0, 1]; using ${DEFAULT_MFU}`);
  }
  return { profiles: [...byId.values()], defaultId, mfu, problems };
}

/** A profile by id (case-insensitive; `H100-h` style suffixes and spaces tolerated). */
export function findHardware(table: HardwareTable, id: string | undefined): HardwareProfile | undefined {
  const want = (id ?? table.defaultId).toLowerCase().replace(/[\s_]/g, '');
  return (
    table.profiles.find((p) => p.id.toLowerCase().replace(/[\s_]/g, '') === want) ??
    // `A100` alone means the 80 GB part; `v5p` means the TPU.
    table.profiles.find((p) => p.id.toLowerCase().replace(/[\s_]/g, '').startsWith(want)) ??
    table.profiles.find((p) => p.id.toLowerCase().replace(/[\s_]/g, '').endsWith(want))
  );
}

/** The precision a plan's config names, mapped onto the table's keys (mixed precision counts as its low precision). */
export function precisionOf(configured: string | undefined): Precision {
  const p = (configured ?? '').toLowerCase();
  if (/fp8|float8|e4m3|e5m2/.test(p)) return 'fp8';
  if (/bf16|bfloat16/.test(p)) return 'bf16';
  if (/fp16|float16|half|16-mixed|amp_fp16/.test(p)) return 'fp16';
  if (/tf32/.test(p)) return 'tf32';
  if (/fp32|float32|32-true|^32$/.test(p)) return 'fp32';
  return 'bf16';
}

/** Peak FLOP/s for a precision; falls back to BF16 (with a note) when the part lacks it. */
export function peakFor(profile: HardwareProfile, precision: Precision): { flopsPerSecond: number; precision: Precision; note?: string } {
  const direct = profile.peakFlops[precision];
  if (direct !== undefined) return { flopsPerSecond: direct, precision };
  const bf16 = profile.peakFlops.bf16 ?? maxOf(Object.values(profile.peakFlops).map((v) => v ?? 0));
  return { flopsPerSecond: bf16, precision: 'bf16', note: `${profile.name} has no ${precision} peak in the table; BF16 peak used.` };
}

export interface ComputeTime {
  gpuHours: number;
  usd: number;
  /** Wall-clock hours on `gpus` accelerators (when given). */
  wallClockHours?: number;
  mfu: number;
  peakFlopsPerSecond: number;
  precision: Precision;
  hardwareId: string;
  notes: string[];
}

/** GPU-hours, price and wall clock of `flops` model FLOPs at `mfu` of peak. */
export function computeTime(flops: number, profile: HardwareProfile, opts: { mfu: number; precision?: Precision; gpus?: number }): ComputeTime {
  const peak = peakFor(profile, opts.precision ?? 'bf16');
  const gpuHours = flops / (peak.flopsPerSecond * opts.mfu) / 3600;
  const out: ComputeTime = {
    gpuHours,
    usd: gpuHours * profile.usdPerHour,
    mfu: opts.mfu,
    peakFlopsPerSecond: peak.flopsPerSecond,
    precision: peak.precision,
    hardwareId: profile.id,
    notes: peak.note ? [peak.note] : [],
  };
  if (opts.gpus !== undefined && opts.gpus > 0) out.wallClockHours = gpuHours / opts.gpus;
  return out;
}
