// The job image's Dockerfile can't be built here (no Docker engine), so check what can be: it
// builds with scripts/build-static.sh, whose release binaries load nothing but glibc (checked
// on the binaries in dist/ when present), and the runtime stage adds only the CA bundle.
"use strict";
const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { ROOT, run } = require("./helpers");

const DOCKERFILE = fs.readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
const runtime = DOCKERFILE.slice(DOCKERFILE.lastIndexOf("FROM "));

test("the build stage runs the static release build with everything it needs copied in", () => {
  assert.match(DOCKERFILE, /^RUN \.\/scripts\/build-static\.sh$/m);
  for (const needed of ["CMakeLists.txt", "src", "scripts"]) {
    assert.match(DOCKERFILE, new RegExp(`^COPY ${needed} `, "m"), needed);
  }
  const ignored = fs.readFileSync(path.join(ROOT, ".dockerignore"), "utf8").split("\n");
  for (const needed of ["src", "scripts", "CMakeLists.txt"]) assert.ok(!ignored.includes(needed), needed);
});

test("the runtime stage adds only ca-certificates and runs unprivileged", () => {
  const installs = [...runtime.matchAll(/--no-install-recommends ([^\\\n]+)/g)].map((m) => m[1].trim());
  assert.deepEqual(installs, ["ca-certificates"]);
  assert.match(runtime, /^COPY --from=build \/src\/dist\/tcss-scan-linux-\* \/usr\/local\/bin\/tcss-scan$/m);
  assert.match(runtime, /^USER 10001$/m);
  assert.doesNotMatch(DOCKERFILE, /:latest\b/);
});

const dist = path.join(ROOT, "dist");
const built = fs.existsSync(dist) ? fs.readdirSync(dist).filter((f) => /^tcss-(scan|emulator)-linux-[^.]+$/.test(f)) : [];
test("the release binaries load nothing but glibc", { skip: built.length ? false : "run scripts/build-static.sh first" }, () => {
  for (const f of built) {
    const ldd = run("ldd", [path.join(dist, f)]);
    const libs = [...ldd.stdout.matchAll(/^\s*(\S+)/gm)].map((m) => m[1]);
    for (const lib of libs) assert.match(lib, /^(linux-vdso\.so\.1|libc\.so\.6|libm\.so\.6|\/lib64\/ld-linux-x86-64\.so\.2|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1)$/, `${f} loads ${lib}`);
    const sum = fs.readFileSync(path.join(dist, `${f}.sha256`), "utf8").split(" ")[0];
    assert.equal(run("sha256sum", [path.join(dist, f)]).stdout.split(" ")[0], sum);
  }
});
