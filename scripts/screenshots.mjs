#!/usr/bin/env node
// Copies the README's screenshots from the last `npm run demo` (demo-output/readme-<name>.png,
// framed on what each is about, taken in the real VS Code from the installed .vsix) into
// media/screenshots/<name>.png, which the README, the walkthrough and the .vsix use.
//
//   npm run demo && npm run screenshots
//   npm run test:e2e && npm run screenshots -- --from test/e2e/screenshots   (the dashboard views only)
//
// Each picture is re-encoded as an indexed-colour PNG of at most 256 colours (median cut, no
// dithering; screenshots of a UI have few colours, so this is close to lossless) because the
// .vsix carries them: each must stay under MAX_BYTES, or the script fails and says which.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fromArg = process.argv.indexOf('--from');
const from = fromArg > 0 && process.argv[fromArg + 1] ? path.resolve(process.argv[fromArg + 1]) : path.join(repoRoot, 'demo-output');
const to = path.join(repoRoot, 'media/screenshots');
/** The pictures the README and the walkthrough show. */
export const SCREENSHOTS = [
  'dashboard',
  'dashboard-scaling',
  'dashboard-validation',
  'lens',
  'hover',
  'planner',
  'ladder-plan',
  'ladder-written',
  'ladder-scaling',
];
/** Largest size of one picture in bytes (test/unit/package-readme.test.ts checks it too). */
export const MAX_BYTES = 120_000;

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

/** Decodes an 8-bit, non-interlaced RGB, RGBA (what Chromium writes) or indexed PNG into RGBA pixels. */
export function decodePng(bytes) {
  if (!bytes.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let colourType = 0;
  let palette;
  const idat = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, ct, , , interlace] = data.subarray(8);
      if (depth !== 8 || (ct !== 2 && ct !== 3 && ct !== 6) || interlace !== 0)
        throw new Error(`unsupported PNG (depth ${depth}, colour type ${ct}, interlace ${interlace})`);
      colourType = ct;
    } else if (type === 'PLTE') palette = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  const channels = colourType === 6 ? 4 : colourType === 3 ? 1 : 3;
  if (colourType === 3 && !palette) throw new Error('indexed PNG without a palette');
  const stride = width * channels;
  const raw = inflateSync(Buffer.concat(idat));
  const pixels = Buffer.alloc(width * height * 4);
  let previous = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? line[i - channels] : 0;
      const up = previous[i];
      const upLeft = i >= channels ? previous[i - channels] : 0;
      let predictor = 0;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        predictor = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      line[i] = (line[i] + predictor) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      if (colourType === 3) {
        palette.copy(pixels, o, line[x] * 3, line[x] * 3 + 3);
        pixels[o + 3] = 255;
        continue;
      }
      pixels[o] = line[x * channels];
      pixels[o + 1] = line[x * channels + 1];
      pixels[o + 2] = line[x * channels + 2];
      pixels[o + 3] = channels === 4 ? line[x * channels + 3] : 255;
    }
    previous = line;
  }
  return { width, height, pixels };
}

/** Median cut over the distinct colours (weighted by their counts) down to `size` colours. */
function medianCut(counts, size) {
  let boxes = [[...counts.entries()]];
  const channel = (c, k) => (c >> (16 - 8 * k)) & 0xff;
  while (boxes.length < size) {
    // Split the box with the widest channel range (weighted by pixels, so busy colours get detail).
    let best = -1;
    let bestScore = 0;
    let bestChannel = 0;
    boxes.forEach((box, i) => {
      if (box.length < 2) return;
      for (let k = 0; k < 3; k++) {
        let lo = 255;
        let hi = 0;
        let weight = 0;
        for (const [c, n] of box) {
          const v = channel(c, k);
          if (v < lo) lo = v;
          if (v > hi) hi = v;
          weight += n;
        }
        const score = (hi - lo) * Math.sqrt(weight);
        if (score > bestScore) [best, bestScore, bestChannel] = [i, score, k];
      }
    });
    if (best < 0) break;
    const box = boxes[best].sort((a, b) => channel(a[0], bestChannel) - channel(b[0], bestChannel));
    const total = box.reduce((s, [, n]) => s + n, 0);
    let half = 0;
    let cut = 1;
    for (; cut < box.length - 1; cut++) {
      half += box[cut - 1][1];
      if (half >= total / 2) break;
    }
    boxes = [...boxes.slice(0, best), box.slice(0, cut), box.slice(cut), ...boxes.slice(best + 1)];
  }
  return boxes.map((box) => {
    const sum = [0, 0, 0];
    let n = 0;
    for (const [c, w] of box) {
      for (let k = 0; k < 3; k++) sum[k] += channel(c, k) * w;
      n += w;
    }
    return sum.map((s) => Math.round(s / n));
  });
}

/** Encodes RGBA pixels (alpha ignored: screenshots are opaque) as an indexed-colour PNG. */
export function encodeIndexedPng({ width, height, pixels }) {
  const counts = new Map();
  for (let i = 0; i < pixels.length; i += 4) {
    const c = (pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2];
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const palette = counts.size <= 256 ? [...counts.keys()].map((c) => [(c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff]) : medianCut(counts, 256);
  const nearest = new Map();
  const indexOf = (c) => {
    let index = nearest.get(c);
    if (index !== undefined) return index;
    const r = (c >> 16) & 0xff;
    const g = (c >> 8) & 0xff;
    const b = c & 0xff;
    let bestDistance = Infinity;
    palette.forEach(([pr, pg, pb], i) => {
      const d = (r - pr) ** 2 + (g - pg) ** 2 + (b - pb) ** 2;
      if (d < bestDistance) [bestDistance, index] = [d, i];
    });
    nearest.set(c, index);
    return index;
  };
  const raw = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0; // filter None: the recommended one for indexed images
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      raw[y * (width + 1) + 1 + x] = indexOf((pixels[o] << 16) | (pixels[o + 1] << 8) | pixels[o + 2]);
    }
  }
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 3; // indexed colour
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('PLTE', Buffer.from(palette.flat())),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function main() {
  // From another folder (the end-to-end suite's) only what it took is updated; the demo must take the
  // original four (the two other dashboard views are also taken by the end-to-end suite).
  // The ladder's three (Plan Experiments) are taken by the end-to-end suite only (test/e2e/ladder.mjs).
  const optional = fromArg > 0 ? SCREENSHOTS : ['dashboard-scaling', 'dashboard-validation', 'ladder-plan', 'ladder-written', 'ladder-scaling'];
  const missing = SCREENSHOTS.filter((name) => !optional.includes(name) && !fs.existsSync(path.join(from, `readme-${name}.png`)));
  if (missing.length > 0) {
    console.error(`screenshots: ${missing.map((n) => `demo-output/readme-${n}.png`).join(', ')} missing: run \`npm run demo\` first (it takes them).`);
    return 1;
  }
  fs.mkdirSync(to, { recursive: true });
  let tooLarge = 0;
  for (const name of SCREENSHOTS) {
    // A source that took only some of the pictures (the end-to-end suite takes the dashboard's) updates those.
    if (!fs.existsSync(path.join(from, `readme-${name}.png`))) {
      console.log(`skip  media/screenshots/${name}.png (no readme-${name}.png in ${path.relative(repoRoot, from)})`);
      continue;
    }
    const source = fs.readFileSync(path.join(from, `readme-${name}.png`));
    const image = decodePng(source);
    const indexed = encodeIndexedPng(image);
    fs.writeFileSync(path.join(to, `${name}.png`), indexed);
    const ok = indexed.length <= MAX_BYTES;
    if (!ok) tooLarge++;
    console.log(
      `${ok ? 'ok  ' : 'FAIL'}  media/screenshots/${name}.png  ${image.width}×${image.height}  ${(source.length / 1024).toFixed(0)} KiB → ${(indexed.length / 1024).toFixed(0)} KiB${ok ? '' : ` (over ${MAX_BYTES / 1000} kB: frame it tighter)`}`,
    );
  }
  return tooLarge === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
