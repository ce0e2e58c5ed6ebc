'use strict';
// Shared machinery of the credential oracles (scripts/v3-credentials.js, scripts/sdk-credentials.js).
//
// Each oracle runs in two processes. The parent (runParent) starts the child with the same
// environment and no stdin, waits (with a time limit), and writes the recording; if the child
// dies without a result (the aws-sdk v2 role loop aborts node with a fatal OOM), the parent
// records that as the outcome. The child calls install() before loading the real tool:
// - no network: net.Socket#connect (the choke point of http, https, tls and undici) records the
//   attempt and fails it; each oracle stubs its AWS SDK one level higher as well;
// - no processes: every child_process entry point records the command and fails;
// - MFA: a readline interface on process.stdin gets a private input that answers each question
//   with MFA_ANSWER; the question text is recorded;
// - stdout/stderr are captured (and passed through when ORACLE_DEBUG=1);
// - Module._load is hooked so an oracle can patch a module of the tool the first time it loads.
// writeResult() writes stable, pretty JSON with every absolute path of the fixture replaced by
// ${FIXTURE}.

const fs = require('fs');
const os = require('os');
const path = require('path');
const Module = require('module');
const childProcess = require('child_process');
const net = require('net');
const readline = require('readline');
const { PassThrough, Writable } = require('stream');
const { EventEmitter } = require('events');

const MFA_ANSWER = '123456';
const debug = process.env.ORACLE_DEBUG === '1';
const realSpawnSync = childProcess.spawnSync;
const realStdoutWrite = process.stdout.write.bind(process.stdout);
const realStderrWrite = process.stderr.write.bind(process.stderr);

const state = {
  fixture: null,
  phase: 'tool',
  mfaPrompts: [],
  processes: [],
  network: [],
  output: '',
  written: false,
};

function debugLog(...args) {
  if (debug) realStderrWrite(`[oracle] ${args.join(' ')}\n`);
}

function networkError(what) {
  const error = new Error(`network disabled by the credentials oracle (${what})`);
  error.code = 'ENETUNREACH';
  return error;
}

function processError(command) {
  const error = new Error(`process execution disabled by the credentials oracle: ${command}`);
  error.code = 'ORACLE_EXEC_DISABLED';
  error.errno = -1;
  return error;
}

function recordProcess(fn, command, args) {
  const entry = { phase: state.phase, function: fn, command: String(command) };
  if (Array.isArray(args) && args.length) entry.args = args.map(String);
  state.processes.push(entry);
  debugLog('blocked', fn, command);
  return entry;
}

function fakeChild(error, callback) {
  const child = new EventEmitter();
  child.stdout = new PassThrough();
  child.stderr = new PassThrough();
  child.stdin = new PassThrough();
  child.pid = undefined;
  child.kill = () => false;
  child.ref = () => {};
  child.unref = () => {};
  process.nextTick(() => {
    child.emit('error', error);
    child.stdout.end();
    child.stderr.end();
    if (callback) callback(error, '', '');
    child.emit('close', -1, null);
  });
  return child;
}

function lastFunction(args) {
  for (let i = args.length - 1; i >= 0; i--) if (typeof args[i] === 'function') return args[i];
  return null;
}

// ---------------------------------------------------------------------------------------------
// module hooks: hookModule(absoluteFilename, (exports) => patchedExports)

const hooks = new Map(); // filename -> { patch, done, value }
const hookRequests = new Set(); // cheap pre-filter on the request string

function hookModule(filename, patch) {
  hooks.set(filename, { patch, done: false, value: undefined });
  hookRequests.add(path.basename(filename).replace(/\.js$/, ''));
}

function hookRequest(request, filename, patch) {
  hooks.set(filename, { patch, done: false, value: undefined });
  hookRequests.add(request);
}

function install() {
  // output capture
  for (const stream of [process.stdout, process.stderr]) {
    const real = stream === process.stdout ? realStdoutWrite : realStderrWrite;
    stream.write = function write(chunk, encoding, cb) {
      state.output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (debug) return real(chunk, encoding, cb);
      if (typeof encoding === 'function') encoding();
      else if (typeof cb === 'function') cb();
      return true;
    };
  }

  // no network
  net.Socket.prototype.connect = function connect(...args) {
    let options = args[0];
    if (Array.isArray(options)) options = options[0];
    let target;
    if (options && typeof options === 'object') {
      target = options.path
        ? { path: String(options.path) }
        : { host: options.host || 'localhost', port: Number(options.port) };
    } else if (typeof options === 'string' && !/^\d+$/.test(options)) {
      target = { path: options };
    } else {
      target = { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: Number(options) };
    }
    state.network.push({ phase: state.phase, layer: 'socket', ...target });
    debugLog('blocked socket connect', JSON.stringify(target));
    process.nextTick(() => this.destroy(networkError('socket connect')));
    return this;
  };

  // no processes
  childProcess.exec = function exec(command, ...rest) {
    recordProcess('exec', command);
    return fakeChild(processError(command), lastFunction(rest));
  };
  childProcess.execFile = function execFile(file, ...rest) {
    recordProcess('execFile', file, Array.isArray(rest[0]) ? rest[0] : []);
    return fakeChild(processError(file), lastFunction(rest));
  };
  childProcess.spawn = function spawn(command, ...rest) {
    recordProcess('spawn', command, Array.isArray(rest[0]) ? rest[0] : []);
    return fakeChild(processError(command), null);
  };
  childProcess.fork = function fork(modulePath, ...rest) {
    recordProcess('fork', modulePath, Array.isArray(rest[0]) ? rest[0] : []);
    return fakeChild(processError(modulePath), null);
  };
  childProcess.execSync = function execSync(command) {
    recordProcess('execSync', command);
    throw processError(command);
  };
  childProcess.execFileSync = function execFileSync(file, args) {
    recordProcess('execFileSync', file, Array.isArray(args) ? args : []);
    throw processError(file);
  };
  childProcess.spawnSync = function spawnSync(command, args) {
    recordProcess('spawnSync', command, Array.isArray(args) ? args : []);
    const error = processError(command);
    return { pid: 0, output: [null, '', ''], stdout: '', stderr: '', status: null, signal: null, error };
  };

  // MFA prompts: answer every readline question asked on process.stdin, record its text
  const realCreateInterface = readline.createInterface;
  readline.createInterface = function createInterface(input, ...rest) {
    const options = input && typeof input === 'object' && !(input instanceof EventEmitter)
      ? { ...input }
      : { input, output: rest[0] };
    if (options.input !== process.stdin) return realCreateInterface.call(this, input, ...rest);
    const fakeInput = new PassThrough();
    const fakeOutput = new Writable({ write: (chunk, enc, cb) => cb() });
    const rl = realCreateInterface.call(this, { ...options, input: fakeInput, output: fakeOutput, terminal: false });
    const realQuestion = rl.question;
    rl.question = function question(query, ...args) {
      state.mfaPrompts.push(String(query));
      debugLog('answering prompt', JSON.stringify(String(query)));
      const result = realQuestion.call(this, query, ...args);
      setImmediate(() => fakeInput.write(`${MFA_ANSWER}\n`));
      return result;
    };
    return rl;
  };

  // module hooks
  const realLoad = Module._load;
  Module._load = function load(request, parent, isMain) {
    const exports = realLoad.apply(this, arguments);
    if (!hookRequests.has(request) && !hookRequests.has(path.basename(request).replace(/\.js$/, ''))) {
      return exports;
    }
    let filename;
    try {
      filename = Module._resolveFilename(request, parent, isMain);
    } catch (error) {
      return exports;
    }
    const hook = hooks.get(filename);
    if (!hook) return exports;
    if (!hook.done) {
      hook.done = true;
      hook.value = hook.patch(exports);
    }
    return hook.value;
  };
}

// ---------------------------------------------------------------------------------------------
// fixture input

function readLines(file) {
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

function fixtureArgs(dir) {
  return readLines(path.join(dir, 'args')).filter((l) => l !== '');
}

// ---------------------------------------------------------------------------------------------
// results

function errorInfo(error) {
  if (error === undefined || error === null) return null;
  if (typeof error !== 'object') return { code: null, message: String(error) };
  let code = null;
  if (error.code !== undefined && error.code !== null) code = String(error.code);
  else if (error.name && error.name !== 'Error') code = String(error.name);
  return { code, message: error.message !== undefined ? String(error.message) : String(error) };
}

function mask(value) {
  if (value === undefined || value === null) return null;
  return `****${String(value).slice(-4)}`;
}

function normalizeString(s) {
  let out = s;
  const dirs = new Set();
  if (state.fixture) {
    dirs.add(state.fixture);
    try {
      dirs.add(fs.realpathSync(state.fixture));
    } catch (e) {
      // the folder vanished; nothing more to replace
    }
  }
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) out = out.split(d).join('${FIXTURE}');
  out = out.replace(/aws-sdk-js-\d{10,}/g, 'aws-sdk-js-<timestamp>');
  // eslint-disable-next-line no-control-regex
  out = out.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
  return out;
}

function normalize(value) {
  if (typeof value === 'string') return normalizeString(value);
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      out[k] = normalize(v);
    }
    return out;
  }
  return value;
}

// What the tool printed, one entry per non-blank line, or null.
function outputNotes() {
  const text = normalizeString(state.output).replace(/\r/g, '');
  const lines = text.split('\n').map((l) => l.replace(/\s+$/, '')).filter((l) => l !== '');
  return lines.length ? lines : null;
}

function writeJson(outFile, result) {
  const json = `${JSON.stringify(normalize(result), null, 2)}\n`;
  if (outFile === '-') realStdoutWrite(json);
  else fs.writeFileSync(outFile, json);
}

function writeResult(outFile, result) {
  if (state.written) return;
  state.written = true;
  writeJson(outFile, result);
}

// Resolve once `isIdle()` has held for a few consecutive event-loop turns, or after
// `timeoutMs` (then `timedOut` is true).
function settle(isIdle, timeoutMs) {
  return new Promise((resolve) => {
    let quiet = 0;
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      resolve({ timedOut: true });
    }, timeoutMs);
    const tick = () => {
      if (done) return;
      quiet = isIdle() ? quiet + 1 : 0;
      if (quiet >= 5) {
        done = true;
        clearTimeout(timer);
        resolve({ timedOut: false });
        return;
      }
      setTimeout(tick, 1);
    };
    setImmediate(tick);
  });
}

function withTimeout(promise, ms, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(Object.assign(new Error(`${what} did not settle within ${ms} ms`), { code: 'ORACLE_TIMEOUT' })),
      ms
    );
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      }
    );
  });
}

// argv: FIXTURE [--out FILE|-] [--tool-root DIR] [--child]
function parseCli(argv, usage, defaultToolRoot) {
  const out = { fixture: null, outFile: null, toolRoot: defaultToolRoot, child: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') out.outFile = argv[++i];
    else if (a === '--tool-root') out.toolRoot = path.resolve(argv[++i]);
    else if (a === '--child') out.child = true;
    else if (a === '-h' || a === '--help') {
      realStdoutWrite(usage);
      process.exit(0);
    } else if (!out.fixture && !a.startsWith('-')) out.fixture = a;
    else {
      realStderrWrite(usage);
      process.exit(2);
    }
  }
  if (!out.fixture || (out.outFile === undefined)) {
    realStderrWrite(usage);
    process.exit(2);
  }
  out.fixture = path.resolve(out.fixture);
  if (!out.outFile) out.outFile = null;
  return out;
}

// Parent side: run `node script --child FIXTURE --out TMP` with this environment; write the
// child's result, or a crash result built from `crashResult(partial, {status, signal, fatal})`.
function runParent({ script, cli, defaultOut, crashResult, timeoutMs }) {
  state.fixture = cli.fixture;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'credentials-oracle-'));
  const childOut = path.join(tmp, 'result.json');
  const args = [script, '--child', cli.fixture, '--out', childOut, '--tool-root', cli.toolRoot];
  const r = realSpawnSync(process.execPath, args, {
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  const outFile = cli.outFile || defaultOut;
  let text = null;
  if (fs.existsSync(childOut)) text = fs.readFileSync(childOut, 'utf8');
  if (text !== null && r.status === 0) {
    if (outFile === '-') realStdoutWrite(text);
    else fs.writeFileSync(outFile, text);
  } else {
    let partial = null;
    if (fs.existsSync(`${childOut}.partial`)) partial = JSON.parse(fs.readFileSync(`${childOut}.partial`, 'utf8'));
    const stderr = String(r.stderr || '');
    const fatal = (stderr.split('\n').find((l) => /^(FATAL ERROR|RangeError|Error|TypeError)/.test(l)) || '').trim();
    const timedOut = Boolean(r.error && r.error.code === 'ETIMEDOUT');
    writeJson(outFile, crashResult(partial, { status: r.status, signal: r.signal, fatal, timedOut }));
    if (debug) realStderrWrite(stderr);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  return 0;
}

module.exports = {
  MFA_ANSWER,
  state,
  install,
  hookModule,
  hookRequest,
  fixtureArgs,
  errorInfo,
  mask,
  normalize,
  outputNotes,
  writeJson,
  writeResult,
  settle,
  withTimeout,
  parseCli,
  runParent,
  debugLog,
  networkError,
  realStderrWrite,
};
