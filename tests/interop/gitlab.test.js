// The GitLab template run by gitlab-ci-local (pinned 4.73.0) with the shell executor against
// tcss-emulator: the TaskID reaches a later job through the dotenv report; failures fail.
"use strict";
const { test, before, after, beforeEach } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const http = require("node:http");
const net = require("node:net");
const { Client } = require("tencentcloud-sdk-nodejs/tencentcloud/services/tcss/v20201101/tcss_client");
const yaml = require("js-yaml");
const { ROOT, BIN, SECRET_ID, SECRET_KEY, startEmulator, tempDir, run, emulatorFetch, helpOptions, jobImage } = require("./helpers");

const GCL = path.join(__dirname, "node_modules/.bin/gitlab-ci-local");
const APP = "ccr.ccs.tencentyun.com/demo/app:1.0";
let emu;
let home;

before(async () => {
  emu = await startEmulator(["--scan-seconds", "1"]);
  home = tempDir("tcss-gl-home-");
});
beforeEach(async () => {
  await emulatorFetch(emu.url + "/_emulator/reset", { method: "POST" });
});
after(() => {
  emu.stop();
  fs.rmSync(home, { recursive: true, force: true });
});

// A git repository holding the templates and `pipeline` as .gitlab-ci.yml; runs it.
function runPipeline(pipeline, extraArgs = [],
                     variables = `TENCENTCLOUD_SECRET_ID: ${SECRET_ID}\nTENCENTCLOUD_SECRET_KEY: ${SECRET_KEY}\n`,
                     files = {}) {
  const repo = tempDir("tcss-gl-");
  for (const dir of ["gitlab", "templates"]) {
    fs.mkdirSync(path.join(repo, dir));
    for (const f of fs.readdirSync(path.join(ROOT, dir))) {
      fs.copyFileSync(path.join(ROOT, dir, f), path.join(repo, dir, f));
    }
  }
  fs.writeFileSync(path.join(repo, ".gitlab-ci.yml"), pipeline);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(repo, name), text);
  // Project CI/CD variables (masked in GitLab): kept out of argv.
  fs.writeFileSync(path.join(repo, ".gitlab-ci-local-variables.yml"), variables);
  const git = (...a) => assert.equal(run("git", a, { cwd: repo }).status, 0);
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-qm", "pipeline");
  const env = { PATH: `${BIN}:/usr/local/bin:/usr/bin:/bin`, HOME: home };
  const r = run(process.execPath, [GCL, "--force-shell-executor", ...extraArgs], { cwd: repo, env });
  fs.rmSync(repo, { recursive: true, force: true });
  return { status: r.status, log: r.stdout + r.stderr };
}

function sdk() {
  class Loopback extends http.Agent {
    createConnection(_o, cb) {
      const s = net.connect({ host: "127.0.0.1", port: emu.port });
      if (cb) s.once("connect", () => cb(null, s));
      return s;
    }
  }
  return new Client({ credential: { secretId: SECRET_ID, secretKey: SECRET_KEY },
                      profile: { httpProfile: { protocol: "http://", agent: new Loopback() } } });
}

test("the TaskID reaches a later job through the dotenv report", async () => {
  const { status, log } = runPipeline(`
stages: [test, report]
include:
  - local: templates/tcss-scan.yml
    inputs:
      images: ${APP}
      endpoint: ${emu.url}
      wait: "true"
report:
  stage: report
  needs: [tcss-scan]
  script:
    - echo "TASK=$TCSS_TASK_ID STATUS=$TCSS_STATUS CRITICAL=$TCSS_CRITICAL IMAGES=$TCSS_IMAGE_IDS"
    - grep -o '"version":"15.0.7"' gl-container-scanning-report.json
    - grep -o '"severity":"Critical"' gl-container-scanning-report.json
    - grep -o '"specVersion":"1.6"' gl-sbom-tcss-scan.cdx.json
`);
  assert.equal(status, 0, log);
  const submitted = log.match(/tcss-scan > ([0-9a-f]{24})\n/);
  assert.ok(submitted, log);
  const seen = log.match(/report +> TASK=(\S+) STATUS=(\S+) CRITICAL=(\S+) IMAGES=(\S+)/);
  assert.ok(seen, log);
  assert.equal(seen[1], submitted[1]);
  assert.equal(seen[2], "END");
  assert.equal(seen[3], "1");
  // The container-scanning report reached the later job as an artifact.
  assert.match(log, /report +> "version":"15.0.7"/);
  assert.match(log, /report +> "severity":"Critical"/);
  // So did the SBOM, written by default and collected as the cyclonedx report.
  assert.match(log, /report +> "specVersion":"1.6"/);
  // The emulator issued that TaskID: the official SDK can look it up.
  const st = await sdk().DescribeAssetImageScanStatus({ TaskID: seen[1] });
  assert.equal(st.Status, "END");
});

test("a registry image: the template scans it as one, and a later job reads the registry task", () => {
  const { status, log } = runPipeline(`
stages: [test, report]
include:
  - local: templates/tcss-scan.yml
    inputs:
      images: ccr.ccs.tencentyun.com/demo/web:2.0
      source: registry
      endpoint: ${emu.url}
      wait: "true"
report:
  stage: report
  needs: [tcss-scan]
  script:
    - echo "TASK=$TCSS_TASK_ID SOURCE=$TCSS_SOURCE IMAGES=$TCSS_IMAGE_IDS CRITICAL=$TCSS_CRITICAL"
    - tcss-scan status "$TCSS_TASK_ID" --endpoint ${emu.url}
`);
  assert.equal(status, 0, log);
  const seen = log.match(/report +> TASK=(\S+) SOURCE=(\S+) IMAGES=(\S+) CRITICAL=(\S+)/);
  assert.ok(seen, log);
  assert.match(seen[1], /^[0-9]+$/);  // a registry TaskID, digits kept
  assert.equal(seen[2], "registry");
  assert.equal(seen[3], "110207177");
  assert.equal(seen[4], "1");
  // `status` in the later job tells the source by the TaskID's shape.
  assert.match(log, /report +> END\n/);
});

test("an API error that fail-on selects fails the pipeline", () => {
  const emuFault = emulatorFetch(emu.url + "/_emulator/faults", { method: "POST",
      body: JSON.stringify({ Faults: ["CreateAssetImageScanTask:InvalidParameter:1"] }) });
  return emuFault.then(() => {
    const { status, log } = runPipeline(`
include:
  - local: templates/tcss-scan.yml
    inputs:
      images: ${APP}
      endpoint: ${emu.url}
`);
    assert.notEqual(status, 0, log);
    assert.match(log, /InvalidParameter/);
    assert.match(log, /FAIL +tcss-scan/);
  });
});

test("allow_failure exit_codes tolerates only the findings gate", () => {
  const { status, log } = runPipeline(`
include:
  - local: templates/tcss-scan.yml
    inputs:
      images: ${APP}
      endpoint: ${emu.url}
      wait: "true"
      severity-threshold: high
tcss-scan:
  allow_failure:
    exit_codes: [2]
`);
  assert.equal(status, 0, log);
  assert.match(log, /WARN +tcss-scan/);
  assert.match(log, /the scan found 1 critical, 2 high/);
});

test("a value outside an input's options is rejected before anything runs", () => {
  const { status, log } = runPipeline(`
include:
  - local: templates/tcss-scan.yml
    inputs:
      images: ${APP}
      severity-threshold: severe
`);
  assert.notEqual(status, 0);
  assert.match(log, /severity-threshold/);
});

test("the variables form works for GitLab without spec:inputs", () => {
  const { status, log } = runPipeline(`
include:
  - local: gitlab/tcss-scan-variables.yml
variables:
  TCSS_IMAGES: ${APP}
  TCSS_ENDPOINT: ${emu.url}
report:
  stage: deploy
  needs: [tcss-scan]
  script:
    - echo "TASK=$TCSS_TASK_ID"
`);
  assert.equal(status, 0, log);
  assert.match(log, /report +> TASK=[0-9a-f]{24}/);
});

// gitlab-ci-local does not mint ID tokens, so the JWT GitLab would put in the job's id_tokens
// variable comes from the emulator's issuer, with the claims GitLab's would carry.
test("keyless: the job's id_tokens JWT is exchanged with STS and no stored keys are needed", async () => {
  const role = "qcs::cam::uin/100000000001:roleName/gitlab-tcss-scan";
  const kl = await startEmulator(["--scan-seconds", "1",
    "--oidc-provider", "gitlab=self,https://gitlab.example.com",
    "--role", `${role}=gitlab,sub=project_path:acme/app:*`,
    "--oidc-request-token", "issuer-token", "--oidc-subject", "project_path:acme/app:ref_type:branch:ref:main"]);
  try {
    const res = await emulatorFetch(`${kl.url}/_emulator/oidc/token?audience=https://gitlab.example.com`,
        { headers: { Authorization: "Bearer issuer-token" } });
    const jwt = (await res.json()).value;
    const pipeline = (input) => `
include:
  - local: templates/tcss-scan.yml
    inputs:
      images: ${APP}
      endpoint: ${kl.url}
      role-arn: "${role}"
      oidc-provider-id: gitlab
      ${input}: https://gitlab.example.com
`;
    // gitlab-ci-local makes no ID tokens: each is given as the variable GitLab would set.
    const { status, log } = runPipeline(pipeline("oidc-audience"), [],
      `TENCENTCLOUD_OIDC_TOKEN: ${jwt}\nGITLAB_CI: "true"\n`);  // GitLab sets GITLAB_CI; gitlab-ci-local says false
    assert.equal(status, 0, log);
    assert.doesNotMatch(log, /deprecated|renamed/);
    assert.match(log, /tcss-scan > ([0-9a-f]{24})\n/);
    assert.ok(!log.includes(jwt));
    const reqs = (await (await emulatorFetch(`${kl.url}/_emulator/requests`)).json()).Requests;
    assert.equal(reqs[0].Action, "AssumeRoleWithWebIdentity");
    assert.equal(reqs[0].ErrorCode, "");
    assert.match(reqs[0].Body, /"RoleSessionName":"gitlab-\d+"/);
    assert.equal(reqs.filter((r) => r.Action === "CreateAssetImageScanTask").length, 1);
    // The template's report files need the findings: the job waited (issue 21, 1).
    assert.ok(reqs.some((r) => r.Action === "DescribeAssetImageScanStatus"));
    assert.match(log, /--wait is implied/);
    assert.ok(!JSON.stringify(reqs).includes(jwt));
    // The old input name still works: its own token (for its audience) is used, with a warning.
    const old = runPipeline(pipeline("audience"), [],
      `TENCENTCLOUD_OIDC_TOKEN: not-for-this-audience\nTCSS_OIDC_TOKEN_DEPRECATED: ${jwt}\nGITLAB_CI: "true"\n`);
    assert.equal(old.status, 0, old.log);
    assert.match(old.log, /warning: the input audience is renamed oidc-audience/);
  } finally {
    kl.stop();
  }
});

test("the repository's ignore file and ignore-unfixed shape the gate, the dotenv counts and the JUnit report", () => {
  const { status, log } = runPipeline(`
stages: [test, report]
include:
  - local: templates/tcss-scan.yml
    inputs:
      images: ${APP}
      endpoint: ${emu.url}
      wait: "true"
      severity-threshold: critical
      ignore-unfixed: "true"
report:
  stage: report
  needs: [tcss-scan]
  script:
    - echo "CRITICAL=$TCSS_CRITICAL HIGH=$TCSS_HIGH MEDIUM=$TCSS_MEDIUM LOW=$TCSS_LOW"
    - echo "IGNORED=$(grep -c '<skipped message="ignored' tcss-scan-junit.xml)"
`, [], undefined, { ".tcss-scan-ignore": "# accepted: fixed in the next base image\nCVE-2024-3094 exp:2099-12-31\n" });
  assert.equal(status, 0, log);  // the one critical is accepted, so the gate passes
  assert.match(log, /report +> CRITICAL=0 HIGH=2 MEDIUM=2 LOW=3/);
  assert.match(log, /report +> IGNORED=3/);
});

test("the component: every tcss-scan option is an input, mapped to the variable the binary reads", () => {
  const [header, jobs] = yaml.loadAll(fs.readFileSync(path.join(ROOT, "templates/tcss-scan.yml"), "utf8"));
  const inputs = header.spec.inputs;
  const variables = jobs[".tcss-scan"].variables;
  for (const o of helpOptions()) {
    assert.ok(inputs[o.input], `input ${o.input}`);
    assert.equal(variables[`TCSS_INPUT__${o.env}`], `$[[ inputs.${o.input} ]]`, o.input);
    for (const old of o.inputAliases) assert.match(inputs[old].description, /^Deprecated: renamed /, old);
  }
  // Inputs that decide a file GitLab collects, or the ID token's audience, keep a default;
  // every other input is empty unless given, so that it sets nothing.
  const owned = ["stage", "job-image", "oidc-audience", "audience", "dotenv", "report-file", "junit-file", "sbom-file"];
  for (const [name, spec] of Object.entries(inputs)) {
    if (!owned.includes(name)) assert.equal(spec.default, "", name);
  }
  assert.equal(inputs["job-image"].default, jobImage());
});

test("an input left empty keeps the pipeline's own TCSS_* variables; TCSS_SCAN_DISABLED only skips when true", () => {
  const pipeline = (disabled) => `
variables:
  TCSS_IMAGES: ${APP}
  TCSS_ENDPOINT: ${emu.url}
  TCSS_WAIT: "true"
  TCSS_SCAN_DISABLED: "${disabled}"
include:
  - local: templates/tcss-scan.yml
`;
  const ran = runPipeline(pipeline("false"));
  assert.equal(ran.status, 0, ran.log);
  assert.match(ran.log, /tcss-scan > [0-9a-f]{24}\n/);  // the top-level endpoint and image were used
  assert.match(ran.log, /findings: 1 critical, 2 high/);  // and the top-level TCSS_WAIT
  const skipped = runPipeline(pipeline("true"));
  assert.equal(skipped.status, 0, skipped.log);
  assert.doesNotMatch(skipped.log, /tcss-scan > [0-9a-f]{24}/);
});

test("the job runs in merge-request pipelines too", () => {
  const { status, log } = runPipeline(`
include:
  - local: templates/tcss-scan.yml
    inputs:
      images: ${APP}
      endpoint: ${emu.url}
`, ["--variable", "CI_PIPELINE_SOURCE=merge_request_event", "--variable", "CI_COMMIT_BRANCH="]);
  assert.equal(status, 0, log);
  assert.match(log, /tcss-scan > [0-9a-f]{24}\n/);
});

// The merge-request note through the template (issue 23): comment and baseline-image as inputs,
// the project access token as a masked variable; the second pipeline updates the same note. The
// fake GitLab API runs as a process of its own (gitlab-ci-local blocks this one).
test("the template writes the merge-request note and updates it in place", async () => {
  const forge = await require("./fake-forge").spawnForge();
  try {
    const url = forge.url;
    const pipeline = `
include:
  - local: templates/tcss-scan.yml
    inputs:
      images: ${APP}
      endpoint: ${emu.url}
      comment: "true"
      baseline-image: ccr.ccs.tencentyun.com/demo/app:main
`;
    const args = ["--variable", "CI_PIPELINE_SOURCE=merge_request_event", "--variable", "CI_COMMIT_BRANCH=",
      "--variable", "CI_MERGE_REQUEST_IID=3", "--variable", "CI_PROJECT_ID=42", "--variable", `CI_API_V4_URL=${url}/api/v4`];
    const variables = `TENCENTCLOUD_SECRET_ID: ${SECRET_ID}\nTENCENTCLOUD_SECRET_KEY: ${SECRET_KEY}\nTCSS_GITLAB_TOKEN: glpat-project\nGITLAB_CI: "true"\n`;  // GitLab sets GITLAB_CI; gitlab-ci-local says false
    const first = runPipeline(pipeline, args, variables);
    assert.equal(first.status, 0, first.log);
    const created = await (await fetch(`${url}/_forge/state`)).json();
    assert.equal(created.comments.length, 1, JSON.stringify(created.log.map((r) => [r.method, r.path, r.headers["private-token"] ? "token" : "none"])));
    const second = runPipeline(pipeline, args, variables);
    assert.equal(second.status, 0, second.log);
    assert.doesNotMatch(first.log + second.log, /glpat-project/);
    const state = await (await fetch(`${url}/_forge/state`)).json();
    const notes = state.comments.filter((c) => c.thread === "gl:42!3");
    assert.equal(notes.length, 1);
    assert.equal(notes[0].author, "project_7_bot_ab12");
    assert.match(notes[0].body, /### TCSS image scan: passed[\s\S]*1 \(1 new\)/);
    assert.equal(state.log.filter((r) => r.method === "PUT").length, 1);
  } finally {
    forge.stop();
  }
});
