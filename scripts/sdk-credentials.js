#!/usr/bin/env node
'use strict';
// Credential oracle for osls 4.3.1 (AWS SDK v3): which AWS credentials would `osls deploy` use
// for this fixture? Records what the real `lib/aws/credentials.js` chooses, offline.
//
//   node scripts/sdk-credentials.js FIXTURE_DIR [--out FILE|-] [--tool-root DIR]
//
// Normally run by scripts/record-credentials (clean environment, throw-away copy of the fixture).
// Run directly, it uses the current environment as the fixture's. Default output:
// FIXTURE_DIR/oracle-sdk.json.
//
// How: the real CLI entry (bin/serverless.js) runs in this process as `osls print <args>` from
// the fixture folder, so stage, dotenv and variables are resolved by osls itself.
// PluginManager#run is replaced by the probe: it calls provider.getAwsSdkV3CredentialsProvider()
// (the memoized, error-mapping wrapper around getAwsSdkV3CredentialsProvider, first match),
// records which factory of @aws-sdk/credential-providers it calls (fromIni with which profile,
// or fromNodeProviderChain), then invokes the provider once. Every credential provider of the
// SDK (fromEnv, fromIni, fromSSO, fromProcess, fromTokenFile, fromHttp, fromContainerMetadata,
// fromInstanceMetadata) is traced. Every HTTP request of the SDK (STS AssumeRole, SSO
// GetRoleCredentials, ...) is recorded at NodeHttpHandler#handle (signer taken from the
// Authorization header) and failed; sockets and child processes are blocked by the shared lib,
// so credential_process never runs. MFA prompts are answered with 123456.
// See fixtures/profiles/README.md for the output schema.

const os = require('os');
const path = require('path');
const oracle = require('./lib/credentials-oracle');

const { state, errorInfo, mask } = oracle;
const USAGE = 'usage: node scripts/sdk-credentials.js FIXTURE_DIR [--out FILE|-] [--tool-root DIR]\n';
const TOOL = 'osls@4.3.1 getAwsSdkV3CredentialsProvider()';
const RESOLVE_MS = 15000;
const GUARD_MS = 45000;
const MAX_LISTED = 24;

const cli = oracle.parseCli(
  process.argv.slice(2),
  USAGE,
  path.join(os.userInfo().homedir, '.cache/osls-oracle/node_modules/osls')
);
const toolRoot = cli.toolRoot;

if (!cli.child) {
  process.exitCode = oracle.runParent({
    script: __filename,
    cli,
    defaultOut: path.join(cli.fixture, 'oracle-sdk.json'),
    timeoutMs: GUARD_MS + 15000,
    crashResult: (partial, exit) => ({
      ...(partial || baseResult()),
      outcome: 'error',
      error: exit.timedOut
        ? { code: 'ORACLE_TIMEOUT', message: 'the osls process did not finish in time' }
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
const resolveFromTool = (request) => require.resolve(request, { paths: [toolRoot] });

// ---------------------------------------------------------------------------------------------
// SDK instrumentation

const selection = []; // factories of @aws-sdk/credential-providers called while selecting
const trace = []; // every credential provider invocation, in start order
let traceOmitted = 0;
const awsCalls = [];
let awsCallsOmitted = 0;
let depth = 0;

function credentialSummary(creds) {
  if (!creds || typeof creds !== 'object') return null;
  const out = {
    access_key_id: creds.accessKeyId === undefined ? null : creds.accessKeyId,
    secret_access_key: mask(creds.secretAccessKey),
    session_token: mask(creds.sessionToken),
  };
  const features = creds.$source && typeof creds.$source === 'object' ? Object.keys(creds.$source) : [];
  out.features = features;
  return out;
}

function profileOf(init) {
  if (!init || typeof init !== 'object') return null;
  return init.profile === undefined ? null : init.profile;
}

// Wrap a provider factory so that each provider it makes records its invocations.
function traced(name, factory) {
  return function tracedFactory(init, ...rest) {
    const provider = factory.call(this, init, ...rest);
    const requested = profileOf(init);
    return async function tracedProvider(...args) {
      const entry = { provider: name, depth, profile: requested, result: 'pending' };
      if (trace.length < MAX_LISTED) trace.push(entry);
      else traceOmitted++;
      const marks = { calls: awsCalls.length + awsCallsOmitted, net: state.network.length, proc: state.processes.length };
      depth++;
      try {
        const creds = await provider(...args);
        entry.result = 'credentials';
        Object.assign(entry, credentialSummary(creds));
        return creds;
      } catch (error) {
        const external = [];
        if (awsCalls.length + awsCallsOmitted > marks.calls) external.push('aws-api');
        if (state.network.length > marks.net) external.push('network');
        if (state.processes.length > marks.proc) external.push('process');
        entry.result = external.length ? 'needs-external-call' : 'error';
        if (external.length) entry.external = external;
        entry.error = errorInfo(error);
        if (error && error.tryNextLink !== undefined) entry.error.try_next_link = Boolean(error.tryNextLink);
        throw error;
      } finally {
        depth--;
      }
    };
  };
}

function wrapExports(exports, names, prefix) {
  const out = { ...exports };
  for (const name of names) {
    if (typeof exports[name] === 'function') out[name] = traced(prefix ? `${prefix}.${name}` : name, exports[name]);
  }
  return out;
}

// the factories osls calls directly: record the selection, then trace
oracle.hookRequest('@aws-sdk/credential-providers', resolveFromTool('@aws-sdk/credential-providers'), (exports) => {
  const out = { ...exports };
  for (const name of ['fromIni', 'fromNodeProviderChain']) {
    const real = exports[name];
    const tracedReal = traced(`credential-providers.${name}`, real);
    out[name] = function selectFactory(init = {}) {
      if (state.phase === 'select') {
        const entry = { factory: name };
        if (name === 'fromIni') {
          entry.profile = profileOf(init);
          entry.filepath = init.filepath === undefined ? null : init.filepath;
          entry.config_filepath = init.configFilepath === undefined ? null : init.configFilepath;
        }
        selection.push(entry);
      }
      return tracedReal(init);
    };
  }
  return out;
});

const leafProviders = [
  ['@aws-sdk/credential-provider-env', ['fromEnv']],
  ['@aws-sdk/credential-provider-ini', ['fromIni']],
  ['@aws-sdk/credential-provider-sso', ['fromSSO']],
  ['@aws-sdk/credential-provider-process', ['fromProcess']],
  ['@aws-sdk/credential-provider-web-identity', ['fromTokenFile', 'fromWebToken']],
  ['@aws-sdk/credential-provider-http', ['fromHttp']],
  ['@aws-sdk/credential-provider-login', ['fromLoginCredentials']],
  ['@smithy/credential-provider-imds', ['fromContainerMetadata', 'fromInstanceMetadata']],
];
for (const [request, names] of leafProviders) {
  let file;
  try {
    file = resolveFromTool(request);
  } catch (error) {
    continue;
  }
  oracle.hookRequest(request, file, (exports) => wrapExports(exports, names, null));
}

// Every SDK v3 HTTP request: record it, then fail it (not retryable).
function parseForm(body) {
  const params = {};
  for (const part of String(body).split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    const k = decodeURIComponent((i < 0 ? part : part.slice(0, i)).replace(/\+/g, ' '));
    const v = i < 0 ? '' : decodeURIComponent(part.slice(i + 1).replace(/\+/g, ' '));
    params[k] = v;
  }
  return params;
}

const SECRET_PARAMS = new Set(['WebIdentityToken', 'SAMLAssertion']);

oracle.hookRequest('@smithy/node-http-handler', resolveFromTool('@smithy/node-http-handler'), (exports) => {
  exports.NodeHttpHandler.prototype.handle = async function handle(request) {
    const headers = request.headers || {};
    const header = (n) => {
      for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === n) return v;
      return undefined;
    };
    const host = request.hostname || '';
    const entry = {
      phase: state.phase,
      service: host.split('.')[0] || null,
      operation: null,
      region: null,
      params: {},
      signed_with: null,
      endpoint: host,
      method: request.method,
      path: request.path,
    };
    const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.amazonaws\.com$/.exec(host);
    if (m) entry.region = m[2];
    const sso = /^portal\.sso\.([a-z0-9-]+)\.amazonaws\.com$/.exec(host);
    if (sso) {
      entry.service = 'sso';
      entry.region = sso[1];
      if (request.path === '/federation/credentials') entry.operation = 'GetRoleCredentials';
      const q = request.query || {};
      for (const k of Object.keys(q)) entry.params[k] = q[k];
    }
    const contentType = String(header('content-type') || '');
    const body = typeof request.body === 'string' ? request.body : request.body && Buffer.isBuffer(request.body) ? request.body.toString('utf8') : null;
    if (body !== null && contentType.includes('x-www-form-urlencoded')) {
      const params = parseForm(body);
      entry.operation = params.Action || entry.operation;
      delete params.Action;
      delete params.Version;
      for (const k of Object.keys(params)) if (SECRET_PARAMS.has(k)) params[k] = mask(params[k]);
      entry.params = params;
    } else if (header('x-amz-target')) {
      entry.operation = String(header('x-amz-target')).split('.').pop();
    }
    const auth = String(header('authorization') || '');
    const cred = /Credential=([^/,\s]+)\//.exec(auth);
    entry.signed_with = cred ? cred[1] : null;
    if (header('x-amz-sso_bearer_token')) entry.bearer_token = mask(header('x-amz-sso_bearer_token'));
    if (awsCalls.length < MAX_LISTED) awsCalls.push(entry);
    else awsCallsOmitted++;
    const error = oracle.networkError(`aws-sdk v3 ${entry.service}.${entry.operation}`);
    error.name = 'OracleNetworkBlocked';
    delete error.code;
    entry.result = { code: 'OracleNetworkBlocked', message: error.message };
    throw error;
  };
  return exports;
});

// ---------------------------------------------------------------------------------------------
// the probe

let serverlessInstance = null;

function baseResult() {
  return {
    tool: TOOL,
    stage: null,
    region: null,
    provider_profile: null,
    selected_by: null,
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
    result.provider_profile = profile === undefined ? null : profile;
  } catch (error) {
    oracle.debugLog('cannot read stage/region', error && error.message);
  }
}

// The slot osls's first-match ladder takes, from the same inputs it reads (lib/aws/credentials.js),
// cross-checked below against the factory it really called.
function slotOf(provider, credentialsLib) {
  const stage = provider.getStage();
  const stageUpper = stage ? stage.toUpperCase() : null;
  const env = process.env;
  if (provider.options && provider.options['aws-profile']) return { slot: 'cli-profile', profile: provider.options['aws-profile'] };
  if (stageUpper && env[`AWS_${stageUpper}_PROFILE`]) return { slot: 'stage-profile', profile: env[`AWS_${stageUpper}_PROFILE`] };
  if (stageUpper && credentialsLib.hasEnvironmentCredentials(`AWS_${stageUpper}`)) return { slot: 'stage-env', env_prefix: `AWS_${stageUpper}` };
  if (env.AWS_PROFILE) return { slot: 'aws-profile', profile: env.AWS_PROFILE };
  if (credentialsLib.hasEnvironmentCredentials('AWS')) return { slot: 'env', env_prefix: 'AWS' };
  const providerProfile = provider.serverless.service.provider.profile;
  if (providerProfile) return { slot: 'provider-profile', profile: providerProfile };
  if (env.AWS_DEFAULT_PROFILE) return { slot: 'default-profile-env', profile: env.AWS_DEFAULT_PROFILE };
  return { slot: 'implicit-default', profile: 'default' };
}

const CHAIN_LINKS = {
  fromEnv: 'fromEnv',
  fromSSO: 'fromSSO',
  fromIni: 'fromIni',
  fromProcess: 'fromProcess',
  fromTokenFile: 'fromTokenFile',
  fromHttp: 'remoteProvider',
  fromContainerMetadata: 'remoteProvider',
  fromInstanceMetadata: 'remoteProvider',
};

// what kind of credentials the trace shows: the innermost provider that produced or needed them
function kindOf(features, entries) {
  const f = new Set(features || []);
  if (f.has('CREDENTIALS_PROFILE_SOURCE_PROFILE')) return 'assume-role';
  if (f.has('CREDENTIALS_STS_ASSUME_ROLE')) return 'assume-role';
  if (f.has('CREDENTIALS_PROFILE_STS_WEB_ID_TOKEN') || f.has('CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN')) return 'web-identity';
  if (f.has('CREDENTIALS_SSO') || f.has('CREDENTIALS_SSO_LEGACY')) return 'sso';
  if (f.has('CREDENTIALS_PROCESS') || f.has('CREDENTIALS_PROFILE_PROCESS')) return 'process';
  if (f.has('CREDENTIALS_HTTP') || f.has('CREDENTIALS_IMDS')) return 'container-or-imds';
  if (f.size) return 'static';
  const calls = awsCalls.filter((c) => c.phase === 'resolve');
  if (calls.some((c) => c.service === 'sts' && c.operation === 'AssumeRole')) return 'assume-role';
  if (calls.some((c) => c.service === 'sts' && c.operation === 'AssumeRoleWithWebIdentity')) return 'web-identity';
  if (calls.some((c) => c.service === 'sso')) return 'sso';
  if (state.processes.some((p) => p.phase === 'resolve')) return 'process';
  const names = new Set((entries || []).map((e) => e.provider));
  if (names.has('fromSSO')) return 'sso';
  return null;
}

function isImdsOnly(network) {
  return network.length > 0 && network.every((n) => n.host === '169.254.169.254' || n.host === 'fd00:ec2::254');
}

async function probe(serverless) {
  const result = baseResult();
  fillFromServerless(result, serverless);
  const provider = serverless.getProvider('aws');
  oracle.writeJson(`${outFile}.partial`, { ...result, trace: null, aws_calls: null });
  const credentialsLib = require(path.join(toolRoot, 'lib/aws/credentials.js'));

  state.phase = 'select';
  let credentialsProvider = null;
  let thrown = null;
  const slot = slotOf(provider, credentialsLib);
  result.selected_by = slot.slot;
  try {
    credentialsProvider = provider.getAwsSdkV3CredentialsProvider();
  } catch (error) {
    thrown = error;
  }
  result.selection = selection.slice();

  state.phase = 'resolve';
  let creds = null;
  if (!thrown) {
    try {
      creds = await oracle.withTimeout(Promise.resolve().then(() => credentialsProvider()), RESOLVE_MS, 'credential provider');
    } catch (error) {
      thrown = error;
    }
  }
  await oracle.settle(() => true, RESOLVE_MS);

  const resolveNetwork = state.network.filter((n) => n.phase === 'resolve');
  const resolveCalls = awsCalls.filter((c) => c.phase === 'resolve');
  const resolveProcs = state.processes.filter((p) => p.phase === 'resolve');
  const usedChain = trace.some((e) => e.provider === 'credential-providers.fromNodeProviderChain');
  const external = [];
  if (resolveCalls.length) external.push('aws-api');
  if (resolveNetwork.length && !isImdsOnly(resolveNetwork)) external.push('network');
  if (resolveProcs.length) external.push('process');

  // the chain link that answered: the first depth-1 provider under the chain that did not pass
  let chainLink = null;
  if (usedChain) {
    const chainIndex = trace.findIndex((e) => e.provider === 'credential-providers.fromNodeProviderChain');
    const chainDepth = trace[chainIndex].depth;
    for (const e of trace.slice(chainIndex + 1)) {
      if (e.depth !== chainDepth + 1) continue;
      if (e.result === 'credentials' || e.result === 'needs-external-call' || (e.error && e.error.try_next_link === false)) {
        chainLink = CHAIN_LINKS[e.provider] || e.provider;
        if (e.result === 'needs-external-call' && e.provider === 'fromInstanceMetadata') chainLink = null;
        break;
      }
    }
  }

  const summary = creds ? credentialSummary(creds) : null;
  const credentials = {
    source: usedChain ? 'sdk-default-chain' : slot.env_prefix ? 'env' : 'profile',
    profile: usedChain ? null : slot.profile === undefined ? null : slot.profile,
    env_prefix: !usedChain && slot.env_prefix ? slot.env_prefix : null,
    access_key_id: summary ? summary.access_key_id : null,
    role_arn: null,
    kind: kindOf(summary && summary.features, trace),
    resolved: Boolean(creds),
    default_chain_provider: usedChain ? chainLink : null,
    features: summary ? summary.features : [],
  };
  const assume = resolveCalls.filter((c) => c.service === 'sts' && /^AssumeRole/.test(c.operation || ''));
  if (assume.length) credentials.role_arn = assume[assume.length - 1].params.RoleArn || null;
  if (usedChain) {
    const ini = trace.find((e) => e.provider === 'fromIni' && e.depth > 0 && e.result !== 'error');
    if (chainLink === 'fromIni' || chainLink === 'fromSSO' || chainLink === 'fromProcess') {
      credentials.profile = ini ? ini.profile || process.env.AWS_PROFILE || 'default' : process.env.AWS_PROFILE || 'default';
    }
  }

  if (creds) {
    result.outcome = 'credentials';
  } else if (external.length) {
    // the source was chosen; only the blocked external call kept it from answering
    result.outcome = 'credentials';
    credentials.needs = external;
    result.resolution_error = errorInfo(thrown);
  } else if (usedChain && thrown && thrown.code === 'AWS_CREDENTIALS_NOT_FOUND') {
    result.outcome = 'none';
    result.error = errorInfo(thrown);
  } else {
    result.outcome = 'error';
    result.error = errorInfo(thrown);
  }
  result.credentials = result.outcome === 'error' ? null : credentials;
  if (result.outcome === 'none') result.credentials.kind = null;

  const called = selection[0];
  let consistent;
  if (slot.env_prefix) consistent = selection.length === 0;
  else if (slot.slot === 'default-profile-env') {
    consistent = called && (called.factory === 'fromNodeProviderChain' || called.profile === slot.profile);
  } else consistent = Boolean(called && called.factory === 'fromIni' && called.profile === slot.profile);
  if (!consistent) result.selection_mismatch = true;

  result.trace = trace;
  if (traceOmitted) result.trace_omitted = true;
  finish(result);
}

function finish(result) {
  result.aws_calls = awsCalls;
  if (awsCallsOmitted) result.aws_calls_omitted = true;
  result.mfa_prompts = state.mfaPrompts;
  result.processes = state.processes.filter((p) => p.phase !== 'tool');
  result.network = state.network.filter((n) => n.phase !== 'tool');
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
  result.trace = trace;
  finish(result);
}

oracle.hookModule(path.join(toolRoot, 'lib/classes/plugin-manager.js'), (PluginManager) => {
  PluginManager.prototype.run = async function run() {
    serverlessInstance = this.serverless;
    try {
      await probe(this.serverless);
    } catch (error) {
      oracle.realStderrWrite(`sdk-credentials: probe failed: ${error && error.stack}\n`);
      process.exit(3);
    }
  };
  return PluginManager;
});

oracle.hookModule(path.join(toolRoot, 'lib/cli/handle-error.js'), () => (error) => {
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
    result.error = { code: 'ORACLE_NO_RESULT', message: 'osls exited before the probe ran' };
    const notes = oracle.outputNotes();
    if (notes) result.stdout_stderr_notes = notes;
    oracle.writeResult(outFile, result);
  }
});

process.chdir(cli.fixture);
process.argv = [process.argv[0], slsBin, 'print', ...oracle.fixtureArgs(cli.fixture)];
require(slsBin);
