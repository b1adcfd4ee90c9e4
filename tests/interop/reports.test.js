// The finding reports (issue 11) checked by the tools that read them: SARIF by Microsoft's
// SARIF multitool (pinned), with GitHub's ingestion rules (--rule-kind Gh) and the SARIF
// spec's own; JUnit by xmllint. A broken copy of each must be refused, so the checks can fail.
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { BIN, SECRET_ID, SECRET_KEY, startEmulator, tempDir, run } = require("./helpers");

const MULTITOOL = path.join(__dirname, "node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
const APP = "ccr.ccs.tencentyun.com/demo/app:1.0";
const NGINX = "nginx:1.25";
let emu;
let dir;
let validations = 0;

before(async () => {
  emu = await startEmulator(["--scan-seconds", "0.5"]);
  dir = tempDir("tcss-reports-");
  // npm may skip the package's postinstall, which sets the run bit.
  fs.chmodSync(MULTITOOL, 0o755);
});
after(() => {
  emu.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

// The multitool's findings about `file` (its exit code is 0 either way): [{level, ruleId, id}].
function validate(file, ruleKind) {
  const log = path.join(dir, `validation-${++validations}.json`);
  const args = ["validate", file, "-o", log];
  if (ruleKind) args.push("--rule-kind", ruleKind);
  const r = run(MULTITOOL, args, { env: { PATH: process.env.PATH, HOME: dir, DOTNET_CLI_TELEMETRY_OPTOUT: "1" } });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const out = JSON.parse(fs.readFileSync(log, "utf8"));
  return out.runs.flatMap((x) => x.results || []).map((x) => ({ level: x.level, ruleId: x.ruleId, id: x.message.id }));
}

function scan() {
  fs.writeFileSync(path.join(dir, ".tcss-scan-ignore"),
      "# accepted until the base image moves\nCVE-2024-3094 exp:2099-12-31\nCVE-2023-44487 exp:2020-01-01\nCVE-2099-0001\n");
  const r = run(path.join(BIN, "tcss-scan"),
      ["--wait", "--severity-threshold", "high", "--ignore-unfixed", "--sarif-file", "out.sarif",
       "--junit-file", "junit.xml", APP, NGINX],
      { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, TENCENTCLOUD_SECRET_ID: SECRET_ID,
                         TENCENTCLOUD_SECRET_KEY: SECRET_KEY, TCSS_ENDPOINT: emu.url } });
  assert.equal(r.status, 2, r.stderr);  // 2 high left after the ignore file
  return r;
}

test("the SARIF tcss-scan writes passes the multitool's SARIF and GitHub rules; a broken copy does not", () => {
  scan();
  const sarif = path.join(dir, "out.sarif");
  for (const kind of ["Gh", undefined]) {
    const errors = validate(sarif, kind).filter((x) => x.level === "error");
    assert.deepEqual(errors, [], `${kind || "SARIF"} rules`);
  }
  const doc = JSON.parse(fs.readFileSync(sarif, "utf8"));
  assert.equal(doc.runs.length, 2);  // one run per repository
  const ids = doc.runs.map((r) => r.automationDetails.id);
  assert.deepEqual(ids.sort(), ["tcss-scan/ccr.ccs.tencentyun.com%2Fdemo%2Fapp/", "tcss-scan/docker.io%2Flibrary%2Fnginx/"]);
  // A result without locations is what GitHub rejects (GH1015): the check sees it.
  delete doc.runs[0].results[0].locations;
  const broken = path.join(dir, "broken.sarif");
  fs.writeFileSync(broken, JSON.stringify(doc));
  assert.ok(validate(broken, "Gh").some((x) => x.ruleId === "GH1015"));
});

test("the JUnit tcss-scan writes is well-formed XML with the gate's numbers; a broken copy is not", () => {
  scan();
  const junit = path.join(dir, "junit.xml");
  const ok = run("xmllint", ["--noout", junit]);
  assert.equal(ok.status, 0, ok.stderr);
  const xml = fs.readFileSync(junit, "utf8");
  // app: 10 findings + "scanned", nginx: 1 + "scanned"; failing: the 2 high; ignored: the
  // critical (ignore file) and 3 without a fix (two in app, one in nginx).
  assert.match(xml, /<testsuites name="tcss-scan" tests="13" failures="2" errors="0" skipped="9">/);
  assert.equal((xml.match(/<skipped message="ignored: /g) || []).length, 4);
  fs.writeFileSync(path.join(dir, "broken.xml"), xml.replace("</testsuites>", ""));
  assert.notEqual(run("xmllint", ["--noout", path.join(dir, "broken.xml")]).status, 0);
});
