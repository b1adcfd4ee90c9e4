// The project's home, version and job image are said once (project.env): every file a user runs
// or copies derives from it, scripts/release.sh moves it on, and the action finds its own
// release from where it runs, so a branch after a release never refuses to run.
"use strict";
const { test, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { ROOT, BIN, tempDir, run, projectEnv } = require("./helpers");

const tmp = tempDir("tcss-release-");
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// What users run or copy: the action, the GitLab templates, the other CI systems' files, the
// README and docs, the Dockerfiles.
function publishedFiles(root = ROOT) {
  const r = run("git", ["ls-files", "--", "actions", "templates", "gitlab", "integrations", "docs",
                        "README.md", "Dockerfile", "Dockerfile.release"], { cwd: root });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\n").filter(Boolean);
}

test("no placeholder home is left in a file a user runs or copies", () => {
  const files = publishedFiles();
  assert.ok(files.length > 15, files.join(" "));
  for (const f of files) {
    const text = fs.readFileSync(path.join(ROOT, f), "utf8");
    assert.doesNotMatch(text, /\b(acme|example-org|your-org|OWNER|my-org)\/tcss-scan\b|ghcr\.io\/(acme|example|OWNER)\b/i, f);
  }
});

test("every job image, action reference and release link names project.env's home at its newest release", () => {
  const env = projectEnv();
  assert.match(env.TCSS_VERSION, /^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/);
  assert.match(env.TCSS_RELEASED, /^\d+\.\d+\.\d+$/);
  const released = env.TCSS_RELEASED;
  let images = 0;
  let actions = 0;
  for (const f of publishedFiles()) {
    const text = fs.readFileSync(path.join(ROOT, f), "utf8");
    for (const m of text.matchAll(/\b([a-z0-9.-]+\.io\/[\w.-]+\/tcss-scan):([\w.$-]+)/g)) {
      assert.equal(m[1], env.TCSS_IMAGE, `${f}: ${m[0]}`);
      assert.equal(m[2], released, `${f}: ${m[0]}`);
      images++;
    }
    for (const m of text.matchAll(/([\w.-]+\/[\w.-]+)\/actions\/tcss-scan@(\S+)/g)) {
      assert.equal(m[1], env.TCSS_HOME, `${f}: ${m[0]}`);
      assert.equal(m[2], `v${released}`, `${f}: ${m[0]}`);
      actions++;
    }
    for (const m of text.matchAll(/github\.com\/([\w.-]+\/tcss-scan)\b/g)) assert.equal(m[1], env.TCSS_HOME, `${f}: ${m[0]}`);
  }
  assert.ok(images >= 10 && actions >= 2, `${images} images, ${actions} action references`);
});

// A copy of this repository as committed plus the working tree's changes, as a git repository
// of its own; build-static.sh is replaced by a stand-in that writes what the real one writes
// (dist/tcss-{scan,emulator}-linux-ARCH, BUILDINFO-ARCH, SHA256SUMS) from the binaries this
// test run built: the real build is proven by scripts/check.sh on every run.
function scratchRepo() {
  const repo = fs.mkdtempSync(path.join(tmp, "repo-"));
  const r = run("rsync", ["-a", "--exclude", "/build*", "--exclude", "/dist", "--exclude", "node_modules",
                          "--exclude", ".git", `${ROOT}/`, `${repo}/`]);
  assert.equal(r.status, 0, r.stderr);
  fs.writeFileSync(path.join(repo, "scripts/build-static.sh"), `#!/usr/bin/env bash
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
arch="\${TCSS_ARCH:-amd64}"
mkdir -p "$root/dist"
cp "${BIN}/tcss-scan" "$root/dist/tcss-scan-linux-$arch"
cp "${BIN}/tcss-emulator" "$root/dist/tcss-emulator-linux-$arch"
[ "$arch" = amd64 ] || printf '%s' "$arch" >>"$root/dist/tcss-scan-linux-$arch"
echo "# stand-in toolchain $arch" >"$root/dist/BUILDINFO-$arch"
(cd "$root/dist" && sha256sum tcss-*-linux-* | sort -k2 >SHA256SUMS)
`);
  const git = (...a) => {
    const g = run("git", ["-c", "user.email=release@example.com", "-c", "user.name=release", ...a], { cwd: repo });
    assert.equal(g.status, 0, `git ${a.join(" ")}: ${g.stderr}`);
    return g.stdout;
  };
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-qm", "as the tree is");
  return { repo, git };
}

// The action's locate step as the runner runs it, from a checkout of the action at `actionRoot`.
function locate(actionRoot, env) {
  const out = path.join(tmp, `locate-${Date.now()}-${Math.random()}`);
  fs.writeFileSync(out, "");
  const r = run("bash", [path.join(actionRoot, "actions/tcss-scan/locate.sh")], {
    env: { PATH: "/usr/bin:/bin", GITHUB_OUTPUT: out, RUNNER_TEMP: tmp,
           TCSS_ACTION_PATH: path.join(actionRoot, "actions/tcss-scan"), ...env } });
  const outputs = Object.fromEntries(fs.readFileSync(out, "utf8").split("\n").filter(Boolean)
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, outputs };
}

test("release.sh makes a tagged release with its sums, then main moves on to -dev and never refuses to run", () => {
  const { repo, git } = scratchRepo();
  const before = projectEnv(repo);
  const r = run("bash", [path.join(repo, "scripts/release.sh"), "0.2.0"], {
    cwd: repo, env: { ...process.env, TCSS_RELEASE_ANY_TOOLCHAIN: "1",
                      GIT_AUTHOR_NAME: "r", GIT_AUTHOR_EMAIL: "r@example.com",
                      GIT_COMMITTER_NAME: "r", GIT_COMMITTER_EMAIL: "r@example.com" } });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stderr, /main is at 0\.3\.0-dev; publish with: git push origin HEAD v0\.2\.0/);

  // The tag: version 0.2.0, the sums of exactly what was built, every published reference moved on.
  const tagTree = fs.mkdtempSync(path.join(tmp, "at-tag-"));
  fs.rmdirSync(tagTree);
  git("worktree", "add", "-q", tagTree, "v0.2.0");
  const atTag = projectEnv(tagTree);
  assert.equal(atTag.TCSS_VERSION, "0.2.0");
  assert.equal(atTag.TCSS_RELEASED, "0.2.0");
  const sums = fs.readFileSync(path.join(tagTree, "actions/tcss-scan/SHA256SUMS"), "utf8");
  assert.equal(sums, fs.readFileSync(path.join(repo, "dist/SHA256SUMS"), "utf8"));
  assert.match(sums, /  tcss-scan-linux-amd64\n[\s\S]*  tcss-scan-linux-arm64\n/);
  const template = fs.readFileSync(path.join(tagTree, "templates/tcss-scan.yml"), "utf8");
  assert.match(template, new RegExp(`default: ${atTag.TCSS_IMAGE}:0\\.2\\.0\\n`));
  assert.match(fs.readFileSync(path.join(tagTree, "README.md"), "utf8"), /actions\/tcss-scan@v0\.2\.0/);
  assert.match(fs.readFileSync(path.join(tagTree, "README.md"), "utf8"), /\/tcss-scan\/tcss-scan@0\.2\.0 /);
  assert.doesNotMatch(fs.readFileSync(path.join(tagTree, "README.md"), "utf8"), new RegExp(`tcss-scan@v${before.TCSS_RELEASED.replace(/\./g, "\\.")}\\b`));
  assert.match(fs.readFileSync(path.join(tagTree, "CHANGELOG.md"), "utf8"), /^## 0\.2\.0 \(\d{4}-\d\d-\d\d\)$/m);

  // main after the release: 0.3.0-dev, no sums, the released references kept.
  const head = projectEnv(repo);
  assert.equal(head.TCSS_VERSION, "0.3.0-dev");
  assert.equal(head.TCSS_RELEASED, "0.2.0");
  assert.ok(!fs.existsSync(path.join(repo, "actions/tcss-scan/SHA256SUMS")));
  assert.match(fs.readFileSync(path.join(repo, "CHANGELOG.md"), "utf8"), /^## Unreleased\n\n## 0\.2\.0/m);
  assert.equal(run("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: repo }).stdout, "");

  // The release as published: its assets at releases/v0.2.0/.
  const releases = path.join(tmp, "releases");
  fs.mkdirSync(path.join(releases, "v0.2.0"), { recursive: true });
  for (const f of fs.readdirSync(path.join(repo, "dist"))) fs.copyFileSync(path.join(repo, "dist", f), path.join(releases, "v0.2.0", f));
  const releaseUrl = `file://${releases}/v{version}/{asset}`;

  // The action at the tag downloads that release, verified, and the binary runs.
  const tagged = locate(tagTree, { TCSS_RELEASE_URL: releaseUrl });
  assert.equal(tagged.status, 0, tagged.stdout + tagged.stderr);
  assert.equal(tagged.outputs.mode, "release", tagged.stdout + tagged.stderr);
  assert.match(run(tagged.outputs.bin, ["--version"]).stdout, /^tcss-scan \S+/);
  // The action at main (or any branch after the release) builds its own bytes instead: no exit 4.
  const later = locate(repo, { TCSS_RELEASE_URL: releaseUrl });
  assert.equal(later.status, 0, later.stdout + later.stderr);
  assert.equal(later.outputs.mode, "build");
  assert.match(later.stdout, /::notice title=tcss-scan::tcss-scan 0\.3\.0-dev is not a release/);
  assert.match(later.outputs["cache-key"], /^[0-9a-f]{16}$/);
  // A release whose bytes are not the tag's sums is refused at the tag.
  fs.appendFileSync(path.join(releases, "v0.2.0", "tcss-scan-linux-amd64"), "tampered");
  const tampered = locate(tagTree, { TCSS_RELEASE_URL: releaseUrl });
  assert.equal(tampered.status, 4);
  assert.match(tampered.stdout, /::error title=tcss-scan::the release binary .* has SHA-256 [0-9a-f]{64}, but this action's SHA256SUMS says/);

  // A second release from a dirty tree, or of an older version, is refused with exit 4.
  fs.appendFileSync(path.join(repo, "README.md"), "\nlocal edit\n");
  const dirty = run("bash", [path.join(repo, "scripts/release.sh"), "0.3.0"], { cwd: repo, env: { ...process.env, TCSS_RELEASE_ANY_TOOLCHAIN: "1" } });
  assert.equal(dirty.status, 4);
  assert.match(dirty.stderr, /uncommitted changes/);
  git("checkout", "--", "README.md");
  const older = run("bash", [path.join(repo, "scripts/release.sh"), "0.1.9"], { cwd: repo, env: { ...process.env, TCSS_RELEASE_ANY_TOOLCHAIN: "1" } });
  assert.equal(older.status, 4);
  assert.match(older.stderr, /0\.1\.9 is older than the current 0\.3\.0-dev/);
});

test("the action finds its own home: the repository it was loaded from, not the one project.env declares", () => {
  // A fork's tag, checked out by the runner at …/_actions/OWNER/REPO/REF.
  const { repo, git } = scratchRepo();
  const forkRoot = path.join(tmp, "_actions", "someone", "tcss-fork", "v9.9.9");
  fs.mkdirSync(path.dirname(forkRoot), { recursive: true });
  git("worktree", "add", "-q", forkRoot, "HEAD");
  fs.writeFileSync(path.join(forkRoot, "project.env"),
    fs.readFileSync(path.join(forkRoot, "project.env"), "utf8").replace(/^TCSS_VERSION=.*$/m, "TCSS_VERSION=9.9.9"));
  fs.writeFileSync(path.join(forkRoot, "actions/tcss-scan/SHA256SUMS"), `${"a".repeat(64)}  tcss-scan-linux-amd64\n`);
  const byPath = locate(forkRoot, { GITHUB_SERVER_URL: "file:///nonexistent" });
  assert.equal(byPath.status, 0, byPath.stderr);
  assert.match(byPath.stdout, /no release binary at file:\/\/\/nonexistent\/someone\/tcss-fork\/releases\/download\/v9\.9\.9\/tcss-scan-linux-amd64/);
  assert.equal(byPath.outputs.mode, "build");
  // github.action_repository, when the runner gives it through the step's env, wins.
  const byContext = locate(forkRoot, { GITHUB_SERVER_URL: "file:///nonexistent", TCSS_ACTION_REPOSITORY: "other/name" });
  assert.match(byContext.stdout, /file:\/\/\/nonexistent\/other\/name\/releases\/download\/v9\.9\.9\//);
  // A local `uses: ./actions/tcss-scan` at a release falls back to the home project.env declares.
  const localRoot = path.join(tmp, "workspace");
  git("worktree", "add", "-q", localRoot, "HEAD");
  fs.copyFileSync(path.join(forkRoot, "project.env"), path.join(localRoot, "project.env"));
  fs.copyFileSync(path.join(forkRoot, "actions/tcss-scan/SHA256SUMS"), path.join(localRoot, "actions/tcss-scan/SHA256SUMS"));
  const local = locate(localRoot, { GITHUB_SERVER_URL: "file:///nonexistent" });
  assert.match(local.stdout, new RegExp(`file:///nonexistent/${projectEnv(repo).TCSS_HOME}/releases/download/v9\\.9\\.9/`));
});
