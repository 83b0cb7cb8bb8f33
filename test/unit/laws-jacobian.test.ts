import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { getLaw, listLaws, LAWS } from '../../src/core/laws/registry';
import { fromNatural, toNatural, type LawDefinition } from '../../src/core/laws/types';

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
    assert.ok(
      Math.abs(g - numeric[j]) <= tol,
      `${law.id} d/d${law.parameters[j].name}: analytic ${g} vs numeric ${numeric[j]} at p=${p} x=${x}`,
    );
  });
}

test('registry maps ids to well-formed laws', () => {
  assert.deepEqual(Object.keys(LAWS).sort(), ['chinchilla', 'power']);
  assert.equal(getLaw('power')?.kind, 'curve');
  assert.equal(getLaw('chinchilla')?.kind, 'cross-run');
  assert.equal(getLaw('nope'), undefined);
  assert.equal(getLaw('toString'), undefined);
  for (const law of listLaws()) {
    assert.ok(law.citation.arxiv.match(/^\d{4}\.\d{4,5}$/), `${law.id} arXiv id`);
    assert.ok(law.variables.every((v) => v.definition.length > 10), `${law.id} variables are defined`);
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
  for (const [N, D] of [[1e7, 1e8], [1e9, 2e10], [7e10, 1.4e12]]) assertJacobianMatches(chin, ref, [N, D]);
});

/** A random fit-space parameter vector inside the law's bounds. */
function paramsArb(law: LawDefinition) {
  return fc.tuple(...law.parameters.map((q) => fc.double({ min: q.lower, max: q.upper, noNaN: true })));
}

test('property: Jacobians match finite differences for random parameters and inputs', () => {
  for (const law of listLaws()) {
    const xArb = fc.tuple(...law.variables.map(() => fc.double({ min: 1, max: 1e13, noNaN: true })));
    fc.assert(
      fc.property(paramsArb(law), xArb, (p, x) => {
        assertJacobianMatches(law, p, x);
      }),
      { numRuns: 300, seed: 7 },
    );
  }
});

test('property: predictions are finite and positive for valid inputs', () => {
  for (const law of listLaws()) {
    const xArb = fc.tuple(...law.variables.map(() => fc.double({ min: 1, max: 1e15, noNaN: true })));
    fc.assert(
      fc.property(paramsArb(law), xArb, (p, x) => {
        const f = law.evaluate(p, x);
        return Number.isFinite(f) && f > 0 && law.jacobian(p, x).every(Number.isFinite);
      }),
      { numRuns: 300, seed: 11 },
    );
  }
});
