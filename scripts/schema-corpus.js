#!/usr/bin/env node
// Records how Serverless Framework v3 validates configurations against its schema, for the
// differential test of crates/sls-schema (tests/corpus.rs): for each configuration, the real
// `ConfigSchemaHandler.validateConfig` runs (ajv 8 as v3 compiles it, with `null` removal,
// coercion in place and `normalizeAjvErrors`), and the case records the configuration after it
// (coerced), ajv's raw errors and v3's messages.
//
// Usage: node scripts/schema-corpus.js [SERVERLESS_DIR] > crates/sls-schema/tests/corpus.json
//   SERVERLESS_DIR defaults to ~/.cache/sls-oracle/node_modules/serverless
//
// The configurations are hand-written cases, probes of every distinct schema node reachable
// from the root (each node set to values of every JSON type and their coercible spellings), and
// seeded random instances built from the schema with coercible mutations. Output: one JSON
// object, one case per line: {"name", "kind", "config", "coerced" (omitted when unchanged),
// "errors": [[instancePath, schemaPath, keyword, message]...] (hand-written cases only),
// "errorCount", "errorDigest" (SHA-1 of those error lines, tab-joined fields), "messages"}.
// Numbers JSON cannot hold are written as {"$number": "Infinity"} (also "-Infinity", "NaN",
// "-0"). Nothing here touches the network: HOME is a throw-away folder, telemetry is off.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const slsDir = path.resolve(
  process.argv[2] || path.join(os.homedir(), '.cache/sls-oracle/node_modules/serverless')
);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sls-corpus-'));
process.env.HOME = tmp;
process.env.SLS_SCHEMA_CACHE_BASE_DIR = tmp;
process.env.SLS_TELEMETRY_DISABLED = '1';
process.env.SLS_NOTIFICATIONS_MODE = 'off';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.argv = [process.argv[0], path.join(slsDir, 'bin/serverless.js'), 'print'];
process.chdir(tmp);

// Capture ajv's raw errors on their way into v3's normalizer (which rewrites their messages).
const normalizePath = require.resolve(
  path.join(slsDir, 'lib/classes/config-schema-handler/normalize-ajv-errors')
);
const realNormalize = require(normalizePath);
let captured = null;
require.cache[normalizePath].exports = (errors) => {
  const raw = errors.map((e) => [e.instancePath, e.schemaPath, e.keyword, e.message]);
  const normalized = realNormalize(errors);
  captured = { raw, messages: normalized.map((e) => e.message) };
  return normalized;
};

// v3 hashes the whole schema on every `validateConfig` call to find its cached validator; the
// schema object of a handler does not change after the first call, so remember it by identity.
const resolvePath = require.resolve(
  path.join(slsDir, 'lib/classes/config-schema-handler/resolve-ajv-validate')
);
const realResolve = require(resolvePath);
const validators = new WeakMap();
require.cache[resolvePath].exports = async (schema) => {
  if (!validators.has(schema)) validators.set(schema, await realResolve(schema));
  return validators.get(schema);
};

const Serverless = require(path.join(slsDir, 'lib/serverless'));
// lodash as serverless resolves it.
const _ = require(require.resolve('lodash', { paths: [slsDir] }));

const handlerFor = async (providerName) => {
  const serverless = new Serverless({
    configuration: { service: 'svc', provider: { name: providerName } },
    serviceDir: tmp,
    configurationFilename: 'serverless.yml',
    commands: ['print'],
    options: {},
    variablesMeta: new Map(),
  });
  await serverless.init();
  serverless.service.configValidationMode = 'error';
  return serverless.configSchemaHandler;
};

// ---------------------------------------------------------------------------------------------
// A small seeded PRNG, so the corpus is reproducible.
let seed = 20240607;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const pick = (list) => list[Math.floor(random() * list.length)];
const chance = (p) => random() < p;

const base = (extra = {}) => ({ service: 'svc', provider: { name: 'aws' }, ...extra });

// ---------------------------------------------------------------------------------------------
// Hand-written cases.
const hand = [
  ['minimal', base()],
  ['print-coerces', {
    service: 'svc',
    provider: { name: 'aws', memorySize: '256', timeout: '10', versionFunctions: 'false',
      stackTags: { num: 1, bool: true } },
    package: { patterns: '!node_modules/**' },
    functions: { hello: { handler: 'h.h', memorySize: '512', events: [{ schedule: { rate: 'rate(5 minutes)' } }] } },
    resources: { Resources: { R: { Type: 'AWS::SNS::Topic', DependsOn: 'Other' } } },
  }],
  ['unknown-top-level', base({ unknownTopLevel: 'x' })],
  ['several-unknown', base({ a: 1, b: 2, provider: { name: 'aws', nope: true } })],
  ['null-values', base({ custom: { a: null, b: 1, nested: { x: null, y: 2 }, list: [null, { k: null, j: 4 }] },
    resources: { Resources: { R: { Type: 'AWS::SNS::Topic', Properties: null, DependsOn: 'x' } } } })],
  ['null-required', { service: 'svc', provider: { name: 'aws', stage: null } }],
  ['missing-provider', { service: 'svc' }],
  ['missing-service', { provider: { name: 'aws' } }],
  ['bad-function-name', base({ functions: { 'bad name': { handler: 'h' }, 'ok-name': { handler: 'h' } } })],
  ['unsupported-event', base({ functions: { f: { handler: 'h', events: [{ nope: {} }] } } })],
  ['event-bad-property', base({ functions: { f: { handler: 'h', events: [{ http: { path: 'x', method: 'get', nope: 1 } }] } } })],
  ['event-wrong-type', base({ functions: { f: { handler: 'h', events: [{ http: 12 }] } } })],
  ['event-http-string', base({ functions: { f: { handler: 'h', events: [{ http: 'GET /x' }, { http: 'BAD' }] } } })],
  ['event-two-keys', base({ functions: { f: { handler: 'h', events: [{ http: 'GET /x', sqs: 'arn:aws:sqs:x' }] } } })],
  ['event-null', base({ functions: { f: { handler: 'h', events: [null, 'x', ['http']] } } })],
  ['events-not-array', base({ functions: { f: { handler: 'h', events: { http: 'GET /' } } } })],
  ['events-scalar', base({ functions: { f: { handler: 'h', events: 'x' } } })],
  ['schedule-coerced-rate', base({ functions: { f: { handler: 'h', events: [{ schedule: { rate: 'rate(5 minutes)', enabled: 'true' } }] } } })],
  ['schedule-bad-rate', base({ functions: { f: { handler: 'h', events: [{ schedule: 'rate(5 minute)' }] } } })],
  ['sqs-batch-size-string', base({ functions: { f: { handler: 'h', events: [{ sqs: { arn: 'arn:aws:sqs:us-east-1:123456789012:q', batchSize: '10' } }] } } })],
  ['s3-event', base({ functions: { f: { handler: 'h', events: [{ s3: { bucket: 'b', event: 's3:ObjectCreated:*', rules: [{ prefix: 'a/' }], existing: 'true' } }] } } })],
  ['iam-statements', base({ provider: { name: 'aws', iam: { role: { statements: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Maybe', Action: ['x'], NotAction: 'y' }] } } } })],
  ['iam-statement-missing-effect', base({ provider: { name: 'aws', iam: { role: { statements: [{ Action: 's3:*' }] } } } })],
  ['environment-values', base({ provider: { name: 'aws', environment: { A: 1, B: true, C: 'x', D: { Ref: 'X' }, E: ['a'], F: { nope: 1 } } } })],
  ['runtime-enum', base({ provider: { name: 'aws', runtime: 'nodejs99.x' } })],
  ['stage-pattern', base({ provider: { name: 'aws', stage: 'bad stage' } })],
  ['service-pattern', { service: '1bad', provider: { name: 'aws' } }],
  ['region-enum', base({ provider: { name: 'aws', region: 'mars-1' } })],
  ['memory-too-small', base({ provider: { name: 'aws', memorySize: 64 } })],
  ['memory-float-string', base({ provider: { name: 'aws', memorySize: '1.5' } })],
  ['memory-one-item-array', base({ provider: { name: 'aws', memorySize: ['256'] } })],
  ['memory-nested-array', base({ provider: { name: 'aws', memorySize: [['256']] } })],
  ['timeout-bool', base({ provider: { name: 'aws', timeout: true } })],
  ['tracing-anyof', base({ provider: { name: 'aws', tracing: { lambda: 'true', apiGateway: 'false' } } })],
  ['deployment-bucket', base({ provider: { name: 'aws', deploymentBucket: { name: 'b', serverSideEncryption: 'AES256', blockPublicAccess: 'true' } } })],
  ['stack-tags-number', base({ provider: { name: 'aws', stackTags: { a: 1, b: false, c: { x: 1 } } } })],
  ['tags-array', base({ provider: { name: 'aws', tags: ['a'] } })],
  ['layers', base({ layers: { base: { path: 'layer', compatibleRuntimes: 'nodejs18.x', retain: 'false' } } })],
  ['layers-bad-name', base({ layers: { 'bad name!': { path: 'x' } } })],
  ['resources-outputs', base({ resources: { Resources: { R: { Type: 'AWS::S3::Bucket', Condition: 1 } }, Outputs: { O: { Value: 1, Export: { Name: 2 } } } } })],
  ['resources-bad-type', base({ resources: { Resources: { R: { Properties: {} } } } })],
  ['plugins-object', base({ plugins: { localPath: './p', modules: 'one' } })],
  ['plugins-bad', base({ plugins: 12 })],
  ['disabled-deprecations', base({ disabledDeprecations: 'CODE_1' })],
  ['disabled-deprecations-bad', base({ disabledDeprecations: ['bad code'] })],
  ['config-validation-mode-bad', base({ configValidationMode: 'loud' })],
  ['framework-version-number', base({ frameworkVersion: 3 })],
  ['variables-resolution-mode', base({ variablesResolutionMode: 20210326 })],
  ['use-dotenv', base({ useDotenv: 'true' })],
  ['params', base({ params: { dev: { a: 1 }, 'bad key!': {}, prod: 'x' } })],
  ['package-individually', base({ package: { individually: 'true', patterns: ['a', 1, true, null], artifact: 12 } })],
  ['package-unknown', base({ package: { nope: 1 } })],
  ['function-props', base({ functions: { f: { handler: 'h', timeout: '30', memorySize: 1024, reservedConcurrency: '5', environment: { X: 1 }, layers: 'arn:aws:lambda:us-east-1:123456789012:layer:x:1', role: 12, description: 5 } } })],
  ['function-image', base({ functions: { f: { image: { uri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/x@sha256:abc', command: 'x' } } } })],
  ['function-url', base({ functions: { f: { handler: 'h', url: 'true' } } })],
  ['function-url-object', base({ functions: { f: { handler: 'h', url: { cors: 'true', authorizer: 'aws_iam' } } } })],
  ['http-api', base({ provider: { name: 'aws', httpApi: { cors: 'true', payload: 2 } }, functions: { f: { handler: 'h', events: [{ httpApi: '*' }, { httpApi: { method: 'get', path: '/x' } }, { httpApi: 'GET' }] } } })],
  ['http-cors', base({ functions: { f: { handler: 'h', events: [{ http: { path: 'x', method: 'get', cors: 'true', private: 'false', integration: 'lambda-proxy' } }] } } })],
  ['http-authorizer', base({ functions: { f: { handler: 'h', events: [{ http: { path: 'x', method: 'get', authorizer: { type: 'TOKEN', name: 'a', resultTtlInSeconds: '0' } } }] } } })],
  ['http-method-bad', base({ functions: { f: { handler: 'h', events: [{ http: { path: 'x', method: 'fetch' } }] } } })],
  ['websocket', base({ functions: { f: { handler: 'h', events: [{ websocket: '$connect' }, { websocket: { route: 1 } }] } } })],
  ['stream', base({ functions: { f: { handler: 'h', events: [{ stream: { type: 'dynamodb', arn: 'arn:aws:dynamodb:x', batchSize: '100', enabled: 'false', startingPosition: 'LATEST' } }] } } })],
  ['alb-conditions', base({ functions: { f: { handler: 'h', events: [{ alb: { listenerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/x/1/2', priority: '1', conditions: { path: '/x', ip: ['1.1.1.1', '1.1.1.1'], query: { a: 1 } } } }] } } })],
  ['cloudfront', base({ functions: { f: { handler: 'h', events: [{ cloudFront: { eventType: 'viewer-request', origin: 'not a uri', behavior: { AllowedMethods: ['GET', 'HEAD', 'GET'] } } }] } } })],
  ['cloudfront-origin-uri', base({ functions: { f: { handler: 'h', events: [{ cloudFront: { eventType: 'viewer-request', origin: 'https://example.com/x' } }] } } })],
  ['s3-lifecycle-dates', base({ provider: { name: 'aws', s3: { b: { name: 'b', lifecycleConfiguration: { Rules: [{ Status: 'Enabled', ExpirationDate: '2024-01-01T00:00:00Z' }, { Status: 'Enabled', ExpirationDate: 'tomorrow' }] } } } } })],
  ['alb-authorizers', base({ provider: { name: 'aws', alb: { authorizers: { a: { type: 'oidc', authorizationEndpoint: 'not uri', clientId: 'c', issuer: 'https://x', tokenEndpoint: 'https://x', userInfoEndpoint: 'https://x' } } } } })],
  ['schedule-input-not-body', base({ functions: { f: { handler: 'h', events: [{ schedule: { rate: 'rate(1 hour)', input: { body: 'x' } } }] } } })],
  ['replication-dependencies', base({ provider: { name: 'aws', s3: { b: { replicationConfiguration: { Role: 'arn:aws:iam::123456789012:role/x', Rules: [{ Status: 'Enabled', Destination: { Bucket: 'arn:aws:s3:::x', AccessControlTranslation: { Owner: 'Destination' } } }] } } } } })],
  ['http-response-status-codes', base({ functions: { f: { handler: 'h', events: [{ http: { path: 'x', method: 'get', integration: 'lambda', response: { statusCodes: { 200: { pattern: '' }, abc: {}, 4000: {} } } } }] } } })],
  ['cf-join', base({ provider: { name: 'aws', environment: { J: { 'Fn::Join': [':', ['a', 'b'], 'extra'] }, K: { 'Fn::Join': ['x'] } } } })],
  ['cf-getatt', base({ provider: { name: 'aws', environment: { G: { 'Fn::GetAtt': 'A.B' }, H: { 'Fn::GetAtt': ['A', ''] } } } })],
  ['integer-keys', base({ custom: { 2: 'b', 1: 'a', x: null, 10: null } })],
  ['mixed-case-keys', base({ provider: { name: 'aws', environment: { b: { nope: 1 }, B: { nope: 1 }, a: [1, 2] } } })],
  ['slash-key', base({ provider: { name: 'aws', 'a/b~c': 1 } })],
  ['root-array-provider', { service: 'svc', provider: [{ name: 'aws' }] }],
  ['service-array', { service: ['svc'], provider: { name: 'aws' } }],
  ['service-number', { service: 12, provider: { name: 'aws' } }],
  ['console-number', base({ console: 1 })],
  ['dashboard', base({ dashboard: { disableMonitoring: 'yes' } })],
  ['org-app', base({ org: 1, app: true, outputs: { a: 1 } })],
];

// ---------------------------------------------------------------------------------------------
// The normalized (inlined) AWS schema, to probe and to generate from.
const normalizeSchemaObject = (object, instanceSchema) => {
  for (const [key, value] of Object.entries(object)) {
    if (!_.isObject(value)) continue;
    if (!value.$ref) {
      normalizeSchemaObject(value, instanceSchema);
      continue;
    }
    object[key] = _.get(instanceSchema, value.$ref.slice(2).split('/'));
  }
};

const sampleKey = (pattern) => {
  for (const key of ['fn', 'a1', 'Key', 'key_1', 'dev', 'abc', 'A']) {
    if (new RegExp(pattern, 'u').test(key)) return key;
  }
  return 'fn';
};

// Every distinct schema node reachable from the root, with a path to reach it.
const reachable = (schema) => {
  const seen = new Set();
  const out = [];
  const walk = (sch, at, depth) => {
    if (!sch || typeof sch !== 'object' || depth > 8) return;
    const visit = (sub, p) => {
      if (!seen.has(sub)) {
        seen.add(sub);
        out.push({ schema: sub, path: p });
      }
      walk(sub, p, depth + 1);
    };
    if (sch.properties) for (const [k, v] of Object.entries(sch.properties)) visit(v, at.concat(k));
    if (sch.patternProperties) {
      for (const [k, v] of Object.entries(sch.patternProperties)) visit(v, at.concat(sampleKey(k)));
    }
    if (sch.additionalProperties && typeof sch.additionalProperties === 'object') {
      visit(sch.additionalProperties, at.concat('extra'));
    }
    if (Array.isArray(sch.items)) sch.items.forEach((s, i) => visit(s, at.concat(i)));
    else if (sch.items) visit(sch.items, at.concat(0));
    for (const kw of ['anyOf', 'oneOf', 'allOf']) if (sch[kw]) sch[kw].forEach((b) => walk(b, at, depth));
  };
  walk(schema, [], 0);
  return out;
};

const setAt = (config, at, value) => {
  let target = config;
  at.forEach((step, i) => {
    const last = i === at.length - 1;
    if (last) {
      target[step] = value;
      return;
    }
    if (!_.isObject(target[step])) target[step] = typeof at[i + 1] === 'number' ? [] : {};
    target = target[step];
  });
  return config;
};

const probesFor = (sch) => {
  const probes = ['abc', '12', 12, true, ['abc'], { k: 'v' }];
  const types = [].concat(sch.type || []);
  if (sch.enum) probes.push([sch.enum[0]], String(sch.enum[0]));
  if (sch.const !== undefined) probes.push([sch.const]);
  if (types.includes('integer') || types.includes('number')) {
    probes.push(String(sch.minimum !== undefined ? sch.minimum - 1 : 1.5), ['7'], 'Infinity');
  }
  if (types.includes('boolean')) probes.push('false', 0, ['true']);
  if (types.includes('array')) probes.push([[1]], [null, 1, false], []);
  if (types.includes('string')) probes.push(['x', 'y'], false, '', 'arn:aws:iam::123456789012:role/x');
  if (sch.anyOf || sch.oneOf) probes.push('*', [12], ['a', 'b'], { Ref: 'X' });
  return probes;
};

// ---------------------------------------------------------------------------------------------
// Random instances from the schema, with coercible mutations.
const strings = ['abc', 'x', '12', '1.5', 'true', 'false', '', 'GET', 'get', '/path', 'rate(5 minutes)',
  'arn:aws:s3:::bucket', 'arn:aws:iam::123456789012:role/r', 'nodejs18.x', 'us-east-1', 'https://example.com/a',
  '2024-01-01T00:00:00Z', '*', 'Ref', 'dev', 'a/b'];
const generate = (sch, depth) => {
  if (!sch || typeof sch !== 'object') return pick(strings);
  if (depth > 6) return pick(strings);
  if (sch.enum && chance(0.85)) return pick(sch.enum);
  if (sch.const !== undefined && chance(0.85)) return sch.const;
  const union = sch.anyOf || sch.oneOf;
  if (union && chance(0.9)) return generate(pick(union), depth);
  const type = [].concat(sch.type || pick(['string', 'object', 'number', 'array', 'boolean']))[0];
  switch (type) {
    case 'string': return pick(strings);
    case 'integer': return Math.floor((sch.minimum || 0) + random() * 20);
    case 'number': return (sch.minimum || 0) + Math.floor(random() * 40) / 4;
    case 'boolean': return chance(0.5);
    case 'null': return null;
    case 'array': {
      const n = Math.floor(random() * 3) + (sch.minItems || 0) * (chance(0.8) ? 1 : 0);
      const items = [];
      for (let i = 0; i < Math.min(n, 4); i++) {
        const itemSchema = Array.isArray(sch.items) ? sch.items[i] : sch.items;
        items.push(generate(itemSchema, depth + 1));
      }
      return items;
    }
    default: {
      const obj = {};
      const props = Object.entries(sch.properties || {});
      for (const name of sch.required || []) {
        const p = (sch.properties || {})[name];
        if (chance(0.9)) obj[name] = generate(p, depth + 1);
      }
      const n = Math.floor(random() * 4);
      for (let i = 0; i < n && props.length; i++) {
        const [name, p] = pick(props);
        obj[name] = generate(p, depth + 1);
      }
      if (sch.patternProperties && chance(0.5)) {
        const [pat, p] = pick(Object.entries(sch.patternProperties));
        obj[sampleKey(pat)] = generate(p, depth + 1);
      }
      if (sch.additionalProperties && typeof sch.additionalProperties === 'object' && chance(0.5)) {
        obj.extra = generate(sch.additionalProperties, depth + 1);
      }
      if (chance(0.05)) obj.unexpected = 1;
      return obj;
    }
  }
};
const mutate = (value) => {
  if (Array.isArray(value)) {
    if (value.length === 1 && chance(0.2)) return value[0];
    return value.map(mutate);
  }
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = chance(0.05) ? null : mutate(v);
    return out;
  }
  if (chance(0.85)) return value;
  if (typeof value === 'number') return pick([String(value), [value], [String(value)]]);
  if (typeof value === 'boolean') return pick([String(value), value ? 1 : 0, [value]]);
  if (typeof value === 'string') return pick([[value], Number(value) || 7, [[value]]]);
  return value;
};

// ---------------------------------------------------------------------------------------------
const encode = (value) =>
  JSON.stringify(value, (key, v) => {
    if (typeof v === 'number') {
      if (Object.is(v, -0)) return { $number: '-0' };
      if (!Number.isFinite(v)) return { $number: String(v) };
    }
    return v;
  });

(async () => {
  // Debugging aid: SCHEMA_CORPUS_CONFIG='{"service":...}' [SCHEMA_CORPUS_KIND=other] prints
  // ajv's raw errors, v3's messages and the coerced configuration for that one configuration.
  if (process.env.SCHEMA_CORPUS_CONFIG) {
    const handler = await handlerFor(process.env.SCHEMA_CORPUS_KIND === 'other' ? 'other' : 'aws');
    const config = JSON.parse(process.env.SCHEMA_CORPUS_CONFIG);
    captured = null;
    try {
      await handler.validateConfig(config);
    } catch (error) {
      if (error.code !== 'INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION') throw error;
    }
    for (const e of captured ? captured.raw : []) process.stdout.write(`${e.join('\t')}\n`);
    process.stdout.write(`${JSON.stringify(captured ? captured.messages : [], null, 1)}\n`);
    process.stdout.write(`${encode(config)}\n`);
    return;
  }
  const cases = [];
  for (const [name, config] of hand) cases.push({ name: `hand/${name}`, kind: 'aws', config });

  const aws = await handlerFor('aws');
  const schema = _.cloneDeep(aws.schema);
  normalizeSchemaObject(schema, schema);
  reachable(schema).forEach(({ schema: sch, path: at }, n) => {
    probesFor(sch).forEach((probe, i) => {
      if (at[0] === 'service' && typeof probe === 'object') return;
      const config = setAt(base(), at, _.cloneDeep(probe));
      cases.push({ name: `probe/${n}/${at.join('.')}/${i}`, kind: 'aws', config });
    });
  });

  const functionSchema = schema.properties.functions.patternProperties['^[a-zA-Z0-9-_]+$'];
  for (let i = 0; i < 1200; i++) {
    const config = base();
    if (chance(0.6)) {
      const fn = mutate(generate(functionSchema, 1));
      if (_.isObject(fn) && !Array.isArray(fn)) {
        const events = [];
        const eventSchemas = functionSchema.properties.events.items.anyOf.slice(1);
        for (let e = Math.floor(random() * 3); e > 0; e--) events.push(mutate(generate(pick(eventSchemas), 2)));
        fn.events = events;
      }
      config.functions = { [pick(['fn', 'hello', 'bad name', 'x_1'])]: fn };
    }
    if (chance(0.5)) {
      const provider = mutate(generate(schema.properties.provider, 1));
      config.provider = Object.assign({ name: 'aws' }, _.isObject(provider) && !Array.isArray(provider) ? provider : {});
    }
    if (chance(0.3)) {
      const [name, sub] = pick(Object.entries(schema.properties).filter(([k]) => !['provider', 'functions', 'service'].includes(k)));
      config[name] = mutate(generate(sub, 1));
    }
    cases.push({ name: `random/${i}`, kind: 'aws', config });
  }

  // Any other provider: the relaxed schema.
  const otherCases = [
    ['minimal', { service: 'svc', provider: { name: 'other' } }],
    ['provider-extra', { service: 'svc', provider: { name: 'other', memorySize: '12', anything: { a: 1 } } }],
    ['function-anything', { service: 'svc', provider: { name: 'other' }, functions: { f: { handler: 1, events: [{ whatever: 1 }, 'x'], nope: true } } }],
    ['bad-function-name', { service: 'svc', provider: { name: 'other' }, functions: { 'bad name': {} } }],
    ['unknown-top-level', { service: 'svc', provider: { name: 'other' }, resources: {}, custom: 'x' }],
    ['package', { service: 'svc', provider: { name: 'other' }, package: { patterns: 'x', individually: 'true' } }],
    ['events-scalar', { service: 'svc', provider: { name: 'other' }, functions: { f: { events: 'x', name: 1 } } }],
    ['plugins', { service: 'svc', provider: { name: 'other' }, plugins: ['a', 1] }],
    ['service-pattern', { service: 'a b', provider: { name: 'other' } }],
    ['params', { service: 'svc', provider: { name: 'other' }, params: { dev: 1 } }],
  ];
  for (const [name, config] of otherCases) cases.push({ name: `other/${name}`, kind: 'other', config });
  for (let i = 0; i < 60; i++) {
    const config = { service: 'svc', provider: { name: 'other' } };
    const [name, sub] = pick(Object.entries(schema.properties).filter(([k]) => k !== 'service'));
    config[name] = mutate(generate(sub, 1));
    if (name === 'provider' && _.isObject(config.provider)) config.provider.name = 'other';
    cases.push({ name: `other/random/${i}`, kind: 'other', config });
  }

  const other = await handlerFor('other');
  const lines = [];
  for (const c of cases) {
    const handler = c.kind === 'aws' ? aws : other;
    // Validate exactly what is recorded (a sparse array's holes become nulls).
    const input = encode(c.config);
    const config = JSON.parse(input);
    captured = null;
    try {
      await handler.validateConfig(config);
    } catch (error) {
      if (error.code !== 'INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION') throw error;
    }
    const output = encode(config);
    const record = { name: c.name, kind: c.kind, config: JSON.parse(input) };
    if (output !== input) record.coerced = JSON.parse(output);
    const raw = captured ? captured.raw : [];
    // ajv's raw errors: all of them for the hand-written cases, a digest for the rest (the
    // SHA-1 of one line per error, its four fields joined by tabs).
    if (c.name.startsWith('hand/')) record.errors = raw;
    record.errorCount = raw.length;
    record.errorDigest = crypto
      .createHash('sha1')
      .update(raw.map((e) => e.join('\t')).join('\n'))
      .digest('hex');
    record.messages = captured ? captured.messages : [];
    lines.push(JSON.stringify(record));
  }
  const { version } = require(path.join(slsDir, 'package.json'));
  process.stdout.write(`{"version":${JSON.stringify(version)},"cases":[\n${lines.join(',\n')}\n]}\n`);
  fs.rmSync(tmp, { recursive: true, force: true });
})().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
