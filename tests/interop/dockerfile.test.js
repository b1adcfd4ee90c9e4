// The job image's Dockerfile can't be built here (no Docker engine), so check what can be:
// the runtime stage installs a package for every shared library tcss-scan loads, and the
// build stage builds the targets the image copies.
"use strict";
const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { ROOT, BIN, run } = require("./helpers");

const DOCKERFILE = fs.readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
// Present in debian:bookworm-slim itself.
const BASE = new Set(["libc6", "libgcc-s1", "libstdc++6", "zlib1g"]);

function owningPackage(file) {
  for (const candidate of [file, file.replace(/^\/lib\//, "/usr/lib/"), file.replace(/^\/usr\/lib\//, "/lib/")]) {
    const r = run("dpkg", ["-S", candidate]);
    if (r.status === 0) return r.stdout.split(":")[0];
  }
  return null;
}

test("the runtime stage installs every library tcss-scan and tcss-emulator load", () => {
  const runtime = DOCKERFILE.slice(DOCKERFILE.lastIndexOf("FROM "));
  for (const exe of ["tcss-scan", "tcss-emulator"]) {
    const ldd = run("ldd", [path.join(BIN, exe)]);
    assert.equal(ldd.status, 0);
    const libs = [...ldd.stdout.matchAll(/=> (\/\S+)/g)].map((m) => m[1]);
    assert.ok(libs.length > 5, ldd.stdout);
    for (const lib of libs) {
      const pkg = owningPackage(lib);
      assert.ok(pkg, `no Debian package owns ${lib}`);
      if (BASE.has(pkg)) continue;
      assert.match(runtime, new RegExp(`\\b${pkg.replace(/[+]/g, "\\+")}\\b`), `${lib} (${pkg}) missing from the runtime stage`);
    }
  }
});

test("the build stage builds and copies both executables, and the image runs unprivileged", () => {
  assert.match(DOCKERFILE, /--target tcss-scan tcss-emulator/);
  assert.match(DOCKERFILE, /COPY --from=build \/build\/bin\/tcss-scan \/build\/bin\/tcss-emulator/);
  assert.match(DOCKERFILE, /^USER 10001$/m);
  assert.doesNotMatch(DOCKERFILE, /:latest\b/);
});
