// The runs table's Error cell says which prefix its error comes from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familyCheckCell, validationErrorCell } from '../../src/shared/validationError';

test('Error cell: the 50% prefix as a bare number; a fallback prefix named, with why', () => {
  const ok = validationErrorCell({
    errorPct: 1.234,
    fraction: 0.5,
    prefixes: [
      { fraction: 0.3, predicted: 3, errorPct: 2.5 },
      { fraction: 0.5, predicted: 3, errorPct: 1.234 },
    ],
  });
  assert.equal(ok.text, '1.23%');
  assert.match(ok.title!, /first 50%/);
  assert.match(ok.title!, /30%: 2\.50%/);
  const fallback = validationErrorCell({
    errorPct: 2.5,
    fraction: 0.3,
    prefixes: [
      { fraction: 0.3, predicted: 3, errorPct: 2.5 },
      { fraction: 0.5, predicted: 9, errorPct: 55, failed: 'a parameter at its bound' },
    ],
  });
  assert.equal(fallback.text, '2.50% (30%)');
  assert.match(fallback.title!, /first 30%/);
  assert.match(fallback.title!, /the first 50%: a parameter at its bound/);
  // Older results without `fraction`: found from the prefixes.
  assert.equal(validationErrorCell({ errorPct: 2.5, prefixes: [{ fraction: 0.2, predicted: 3, errorPct: 2.5 }] }).text, '2.50% (20%)');
  const failed = validationErrorCell({ errorPct: NaN, prefixes: [{ fraction: 0.5, predicted: 9, errorPct: 55, failed: 'out of reach' }] });
  assert.equal(failed.text, 'failed');
  assert.match(failed.title!, /out of reach/);
  assert.equal(validationErrorCell(undefined).text, '—');
});

test("Check cell of the families table: the law's leave-largest-out error with its warning signs; a provisional law's check not shown, as the validations leave it out", () => {
  const validation = { method: 'leave-largest-out', errorPct: 1.314 };
  const full = familyCheckCell({ fit: { validation }, possibleBreak: { note: 'the largest run sits off the law' }, fitWarnings: ['E near 0'] });
  assert.equal(full.text, 'leave-largest-out: 1.31% · possible break · 1 fit warning');
  assert.equal(full.title, 'the largest run sits off the law\nE near 0');
  assert.deepEqual(familyCheckCell({ fit: { validation } }), { text: 'leave-largest-out: 1.31%' });
  // Review E: a first scan's provisional law printed "leave-largest-out: 1.31%" unmarked.
  const provisional = familyCheckCell({
    fit: { validation },
    provisional: { pendingRunIds: [], filesToRead: 9 },
    fitWarnings: ['E near 0', 'alpha on its bound'],
  });
  assert.equal(provisional.text, '— · 2 fit warnings');
  assert.ok(!provisional.text.includes('1.31'));
  assert.equal(provisional.title, "A provisional law's check is not shown: the full law's follows.\nE near 0\nalpha on its bound");
  assert.deepEqual(familyCheckCell({}), { text: '—' });
});
