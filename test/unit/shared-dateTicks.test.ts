// The wall-clock axis's ticks: round moments, labelled with the date where a day begins.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { dateTicks, dateTimeText } from '../../src/shared/dateTicks';

const at = (iso: string) => Date.parse(iso) / 1000;

test('a few hours: ticks on the round hour, the date on the first and at midnight', () => {
  const ticks = dateTicks(at('2025-06-01T21:10:00Z'), at('2025-06-02T04:50:00Z'), 8, 'utc');
  assert.deepEqual(
    ticks.map((t) => t.label),
    ['1 Jun 22:00', '2 Jun 00:00', '02:00', '04:00'],
  );
  for (const t of ticks) assert.equal(t.value % 3600, 0, 'on the hour');
});

test('minutes: 15-minute ticks within an hour and a half', () => {
  const ticks = dateTicks(at('2025-06-01T14:02:00Z'), at('2025-06-01T15:31:00Z'), 8, 'utc');
  assert.deepEqual(
    ticks.map((t) => t.label),
    ['1 Jun 14:15', '14:30', '14:45', '15:00', '15:15', '15:30'],
  );
});

test('days: midnights labelled by date, the year only when it changes', () => {
  const ticks = dateTicks(at('2024-12-29T08:00:00Z'), at('2025-01-03T08:00:00Z'), 8, 'utc');
  assert.deepEqual(
    ticks.map((t) => t.label),
    ['30 Dec', '31 Dec', '1 Jan 2025', '2 Jan 2025', '3 Jan 2025'],
  );
});

test('never more ticks than asked; seconds when the span is under a minute; nothing for a bad range', () => {
  for (const [span, max] of [
    [40, 6],
    [7200, 5],
    [86_400 * 40, 6],
    [86_400 * 800, 6],
  ] as const) {
    const ticks = dateTicks(1.7e9, 1.7e9 + span, max, 'utc');
    assert.ok(ticks.length >= 2 && ticks.length <= max, `${span} s: ${ticks.length} ticks (${ticks.map((t) => t.label).join(', ')})`);
    for (let i = 1; i < ticks.length; i++) assert.ok(ticks[i].value > ticks[i - 1].value);
  }
  assert.match(dateTicks(1.7e9, 1.7e9 + 40, 6, 'utc')[1].label, /^\d\d:\d\d:\d\d$/);
  assert.deepEqual(dateTicks(NaN, 1, 5), []);
  assert.deepEqual(dateTicks(2, 1, 5), []);
  assert.equal(dateTimeText(at('2025-06-01T14:30:05Z'), 'utc'), '1 Jun 2025 14:30:05');
});
