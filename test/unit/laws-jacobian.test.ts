import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { getHparamLaw, getLaw, listAllLawDefinitions, LAWS } from '../../src/core/laws/registry';
import { fromNatural, toNatural, type LawDefinition } from '../../src/core/laws/types';
import { createMultipowerLaw } from '../../src/core/laws/multipower';
import { buildSchedule } from '../../src/core/laws/schedule';

/** Central finite differences of law.evaluate in fit space. */
function finiteDifferenceJacobian(law: LawDefinition, p: readonly number[], x: readonly number[]): number[] {
  return p.map((v, j) => {
    const h = 1e-6 * Math.max(1, Math.abs(v));
    const up = p.slice();
    const down = p.slice();
    up[j] = v + h;
    down[j] = v - h;
    return (law.evaluate(up, x) - law.evaluate(down, x)) / (2 * h);
  });
}

/** Analytic vs numeric, relative to the entry and to the prediction (central FD error ~1e−10·f). */
function assertJacobianMatches(law: LawDefinition, p: readonly number[], x: readonly number[]): void {
  const f = law.evaluate(p, x);
  const analytic = law.jacobian(p, x);
  const numeric = finiteDifferenceJacobian(law, p, x);
  assert.equal(analytic.length, law.parameters.length);
  analytic.forEach((g, j) => {
    const tol = 1e-6 * (Math.abs(g) + Math.abs(f));
    assert.ok(Math.abs(g - numeric[j]) <= tol, `${law.id} d/d${law.parameters[j].name}: analytic ${g} vs numeric ${numeric[j]} at p=${p} x=${x}`);
  });
}

test('registry maps ids to well-formed laws', () => {
  assert.deepEqual(Object.keys(LAWS).sort(), [
    'annealing',
    'bnsl',
    'chinchilla',
    'compute',
    'compute-frontier-d',
    'compute-frontier-n',
    'datalimited',
    'kaplan',
    'multipower',
    'overtrain',
    'overtrain-error',
    'power',
  ]);
  assert.equal(getHparamLaw('steplaw')?.lr.id, 'steplaw-lr');
  assert.equal(getHparamLaw('deepseek')?.batch.id, 'deepseek-batch');
  assert.equal(getLaw('steplaw-batch')?.kind, 'hparam');
  assert.equal(getHparamLaw('toString'), undefined);
  assert.equal(getLaw('power')?.kind, 'curve');
  assert.equal(getLaw('chinchilla')?.kind, 'cross-run');
  assert.equal(getLaw('nope'), undefined);
  assert.equal(getLaw('toString'), undefined);
  for (const law of listAllLawDefinitions()) {
    assert.ok(law.citation.year >= 2020 && law.citation.paper.length > 10, `${law.id} citation`);
    assert.ok(law.citation.arxiv.match(/^\d{4}\.\d{4,5}$/), `${law.id} arXiv id`);
    assert.ok(
      law.variables.every((v) => v.definition.length > 10),
      `${law.id} variables are defined`,
    );
    for (const q of law.parameters) {
      assert.ok(q.lower < q.upper, `${law.id}.${q.name} bounds`);
      assert.ok(q.grid.length > 0, `${law.id}.${q.name} grid`);
    }
  }
});

test('chinchilla evaluates to the published formula at Epoch AI values', () => {
  const law = getLaw('chinchilla')!;
  const ref = law.reference!.values;
  const p = fromNatural(law, ref);
  const N = 7e10;
  const D = 1.4e12;
  const direct = ref.E + ref.A / N ** ref.alpha + ref.B / D ** ref.beta;
  assert.ok(Math.abs(law.evaluate(p, [N, D]) - direct) < 1e-12 * direct);
  // Chinchilla 70B at 1.4T tokens, by hand: 1.82 + 482.01/5909 + 2085.43/27800 ≈ 1.9767.
  assert.ok(Math.abs(law.evaluate(p, [N, D]) - 1.9767) < 1e-3, `got ${direct}`);
  const back = toNatural(law, p);
  for (const [k, v] of Object.entries(ref)) assert.ok(Math.abs(back[k] - v) < 1e-9 * v, k);
});

test('power law evaluates E + A·t^-alpha', () => {
  const law = getLaw('power')!;
  const p = fromNatural(law, { E: 2, A: 30, alpha: 0.5 });
  assert.ok(Math.abs(law.evaluate(p, [100]) - (2 + 30 / 10)) < 1e-12);
});

test('analytic Jacobians match finite differences at typical points', () => {
  const power = getLaw('power')!;
  for (const t of [1, 10, 1e3, 1e5]) assertJacobianMatches(power, fromNatural(power, { E: 2.1, A: 40, alpha: 0.45 }), [t]);
  const chin = getLaw('chinchilla')!;
  const ref = fromNatural(chin, chin.reference!.values);
  for (const [N, D] of [
    [1e7, 1e8],
    [1e9, 2e10],
    [7e10, 1.4e12],
  ])
    assertJacobianMatches(chin, ref, [N, D]);
});

/** A random fit-space parameter vector in the span of the law's start grid (its typical region). */
function paramsArb(law: LawDefinition) {
  return fc.tuple(
    ...law.parameters.map((q) => {
      const lo = Math.max(q.lower, Math.min(...q.grid));
      const hi = Math.min(q.upper, Math.max(...q.grid));
      return lo < hi ? fc.double({ min: lo, max: hi, noNaN: true }) : fc.constant(lo);
    }),
  );
}

const cosine = buildSchedule({ kind: 'cosine', peakLr: 3e-4, minLr: 3e-5, totalSteps: 2000, warmupSteps: 100 });
const multipowerCosine = createMultipowerLaw([cosine]);

/** Inputs where each law is meant to be used. */
function inputArb(law: LawDefinition) {
  const wide = () => fc.double({ min: 1, max: 1e13, noNaN: true });
  switch (law.id) {
    case 'annealing':
      return fc.tuple(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.double({ min: 0, max: 10, noNaN: true }));
    case 'overtrain-error':
      return fc.tuple(fc.double({ min: 1, max: 8, noNaN: true }));
    case 'multipower':
      return law === multipowerCosine ? fc.tuple(fc.integer({ min: 1, max: 2000 }), fc.constant(0)) : fc.tuple(wide(), fc.constant(-1));
    default:
      return fc.tuple(...law.variables.map(() => wide()));
  }
}

const allLaws = [...listAllLawDefinitions(), multipowerCosine];

test('property: Jacobians match finite differences for random parameters and inputs (every law)', () => {
  for (const law of allLaws) {
    fc.assert(
      fc.property(paramsArb(law), inputArb(law), (p, x) => {
        assertJacobianMatches(law, p, x);
      }),
      { numRuns: law === multipowerCosine ? 60 : 300, seed: 7 },
    );
  }
});

test('property: predictions are finite and positive for valid inputs (laws without a subtracted term)', () => {
  const signed = new Set(['annealing', 'overtrain-error', 'multipower']);
  for (const law of listAllLawDefinitions().filter((l) => !signed.has(l.id))) {
    fc.assert(
      fc.property(paramsArb(law), inputArb(law), (p, x) => {
        const f = law.evaluate(p, x);
        return Number.isFinite(f) && f > 0 && law.jacobian(p, x).every(Number.isFinite);
      }),
      { numRuns: 300, seed: 11 },
    );
  }
});

test('published hyperparameter laws give the quoted values', () => {
  const step = getHparamLaw('steplaw')!;
  const N = 1e9;
  const D = 1e11;
  const lr = step.lr.evaluate(fromNatural(step.lr, step.lr.reference!.values), [N, D]);
  assert.ok(Math.abs(lr - 1.79 * N ** -0.713 * D ** 0.307) < 1e-12 * lr);
  const bs = step.batch.evaluate(fromNatural(step.batch, step.batch.reference!.values), [D]);
  assert.ok(Math.abs(bs - 0.58 * D ** 0.571) < 1e-9 * bs);
  // DeepSeek at C = 1e20: η ≈ 0.3118·1e20^−0.125 ≈ 9.86e−4; batch ≈ 0.292·1e20^0.3271 ≈ 1.0e6 tokens.
  const ds = getHparamLaw('deepseek')!;
  const eta = ds.lr.evaluate(fromNatural(ds.lr, ds.lr.reference!.values), [1e20]);
  assert.ok(Math.abs(eta - 9.86e-4) < 1e-5, `eta ${eta}`);
  const B = ds.batch.evaluate(fromNatural(ds.batch, ds.batch.reference!.values), [1e20]);
  assert.ok(B > 0.9e6 && B < 1.2e6, `batch ${B}`);
});

test('kaplan evaluates the published formula', () => {
  const law = getLaw('kaplan')!;
  const ref = law.reference!.values;
  const p = fromNatural(law, ref);
  const N = 1e9;
  const D = 1e10;
  const direct = ((ref.Nc / N) ** (ref.alphaN / ref.alphaD) + ref.Dc / D) ** ref.alphaD;
  assert.ok(Math.abs(law.evaluate(p, [N, D]) - direct) < 1e-10 * direct);
});
