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
  // Everything the build reads: CMake reads the version from project.env.
  const copied = [...DOCKERFILE.matchAll(/^COPY (?!--)(.+) \S+$/gm)].flatMap((m) => m[1].split(" "));
  for (const needed of ["CMakeLists.txt", "project.env", "src", "scripts"]) assert.ok(copied.includes(needed), needed);
  const ignored = fs.readFileSync(path.join(ROOT, ".dockerignore"), "utf8").split("\n");
  for (const needed of ["src", "scripts", "CMakeLists.txt", "project.env"]) assert.ok(!ignored.includes(needed), needed);
});

test("the runtime stage adds only ca-certificates and runs unprivileged", () => {
  const installs = [...runtime.matchAll(/--no-install-recommends ([^\\\n]+)/g)].map((m) => m[1].trim());
  assert.deepEqual(installs, ["ca-certificates"]);
  assert.match(runtime, /^COPY --from=build \/src\/dist\/tcss-scan-linux-\* \/usr\/local\/bin\/tcss-scan$/m);
  assert.match(runtime, /^USER 10001$/m);
  assert.doesNotMatch(DOCKERFILE, /:latest\b/);
});

const dist = path.join(ROOT, "dist");
const built = fs.existsSync(dist) ? fs.readdirSync(dist).filter((f) => /^tcss-(scan|emulator)-linux-(amd64|arm64)$/.test(f)) : [];
test("the release binaries load nothing but glibc", { skip: built.length ? false : "run scripts/build-static.sh first" }, () => {
  const sums = fs.readFileSync(path.join(dist, "SHA256SUMS"), "utf8");
  for (const f of built) {
    // The ELF's NEEDED entries (readelf reads any architecture, unlike ldd).
    const dynamic = run("readelf", ["-d", path.join(dist, f)]).stdout;
    const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
    assert.ok(needed.includes("libc.so.6"), f);
    for (const lib of needed) assert.match(lib, /^(libc\.so\.6|libm\.so\.6|ld-linux-(x86-64|aarch64)\.so\.[12]|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1)$/, `${f} loads ${lib}`);
    const sum = run("sha256sum", [path.join(dist, f)]).stdout.split(" ")[0];
    assert.ok(sums.includes(`${sum}  ${f}\n`), `${f} is in dist/SHA256SUMS`);
  }
});
