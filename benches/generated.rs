//! Generated service configurations for the criterion benches (shared by the crates' benches
//! through `#[path]`). `scripts/bench` writes the same configuration with awk: change both.

/// The sizes benched: small, medium and large (the large one is about 5.4 MB of YAML).
#[allow(dead_code)] // each bench uses the parts it needs
pub const SIZES: &[(&str, usize)] = &[("small", 200), ("medium", 2_000), ("large", 20_000)];

/// A `serverless.yml` with `functions` functions, each with a `${self:service}-${sls:stage}`
/// name, a handler, environment variables referring to `custom` and an http event.
#[allow(dead_code)]
pub fn yaml(functions: usize) -> String {
    let mut out = String::with_capacity(300 + functions * 270);
    out.push_str(
        "service: bench-service
frameworkVersion: \"3\"
provider:
  name: aws
  runtime: nodejs18.x
  stage: ${opt:stage, 'dev'}
  region: ${opt:region, 'eu-west-1'}
  memorySize: 512
  environment:
    SERVICE: ${self:service}
    STAGE: ${sls:stage}
custom:
  tableName: ${self:service}-${sls:stage}-table
  logLevel: ${env:LOG_LEVEL, 'info'}
functions:
",
    );
    for i in 0..functions {
        out.push_str(&format!(
            "  fn{i}:
    name: ${{self:service}}-${{sls:stage}}-fn{i}
    handler: handlers/fn{i}.handler
    environment:
      TABLE_NAME: ${{self:custom.tableName}}
      LOG_LEVEL: ${{self:custom.logLevel}}
    events:
      - http:
          path: /fn{i}
          method: get
"
        ));
    }
    out
}

/// Every string value of [`yaml`]`(functions)`, in document order: the parser's input.
#[allow(dead_code)]
pub fn strings(functions: usize) -> Vec<String> {
    let mut out: Vec<String> = [
        "bench-service",
        "3",
        "aws",
        "nodejs18.x",
        "${opt:stage, 'dev'}",
        "${opt:region, 'eu-west-1'}",
        "${self:service}",
        "${sls:stage}",
        "${self:service}-${sls:stage}-table",
        "${env:LOG_LEVEL, 'info'}",
    ]
    .map(str::to_owned)
    .to_vec();
    for i in 0..functions {
        out.push(format!("${{self:service}}-${{sls:stage}}-fn{i}"));
        out.push(format!("handlers/fn{i}.handler"));
        out.push("${self:custom.tableName}".to_owned());
        out.push("${self:custom.logLevel}".to_owned());
        out.push(format!("/fn{i}"));
        out.push("get".to_owned());
    }
    out
}

/// The number of services `check` is benched over (its target: under 1 s for 200).
#[allow(dead_code)]
pub const SERVICES: usize = 200;

/// One service of a generated monorepo for `check`: stages `dev`, `staging` and `prod` picked
/// through a per-stage profile map, and ten functions named after the service and stage.
/// `scripts/bench` writes the same services with awk: change both.
#[allow(dead_code)]
pub fn service(index: usize) -> String {
    let mut out = format!(
        "service: svc{index}
frameworkVersion: \"3\"
provider:
  name: aws
  runtime: nodejs18.x
  stage: ${{opt:stage, 'dev'}}
  region: ${{opt:region, 'eu-west-1'}}
  profile: ${{self:custom.profiles.${{sls:stage}}}}
  environment:
    SERVICE: ${{self:service}}
    STAGE: ${{sls:stage}}
custom:
  profiles:
    dev: dev
    staging: staging
    prod: prod
  tableName: ${{self:service}}-${{sls:stage}}-table
functions:
"
    );
    for i in 0..10 {
        out.push_str(&format!(
            "  fn{i}:
    name: ${{self:service}}-${{sls:stage}}-fn{i}
    handler: handlers/fn{i}.handler
    environment:
      TABLE_NAME: ${{self:custom.tableName}}
    events:
      - http:
          path: /fn{i}
          method: get
"
        ));
    }
    out
}

/// The AWS shared files of the generated monorepo: `dev` has keys, `staging` and `prod` are
/// roles assumed from `base`. (`credentials`, `config`.)
#[allow(dead_code)]
pub const AWS_FILES: [(&str, &str); 2] = [
    (
        "credentials",
        "[base]
aws_access_key_id = AKIABENCHBASE0000001
aws_secret_access_key = benchSecretBaseKey00000000001

[dev]
aws_access_key_id = AKIABENCHDEV00000001
aws_secret_access_key = benchSecretDevKey000000000001
",
    ),
    (
        "config",
        "[profile staging]
role_arn = arn:aws:iam::111111111111:role/deploy
source_profile = base
region = eu-west-1

[profile prod]
role_arn = arn:aws:iam::222222222222:role/deploy
source_profile = base
region = eu-west-1
",
    ),
];

/// Quick defaults (the command line's `--warm-up-time`, `--measurement-time` and
/// `--sample-size` still win): the whole suite runs in about a minute.
#[allow(dead_code)]
pub fn criterion() -> criterion::Criterion {
    criterion::Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(300))
        .measurement_time(std::time::Duration::from_secs(1))
        .sample_size(10)
}
