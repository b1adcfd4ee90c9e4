// One name per option (issue 21, 4): the published files (README, docs, the action, the GitLab
// template and variables file, the integration files, the Docker hook) name only options and
// variables that exist, and the README's options table is the binary's option table.
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { ROOT, BIN, SECRET_ID, SECRET_KEY, startEmulator, tempDir, run, helpOptions } = require("./helpers");

const OPTIONS = helpOptions();

function walk(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]);
}
const PUBLISHED = [
  "README.md", "actions/tcss-scan/action.yml", "actions/tcss-scan/run.sh", "templates/tcss-scan.yml",
  "scripts/install-docker-plugin.sh", "scripts/docker-hub/hooks/post_push",
].map((f) => path.join(ROOT, f)).concat(walk(path.join(ROOT, "docs")), walk(path.join(ROOT, "gitlab")),
  walk(path.join(ROOT, "integrations")));
const CODE = [...walk(path.join(ROOT, "src")), ...walk(path.join(ROOT, "scripts")), ...walk(path.join(ROOT, "actions")),
  ...walk(path.join(ROOT, "templates")), ...walk(path.join(ROOT, "gitlab")), path.join(ROOT, "project.env")].map((f) => fs.readFileSync(f, "utf8")).join("\n");

// What a real run writes to its dotenv file: the output variables later steps read.
let outputs = new Set();
let tmp;
before(async () => {
  tmp = tempDir("tcss-names-");
  const emu = await startEmulator(["--scan-seconds", "1"]);
  try {
    const dotenv = path.join(tmp, "out.env");
    const r = run(path.join(BIN, "tcss-scan"), ["--wait", "--dotenv", dotenv, "--endpoint", emu.url, "--baseline-image", "ccr.ccs.tencentyun.com/demo/app:main",
      "ccr.ccs.tencentyun.com/demo/app:1.0"], {
      env: { PATH: "/usr/bin:/bin", HOME: tmp, TENCENTCLOUD_SECRET_ID: SECRET_ID, TENCENTCLOUD_SECRET_KEY: SECRET_KEY },
    });
    assert.ok(r.status === 0 || r.status === 2, r.stderr);
    outputs = new Set(fs.readFileSync(dotenv, "utf8").split("\n").filter(Boolean).map((l) => l.split("=")[0]));
  } finally {
    emu.stop();
  }
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// Known: an option's variable or alias (and the action's/template's TCSS_INPUT__ of it), an
// output the run writes, a name the binary, a script or project.env reads, or a name the same
// file defines (a YAML key or a shell assignment) for itself.
function unknownVariables(file, text) {
  const envs = new Set(OPTIONS.flatMap((o) => [o.env, ...o.envAliases]));
  const bad = [];
  for (const name of new Set(text.match(/\b(?:TCSS|TENCENTCLOUD|TKE)_[A-Z0-9_]*[A-Z0-9]\b/g) || [])) {
    if (envs.has(name) || outputs.has(name)) continue;
    if (name.startsWith("TCSS_INPUT__") && envs.has(name.slice("TCSS_INPUT__".length))) continue;
    if (CODE.includes(`"${name}"`) || new RegExp(`\\$\\{?${name}\\b|\\b${name}=`).test(CODE)) continue;
    if (new RegExp(`^\\s*(?:- )?(?:name: )?${name}(?::|=)|env\\.${name} =`, "m").test(text)) continue;
    bad.push(name);
  }
  return bad.map((n) => `${path.relative(ROOT, file)}: ${n}`);
}

// Flags of the other commands the files show (docker, curl, gh, the scripts).
const OTHER_FLAGS = { "--rm": "docker run", "--user": "docker run", "--entrypoint": "docker run", "--retry": "curl",
  "--proto": "curl", "--repo": "gh attestation verify", "--type": "cosign attest", "--predicate": "cosign attest",
  "--yes": "cosign attest" };
function unknownFlags(file, text) {
  const flags = new Set(OPTIONS.flatMap((o) => [o.flag, ...o.flagAliases]));
  for (const f of ["--help", "--version", "--"]) flags.add(f);
  const emulator = run(path.join(BIN, "tcss-emulator"), ["--help"]);
  for (const m of (emulator.stdout + emulator.stderr).matchAll(/--[a-z][a-z0-9-]+/g)) flags.add(m[0]);
  const bad = [];
  for (const m of text.matchAll(/(?:^|[^\w-])(--[a-z][a-z0-9-]*)/g)) {
    const f = m[1];
    if (flags.has(f) || OTHER_FLAGS[f] || new RegExp(`"${f}"|${f}\\)`).test(CODE)) continue;
    bad.push(`${path.relative(ROOT, file)}: ${f}`);
  }
  return [...new Set(bad)];
}

test("the published files name only options and variables that exist", () => {
  assert.ok(outputs.has("TCSS_TASK_ID") && outputs.has("TCSS_CRITICAL"), [...outputs].join(" "));
  const bad = [];
  for (const file of PUBLISHED) {
    const text = fs.readFileSync(file, "utf8");
    bad.push(...unknownVariables(file, text), ...unknownFlags(file, text));
  }
  assert.deepEqual(bad, []);
});

test("the check fails on a variable nothing reads and on an option that does not exist", () => {
  const file = path.join(ROOT, "integrations/bitbucket/bitbucket-pipelines.yml");
  assert.deepEqual(unknownVariables(file, "script:\n  - tcss-scan\n# set TCSS_ROLE_NAME\n"),
    ["integrations/bitbucket/bitbucket-pipelines.yml: TCSS_ROLE_NAME"]);
  assert.deepEqual(unknownFlags(file, "tcss-scan --severity high IMAGE"),
    ["integrations/bitbucket/bitbucket-pipelines.yml: --severity"]);
  assert.deepEqual(unknownVariables(file, "TCSS_ROLE_ARN and TENCENTCLOUD_ROLE_ARN"), []);
});

test("README's options table is --help's, row by row, with every alias", () => {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const table = readme.slice(readme.indexOf("| flag | env | input | default | meaning |"));
  const rows = table.slice(0, table.indexOf("\n\n")).split("\n").slice(2);
  const optionRows = rows.filter((r) => /`--[a-z]/.test(r.split(" | ")[0]));
  assert.equal(optionRows.length, OPTIONS.length, optionRows.join("\n"));
  OPTIONS.forEach((o, i) => {
    const [flagCell, envCell, inputCell] = optionRows[i].slice(2).split(" | ");
    assert.match(flagCell, new RegExp(`\`${o.flag}[ \`]`), `row ${i + 1}: ${o.flag}`);
    for (const a of o.flagAliases) assert.ok(flagCell.includes(`\`${a}\``), `${o.flag}: alias ${a}`);
    assert.ok(envCell.startsWith(`\`${o.env}\``), `${o.flag}: ${envCell}`);
    for (const a of o.envAliases) assert.ok(envCell.includes(`\`${a}\``), `${o.flag}: alias ${a}`);
    assert.ok(inputCell.startsWith(`\`${o.input}\``), `${o.flag}: ${inputCell}`);
    for (const a of o.inputAliases) assert.ok(inputCell.includes(`\`${a}\`, deprecated`), `${o.flag}: input ${a}`);
  });
});
