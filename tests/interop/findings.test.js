// --findings-file (issue 22, 2): the whole triaged result as one JSON document, valid against
// the schema committed in schemas/, checked with a real validator (ajv, pinned), with the same
// numbers as the exit code and the dotenv.
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const Ajv = require("ajv");
const { ROOT, BIN, SECRET_ID, SECRET_KEY, startEmulator, tempDir, run } = require("./helpers");

const SCHEMA = JSON.parse(fs.readFileSync(path.join(ROOT, "schemas/findings-1.schema.json"), "utf8"));
const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(SCHEMA);
const MINER = "ccr.ccs.tencentyun.com/demo/miner:1.0";
const APP = "ccr.ccs.tencentyun.com/demo/app:1.0";

let emu;
let tmp;
before(async () => {
  emu = await startEmulator(["--scan-seconds", "0.5"]);
  tmp = tempDir("tcss-findings-");
});
after(() => {
  emu.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function scan(args) {
  const file = path.join(tmp, `findings-${Math.random().toString(16).slice(2)}.json`);
  const r = run(path.join(BIN, "tcss-scan"), ["--endpoint", emu.url, "--findings-file", file, "--dotenv", file + ".env", ...args], {
    env: { PATH: "/usr/bin:/bin", HOME: tmp, TENCENTCLOUD_SECRET_ID: SECRET_ID, TENCENTCLOUD_SECRET_KEY: SECRET_KEY }, cwd: tmp,
  });
  const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  const env = Object.fromEntries(fs.readFileSync(file + ".env", "utf8").split("\n").filter(Boolean).map((l) => l.split(/=(.*)/s).slice(0, 2)));
  return { r, doc, env };
}

test("a scan with vulnerabilities, a virus and a risk: one valid document, the numbers of every output", () => {
  const ignore = path.join(tmp, "ignore");
  fs.writeFileSync(ignore, "CVE-2024-3094 exp:2099-01-01 # accepted in the test\n");
  const { r, doc, env } = scan(["--fail-on-findings", "virus", "--severity-threshold", "critical", "--ignore-file", ignore, MINER, APP]);
  assert.equal(r.status, 2, r.stderr);
  assert.ok(validate(doc), JSON.stringify(validate.errors, null, 1));
  assert.equal(doc.schemaVersion, "1");
  assert.equal(doc.complete, true);
  assert.equal(doc.status, "END");
  assert.equal(doc.taskId, r.stdout.trim());
  assert.deepEqual(doc.gate, { threshold: "critical", failOnFindings: ["virus"], failed: true, counts: "all", reason: doc.gate.reason });
  // The totals are the dotenv's, and the findings add up to them.
  assert.equal(String(doc.totals.critical), env.TCSS_CRITICAL);
  assert.equal(String(doc.totals.virus), env.TCSS_VIRUSES);
  assert.equal(String(doc.totals.risk), env.TCSS_RISKS);
  const open = (kind, level) => doc.findings.filter((f) => f.kind === kind && !f.suppression && (!level || f.level === level)).length;
  assert.equal(open("vulnerability", "critical"), doc.totals.critical);
  assert.equal(open("vulnerability", "high"), doc.totals.high);
  assert.equal(open("virus"), doc.totals.virus);
  assert.equal(open("risk"), doc.totals.risk);
  const xz = doc.findings.find((f) => f.id === "CVE-2024-3094");
  assert.deepEqual(xz.suppression, { kind: "ignore", reason: "accepted in the test", expires: "2099-01-01" });
  const virus = doc.findings.find((f) => f.kind === "virus");
  assert.equal(virus.id, "md5:8d3f5e2a9c1b4d7e6f0a2b3c4d5e6f70");
  assert.equal(virus.path, "/usr/local/bin/kworkerds");
  assert.equal(doc.images.length, 2);
});

test("a run that read no findings still writes a valid document that says why", () => {
  const { r, doc } = scan(["--resolve-timeout", "0", "ccr.ccs.tencentyun.com/demo/none:1"]);
  assert.equal(r.status, 1, r.stderr);
  assert.ok(validate(doc), JSON.stringify(validate.errors, null, 1));
  assert.equal(doc.complete, false);
  assert.match(doc.incompleteReason, /TCSS does not know/);
  assert.deepEqual(doc.findings, []);
});

test("the validator is real: a document off the schema is refused", () => {
  const { doc } = scan([MINER]);
  assert.ok(validate(doc));
  const bad = structuredClone(doc);
  bad.findings[0].level = "urgent";
  assert.equal(validate(bad), false);
  const noVersion = structuredClone(doc);
  delete noVersion.schemaVersion;
  assert.equal(validate(noVersion), false);
});
