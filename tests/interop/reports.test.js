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

// Issue 22, bad input: a virus list longer than its count with a duplicate, a level off the
// scale, an entry without MD5; a risk list shorter than its count; names made of Markdown, HTML,
// CDATA ends, control characters and workflow commands. Every finding is reported, with a
// warning naming the image, one set of numbers everywhere, and every file still valid.
test("hostile malware and risk lists: nothing dropped, one set of numbers, every report valid and inert", async () => {
  const evil = "<script>alert(1)</script> ]]> **bold** `tick` |pipe| \u001b[31m\n::error::forged";
  const image = "sha256:" + "e".repeat(64);
  const inventory = path.join(dir, "hostile.json");
  fs.writeFileSync(inventory, JSON.stringify([{
    ImageID: image, ImageName: "ccr.ccs.tencentyun.com/demo/hostile:1", VirusCnt: 2, RiskCnt: 3,
    Viruses: [
      { Path: "/bin/a", VirusName: evil, Md5: "0123456789abcdef0123456789abcdef", RiskLevel: 4 },
      { Path: "/bin/a", VirusName: evil, Md5: "0123456789abcdef0123456789abcdef", RiskLevel: 4 },
      { Path: "/bin/" + evil, VirusName: "Off.Scale", RiskLevel: 9 },
    ],
    Risks: [{ Behavior: 1, Type: 2, Level: 3, Desc: evil, InstructionContent: evil }],
  }]));
  const hostile = await startEmulator(["--scan-seconds", "0", "--inventory", inventory]);
  const work = tempDir("tcss-hostile-");
  try {
    const r = run(path.join(BIN, "tcss-scan"),
        ["--fail-on-findings", "virus", "--sarif-file", "out.sarif", "--junit-file", "junit.xml",
         "--report-file", "gl.json", "--findings-file", "f.json", "--dotenv", "tcss.env", image],
        { cwd: work, env: { PATH: process.env.PATH, HOME: work, TENCENTCLOUD_SECRET_ID: SECRET_ID,
                            TENCENTCLOUD_SECRET_KEY: SECRET_KEY, TCSS_ENDPOINT: hostile.url, GITHUB_ACTIONS: "true",
                            GITHUB_OUTPUT: path.join(work, "output"), GITHUB_STEP_SUMMARY: path.join(work, "summary.md") } });
    assert.equal(r.status, 2, r.stderr);
    // The warnings name the image; no line of the log is a forged workflow command.
    assert.match(r.stdout + r.stderr, new RegExp(`${image} lists virus md5:0123456789abcdef0123456789abcdef twice`));
    assert.match(r.stdout + r.stderr, new RegExp(`virus of ${image}: level "9" is not on the 1-4 scale`));
    assert.match(r.stdout + r.stderr, new RegExp(`TCSS counts 2 virus\\(s\\) in ${image} but its list .* holds 3`));
    assert.match(r.stdout + r.stderr, new RegExp(`TCSS counts 3 risk\\(s\\) in ${image} but its list .* holds 1`));
    assert.doesNotMatch(r.stdout + r.stderr, /^::error::forged/m);
    // One set of numbers: 3 viruses (the list is longer), 3 risks (the count stands).
    const env = Object.fromEntries(fs.readFileSync(path.join(work, "tcss.env"), "utf8").split("\n").filter(Boolean)
      .map((l) => l.split(/=(.*)/s).slice(0, 2)));
    assert.equal(env.TCSS_VIRUSES, "3");
    assert.equal(env.TCSS_RISKS, "3");
    const f = JSON.parse(fs.readFileSync(path.join(work, "f.json"), "utf8"));
    assert.equal(f.totals.virus, 3);
    assert.equal(f.totals.risk, 3);
    assert.equal(f.findings.filter((x) => x.kind === "virus").length, 3);
    assert.equal(f.findings.filter((x) => x.kind === "risk").length, 1);
    assert.ok(f.findings.some((x) => x.name === evil), "the text is kept, as data");
    // Every format is still valid, and the text is inert in each.
    const sarif = path.join(work, "out.sarif");
    assert.deepEqual(validate(sarif, "Gh").filter((x) => x.level === "error"), []);
    const doc = JSON.parse(fs.readFileSync(sarif, "utf8"));
    assert.equal(doc.runs[0].results.filter((x) => x.ruleId.startsWith("virus/")).length, 3);
    const junit = path.join(work, "junit.xml");
    assert.equal(run("xmllint", ["--noout", junit]).status, 0);
    assert.match(fs.readFileSync(junit, "utf8"), /failures="3"/);
    assert.doesNotMatch(fs.readFileSync(junit, "utf8"), /<script>/);
    JSON.parse(fs.readFileSync(path.join(work, "gl.json"), "utf8"));
    const summary = fs.readFileSync(path.join(work, "summary.md"), "utf8");
    // Markdown and HTML only inside code spans (GitHub renders them literally), no escape byte.
    assert.doesNotMatch(summary, /\u001b|^::/m);
    const outside = summary.split("\n").map((l) => l.replace(/(`+)[^`]*?\1/g, "")).join("\n");
    assert.doesNotMatch(outside, /<script>|\*\*bold|tick/);
    assert.equal((summary.match(/<script>/g) || []).length, 4);
    assert.match(summary, /3 vir/);
  } finally {
    hostile.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
});
