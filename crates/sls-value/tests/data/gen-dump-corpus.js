#!/usr/bin/env node
// Generates dump-corpus.json: what `serverless print` writes for a value, i.e. js-yaml 4's
// `dump(JSON.parse(JSON.stringify(value)), { noRefs: true })`, and `JSON.stringify(value, null, 2)`.
// The cases are deterministic (a seeded generator): strings built from fragments that exercise
// quoting, block scalars, folding and indentation indicators, numbers around the int/float and
// exponent boundaries, and nested maps and sequences.
//
// Usage: node crates/sls-value/tests/data/gen-dump-corpus.js [path/to/js-yaml] > crates/sls-value/tests/data/dump-corpus.json
'use strict';

const yaml = require(process.argv[2] || `${require('os').homedir()}/.cache/sls-oracle/node_modules/js-yaml`);

let seed = 42;
const rand = (n) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
};
const pick = (list) => list[rand(list.length)];

const fragments = [
  'a', 'word', ' ', '  ', '\n', '\n\n', '\t', ':', ': ', ' #', '#', '-', '- ', '?', ',', '[', ']',
  '{', '}', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`', '~', 'yes', 'No', 'null', 'true',
  '0x1F', '0o7', '012', '1e3', '.5', '-.inf', '.NaN', '2020-01-01', '12:30', '1_000', '+1',
  'é', 'ü', '日本', '\u0085', '\u00a0', '\u2028', '\ufeff', '\u0007', '\u001b', '\r', 'x'.repeat(50),
  'long words that go on and on ', '${self:custom.x}', 'AWS::Region', 'arn:aws:s3:::b/*', '=', '<<',
];
const numbers = [
  0, 1, -1, 1.5, -0.25, 1e21, 1e-7, 123456789, 2 ** 53, 2 ** 53 + 2, 1e300, 5e-324, 0.1 + 0.2,
  1e20, 1.5e21, -1e21, 100, 1e-6, 12e-7, 3.14159, -2.5e-10, 1234.5678, 1e16, 123e18,
];

const string = () => {
  const n = 1 + rand(8);
  let s = '';
  for (let i = 0; i < n; i++) s += pick(fragments);
  return s;
};
const scalar = () => {
  switch (rand(6)) {
    case 0: return pick(numbers);
    case 1: return pick([true, false, null]);
    default: return string();
  }
};
const value = (depth) => {
  if (depth > 2 || rand(3) === 0) return scalar();
  if (rand(2) === 0) {
    const items = [];
    for (let i = rand(4); i > 0; i--) items.push(value(depth + 1));
    return items;
  }
  const object = {};
  for (let i = rand(4); i > 0; i--) object[rand(3) === 0 ? string() : `k${rand(100)}`] = value(depth + 1);
  return object;
};

const cases = [];
const add = (v) => {
  const json = JSON.stringify(v);
  cases.push({
    input: json,
    yaml: yaml.dump(JSON.parse(json), { noRefs: true }),
    json: JSON.stringify(JSON.parse(json), null, 2),
  });
};
for (const f of fragments) add({ v: f, [f]: 1 });
for (const n of numbers) add({ v: n, l: [n, -n] });
for (let i = 0; i < 1500; i++) add({ root: value(0) });
process.stdout.write(`${JSON.stringify(cases, null, 0)}\n`);
