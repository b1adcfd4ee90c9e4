// The ready-to-copy integration files under integrations/ (issue 13): each parses, names only
// settings and variables tcss-scan knows, and, where its steps are plain shell, is replayed the
// way its CI system would run it: the real tcss-scan against the emulator, then the next step
// reading the TaskID the platform's way.
"use strict";
const { test, before, after, beforeEach } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const yaml = require("js-yaml");
const { ROOT, BIN, SECRET_ID, SECRET_KEY, startEmulator, tempDir, run, emulatorFetch, helpOptions, jobImage } = require("./helpers");

const DIR = path.join(ROOT, "integrations");
const load = (file) => yaml.load(fs.readFileSync(path.join(DIR, file), "utf8"));
const CLEAN = "ccr.ccs.tencentyun.com/demo/clean:2.0";  // the emulator's image without findings

const OPTIONS = helpOptions();
const ENV_NAMES = new Set([...OPTIONS.map((o) => o.env), "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SESSION_TOKEN"]);

let emu;
let tmp;
before(async () => {
  emu = await startEmulator(["--scan-seconds", "1"]);
  tmp = tempDir("tcss-platforms-");
});
beforeEach(async () => {
  await emulatorFetch(emu.url + "/_emulator/reset", { method: "POST" });
});
after(() => {
  emu.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// A bin folder with tcss-scan first on PATH, as the job image has it.
function jobPath(extra = []) {
  const bin = fs.mkdtempSync(path.join(tmp, "bin-"));
  fs.symlinkSync(path.join(BIN, "tcss-scan"), path.join(bin, "tcss-scan"));
  return [bin, ...extra, "/usr/bin", "/bin"].join(":");
}
const creds = () => ({ TENCENTCLOUD_SECRET_ID: SECRET_ID, TENCENTCLOUD_SECRET_KEY: SECRET_KEY });

// Drone's and Woodpecker's settings → PLUGIN_<NAME> (drone-runner-docker / woodpecker
// paramsToEnv: '.' and '-' become '_', upper case; lists joined with ','; from_secret resolved).
function pluginEnv(settings, secrets) {
  const env = {};
  for (const [k, v] of Object.entries(settings)) {
    const key = "PLUGIN_" + k.replace(/[.-]/g, "_").toUpperCase();
    if (v && typeof v === "object" && !Array.isArray(v) && v.from_secret) env[key] = secrets[v.from_secret];
    else env[key] = Array.isArray(v) ? v.join(",") : String(v);
  }
  return env;
}

function replayPlugin(file, marker) {
  const doc = load(file);
  const step = doc.steps.find((s) => s.name === "tcss-scan");
  assert.equal(step.image, jobImage());
  for (const k of Object.keys(step.settings)) {
    const input = k.replace(/_/g, "-");
    assert.ok(OPTIONS.some((o) => o.input === input) || ["secret-id", "secret-key"].includes(input), `${file}: setting ${k}`);
  }
  const workspace = fs.mkdtempSync(path.join(tmp, "ws-"));
  const settings = { ...step.settings, images: CLEAN, endpoint: emu.url };
  const env = {
    PATH: jobPath(),
    HOME: workspace,
    ...marker,
    ...pluginEnv(settings, { tencentcloud_secret_id: SECRET_ID, tencentcloud_secret_key: SECRET_KEY }),
  };
  const r = run(path.join(BIN, "tcss-scan"), [], { env, cwd: workspace });  // the image's entrypoint
  assert.equal(r.status, 0, r.stderr);
  const task = r.stdout.split("\n")[0];
  assert.match(task, /^[0-9a-f]{24}$/);
  // The next step runs its commands in the same workspace.
  const after = doc.steps.find((s) => s.name === "after the scan");
  const next = run("/bin/sh", ["-ec", after.commands.join("\n")], { env: { PATH: "/usr/bin:/bin" }, cwd: workspace });
  assert.equal(next.status, 0, next.stderr);
  assert.equal(next.stdout, `TCSS task ${task}\n`);
}

test("Drone: the plugin step replayed, the next step sources tcss-scan.env", () => {
  replayPlugin("drone/.drone.yml", { DRONE: "true", CI: "true", DRONE_BUILD_NUMBER: "7" });
});

test("Woodpecker: the plugin step replayed, the next step sources tcss-scan.env", () => {
  replayPlugin("woodpecker/.woodpecker.yml", { CI: "woodpecker", CI_PIPELINE_NUMBER: "7" });
});

test("CNB: plugin settings are tcss-scan's, exports name outputs it writes", () => {
  const doc = load("cnb/.cnb.yml");
  const stage = doc.main.push[0].stages.find((s) => s.name === "tcss scan");
  const env = { PATH: jobPath(), HOME: tmp, CNB: "true" };
  for (const [k, v] of Object.entries(stage.settings)) env["PLUGIN_" + k.toUpperCase()] = String(v);
  Object.assign(env, { PLUGIN_IMAGES: CLEAN, PLUGIN_ENDPOINT: emu.url, PLUGIN_SECRET_ID: SECRET_ID, PLUGIN_SECRET_KEY: SECRET_KEY });
  const r = run(path.join(BIN, "tcss-scan"), [], { env, cwd: tmp });
  assert.equal(r.status, 0, r.stderr);
  const outputs = Object.fromEntries([...r.stdout.matchAll(/^##\[set-output ([a-z_]+)=([^\]\n]*)\]$/gm)].map((m) => [m[1], m[2]]));
  for (const key of Object.keys(stage.exports)) assert.ok(key in outputs, `exports names ${key}, which tcss-scan must write`);
  assert.equal(outputs.task_id, r.stdout.split("\n")[0]);
  assert.equal(outputs.status, "END");  // wait: true in the example
});

// Azure: ${{ parameters.X }} are template expressions, $(X) macros from variables.
function azureExpand(text, parameters, variables) {
  return text
    .replace(/\$\{\{ parameters\.(\w+) \}\}/g, (_, p) => String(parameters[p]))
    .replace(/\$\((\w+)\)/g, (m, v) => (v in variables ? variables[v] : m));
}

test("Azure Pipelines: the steps template replayed with a docker that runs the binary", () => {
  const doc = load("azure-pipelines/tcss-scan.yml");
  const parameters = Object.fromEntries(doc.parameters.map((p) => [p.name, p.default]));
  Object.assign(parameters, { images: CLEAN, wait: true, severityThreshold: "high" });
  const step = doc.steps[0];
  assert.equal(step.name, "tcss");
  for (const k of Object.keys(step.env)) assert.ok(ENV_NAMES.has(k) || k === "TCSS_JOB_IMAGE", `env ${k}`);
  // A docker stand-in: `run` with only the -e variables, in the -w folder, as the image's user.
  const fakeBin = fs.mkdtempSync(path.join(tmp, "docker-"));
  fs.writeFileSync(path.join(fakeBin, "docker"), `#!/usr/bin/env node
const { spawnSync } = require("node:child_process");
const a = process.argv.slice(2);
if (a.shift() !== "run") process.exit(64);
const env = { PATH: "/usr/bin:/bin", TCSS_ENDPOINT: process.env.FAKE_ENDPOINT };
let cwd = "/";
while (a[0].startsWith("-")) {
  const f = a.shift();
  if (f === "--rm") continue;
  const v = a.shift();
  if (f === "-e" && process.env[v] !== undefined) env[v] = process.env[v];
  if (f === "-w") cwd = v;
}
if (a.shift() !== process.env.FAKE_IMAGE) process.exit(65);
const r = spawnSync(process.env.FAKE_TCSS, a, { env, cwd, stdio: "inherit" });
process.exit(r.status);
`, { mode: 0o755 });
  const agentTemp = fs.mkdtempSync(path.join(tmp, "agent-"));
  const workdir = fs.mkdtempSync(path.join(tmp, "s-"));
  const stepEnv = Object.fromEntries(Object.entries(step.env).map(([k, v]) =>
    [k, azureExpand(String(v), parameters, { TENCENTCLOUD_SECRET_ID: SECRET_ID, TENCENTCLOUD_SECRET_KEY: SECRET_KEY })]));
  const env = {
    PATH: `${fakeBin}:${process.env.PATH}`,
    TF_BUILD: "True", AGENT_TEMPDIRECTORY: agentTemp, BUILD_BUILDID: "41",
    FAKE_ENDPOINT: emu.url, FAKE_IMAGE: parameters.jobImage, FAKE_TCSS: path.join(BIN, "tcss-scan"),
    ...stepEnv,
  };
  const r = run("/bin/bash", ["-c", azureExpand(step.bash, parameters, {})], { env, cwd: workdir });
  assert.equal(r.status, 0, r.stderr);
  const task = r.stdout.split("\n")[0];
  assert.match(r.stdout, new RegExp(`^##vso\\[task\\.setvariable variable=TCSS_TASK_ID;isOutput=true\\]${task}$`, "m"));
  assert.match(r.stdout, /^##vso\[task\.setvariable variable=TCSS_STATUS;isOutput=true\]END$/m);
  const summary = r.stdout.match(/^##vso\[task\.uploadsummary\](.+)$/m)[1];
  assert.ok(summary.startsWith(agentTemp + "/"));
  assert.match(fs.readFileSync(summary, "utf8"), /### TCSS image scan/);
  assert.equal(doc.steps[1].task, "PublishTestResults@2");
});

test("CircleCI: the job's steps replayed; the next step has $TCSS_TASK_ID from $BASH_ENV", () => {
  const doc = load("circleci/config.yml");
  const job = doc.jobs["tcss-scan"];
  assert.equal(job.docker[0].image, jobImage());
  const bashEnv = path.join(tmp, "circle-bash-env");
  fs.writeFileSync(bashEnv, "");
  const junitDir = fs.mkdtempSync(path.join(tmp, "circle-junit-"));
  const env = { PATH: jobPath(), HOME: tmp, CIRCLECI: "true", CI: "true", CIRCLE_SHA1: "abc", BASH_ENV: bashEnv, TCSS_ENDPOINT: emu.url, ...creds() };
  const outs = [];
  for (const s of job.steps.filter((x) => x.run)) {
    // Each run step is a fresh bash that sources $BASH_ENV, as CircleCI runs them. (stdin from
    // /dev/null: on a socket, which Node's pipes are, bash takes itself for an rshd child and
    // reads ~/.bashrc instead.)
    const cmd = s.run.command.replace(/"registry\.example\/team\/app:\$\{CIRCLE_SHA1\}"/, CLEAN).replace(/\/tmp\/tcss/g, junitDir);
    const r = run("/bin/bash", ["-eo", "pipefail", "-c", cmd], { env, cwd: tmp, stdio: ["ignore", "pipe", "pipe"] });
    assert.equal(r.status, 0, r.stderr);
    outs.push(r.stdout);
  }
  const task = outs[0].split("\n")[0];
  assert.equal(outs[1], `TCSS task ${task}\n`);
  assert.match(fs.readFileSync(path.join(junitDir, "junit.xml"), "utf8"), /<testsuites/);
  assert.equal(job.steps.find((x) => x.store_test_results).store_test_results.path, "/tmp/tcss");
});

test("Bitbucket: the scan step writes the output variables it declares", () => {
  const doc = load("bitbucket/bitbucket-pipelines.yml");
  const step = doc.pipelines.default.find((s) => s.step.name === "TCSS scan").step;
  const vars = path.join(tmp, "bb-vars");
  const workdir = fs.mkdtempSync(path.join(tmp, "bb-"));
  const env = { PATH: jobPath(), HOME: tmp, BITBUCKET_BUILD_NUMBER: "3", BITBUCKET_COMMIT: "abc", BITBUCKET_PIPELINES_VARIABLES_PATH: vars, TCSS_ENDPOINT: emu.url, ...creds() };
  const script = step.script.join("\n").replace(/"registry\.example\/team\/app:\$BITBUCKET_COMMIT"/, CLEAN);
  const r = run("/bin/sh", ["-ec", script], { env, cwd: workdir });
  assert.equal(r.status, 0, r.stderr);
  const written = Object.fromEntries(fs.readFileSync(vars, "utf8").trim().split("\n").map((l) => l.split("=")));
  for (const name of step["output-variables"]) assert.ok(name in written, `${name} is declared but not written`);
  assert.equal(written.TCSS_TASK_ID, r.stdout.split("\n")[0]);
  assert.ok(fs.existsSync(path.join(workdir, "test-results/tcss.xml")));
});

test("Tekton: the Task's results are the files tcss-scan writes; params reach its env", () => {
  const task = load("tekton/tcss-scan-task.yaml");
  assert.equal(task.apiVersion, "tekton.dev/v1");
  assert.equal(task.kind, "Task");
  const params = new Set(task.spec.params.map((p) => p.name));
  const step = task.spec.steps[0];
  assert.deepEqual(step.args, ["--platform", "tekton"]);
  const text = fs.readFileSync(path.join(DIR, "tekton/tcss-scan-task.yaml"), "utf8");
  for (const m of text.matchAll(/\$\(params\.([\w-]+)\)/g)) assert.ok(params.has(m[1]), `unknown param ${m[1]}`);
  for (const e of step.env) assert.ok(ENV_NAMES.has(e.name) || ["IMAGE_URL", "IMAGE_DIGEST"].includes(e.name), e.name);
  // The step as Tekton runs it: params substituted, results in a results folder.
  const results = fs.mkdtempSync(path.join(tmp, "results-"));
  const env = { PATH: "/usr/bin:/bin", HOME: tmp, TCSS_TEKTON_RESULTS_DIR: results, TCSS_ENDPOINT: emu.url, ...creds() };
  for (const e of step.env.filter((x) => x.value !== undefined)) {
    env[e.name] = e.value.replace(/\$\(params\.([\w-]+)\)/, (_, p) =>
      ({ IMAGE_URL: CLEAN, IMAGE_DIGEST: "" }[p] ?? task.spec.params.find((x) => x.name === p).default));
  }
  const r = run(path.join(BIN, "tcss-scan"), step.args, { env, cwd: tmp });
  assert.equal(r.status, 0, r.stderr);
  for (const res of task.spec.results) assert.ok(fs.existsSync(path.join(results, res.name)), `result ${res.name} not written`);
  assert.equal(fs.readFileSync(path.join(results, "task-id"), "utf8"), r.stdout.trim());
});

test("Buildkite: the docker plugin step runs tcss-scan with the agent mounted", () => {
  const doc = load("buildkite/pipeline.yml");
  const step = doc.steps.find((s) => s.key === "tcss-scan");
  const docker = step.plugins[0][Object.keys(step.plugins[0])[0]];
  assert.match(Object.keys(step.plugins[0])[0], /^docker#v\d+\.\d+\.\d+$/);
  assert.equal(docker["mount-buildkite-agent"], true);
  // The command is tcss-scan's arguments (the image's entrypoint): they must parse.
  const args = docker.command.map((a) => a.replace("registry.example/team/app:$BUILDKITE_COMMIT", CLEAN));
  const r = run(path.join(BIN, "tcss-scan"), ["--dry-run", ...args], { env: { PATH: "/usr/bin:/bin", HOME: tmp, TCSS_ENDPOINT: emu.url, ...creds() } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(doc.steps.at(-1).command, /buildkite-agent meta-data get TCSS_TASK_ID/);
});

test("Jenkinsfile: reads the dotenv tcss-scan writes under Jenkins, and the JUnit file", () => {
  const text = fs.readFileSync(path.join(DIR, "jenkins/Jenkinsfile"), "utf8");
  const junit = text.match(/--junit-file (\S+) /)[1];
  assert.match(text, new RegExp(`junit [^\\n]*testResults: '${junit.replace(".", "\\.")}'`));
  const props = text.match(/readProperties file: '([^']+)'/)[1];
  // Under Jenkins (JENKINS_URL), with no --dotenv, tcss-scan writes that file in the workspace.
  const ws = fs.mkdtempSync(path.join(tmp, "jenkins-"));
  const env = { PATH: "/usr/bin:/bin", HOME: tmp, JENKINS_URL: "https://ci.example/", TCSS_ENDPOINT: emu.url, ...creds() };
  const r = run(path.join(BIN, "tcss-scan"), ["--wait", "--junit-file", junit, CLEAN], { env, cwd: ws });
  assert.equal(r.status, 0, r.stderr);
  assert.match(fs.readFileSync(path.join(ws, props), "utf8"), new RegExp(`^TCSS_TASK_ID=${r.stdout.trim()}$`, "m"));
  assert.ok(fs.existsSync(path.join(ws, junit)));
  // Balanced braces and parentheses: the shape a Groovy parser needs (no Groovy on the machine).
  const code = text.replace(/\/\/[^\n]*/g, "").replace(/'[^'\n]*'|"[^"\n]*"/g, "''");
  for (const [open, close] of [["{", "}"], ["(", ")"], ["[", "]"]]) {
    assert.equal(code.split(open).length, code.split(close).length, `${open}${close} balance`);
  }
});

test("README: every yaml snippet parses", () => {
  const text = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 2);
  for (const b of blocks) yaml.load(b);
});
