import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTIN_HARDWARE, computeTime, DEFAULT_MFU, findHardware, hardwareTable, peakFor, precisionOf } from '../../src/core/plan/hardware';

test("built-in table: the issue's accelerators, each with BF16 peak, memory, price and a source", () => {
  const ids = BUILTIN_HARDWARE.map((p) => p.id);
  for (const id of ['H100', 'H200', 'B200', 'A100-80GB', 'A100-40GB', 'L40S', 'MI300X', 'TPUv5e', 'TPUv5p']) assert.ok(ids.includes(id), id);
  for (const p of BUILTIN_HARDWARE) {
    assert.ok((p.peakFlops.bf16 ?? 0) > 1e14, p.id);
    assert.ok(p.memoryBytes >= 16e9 && p.usdPerHour > 0 && p.source.length > 0, p.id);
  }
  // Datasheet values (dense): H100 SXM BF16 989 TFLOP/s, FP8 1,979; A100 has no FP8.
  assert.equal(findHardware(hardwareTable(), 'H100')!.peakFlops.bf16, 989e12);
  assert.equal(findHardware(hardwareTable(), 'H100')!.peakFlops.fp8, 1979e12);
  assert.equal(findHardware(hardwareTable(), 'A100-80GB')!.peakFlops.fp8, undefined);
});

test('GPU-hours = FLOPs / (peak × MFU) / 3600; price and wall clock follow', () => {
  const h100 = findHardware(hardwareTable(), 'h100')!;
  // 989e12 × 0.4 × 3600 = 1.42416e18 FLOPs per GPU-hour
  const t = computeTime(1.42416e21, h100, { mfu: 0.4, gpus: 100 });
  assert.ok(Math.abs(t.gpuHours - 1000) < 1e-9);
  assert.ok(Math.abs(t.usd - 1000 * h100.usdPerHour) < 1e-6);
  assert.ok(Math.abs(t.wallClockHours! - 10) < 1e-12);
});

test('a precision the part lacks falls back to BF16, with a note', () => {
  const a100 = findHardware(hardwareTable(), 'A100')!;
  assert.equal(a100.id, 'A100-80GB');
  const p = peakFor(a100, 'fp8');
  assert.equal(p.precision, 'bf16');
  assert.equal(p.flopsPerSecond, 312e12);
  assert.match(p.note ?? '', /no fp8 peak/);
  assert.equal(precisionOf('amp_bf16'), 'bf16');
  assert.equal(precisionOf('bf16-mixed'), 'bf16');
  assert.equal(precisionOf('float8'), 'fp8');
  assert.equal(precisionOf('16-mixed'), 'fp16');
  assert.equal(precisionOf(undefined), 'bf16');
});

test('settings: user profiles, price overrides, default and MFU; bad entries reported, not fatal', () => {
  const t = hardwareTable({
    profiles: [
      { id: 'H100-ours', peakFlops: { bf16: 900e12 }, memoryGB: 80, usdPerHour: 1.9 },
      { id: 'H100', usdPerHour: 1.5 },
      { peakFlops: { bf16: 1 } },
      { id: 'broken', peakFlops: { bf17: 5 } },
      'nonsense',
    ],
    prices: { L40S: 0.8, Nope: 3, MI300X: -1 },
    default: 'h100-ours',
    mfu: 0.5,
  });
  assert.equal(t.defaultId, 'H100-ours');
  assert.equal(t.mfu, 0.5);
  assert.equal(findHardware(t, undefined)!.peakFlops.bf16, 900e12);
  assert.equal(findHardware(t, 'H100')!.usdPerHour, 1.5);
  assert.equal(findHardware(t, 'H100')!.peakFlops.bf16, 989e12);
  assert.equal(findHardware(t, 'L40S')!.usdPerHour, 0.8);
  assert.equal(t.problems.length, 6, t.problems.join('\n'));
  assert.ok(t.problems.some((p) => /#3 has no "id"/.test(p)));
  assert.ok(t.problems.some((p) => /peakFlops\.bf17 ignored/.test(p)));
  assert.ok(t.problems.some((p) => /unknown hardware "Nope"/.test(p)));
  const bad = hardwareTable({ default: 'TPUv9', mfu: 2 });
  assert.equal(bad.defaultId, 'H100');
  assert.equal(bad.mfu, DEFAULT_MFU);
  assert.equal(bad.problems.length, 2);
});
