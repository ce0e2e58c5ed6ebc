#!/usr/bin/env node
'use strict';
// Credential oracle for Serverless Framework v3.40.0: which AWS credentials would
// `serverless deploy` use for this fixture? Records what the real `AwsProvider.getCredentials()`
// produces, offline.
//
//   node scripts/v3-credentials.js FIXTURE_DIR [--out FILE|-] [--tool-root DIR]
//
// Normally run by scripts/record-credentials, which builds the fixture's clean environment
// (env -i PATH=... HOME=<fixture>/home + the fixture's `env`) and runs this on a throw-away copy
// of the fixture (serverless writes caches into $HOME). Run directly, it uses the current
// environment as the fixture's environment. Default output: FIXTURE_DIR/oracle.json.
//
// How: the real CLI entry (bin/serverless.js) runs in this process as `serverless print <args>`
// from the fixture folder, so stage, dotenv and variables (provider.profile: ${...}) are resolved
// by serverless itself. PluginManager#run is replaced by the probe, so no lifecycle hook runs:
// after resolution and schema validation, the probe calls provider.getCredentials() and records
// every credentials object serverless constructs (the precedence steps), every aws-sdk request
// (recorded at the `validate` event, signer taken from the Authorization header at `send`, then
// failed with a non-retryable NetworkingError so nothing leaves the machine), MFA prompts
// (answered with 123456) and blocked processes. When serverless selects nothing, it walks
// AWS.CredentialProviderChain.defaultProviders the way CredentialProviderChain#resolve does and
// stops at the first provider that yields credentials or that needs an external call (AWS API,
// HTTP, process) to do so; EC2 instance metadata never counts as a winner offline.
// Errors (handle-error) are recorded instead of printed. See fixtures/profiles/README.md.

const os = require('os');
const path = require('path');
const oracle = require('./lib/credentials-oracle');

const { state, errorInfo } = oracle;
const USAGE = 'usage: node scripts/v3-credentials.js FIXTURE_DIR [--out FILE|-] [--tool-root DIR]\n';
const { mask } = oracle;
const TOOL = 'serverless@3.40.0 AwsProvider.getCredentials()';
const SETTLE_MS = 15000;
const GUARD_MS = 45000;
const MAX_LISTED = 12;

const cli = oracle.parseCli(
  process.argv.slice(2),
  USAGE,
  path.join(os.userInfo().homedir, '.cache/sls-oracle/node_modules/serverless')
);
const toolRoot = cli.toolRoot;

if (!cli.child) {
  process.exitCode = oracle.runParent({
    script: __filename,
    cli,
    defaultOut: path.join(cli.fixture, 'oracle.json'),
    timeoutMs: GUARD_MS + 15000,
    crashResult: (partial, exit) => ({
      ...(partial || baseResult()),
      outcome: 'error',
      error: exit.timedOut
        ? { code: 'ORACLE_TIMEOUT', message: 'the serverless process did not finish in time' }
        : { code: 'PROCESS_CRASHED', message: exit.fatal || `exit status ${exit.status}, signal ${exit.signal}` },
      exit: { status: exit.status, signal: exit.signal },
    }),
  });
  return;
}

oracle.install();
const outFile = cli.outFile;
state.fixture = cli.fixture;

const slsBin = path.join(toolRoot, 'bin/serverless.js');
const sdkFile = require.resolve('aws-sdk', { paths: [toolRoot] });

// ---------------------------------------------------------------------------------------------
// aws-sdk v2 instrumentation

let AWS = null;
let OrigIni = null;
let OrigEnv = null;
let pendingLoads = 0;
let pendingRequests = 0;
const credObjects = []; // records of every SharedIniFileCredentials / EnvironmentCredentials
let credObjectsOmitted = 0;
const awsCalls = [];
let awsCallsOmitted = 0;

function snapshot(obj) {
  return {
    access_key_id: obj.accessKeyId === undefined ? null : obj.accessKeyId,
    secret_access_key: mask(obj.secretAccessKey),
    session_token: mask(obj.sessionToken),
    role_arn: obj.roleArn === undefined ? null : obj.roleArn,
  };
}

function keepRecord(rec) {
  // a role loop constructs thousands of source-profile objects: keep the first few
  const sameKind = credObjects.filter((r) => r.phase === rec.phase && r.role === rec.role).length;
  if (rec.role === 'role-source' && sameKind >= MAX_LISTED) {
    credObjectsOmitted++;
    return false;
  }
  credObjects.push(rec);
  return true;
}

function patchSdk(sdk) {
  AWS = sdk;
  OrigIni = AWS.SharedIniFileCredentials;
  OrigEnv = AWS.EnvironmentCredentials;

  function SharedIniFileCredentials(options) {
    const opts = { ...(options || {}) };
    const role = opts.tokenCodeFn ? 'step' : opts.preferStaticCredentials ? 'role-source' : 'other';
    const rec = { phase: state.phase, kind: 'shared-ini', role, requested_profile: opts.profile === undefined ? null : opts.profile };
    const userCallback = opts.callback;
    let called = false;
    pendingLoads++;
    opts.callback = function callback(err) {
      if (!called) {
        called = true;
        pendingLoads--;
        rec.load_error = errorInfo(err);
      }
      if (userCallback) userCallback.apply(this, arguments);
    };
    let obj;
    try {
      obj = new OrigIni(opts);
    } catch (error) {
      if (!called) {
        called = true;
        pendingLoads--;
      }
      rec.constructor_error = errorInfo(error);
      keepRecord(rec);
      throw error;
    }
    rec.profile = obj.profile;
    rec.filename = obj.filename === undefined ? null : obj.filename;
    rec.after_construction = snapshot(obj);
    rec.object = obj;
    keepRecord(rec);
    return obj;
  }
  SharedIniFileCredentials.prototype = OrigIni.prototype;
  Object.setPrototypeOf(SharedIniFileCredentials, OrigIni);
  AWS.SharedIniFileCredentials = SharedIniFileCredentials;

  function EnvironmentCredentials(envPrefix) {
    const rec = { phase: state.phase, kind: 'env', role: 'step', prefix: envPrefix };
    const obj = new OrigEnv(envPrefix);
    rec.after_construction = snapshot(obj);
    rec.object = obj;
    credObjects.push(rec);
    return obj;
  }
  EnvironmentCredentials.prototype = OrigEnv.prototype;
  Object.setPrototypeOf(EnvironmentCredentials, OrigEnv);
  AWS.EnvironmentCredentials = EnvironmentCredentials;

  // Record each request when it starts, its signer when it would be sent, then fail it.
  AWS.events.on('validate', (req) => {
    const entry = {
      phase: state.phase,
      service: req.service.serviceIdentifier,
      operation: req.operation,
      region: req.service.config.region === undefined ? null : req.service.config.region,
      params: JSON.parse(JSON.stringify(req.params || {})),
      signed_with: null,
    };
    req.oracleEntry = entry;
    pendingRequests++;
    if (awsCalls.length < MAX_LISTED * 2) awsCalls.push(entry);
    else awsCallsOmitted++;
  });
  AWS.events.on('send', (resp) => {
    const req = resp.request;
    const entry = req.oracleEntry;
    const auth = req.httpRequest.headers.Authorization || '';
    const m = /Credential=([^/,\s]+)\//.exec(auth);
    if (entry) {
      entry.endpoint = req.httpRequest.endpoint.host;
      entry.signed_with = m ? m[1] : null;
    }
    // Core SEND still runs after this listener (listeners do not halt during transitions) and
    // reaches the stubbed HTTP client below; this error, thrown first, is the one the request
    // ends with, and it is not retryable, so there is exactly one attempt.
    req.httpRequest.oracleRecorded = true;
    const error = oracle.networkError(`aws-sdk ${req.service.serviceIdentifier}.${req.operation}`);
    error.code = 'NetworkingError';
    error.retryable = false;
    throw error;
  });
  AWS.events.on('complete', (resp) => {
    const entry = resp.request.oracleEntry;
    if (!entry || entry.done) return;
    entry.done = true;
    pendingRequests--;
    entry.result = resp.error ? errorInfo(resp.error) : 'success';
  });

  // The raw HTTP client (instance metadata, container credentials): record and fail.
  AWS.NodeHttpClient.prototype.handleRequest = function handleRequest(httpRequest, httpOptions, callback, errCallback) {
    if (!httpRequest.oracleRecorded) state.network.push({
      phase: state.phase,
      layer: 'aws-sdk-http',
      method: httpRequest.method,
      host: httpRequest.endpoint.hostname,
      path: httpRequest.path,
    });
    const error = oracle.networkError('aws-sdk http client');
    error.code = 'NetworkingError';
    error.retryable = false;
    const { EventEmitter } = require('events');
    const stream = new EventEmitter();
    process.nextTick(() => errCallback(error));
    return stream;
  };
  return AWS;
}

oracle.hookRequest('aws-sdk', sdkFile, patchSdk);

// ---------------------------------------------------------------------------------------------
// the probe

let serverlessInstance = null;

function baseResult() {
  return {
    tool: TOOL,
    stage: null,
    region: null,
    provider_profile: null,
    dashboard_enabled: null,
    outcome: null,
    credentials: null,
    error: null,
  };
}

function fillFromServerless(result, serverless) {
  if (!serverless) return;
  try {
    const provider = serverless.getProvider('aws');
    if (!provider) return;
    result.stage = provider.getStage();
    result.region = provider.getRegion();
    const profile = serverless.service.provider.profile;
    result.provider_profile = profile === undefined || profile === '' ? (profile === '' ? '' : null) : profile;
    const isDashboardEnabled = require(path.join(toolRoot, 'lib/configuration/is-dashboard-enabled'));
    result.dashboard_enabled = isDashboardEnabled({
      configuration: serverless.configurationInput || {},
      options: serverless.processedInput.options || {},
    });
  } catch (error) {
    oracle.debugLog('cannot read stage/region', error && error.message);
  }
}

function credentialRecords(phase) {
  return credObjects
    .filter((r) => r.phase === phase)
    .map((r) => {
      const out = { kind: r.kind, role: r.role };
      if (r.kind === 'env') out.prefix = r.prefix;
      else {
        out.requested_profile = r.requested_profile;
        out.profile = r.profile === undefined ? null : r.profile;
        out.filename = r.filename === undefined ? null : r.filename;
      }
      Object.assign(out, r.after_construction || {});
      if (r.kind === 'shared-ini') out.load_error = r.load_error === undefined ? 'pending' : r.load_error;
      if (r.constructor_error) out.constructor_error = r.constructor_error;
      return out;
    });
}

function describeProvider(p) {
  if (!p) return null;
  for (const name of ['SsoCredentials', 'ECSCredentials', 'ProcessCredentials', 'TokenFileWebIdentityCredentials', 'EC2MetadataCredentials']) {
    if (AWS[name] && p instanceof AWS[name]) return name;
  }
  if (p instanceof OrigEnv) return `EnvironmentCredentials(${p.envPrefix})`;
  if (p instanceof OrigIni) return 'SharedIniFileCredentials';
  return (p.constructor && p.constructor.name) || 'unknown';
}

const idle = () => pendingLoads === 0 && pendingRequests === 0;

async function walkDefaultChain() {
  state.phase = 'default-chain';
  const entries = [];
  let winner = null;
  for (const providerFn of AWS.CredentialProviderChain.defaultProviders) {
    const marks = { calls: awsCalls.length + awsCallsOmitted, net: state.network.length, proc: state.processes.length };
    let p = null;
    let err = null;
    try {
      p = providerFn.call();
      err = await oracle.withTimeout(new Promise((resolve) => p.get((e) => resolve(e || null))), SETTLE_MS, 'credential provider');
    } catch (e) {
      err = e;
    }
    await oracle.settle(idle, SETTLE_MS);
    const name = describeProvider(p);
    const external = [];
    if (awsCalls.length + awsCallsOmitted > marks.calls) external.push('aws-api');
    if (state.network.length > marks.net) external.push('network');
    if (state.processes.length > marks.proc) external.push('process');
    const entry = { provider: name };
    if (p && p.profile !== undefined) entry.profile = p.profile;
    if (!err) {
      entry.result = 'credentials';
      entry.access_key_id = p.accessKeyId === undefined ? null : p.accessKeyId;
      entry.secret_access_key = mask(p.secretAccessKey);
      entries.push(entry);
      winner = name;
      break;
    }
    entry.result = external.length ? 'needs-external-call' : 'error';
    if (external.length) entry.external = external;
    entry.error = errorInfo(err);
    entries.push(entry);
    if (external.length && name !== 'EC2MetadataCredentials') {
      winner = name;
      break;
    }
  }
  return { entries, winner };
}

async function probe(serverless) {
  const result = baseResult();
  fillFromServerless(result, serverless);
  const provider = serverless.getProvider('aws');
  // if getCredentials() takes the process down, the parent still knows the inputs
  oracle.writeJson(`${outFile}.partial`, { ...result, candidates: null, aws_calls: null });
  state.phase = 'serverless';
  let selected = null;
  let thrown = null;
  let creds = null;
  try {
    selected = provider.getCredentials();
    creds = selected && selected.credentials;
  } catch (error) {
    thrown = error;
  }
  const immediate = creds ? snapshot(creds) : null;
  const settled = await oracle.settle(idle, SETTLE_MS);
  let chain = null;
  if (thrown) {
    result.outcome = 'error';
    result.error = errorInfo(thrown);
  } else if (creds) {
    result.outcome = 'credentials';
    const isProfile = creds instanceof OrigIni;
    const isEnv = creds instanceof OrigEnv;
    result.credentials = {
      source: isProfile ? 'profile' : isEnv ? 'env' : 'unknown',
      profile: isProfile ? creds.profile : null,
      env_prefix: isEnv ? creds.envPrefix : null,
      access_key_id: immediate.access_key_id,
      role_arn: immediate.role_arn,
      default_chain_provider: null,
    };
  } else {
    chain = await walkDefaultChain();
    result.outcome = chain.winner ? 'credentials' : 'none';
    result.credentials = {
      source: 'sdk-default-chain',
      profile: null,
      env_prefix: null,
      access_key_id: null,
      role_arn: null,
      default_chain_provider: chain.winner,
    };
    const won = chain.entries[chain.entries.length - 1];
    if (chain.winner && won) {
      if (won.profile !== undefined) result.credentials.profile = won.profile;
      if (won.access_key_id !== undefined) result.credentials.access_key_id = won.access_key_id;
    }
  }
  result.candidates = credentialRecords('serverless').filter((r) => r.role === 'step');
  result.role_source_loads = credentialRecords('serverless').filter((r) => r.role !== 'step');
  if (credObjectsOmitted) result.role_source_loads_omitted = true;
  result.default_chain = chain ? chain.entries : null;
  finish(result, settled.timedOut);
}

function finish(result, timedOut) {
  result.aws_calls = awsCalls.map(({ done, ...rest }) => rest);
  if (awsCallsOmitted) result.aws_calls_omitted = true;
  result.mfa_prompts = state.mfaPrompts;
  // processes started by serverless itself before the probe (its `npm root -g` lookup) are
  // blocked too, but are not part of the recording
  result.processes = state.processes.filter((p) => p.phase !== 'tool');
  result.network = state.network;
  if (timedOut) result.timed_out = true;
  const notes = oracle.outputNotes();
  if (notes) result.stdout_stderr_notes = notes;
  oracle.writeResult(outFile, result);
  process.exit(0);
}

function finishWithError(error) {
  const result = baseResult();
  fillFromServerless(result, serverlessInstance);
  result.outcome = 'error';
  result.error = errorInfo(error);
  result.candidates = credentialRecords('serverless').filter((r) => r.role === 'step');
  result.role_source_loads = credentialRecords('serverless').filter((r) => r.role !== 'step');
  result.default_chain = null;
  finish(result, false);
}

oracle.hookModule(path.join(toolRoot, 'lib/classes/plugin-manager.js'), (PluginManager) => {
  PluginManager.prototype.run = async function run() {
    serverlessInstance = this.serverless;
    try {
      await probe(this.serverless);
    } catch (error) {
      oracle.realStderrWrite(`v3-credentials: probe failed: ${error && error.stack}\n`);
      process.exit(3);
    }
  };
  return PluginManager;
});

oracle.hookModule(path.join(toolRoot, 'lib/cli/handle-error.js'), () => async (error, options = {}) => {
  if (options.serverless) serverlessInstance = options.serverless;
  finishWithError(error);
});

oracle.hookModule(path.join(toolRoot, 'lib/serverless.js'), (Serverless) => {
  const realInit = Serverless.prototype.init;
  Serverless.prototype.init = function init() {
    serverlessInstance = this;
    return realInit.apply(this, arguments);
  };
  return Serverless;
});

const guard = setTimeout(() => finishWithError(Object.assign(new Error(`no result within ${GUARD_MS} ms`), { code: 'ORACLE_TIMEOUT' })), GUARD_MS);
void guard;
process.on('exit', () => {
  if (!state.written) {
    const result = baseResult();
    result.outcome = 'error';
    result.error = { code: 'ORACLE_NO_RESULT', message: 'serverless exited before the probe ran' };
    result.aws_calls = awsCalls;
    const notes = oracle.outputNotes();
    if (notes) result.stdout_stderr_notes = notes;
    oracle.writeResult(outFile, result);
  }
});

process.chdir(cli.fixture);
process.argv = [process.argv[0], slsBin, 'print', ...oracle.fixtureArgs(cli.fixture)];
require(slsBin);
