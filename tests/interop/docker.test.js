// The Docker Hub post_push hook and the Docker CLI plugin, called the way Docker calls them,
// against tcss-emulator. No Docker engine is needed; the docker client, when present, is used.
"use strict";
const { test, before, after, beforeEach } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { ROOT, BIN, SECRET_ID, SECRET_KEY, startEmulator, tempDir, run, emulatorFetch } = require("./helpers");

const HOOK = path.join(ROOT, "scripts/docker-hub/hooks/post_push");
let emu;
let tmp;
before(async () => {
  emu = await startEmulator();
  tmp = tempDir("tcss-docker-");
});
beforeEach(async () => {
  await emulatorFetch(emu.url + "/_emulator/reset", { method: "POST" });
});
after(() => {
  emu.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// Docker Hub's hook environment: its variables, the build-settings variables, a plain PATH.
const hubEnv = (extra) => ({
  PATH: `${BIN}:/usr/bin:/bin`, HOME: tmp,
  SOURCE_BRANCH: "main", SOURCE_COMMIT: "0123abc", DOCKERFILE_PATH: "Dockerfile",
  TENCENTCLOUD_SECRET_ID: SECRET_ID, TENCENTCLOUD_SECRET_KEY: SECRET_KEY, TCSS_ENDPOINT: emu.url,
  ...extra,
});

test("post_push scans IMAGE_NAME and prints the TaskID", () => {
  const r = run(HOOK, [], { env: hubEnv({ IMAGE_NAME: "index.docker.io/library/nginx:1.25",
                                          DOCKER_REPO: "index.docker.io/library/nginx", DOCKER_TAG: "1.25" }) });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^[0-9a-f]{24}\n$/);
  assert.match(r.stderr, /post_push: scanning index.docker.io\/library\/nginx:1.25/);
});

test("post_push falls back to DOCKER_REPO:DOCKER_TAG", () => {
  const r = run(HOOK, [], { env: hubEnv({ DOCKER_REPO: "index.docker.io/library/nginx", DOCKER_TAG: "1.25" }) });
  assert.equal(r.status, 0, r.stderr);
});

test("post_push exits with tcss-scan's code", async () => {
  await emulatorFetch(emu.url + "/_emulator/faults", { method: "POST",
      body: JSON.stringify({ Faults: ["CreateAssetImageScanTask:AuthFailure.UnauthorizedOperation:1"] }) });
  const r = run(HOOK, [], { env: hubEnv({ IMAGE_NAME: "nginx:1.25" }) });
  assert.equal(r.status, 1, r.stderr);
  const bad = run(HOOK, [], { env: hubEnv({ IMAGE_NAME: "index.docker.io/Library/nginx:1.25" }) });
  assert.equal(bad.status, 4);
  assert.match(bad.stderr, /lower case.*IMAGE_NAME/);
});

test("post_push downloads a pinned binary and refuses a mismatching one", () => {
  const bin = path.join(BIN, "tcss-scan");
  const sha = run("sha256sum", [bin]).stdout.split(" ")[0];
  const base = { PATH: "/usr/bin:/bin", IMAGE_NAME: "nginx:1.25", TCSS_SCAN_URL: `file://${bin}` };
  const ok = run(HOOK, [], { env: hubEnv({ ...base, TCSS_SCAN_SHA256: sha }) });
  assert.equal(ok.status, 0, ok.stderr);
  const bad = run(HOOK, [], { env: hubEnv({ ...base, TCSS_SCAN_SHA256: "f".repeat(64) }) });
  assert.equal(bad.status, 4);
  assert.match(bad.stderr, /does not match TCSS_SCAN_SHA256/);
  const none = run(HOOK, [], { env: hubEnv({ PATH: "/usr/bin:/bin", IMAGE_NAME: "nginx:1.25" }) });
  assert.equal(none.status, 4);
  assert.match(none.stderr, /tcss-scan not found/);
});

test("the CLI plugin answers docker-cli-plugin-metadata and runs as Docker runs it", () => {
  const config = path.join(tmp, "docker-config");
  const inst = run(path.join(ROOT, "scripts/install-docker-plugin.sh"), [path.join(BIN, "tcss-scan")], { env: { PATH: process.env.PATH, DOCKER_CONFIG: config, HOME: tmp } });
  assert.equal(inst.status, 0, inst.stderr);
  const plugin = path.join(config, "cli-plugins/docker-tcss");
  const meta = JSON.parse(run(plugin, ["docker-cli-plugin-metadata"]).stdout);
  assert.equal(meta.SchemaVersion, "0.1.0");
  assert.equal(meta.Vendor, "tcss-scan");
  assert.ok(meta.ShortDescription);
  const r = run(plugin, ["tcss", "nginx:1.25"], { env: hubEnv({}) });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^[0-9a-f]{24}\n$/);
});

// A stand-in `docker` first on PATH: prints what `docker push` prints (the digest line) and
// records its arguments, and a logging command of its own; FAIL=1 makes it fail like a
// refused push (with docker's exit 2, which is not tcss-scan's "findings").
function fakeDocker(dir) {
  const bin = path.join(dir, "fake-docker");
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, "docker"), `#!/bin/sh
echo "$@" >> "${dir}/docker-args"
[ "$FAIL" = 1 ] && { echo "denied: requested access to the resource is denied" >&2; echo "::stop-commands::x" >&2; exit 2; }
echo "The push refers to repository [ccr.ccs.tencentyun.com/demo/web]"
echo "##vso[task.setvariable variable=X]y"
echo "5f70bf18a086: Pushed"
echo "2.0: digest: sha256:1b31d8c7a3a09bfc5a0b1b3dd1c4d3a14b63fd7df4a4d4bfd6c5b1b1b7f1e3a1 size: 1573"
`, { mode: 0o755 });
  return bin;
}

test("docker tcss push pushes, then scans exactly the pushed manifest", () => {
  const config = path.join(tmp, "docker-config");
  run(path.join(ROOT, "scripts/install-docker-plugin.sh"), [path.join(BIN, "tcss-scan")], { env: { PATH: process.env.PATH, DOCKER_CONFIG: config, HOME: tmp } });
  const plugin = path.join(config, "cli-plugins/docker-tcss");
  const fake = fakeDocker(tmp);
  const r = run(plugin, ["tcss", "push", "ccr.ccs.tencentyun.com/demo/web:2.0"], { env: hubEnv({ PATH: `${fake}:/usr/bin:/bin` }) });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^[0-9]+\n$/);  // a registry TaskID
  assert.match(r.stderr, /^docker: 2\.0: digest: sha256:1b31/m);  // docker's own output, a line each
  assert.match(r.stderr, /^docker: ## vso\[task\.setvariable/m);  // defused (Hardening III, 11)
  assert.doesNotMatch(r.stderr, /##vso/);
  assert.match(r.stderr, /scanning ccr\.ccs\.tencentyun\.com\/demo\/web@sha256:1b31/);
  assert.equal(fs.readFileSync(path.join(tmp, "docker-args"), "utf8"), "push ccr.ccs.tencentyun.com/demo/web:2.0\n");
  const failed = run(plugin, ["tcss", "push", "ccr.ccs.tencentyun.com/demo/web:2.0"], { env: hubEnv({ PATH: `${fake}:/usr/bin:/bin`, FAIL: "1" }) });
  assert.equal(failed.status, 7);  // a failed push has its own code, whatever docker's was
  assert.match(failed.stderr, /^docker: denied/m);
  assert.match(failed.stderr, /^docker: ::stop-commands::x$/m);  // never at a line's start
  assert.match(failed.stderr, /docker push .* failed \(exit 2\); nothing was scanned/);
});

const docker = run("sh", ["-c", "command -v docker"]).stdout.trim();
test("the real docker client lists and runs the plugin", { skip: docker ? false : "no docker client here" }, () => {
  const config = path.join(tmp, "docker-config");
  const env = { ...hubEnv({}), PATH: `/usr/local/bin:/usr/bin:/bin`, DOCKER_CONFIG: config };
  const help = run(docker, ["--help"], { env });
  assert.match(help.stdout + help.stderr, /tcss\*?\s+Submit a Tencent Cloud TCSS image scan/);
  const r = run(docker, ["tcss", "nginx:1.25"], { env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^[0-9a-f]{24}\n$/);
});
