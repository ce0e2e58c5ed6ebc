#!/usr/bin/env node
// Dumps the configuration schema that Serverless Framework v3 validates `serverless.yml` against:
// core + the AWS provider + every internal plugin's `configSchemaHandler.define*` calls, exactly
// as `serverless.configSchemaHandler.schema` holds it after `serverless.init()` (before
// `validateConfig` inlines `$ref`s, so the output stays small).
//
// Usage: node scripts/extract-schema.js [SERVERLESS_DIR] > crates/sls-schema/schema/v3.40.0.json
//   SERVERLESS_DIR defaults to ~/.cache/sls-oracle/node_modules/serverless
//
// The output is one JSON object {"version", "aws", "other"}: the schema as assembled for a service
// with `provider.name: aws`, and for any other provider name (where no provider schema is
// registered and v3 relaxes the provider, function and event schemas: `relaxProviderSchema`).
// Nothing here touches the network: the HOME is a throw-away folder and telemetry is off.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const slsDir = path.resolve(
  process.argv[2] || path.join(os.homedir(), '.cache/sls-oracle/node_modules/serverless')
);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sls-schema-'));
process.env.HOME = tmp;
process.env.SLS_TELEMETRY_DISABLED = '1';
process.env.SLS_NOTIFICATIONS_MODE = 'off';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
// `resolve-input` reads argv: pretend this is `serverless print`.
process.argv = [process.argv[0], path.join(slsDir, 'bin/serverless.js'), 'print'];
process.chdir(tmp);

const Serverless = require(path.join(slsDir, 'lib/serverless'));
const { version } = require(path.join(slsDir, 'package.json'));

const assemble = async (providerName) => {
  const serverless = new Serverless({
    configuration: { service: 'svc', provider: { name: providerName } },
    serviceDir: tmp,
    configurationFilename: 'serverless.yml',
    commands: ['print'],
    options: {},
    variablesMeta: new Map(),
  });
  await serverless.init();
  const handler = serverless.configSchemaHandler;
  // What `validateConfig` does first when no provider schema was registered.
  if (!handler.schema.properties.provider.properties.name) handler.relaxProviderSchema();
  return JSON.parse(JSON.stringify(handler.schema));
};

(async () => {
  const aws = await assemble('aws');
  const other = await assemble('other');
  process.stdout.write(`${JSON.stringify({ version, aws, other })}\n`);
  fs.rmSync(tmp, { recursive: true, force: true });
})().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
