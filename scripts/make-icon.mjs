// Draws media/icon.png (128×128): a falling loss curve that turns into a dashed extrapolation.
// Generated rather than drawn by hand so it can be changed in code; run: node scripts/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync, crc32 } from 'node:zlib';

const size = 128;
const px = new Uint8Array(size * size * 4);
const set = (x, y, [r, g, b, a]) => {
  if (x < 0 || y < 0 || x >= size || y >= size) return;
  const i = (y * size + x) * 4;
  const t = a / 255;
  px[i] = Math.round(px[i] * (1 - t) + r * t);
  px[i + 1] = Math.round(px[i + 1] * (1 - t) + g * t);
  px[i + 2] = Math.round(px[i + 2] * (1 - t) + b * t);
  px[i + 3] = Math.max(px[i + 3], a);
};
// Rounded dark square.
for (let y = 0; y < size; y++)
  for (let x = 0; x < size; x++) {
    const dx = Math.max(0, Math.abs(x - 63.5) - 48),
      dy = Math.max(0, Math.abs(y - 63.5) - 48);
    if (Math.hypot(dx, dy) < 16) set(x, y, [30, 36, 48, 255]);
  }
const disc = (cx, cy, r, colour) => {
  for (let y = Math.floor(cy - r - 1); y <= cy + r + 1; y++)
    for (let x = Math.floor(cx - r - 1); x <= cx + r + 1; x++) {
      const d = Math.hypot(x - cx, y - cy);
      if (d <= r + 0.5) set(x, y, [...colour, Math.round(255 * Math.min(1, r + 0.5 - d))]);
    }
};
// L(t) = E + A t^-alpha on log-x, drawn solid then dashed with a widening band.
const curve = (t) => 28 + 70 * Math.pow(t, -0.45);
for (let i = 0; i <= 400; i++) {
  const u = i / 400;
  const x = 18 + u * 92;
  const t = Math.pow(10, u * 2.2);
  const y = 128 - curve(t) - 6;
  if (u < 0.55) disc(x, y, 3, [80, 200, 255]);
  else {
    const w = (u - 0.55) * 30;
    for (let k = -w; k <= w; k += 0.5) set(Math.round(x), Math.round(y + k), [255, 190, 80, 40]);
    if (Math.floor(i / 14) % 2 === 0) disc(x, y, 2.5, [255, 190, 80]);
  }
}
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};
const raw = Buffer.alloc(size * (size * 4 + 1));
for (let y = 0; y < size; y++) Buffer.from(px.buffer, y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(size, 0);
ihdr.writeUInt32BE(size, 4);
ihdr[8] = 8;
ihdr[9] = 6;
writeFileSync(
  'media/icon.png',
  Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]),
);
console.log('wrote media/icon.png');
