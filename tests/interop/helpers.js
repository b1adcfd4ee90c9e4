// Shared by the interop tests: start tcss-emulator, run tcss-scan, temp dirs.
"use strict";
const { spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "../..");
const BIN = process.env.TCSS_BIN_DIR || path.join(ROOT, "build/bin");
const SECRET_ID = "AKIDinterop00000000000000000000000000";
const SECRET_KEY = "interopSecretKey0123456789abcdef";

function startEmulator(args = [], env = { TENCENTCLOUD_SECRET_ID: SECRET_ID, TENCENTCLOUD_SECRET_KEY: SECRET_KEY }) {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(BIN, "tcss-emulator"), ["--listen", "127.0.0.1:0", ...args], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/^listening on (http:\/\/127\.0\.0\.1:(\d+))\n/);
      if (m) resolve({ child, url: m[1], port: Number(m[2]), stop: () => child.kill("SIGTERM") });
    });
    child.on("exit", (code) => reject(new Error(`tcss-emulator exited ${code}`)));
  });
}

// fetch for the emulator's introspection endpoints. The tests block Node's event loop in
// spawnSync for seconds, so undici may reuse a kept-alive connection the emulator has just
// closed (its keep-alive timeout is 10 s); these requests are idempotent, so a retry on a
// fresh connection is the right answer to that race.
async function emulatorFetch(url, options) {
  // More than one pooled connection may have gone stale while a test blocked: a few tries,
  // each after the pool has dropped the sockets that failed.
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, options);
    } catch (e) {
      if (attempt >= 4) throw e;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

async function emulatorJson(emu, method, urlPath, body) {
  const res = await emulatorFetch(emu.url + urlPath, { method, body });
  return res.json();
}

function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function run(cmd, args, options) {
  return spawnSync(cmd, args, { encoding: "utf8", timeout: 120000, ...options });
}

// flag/env/input triples from `tcss-scan --help` ("env X | input y | default z").
function helpOptions() {
  const r = run(path.join(BIN, "tcss-scan"), ["--help"]);
  if (r.status !== 0) throw new Error(`tcss-scan --help exited ${r.status}`);
  // "  --flag META  help\n  env TCSS_FLAG | input flag | default D\n[  also --alias, VAR (when ...), input old (deprecated)\n]"
  return [...r.stdout.matchAll(/^ {2}(--[a-z-]+)[^\n]*\n\s+env (\S+) \| input (\S+) \|[^\n]*(?:\n +also ([^\n]*))?/gm)].map((m) => {
    const also = (m[4] || "").split(", ").filter(Boolean);
    return {
      flag: m[1], env: m[2], input: m[3],
      flagAliases: also.filter((a) => a.startsWith("--")),
      envAliases: also.filter((a) => /^[A-Z]/.test(a)).map((a) => a.split(" ")[0]),
      inputAliases: also.filter((a) => a.startsWith("input ")).map((a) => a.split(" ")[1]),
    };
  });
}

// project.env as an object (TCSS_VERSION, TCSS_RELEASED, TCSS_HOME, TCSS_IMAGE, ...).
function projectEnv(root = ROOT) {
  const out = {};
  for (const line of fs.readFileSync(path.join(root, "project.env"), "utf8").split("\n")) {
    const m = line.match(/^(TCSS_[A-Z_]+)=(.*)$/);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

// The job image the published files name: the newest release's.
function jobImage() {
  const env = projectEnv();
  return `${env.TCSS_IMAGE}:${env.TCSS_RELEASED}`;
}

module.exports = { ROOT, BIN, SECRET_ID, SECRET_KEY, startEmulator, emulatorFetch, emulatorJson, tempDir, run, helpOptions,
                   projectEnv, jobImage };
