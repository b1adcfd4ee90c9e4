// --sbom-file and --cosign-vuln-file (issue 22, 4 and 5): the SBOM is valid against CycloneDX's
// own 1.6 JSON schema (the one @cyclonedx/cyclonedx-library ships, pinned), checked with a real
// validator; the predicate has the shape cosign's vuln type reads.
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { Spec, Validation } = require("@cyclonedx/cyclonedx-library");
const { BIN, SECRET_ID, SECRET_KEY, startEmulator, tempDir, run } = require("./helpers");

// CycloneDX's own validator for 1.6 (its ajv setup, the SPDX, JSF and crypto schemas it ships,
// its formats): null when valid, else the errors.
const validator = new Validation.JsonValidator(Spec.Version.v1dot6);
const validate = (bom) => validator.validate(JSON.stringify(bom));
const APP = "ccr.ccs.tencentyun.com/demo/app:1.0";
const WEB = "ccr.ccs.tencentyun.com/demo/web:2.0";
const NGINX = "nginx:1.25";

let emu;
let tmp;
before(async () => {
  emu = await startEmulator(["--scan-seconds", "0.5"]);
  tmp = tempDir("tcss-sbom-");
});
after(() => {
  emu.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function scan(args, extraEnv = {}) {
  const sbom = path.join(tmp, `s-${Math.random().toString(16).slice(2)}.cdx.json`);
  const pred = sbom + ".vuln.json";
  const r = run(path.join(BIN, "tcss-scan"), ["--endpoint", emu.url, "--sbom-file", sbom, "--cosign-vuln-file", pred, ...args], {
    env: { PATH: "/usr/bin:/bin", HOME: tmp, TENCENTCLOUD_SECRET_ID: SECRET_ID, TENCENTCLOUD_SECRET_KEY: SECRET_KEY, ...extraEnv },
    cwd: tmp,
  });
  assert.equal(r.status, 0, r.stderr);
  return { r, bom: JSON.parse(fs.readFileSync(sbom, "utf8")), pred: JSON.parse(fs.readFileSync(pred, "utf8")) };
}

test("local images and a registry image: SBOMs valid against CycloneDX 1.6", async () => {
  const ignore = path.join(tmp, "ignore");
  fs.writeFileSync(ignore, "CVE-2023-4911 # accepted in the test\n");
  const { bom } = scan(["--ignore-file", ignore, APP, NGINX]);
  const errors = await validate(bom);
  assert.equal(errors, null, JSON.stringify(errors, null, 1));
  const registry = scan([WEB]).bom;
  assert.equal(await validate(registry), null);
  assert.match(registry.components[0].purl, /^pkg:oci\/web@sha256%3A[0-9a-f]{64}\?repository_url=/);
  const containers = bom.components.filter((c) => c.type === "container");
  assert.equal(containers.length, 2);
  const refs = new Set(bom.components.map((c) => c["bom-ref"]));
  assert.equal(refs.size, bom.components.length, "bom-refs are unique");
  for (const v of bom.vulnerabilities) for (const a of v.affects) assert.ok(refs.has(a.ref), a.ref);
  for (const d of bom.dependencies) for (const on of d.dependsOn || []) assert.ok(refs.has(on), on);
  const accepted = bom.vulnerabilities.find((v) => v.id === "CVE-2023-4911");
  assert.deepEqual(accepted.analysis.response, ["will_not_fix"]);
  assert.match(accepted.analysis.detail, /accepted in the test/);
});

test("the validator is real: an SBOM off the schema is refused", async () => {
  const { bom } = scan([APP]);
  assert.equal(await validate(bom), null);
  const bad = structuredClone(bom);
  bad.vulnerabilities[0].ratings[0].severity = "urgent";
  assert.notEqual(await validate(bad), null);
  const bad2 = structuredClone(bom);
  bad2.components[1].type = "package";
  assert.notEqual(await validate(bad2), null);
  const bad3 = structuredClone(bom);
  bad3.metadata.timestamp = "yesterday"; // formats are checked too
  assert.notEqual(await validate(bad3), null);
});

test("the cosign vuln predicate: cosign's fields, RFC 3339 times, the findings document as its result", () => {
  const { r, pred } = scan([APP], {
    GITLAB_CI: "true",
    CI_JOB_URL: "https://gitlab.example.com/acme/app/-/jobs/77",
    CI_JOB_ID: "77",
  });
  assert.deepEqual(Object.keys(pred).sort(), ["invocation", "metadata", "scanner"]);
  assert.deepEqual(pred.invocation.parameters, [APP]);
  assert.equal(pred.invocation.uri, "https://gitlab.example.com/acme/app/-/jobs/77");
  assert.equal(pred.invocation.event_id, "77");
  assert.equal(pred.invocation["builder.id"], "tcss-scan");
  assert.equal(pred.scanner.db.uri, emu.url);
  assert.match(pred.scanner.version, /^\d+\.\d+\.\d+/);
  assert.equal(pred.scanner.result.taskId, r.stdout.trim());
  assert.equal(pred.scanner.result.schemaVersion, "1");
  for (const t of [pred.metadata.scanStartedOn, pred.metadata.scanFinishedOn]) {
    assert.match(t, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(!Number.isNaN(Date.parse(t)));
  }
});
