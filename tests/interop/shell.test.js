// Habits people bring (issue 21, 9): shell completion and a man page, generated from the option
// table, tried in the real shells and checked by groff.
"use strict";
const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { BIN, tempDir, run, helpOptions } = require("./helpers");

const SCAN = path.join(BIN, "tcss-scan");
const OPTIONS = helpOptions();
const script = (shell) => {
  const r = run(SCAN, ["completion", shell]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

// What bash offers for the words typed so far (the last one is being completed).
function bashComplete(words) {
  const file = path.join(tempDir("tcss-bash-"), "c.bash");
  fs.writeFileSync(file, script("bash"));
  const prog = `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; ` +
    `_tcss_scan; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = run("bash", ["--norc", "-c", prog]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\n").filter(Boolean);
}

test("bash completes commands, every option, their values and paths", () => {
  assert.deepEqual(bashComplete(["tcss-scan", "st"]), ["status"]);
  assert.deepEqual(bashComplete(["tcss-scan", "--severity-t"]), ["--severity-threshold"]);
  assert.deepEqual(bashComplete(["tcss-scan", "--source", "re"]), ["registry"]);
  assert.deepEqual(bashComplete(["tcss-scan", "--severity-threshold", "c"]), ["critical"]);
  assert.deepEqual(bashComplete(["tcss-scan", "completion", "z"]), ["zsh"]);
  const all = bashComplete(["tcss-scan", "--"]);
  for (const o of OPTIONS) assert.ok(all.includes(o.flag), o.flag);
  assert.ok(all.includes("--image"));
  // A path option completes file names in the current folder.
  const dir = tempDir("tcss-paths-");
  fs.writeFileSync(path.join(dir, "results.sarif"), "");
  const prog = `source <(${SCAN} completion bash); cd ${dir}; COMP_WORDS=(tcss-scan --sarif-file res); COMP_CWORD=2; _tcss_scan; echo "\${COMPREPLY[@]}"`;
  assert.equal(run("bash", ["--norc", "-c", prog]).stdout, "results.sarif\n");
});

test("fish completes the same, through its own complete -C", () => {
  const file = path.join(tempDir("tcss-fish-"), "tcss-scan.fish");
  fs.writeFileSync(file, script("fish"));
  const complete = (line) => {
    const r = run("fish", ["--no-config", "-c", `source ${file}; complete -C'${line}'`]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split("\n").filter(Boolean).map((l) => l.split("\t")[0]);
  };
  assert.deepEqual(complete("tcss-scan --severity-t"), ["--severity-threshold"]);
  assert.deepEqual(complete("tcss-scan --source re"), ["registry"]);
  assert.ok(complete("tcss-scan st").includes("status"));
  const all = complete("tcss-scan --");
  for (const o of OPTIONS) assert.ok(all.includes(o.flag), o.flag);
});

test("zsh loads its completion function without an error, one spec per option", () => {
  const text = script("zsh");
  const dir = tempDir("tcss-zsh-");
  fs.writeFileSync(path.join(dir, "_tcss-scan"), text);
  const r = run("zsh", ["-f", "-c", `autoload -U compinit && compinit -u -d ${dir}/dump; source ${dir}/_tcss-scan; whence -w _tcss_scan`]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /_tcss_scan: function/);
  assert.equal(r.stderr, "");
  for (const o of OPTIONS) assert.ok(text.includes(`'${o.flag}[`) || text.includes(`'*${o.flag}[`), o.flag);
  assert.match(text, /'--source\[[^\]]*\]:value:\(auto registry local\)'/);
  assert.match(text, /'--sarif-file\[[^\]]*\]:path:_files'/);
});

test("an unknown shell is exit 4 naming the three", () => {
  const r = run(SCAN, ["completion", "powershell"]);
  assert.equal(r.status, 4);
  assert.match(r.stderr, /use bash, zsh or fish/);
  assert.equal(r.stdout, "");
});

test("the man page is valid for groff and lists every option, variable and exit code", () => {
  const r = run(SCAN, ["help", "--man"]);
  assert.equal(r.status, 0, r.stderr);
  const lint = run("groff", ["-man", "-ww", "-z"], { input: r.stdout });
  assert.equal(lint.status, 0, lint.stderr);
  assert.equal(lint.stderr, "", "groff warnings");
  const text = run("groff", ["-man", "-Tutf8", "-P-cbou"], { input: r.stdout }).stdout
    .replace(/\u2010|\u2212/g, "-");
  for (const o of OPTIONS) {
    assert.ok(text.includes(o.flag), o.flag);
    assert.ok(text.includes(o.env), o.env);
  }
  for (const code of ["0", "1", "2", "3", "4", "5", "6", "7", "130"]) assert.match(text, new RegExp(`\\n\\s+${code}\\s`), code);
});
