#!/usr/bin/env node
// Generates load-corpus.json: what Serverless v3 gets from js-yaml 4 (DEFAULT_SCHEMA
// extended with the CloudFormation short tags) followed by a JSON round trip, and what
// JSON.parse gives for the JSON cases.
//
// Usage: TZ=UTC node tests/data/gen-corpus.js [path/to/js-yaml]
// (TZ=UTC matters only for date keys, which JavaScript stringifies in local time.)
'use strict'

const fs = require('fs')
const path = require('path')

const yamlPath = process.argv[2] || '/root/.cache/sls-oracle/node_modules/js-yaml'
const yaml = require(yamlPath)

// The schema of @serverless/utils/cloudformation-schema.js, rebuilt so that only js-yaml is needed.
const functionNames = ['And', 'Base64', 'Cidr', 'Condition', 'Equals', 'FindInMap', 'GetAtt',
  'GetAZs', 'If', 'ImportValue', 'Join', 'Not', 'Or', 'Ref', 'Select', 'Split', 'Sub']
const cfnTypes = []
for (const name of functionNames) {
  for (const kind of ['mapping', 'scalar', 'sequence']) {
    const functionName = ['Ref', 'Condition'].includes(name) ? name : `Fn::${name}`
    cfnTypes.push(new yaml.Type(`!${name}`, {
      kind,
      construct: (data) => {
        if (name === 'GetAtt' && typeof data === 'string') {
          const [first, ...tail] = data.split('.')
          data = [first, tail.join('.')]
        }
        return { [functionName]: data }
      }
    }))
  }
}
const schema = yaml.DEFAULT_SCHEMA.extend(cfnTypes)

const nest = (open, close, n, inner = '') => open.repeat(n) + inner + close.repeat(n)
const blockMaps = (n, leaf) => {
  let out = ''
  for (let i = 0; i < n; i++) out += '  '.repeat(i) + 'k:\n'
  return out + '  '.repeat(n) + leaf + '\n'
}

const yamlCases = [
  // --- null
  'a: ~', 'a: null', 'a: Null', 'a: NULL', 'a: nULL', 'a:', 'a: ""', "a: ''", '~', 'null', '',
  '# only a comment', '---', '--- ~', '- \n- ~\n-',
  // --- bool
  'a: true', 'a: True', 'a: TRUE', 'a: false', 'a: False', 'a: FALSE', 'a: tRue',
  'a: yes', 'a: no', 'a: on', 'a: off', 'a: y', 'a: n', 'a: Yes', 'a: "true"',
  // --- int
  'a: 0', 'a: 12', 'a: -12', 'a: +12', 'a: 012', 'a: 09', 'a: 00', 'a: -0', 'a: +0', 'a: 0x1F',
  'a: 0x1f', 'a: -0x1F', 'a: 0X1F', 'a: 0x', 'a: 0o17', 'a: 0o8', 'a: 0b101', 'a: -0b101',
  'a: 0b102', 'a: 1_000', 'a: 0x_1F', 'a: 12345678901234567890', 'a: 9007199254740993',
  'a: 0xFFFFFFFFFFFFFFFFFFFF', 'a: 0b' + '1'.repeat(70), 'a: ' + '9'.repeat(400), 'a: 1,000',
  'a: 1:30', 'a: 190:20:30', 'a: -', 'a: +', 'a: 0o',
  // --- float
  'a: 1.5', 'a: -1.5', 'a: +1.5', 'a: .5', 'a: -.5', 'a: +.5', 'a: 1.', 'a: 1.e5', 'a: 1e3',
  'a: 1E3', 'a: 1e-3', 'a: 1e+3', 'a: 6.02e23', 'a: 1.0', 'a: -0.0', 'a: 0.1', 'a: 3.14159265358979',
  'a: .inf', 'a: .Inf', 'a: .INF', 'a: -.inf', 'a: +.inf', 'a: .iNf', 'a: inf', 'a: .nan', 'a: .NaN',
  'a: .NAN', 'a: -.nan', 'a: nan', 'a: 1e400', 'a: -1e400', 'a: 1e', 'a: e3', 'a: 1.5.5', 'a: 1_0.5',
  'a: 2.5e-320', 'a: 0.30000000000000004', 'a: 1e21', 'a: 123456789012345678901234',
  // --- timestamps
  'a: 2024-01-01', 'a: 2001-12-14t21:59:43.10-05:00', 'a: 2001-12-14T21:59:43.10Z',
  'a: 2001-12-14 21:59:43.10 -5', 'a: 2001-12-14 21:59:43.10', 'a: 2001-12-14T21:59:43Z',
  'a: 2001-12-14T21:59:43.1234567Z', 'a: 2001-12-14T21:59:43.+01:30', 'a: 2002-12-14',
  'a: 2024-02-30', 'a: 2023-02-29', 'a: 2024-13-01', 'a: 0050-01-01', 'a: 2001-1-1',
  'a: 2001-1-1 1:02:03', 'a: 2001-01-01 01:02:03 +0530', 'a: 2001-01-01T01:02:03+05:30',
  'a: 2001-01-01T24:00:00Z', 'a: 2001-01-01    01:02:03', 'a: "2024-01-01"', 'a: 2024-01-01x',
  'a: 20240101', 'a: 9999-12-31T23:59:59.999Z', 'a: 1970-01-01T00:00:00-00:01',
  // --- strings
  'a: hello world', 'a: "double \\"quoted\\""', "a: 'single ''quoted'''", 'a: "esc \\t\\n\\\\ \\x41 \\u00e9 \\U0001F600"',
  'a: "\\0 \\a \\b \\v \\f \\r \\e \\N \\_ \\L \\P \\/ \\ "', 'a: "bad \\q escape"', 'a: "\\x4"',
  'a: "line one\n  line two"', "a: 'line one\n\n  line three'", 'a: plain\n  folded\n  text',
  'a: plain\n\n  paragraph', 'a: "trailing  "', "a: '  leading'", 'a: with # not comment',
  'a: with #comment', 'a: url: http://x', 'a: http://x.y/z?q=1#frag', 'a: -dash', 'a: ?q', 'a: :colon',
  'a: a:b', 'a: "a: b"', 'a: é ü ß 日本語 😀', 'a: "\\ud83d\\ude00"', 'a: !!str 123', 'a: [a, "b", \'c\']',
  'a: ${self:custom.x}', 'a: ${env:FOO, \'default\'}', 'a: "${opt:stage, self:provider.stage}"',
  'a: |\n  line 1\n  line 2\n', 'a: |-\n  stripped\n\n', 'a: |+\n  kept\n\n', 'a: >\n  folded\n  text\n\n  para\n',
  'a: >-\n  folded\n   more indented\n  back\n', 'a: >+\n  keep\n\n', 'a: |2\n   two extra\n  base\n',
  'a: |\n  # not a comment\n  text\n# comment\nb: 1', 'a: |\nb: 1', 'a: >\n\n  after blank\n',
  'a: |\n    deep\n  shallow\n', 'a: |1\n  x', '- |\n  in seq\n- >-\n  folded\n  seq\n',
  'a: |\n  tab\there\n', 'a: "multi\\\n  escaped newline"', 'a: \'it\'\'s\'',
  // --- keys
  '1: a', '1.5: a', '1.0: a', '0x10: a', '1e3: a', '.inf: a', '.nan: a', 'true: a', 'False: a',
  'null: a', '~: a', '? \n: a', ': a', '"": a', '2024-01-01: a', '2001-12-14T21:59:43.10Z: a',
  '[a, b]: c', '? [a, b]\n: c', '{a: 1}: c', '? {a: 1}\n: c', '? [a, [b]]\n: c', '? [a, {b: 1}]\n: c',
  '? [1, null, ~, true, 2.5]\n: c', '? - a\n  - b\n: c', '? |\n  block key\n: c', '"quoted key": a',
  "'single key': a", '? explicit\n: value', '? explicit only', '? a\n? b\n: c', 'a b c: d',
  '-1: a', '01: a', '__proto__: a', 'constructor: a', '? !!binary SGk=\n: a', '[1, [2]]: x',
  // --- key order (JavaScript objects list array indices first)
  'b: 1\n2: x\n1: y\n"01": z\n4294967295: q\n4294967294: w\n-1: v\n1.5: u',
  '{z: 1, 10: a, 9: b, a: c}', 'a: 1\n0: 0',
  // --- sequences and flow
  '- a\n- b\n- - c\n  - d', '- a: 1\n  b: 2\n- c: 3', 'a:\n- x\n- y', 'a:\n  - x\n  - y',
  '[a, b, ]', '[a, , b]', '[]', '{}', '{a: 1, b: [2, 3], c: {d: e}}', '[a: 1, b]', '[a: 1, b: 2]',
  '[? a : 1]', '{a, b: c}', '{a: }', '[{a: 1}, {b: 2}]', '{ "a": 1, "b": [true, null] }',
  '[a\n, b]', '{a: 1,\n b: 2}', '- [a, b]\n- {c: d}', 'a: [1, 2\nb: 3', 'a: {b: 1', 'a: [1, 2]]',
  '[a, b]]', '{a: 1}}', '[ "a" , \'b\' ,  c  ]', '- - - a\n    - b\n  - c', '-\n  a: 1',
  // --- anchors and aliases
  'a: &x 1\nb: *x', 'a: &x {k: v}\nb: *x', 'a: &x [1, 2]\nb: *x\nc: *x', 'a: &x hi\n*x : b',
  'a: &x 1\nb: &x 2\nc: *x', 'a: *unknown', 'a: &x [*x]', 'a: &x {b: *x}', '- &a a\n- &b [*a, *a]\n- [*b, *b]',
  'a: &x\nb: *x', 'a: &x !!str\nb: *x', 'a: &x 2024-01-01\nb: *x', '&a [1, 2]', 'a: &x\n  k: v\nb: *x',
  'a: &anchor-with-dash v\nb: *anchor-with-dash', 'a: !!str &x 1\nb: *x', 'a: &x !Ref r\nb: *x',
  // --- merge keys
  'base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  z: 3', 'base: &b {x: 1, y: 2}\nc:\n  z: 3\n  <<: *b',
  'base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  x: 9', 'base: &b {x: 1, y: 2}\nc:\n  x: 9\n  <<: *b',
  'a: &x {a: 1, b: 2}\nb: &y {b: 3, c: 4}\nc:\n  z: 0\n  <<: [*x, *y]\n  a: 9\n  y: 1',
  'a: {<<: {x: 1}, <<: {y: 2}}', 'a: {x: 0, <<: {x: 1}, x: 2}', 'a: {<<: {x: 1}, x: 2, x: 3}',
  'a: {<<: [[1, 2]]}', 'a: {<<: 1}', 'a: {<<: [{x: 1}, 2]}', 'a: {<<: !!binary SGk=}',
  'a: {<<: 2020-01-01, b: 1}', 'a: {<<: ~}', 'a: {<<: []}', 'a: {<<: {}}', '<<: {a: 1}\n"<<": 2',
  "'<<': {a: 1}", '!!merge <<: {a: 1}', '[<<: {a: 1}]', 'a: {<<: {2: x, b: y}, 1: z}',
  'b: &b\n  x: 1\nc: &c\n  <<: *b\n  y: 2\nd:\n  <<: *c\n  z: 3', 'a:\n  <<:\n    x: 1\n  <<:\n    x: 2',
  'a: {<<: !Ref x}', 'a: <<', 'a: [<<]', 'a: {<<: [' + Array(101).fill('{}').join(', ') + ']}',
  'a: {<<: [' + Array(100).fill('{}').join(', ') + ']}',
  // --- duplicate keys
  'a: 1\na: 2', 'a: 1\nb: 2\na: 3', '{a: 1, a: 2}', 'a: 1\n"a": 2', "1: a\n'1': b", '1: a\n1.0: b',
  '~: a\nnull: b', 'a:\n  b: 1\n  b: 2', '[a, b]: 1\n"a,b": 2', '? a\n? a', 'true: 1\n"true": 2',
  // --- explicit core tags
  'a: !!str', 'a: !!str 12', 'a: !!str true', 'a: !!str ~', 'a: !!int "12"', 'a: !!int 0x10', 'a: !!int abc',
  'a: !!int', 'a: !!int 1.5', 'a: !!float 1', 'a: !!float "1.5"', 'a: !!float 0x10', 'a: !!float .nan', 'a: !!float',
  'a: !!bool True', 'a: !!bool yes', 'a: !!bool', 'a: !!null', 'a: !!null ~', 'a: !!null ""', 'a: !!null x',
  'a: !!map {b: 1}', 'a: !!map', 'a: !!map [1]', 'a: !!seq [1]', 'a: !!seq', 'a: !!seq abc',
  'a: !!str [a]', 'a: !!str {a: 1}', 'a: !!timestamp 2024-01-01', 'a: !!timestamp "2024-01-01"', 'a: !!timestamp x',
  'a: !!binary SGVsbG8=', 'a: !!binary |\n  SGVs\n  bG8=', 'a: !!binary SGk', 'a: !!binary "S G k="', 'a: !!binary',
  'a: !!omap [a: 1, b: 2]', 'a: !!omap [a: 1, a: 2]', 'a: !!omap [a]', 'a: !!omap [{a: 1, b: 2}]', 'a: !!omap',
  'a: !!pairs [a: 1, a: 2]', 'a: !!pairs [a]', 'a: !!pairs', 'a: !!set {a, b}', 'a: !!set {a: 1}', 'a: !!set',
  'a: !!set\n  ? x\n  ? y', 'a: !!merge <<', 'a: !!merge x', 'a: !<tag:yaml.org,2002:str> 12',
  'a: !<tag:yaml.org,2002:int> "12"', 'a: ! 12', 'a: ! [1]', 'a: !', 'a: !!python/object x',
  '%TAG !e! tag:example.com,2000:\n---\na: !e!foo x', '%TAG !! tag:example.com,2000:\n---\na: !!str x',
  '%YAML 1.2\n---\na: 1', 'a: !!str\n  b', '!!map\na: 1', '--- !!seq\n- a',
  // --- CloudFormation tags
  'a: !Ref B', 'a: !Ref', 'a: !Ref ""', 'a: !Ref [a]', 'a: !Ref {a: 1}', 'a: !Condition C',
  'a: !Base64 123', 'a: !Base64 abc', 'a: !Base64 {"Fn::Sub": x}', 'a: !Cidr [a, 6, 5]', 'a: !Equals [a, b]',
  'a: !FindInMap [M, K, V]', 'a: !GetAtt A.B', 'a: !GetAtt A.B.C', 'a: !GetAtt Foo', 'a: !GetAtt [A, B]',
  'a: !GetAtt', 'a: !GetAtt "A.B"', 'a: !GetAtt .A', 'a: !GetAZs ""', 'a: !GetAZs us-east-1',
  'a: !If [c, a, b]', 'a: !ImportValue x', 'a: !Join ["-", [a, b]]', 'a: !Join\n  - ","\n  - [a, !Ref B]',
  'a: !Not [!Equals [a, b]]', 'a: !And [!Condition A, !Condition B]', 'a: !Or [x, y]', 'a: !Select [0, [a, b]]',
  'a: !Select ["0", !GetAZs ""]', 'a: !Split [",", "a,b"]', 'a: !Sub "${A}-b"', 'a: !Sub\n  - "${A}-b"\n  - A: !Ref B',
  'a: !Sub |\n  multi ${X}\n', 'a: !Ref 123', 'a: !Ref true', 'a: !Ref ~', 'a: !Transform {Name: x}',
  'a: !ref B', 'a: !GetAttr x', '!Ref x: y', 'a: [!Ref a, !Ref b]', 'a: {b: !Ref c}', 'a: !Ref\n  - x',
  'a: !Ref &r x\nb: *r', 'a: &r !Ref x\nb: *r', 'a: !Ref !Ref x', 'a: !<!Ref> x',
  'resources:\n  Outputs:\n    O2: {Value: !GetAtt B.Arn}\n    O4: {Value: !Join [\'-\', [a, !Ref B]]}\n    O12:\n      Value: !Sub\n        - \'${A}-b\'\n        - A: !Ref B',
  // --- documents
  'a: 1\n---\nb: 2', 'a: 1\n---\n', '--- a\n...\n', 'a: 1\n...\n', 'a: 1\n...\n# c\n', '---\na: 1\n...\n---\nb: 2',
  '--- |\n  x', '---\n---', '%YAML 1.2\na: 1', '--- >\n  folded\n  doc', '...\na: 1',
  // --- syntax errors
  'a:\n\tb: 1', '\ta: 1', 'a: 1\n b: 2', 'a:\n  b: 1\n c: 2', 'a: "unterminated', "a: 'unterminated",
  'a: [1, 2', 'a: {b: 1', '- a\nb: 1', 'a: b: c', 'a:b', 'a: 1\n- b', '[a]: [b]: c', 'a: @x', 'a: `x',
  'a: %x', '  a: 1\nb: 2', 'a:\n  - b\n  c: 1', '? a\n: b\n: c', 'a: *', 'a: &', 'a: !!', 'key: "a"b',
  '{a: 1} x', '- a\n  - b', 'a: |\n text\n  more', 'a: - b', 'a: "\\u12"', 'a: "\\uD800"',
  'a: 1 # c\nb: 2 #c', 'a:   # comment only\nb: 2', '#!shebang\na: 1', 'a: b # c # d',
  // --- tabs and whitespace
  'a:\tb', 'a: \tb', '- \ta', 'a: [\t1,\t2]', 'a: b\t', 'a: "\tb"', 'a:\n  b: |\n    \tx\n',
  // --- line endings and BOM
  'a: 1\r\nb: 2\r\n', 'a: |\r\n  x\r\n  y\r\n', '\ufeffa: 1', 'a: 1\rb: 2',
  // --- non-printable characters
  'a: x\u0001y', 'a: "x\u0001y"', "a: 'x\u007fy'", 'a: x\u007fy', '# \u0001 comment\na: 1', 'a: x\u0085y',
  'a: "x\u0085y"', 'a: x\ufeffy',
  // --- nesting depth (js-yaml maxDepth 100)
  nest('[', ']', 98), nest('[', ']', 99), nest('[', ']', 100), nest('{a: ', '}', 98, '1'), nest('{a: ', '}', 99, '1'),
  'a: ' + nest('[', ']', 99), 'a: ' + nest('[', ']', 100), 'a:\n  ' + nest('[', ']', 98), 'a:\n  ' + nest('[', ']', 99),
  '- ' + nest('[', ']', 98), '- ' + nest('[', ']', 99), blockMaps(99, 'x'), blockMaps(98, 'k: x'), blockMaps(99, 'k: x'),
  blockMaps(98, '[x]'), blockMaps(98, 'k: [x]'), blockMaps(99, '- x'), nest('[', ']', 10000),
  // --- realistic serverless.yml
  `service: my-service
frameworkVersion: '3'
provider:
  name: aws
  runtime: nodejs18.x
  stage: \${opt:stage, 'dev'}
  region: us-east-1
  environment:
    TABLE: !Ref Table
    ARN: !GetAtt Table.Arn
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [dynamodb:GetItem, dynamodb:PutItem]
          Resource:
            - !GetAtt Table.Arn
            - !Join ['/', [!GetAtt Table.Arn, index, '*']]
custom:
  defaults: &defaults
    memorySize: 512
    timeout: 10
functions:
  hello:
    <<: *defaults
    handler: handler.hello
    timeout: 30
    events:
      - httpApi:
          path: /hello
          method: get
resources:
  Conditions:
    IsProd: !Equals [\${sls:stage}, prod]
  Resources:
    Table:
      Type: AWS::DynamoDB::Table
      Condition: IsProd
      Properties:
        BillingMode: PAY_PER_REQUEST
        AttributeDefinitions:
          - AttributeName: id
            AttributeType: S
        KeySchema:
          - {AttributeName: id, KeyType: HASH}
  Outputs:
    TableName:
      Value: !Sub '\${Table}-name'
      Export:
        Name: !Sub \${AWS::StackName}-table
`,
  `# comment
package:
  patterns:
    - '!node_modules/**'
    - src/**
plugins:
  - serverless-offline
params:
  default:
    domain: \${sls:stage}.example.com
  prod:
    domain: example.com
`,
  'a: &a {x: 1}\nb: &b {y: *a}\nc: {<<: *b, z: [*a, *b]}',
  // --- surrogate escapes, BOMs, tabs after colons (saphyr is stricter here)
  'a: "\\ud83d\\ude00 and \\ud800 lone"', "a: '\\ud83d'", 'a: \\ud83d', 'a: "\\U0000D800"',
  '"\\ud83d\\ude00": x', 'a: "\\uDE00\\uD83D"', 'a: "\\ud83d\\ude00"\nb: "\\ud83d\\ude01"',
  'a: [\t1]', 'a:\t[1]', 'a:\t-1', 'a:\t# c', '- a:\tb\n  c:\td', 'a:\t\t"x"',
  'a: 1\n\ufeffb: 2', 'a: x\ufeff\ufffcy', 'a: 1\n...\n\ufeff', '# \ufeff\na: 1', '? \ufeff\n: x',
  // --- document markers as js-yaml counts them
  '...\n', '...\n...\n', '---\n...\n', 'a\n... # c\n', 'a\n...\n# c\n---\n', '--- a\n--- b', '...',
  '--- # c\na: 1', 'a: 1\n--- # c', '%YAML 1.2\n---\na', '%YAML 1.2\n--- a\n...\n%YAML 1.2\n--- b',
  'a: |\n  x\n...\n', 'a: "x\n---\n"', '---a: 1', '...a: 1', 'a: 1\n---b: 2',
  // --- empty keys
  '{: a}', '[: a]', '- : a', 'a:\n  : b', '? \n: a', '?\n: a', '? # c\n: a', '{? : a}',
  // --- tabs
  ' \ta: 1', '- \ta', '-\ta', 'a:\n  -\tb', 'a:\n \t- b', 'a: 1\n\tb: 2', '\t- a', '\t[a]', '\ta',
  'a:\n\t  b', '- \ta: 1', 'a: \t{b: 1}', 'key:\t\n  b: 1', 'a:\n  b: 1\n  \t\n  c: 2', '- a\n\t\n- b',
  // --- layout
  'k'.repeat(1100) + ': v', 'a\nb: c', 'a: &a.b x\nb: *a.b', 'a: [\n  1, 2\n]', 'a: {\nb: 1}',
  'a: [\n1, 2]', 'a: # c\n  b', 'a:\n  # c\n  b: 1', '  a: 1\n  b: 2', '- - a\n  - b', '"a:b": c',
  '&k a: 1\nb: *k', 'a: &a\n  - 1\nb: *a', 'ключ: значение\nк2: [ä, "ö"]', 'a: |x', 'a: >x\n  y',
  'a: \'@foo\'', 'a: "%x"', 'a: yes please', 'a: 1 2 3', 'a: 0x1F 2', 'a: 1.2.3', 'a: +inf', 'a: -inf',
  'a: 12e03', 'a: 0.', 'a: -0.5e-3', 'a: 1e-400', 'a: 1_2', 'a: 2001-12-14 21:59:43.10 Z',
  'a: 2001-12-14T21:59:43.10z', 'a: 1999-12-31t23:59:59.999999999+14:00', 'a: !!int 1_000', 'a: !!float 1_0',
  'a: !!binary |\n  R0lGODlhDAAMAIQAAP//9/X17unp5WZmZgAAAOfn515eXvPz7Y6OjuDg4J+fn5\n  OTk6enp56enmlpaWNjY6Ojo4SEhP/++f/++f/++f/++f/++f/++f/++f/++f/+\n',
  'b: &b {2: x, 1: y}\nc: {z: 0, <<: *b}', 'a:\n  - b: 1\n    c: [2, {d: 3}]\n  - e', 'a: "x" # c',
  'a: \'x\' #c', 'a: {b: c} # d', 'a: [b] #c', '- &a x\n- *a\n- *a', '? &a a\n: *a',
  'a: !!str 0x1F', 'a: !!null null', 'a: !!bool "false"', 'a: !!seq []', 'a: !!map {}',
  'a:\n  - x\n  -\n  - y', 'a: b\n\n\nc: d\n', 'a: "quoted\\ttab"', "a: 'two\n\n\n  breaks'",
  'a: >\n  one\n  two\n\n  three\n   indented\n  four\n', 'a: |\n\n  leading blank\n', 'a: |-\n', 'a: >+\n\n',
  'a:\n  - |\n    block in seq\n  - plain', 'a: ${self:x}-${opt:y}', 'a: ${file(./x.yml):y}',
  'x-y_z.w: 1', '"": ""', "'': x", 'a: !Sub ["${A}", {A: !Ref B}]', 'a: !If\n  - C\n  - !Ref X\n  - !Ref AWS::NoValue',
  'a: !GetAtt\n  - A\n  - B.C', 'a: !Join\n  - ""\n  - - "arn:aws:s3:::"\n    - !Ref Bucket\n    - "/*"',
  'a: !FindInMap\n  - M\n  - !Ref AWS::Region\n  - K', 'a: !Cidr [!GetAtt V.CidrBlock, 1, 8]',
  // --- continuation lines js-yaml does not indentation-check
  'a: "b\nc"', 'x:\n  a: "b\nc"', "x:\n  a: 'b\n\nc'", '- "a\nb"', 'x:\n  a: [\n  1, 2]', 'x: {a: [\nb]}',
  'x:\n  - [\na]', 'a: [b,\n"c\nd"]', 'x:\n  a: [b]\n c: 1', 'x:\n  a: "b\n c"\n d: 1',
  'Policy: {\n"Version": "2012",\n"Statement": [\n{"Effect": "Allow"}\n]\n}', 'a: "b\n  c"\nd: "e\nf"',
  'a: {b: "c\nd"}', '- [a,\nb, [c,\nd]]', 'x:\n  a: "b\n\\\n  c"', 'x:\n  a: "unterminated\nb: 1',
  'x:\n  y: [a,\n# c\nb]', 'x:\n  y: {a: 1,\n"b": [1,\n2]}\n  z: 2',
  // --- js-yaml absorbs the entry after an empty sequence entry into that sequence
  'items:\n  - name: a\n    list:\n      -\n  - name: b\n    more: 1\n  - name: c\n', '- -\n- x', '- -\n-\n- x\n- y',
  'a:\n  - x\n  -\n- y', '- a: 1\n  l:\n    -\n- b', 'a:\n  -\nb: 1', 'x:\n  -\n  -\ny: 1', '- -\n-\n  - [[], [1]]\n- [x]\n- 0.1\n',
  'a:\n  b:\n    - # empty\n\n  # comment\n  - c\n', 'l:\n  - -\n  - x\n', '- - -\n- x',
  // --- explicit keys are never merge keys in a block mapping
  '? <<\n: <<', 'c: {x}\n? <<\n: .\n', '? <<\n: {a: 1}', '{? <<: {a: 1}}', '? !!merge <<\n: {a: 1}',
  // --- content on the document start line
  '--- a: 1', '--- a: 1\n    b: 2', '--- a: 1\nb: 2', '--- - x\n    - y', '--- ~: null', '# c\n--- a: [1]',
  '%YAML 1.2\n--- a: 1',
  // --- plain scalars js-yaml does not start
  '[|]', '[>]', '[%x]', '[@x]', '[`x]', '[?]', '[-]', '[- a]', '{-: a}', '[? a]', 'a: [-a, ?b, :c]', '[a, -]', '{a: -}',
  '[:]', '[:a]', '{: }', 'a: [>x]',
]

const jsonCases = [
  '{}', '[]', '1', '-0', '1.5e3', '"a"', 'true', 'null', ' {"a": [1, 2, {"b": null}]} ',
  '{"a": 1, "a": 2}', '{"b": 1, "2": 2, "1": 3, "a": 4}', '"\\u00e9\\ud83d\\ude00"', '"\\n\\t\\"\\\\\\/"',
  '1e400', '12345678901234567890', '0.1', '[1, 2,]', '{"a": 1,}', '// c\n{}', "{'a': 1}", '{a: 1}',
  '01', '1.', '.5', '+1', 'NaN', 'Infinity', '[1 2]', '"a\tb"', '"\\x41"', '\ufeff{}', '', ' ',
  '[] []', '"abc', '{"a" 1}', '{"a": }', 'tru', 'nul', '-', '1e', '1e+', '[', '{"__proto__": 1}',
  '"\\u12"', '{"a":{"b":{"c":[[[]]]}}}', '\n\t\r {"x" : "y" } \n',
]

function runYaml (text) {
  try {
    const value = yaml.load(text, { schema })
    return { yaml: text, expected_json: value === undefined ? 'null' : JSON.stringify(value) }
  } catch (error) {
    return { yaml: text, error: true, message: String(error.message).split('\n')[0] }
  }
}

function runJson (text) {
  try {
    return { json: text, expected_json: JSON.stringify(JSON.parse(text)) }
  } catch (error) {
    return { json: text, error: true, message: String(error.message).split('\n')[0] }
  }
}

const corpus = yamlCases.map(runYaml).concat(jsonCases.map(runJson))
const out = path.join(__dirname, 'load-corpus.json')
fs.writeFileSync(out, JSON.stringify(corpus, null, 1) + '\n')
console.log(`wrote ${corpus.length} cases (${yamlCases.length} yaml, ${jsonCases.length} json) to ${out}`)
