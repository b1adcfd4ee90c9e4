// --comment (issue 23, 4) through the real binary against a fake GitHub REST API and a fake
// GitLab notes API: one comment per job and image set, found again through the pages by marker
// and author and updated in place; another user's comment with the same marker left alone; a
// fork's 403, 5xx with Retry-After and a lost create answer; the exit code never changes.
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { spawn } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { BIN, SECRET_ID, SECRET_KEY, startEmulator, tempDir } = require("./helpers");
const { startForge } = require("./fake-forge");

const APP = "ccr.ccs.tencentyun.com/demo/app:1.0";
const BASE = "ccr.ccs.tencentyun.com/demo/app:main";

let emu, forge, tmp;
before(async () => {
  emu = await startEmulator(["--scan-seconds", "0.3"]);
  forge = await startForge();
  tmp = tempDir("tcss-comment-");
});
after(async () => {
  emu.stop();
  await forge.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// The binary runs while this process serves the fake forge: spawn, not spawnSync.
function scan(args, env, cwd = tmp) {
  return new Promise((resolve) => {
    const child = spawn(path.join(BIN, "tcss-scan"), ["--endpoint", emu.url, ...args], {
      cwd, env: { PATH: "/usr/bin:/bin", HOME: tmp, TENCENTCLOUD_SECRET_ID: SECRET_ID,
        TENCENTCLOUD_SECRET_KEY: SECRET_KEY, ...env } });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => { stdout += d; });
    child.stderr.on("data", (d) => { stderr += d; });
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

function marker(repository, job, images) {
  const material = [repository, job, ...[...images].sort()].join("\n");
  return `<!-- tcss-scan:${crypto.createHash("sha256").update(material).digest("hex").slice(0, 16)} -->`;
}

let pr = 100;
function github(extra = {}) {
  const number = ++pr;
  const dir = fs.mkdtempSync(path.join(tmp, "gh-"));
  fs.writeFileSync(path.join(dir, "event.json"), JSON.stringify({ action: "synchronize", number, pull_request: { number } }));
  for (const f of ["output", "summary.md"]) fs.writeFileSync(path.join(dir, f), "");
  return {
    number, dir, thread: `gh:acme/app#${number}`,
    env: { GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "pull_request", GITHUB_EVENT_PATH: path.join(dir, "event.json"),
      GITHUB_REPOSITORY: "acme/app", GITHUB_WORKFLOW: "ci", GITHUB_JOB: "scan", GITHUB_API_URL: forge.url,
      GITHUB_SERVER_URL: "https://github.com", GITHUB_RUN_ID: "77", GITHUB_TOKEN: "ghs_jobtoken",
      GITHUB_OUTPUT: path.join(dir, "output"), GITHUB_STEP_SUMMARY: path.join(dir, "summary.md"), ...extra },
  };
}
const GATE = ["--comment", "--gate", "new", "--severity-threshold", "high", "--baseline-image", BASE];
const ours = (thread) => forge.state.comments.filter((c) => c.thread === thread && c.author === "github-actions[bot]");

test("GitHub: one comment, updated in place through the second page; matrix jobs keep one each; another user's marker left alone", async () => {
  const g = github();
  const mark = marker("acme/app", "ci/scan", [APP]);
  for (let i = 0; i < 4; i++) forge.state.comments.push({ id: forge.state.nextId++, thread: g.thread, author: "octocat", body: `review ${i}` });
  forge.state.comments.push({ id: forge.state.nextId++, thread: g.thread, author: "mallory", body: `${mark}\nfake result` });
  const first = await scan([...GATE, APP], g.env);
  assert.equal(first.status, 2, first.stderr);  // the gate's code, with or without a comment
  assert.match(first.stderr, /comment written: \d+/);
  const [c] = ours(g.thread);
  assert.equal(ours(g.thread).length, 1);
  assert.ok(c.body.startsWith(mark), c.body.slice(0, 80));
  assert.match(c.body, /the gate failed/);
  assert.match(c.body, /`CVE-2024-3094`/);            // a new critical, with its fix
  assert.match(c.body, /`5\.6\.2`/);
  assert.doesNotMatch(c.body, /CVE-2023-4911/);       // old: not what fails --gate new
  assert.match(c.body, /1 \(1 new\)/);
  assert.match(c.body, /Scan task `[0-9a-f]{24}` · \[the run\]\(https:\/\/github\.com\/acme\/app\/actions\/runs\/77\)/);
  // The second run finds it on page 2 (6 comments, 3 a page) and PATCHes the same comment.
  const before = forge.state.log.length;
  const second = await scan([...GATE, APP], g.env);
  assert.equal(second.status, 2, second.stderr);
  const log = forge.state.log.slice(before);
  assert.ok(log.some((r) => r.method === "GET" && r.query.includes("page=2")), JSON.stringify(log.map((r) => r.query)));
  assert.deepEqual(log.filter((r) => r.method === "POST").map((r) => r.path), ["/graphql"]);  // who, not a new comment
  assert.deepEqual(log.filter((r) => r.method === "PATCH").map((r) => r.path), [`/repos/acme/app/issues/comments/${c.id}`]);
  assert.equal(ours(g.thread).length, 1);
  assert.equal(forge.state.comments.find((x) => x.author === "mallory" && x.thread === g.thread).body, `${mark}\nfake result`);
  // A matrix job scanning other images keeps a comment of its own.
  const other = await scan(["--comment", "nginx:1.25"], g.env);
  assert.equal(other.status, 0, other.stderr);
  assert.equal(ours(g.thread).length, 2);
  assert.match(ours(g.thread)[1].body, /passed/);
  // Every request said who it is and carried the token; the token is printed nowhere.
  for (const r of forge.state.log) {
    assert.match(r.headers["user-agent"] || "", /^tcss-scan\//);
  }
  for (const r of [first, second, other]) assert.ok(!(r.stdout + r.stderr).includes("ghs_jobtoken"));
});

test("GitHub: a fork's read-only token (403), no token, not a pull request: one warning, the exit code stands", async () => {
  forge.state.tokens.ghs_fork = { login: "github-actions[bot]", userStatus: 403 };
  forge.state.readOnly.add("ghs_fork");
  const cases = [
    [github({ GITHUB_TOKEN: "ghs_fork" }), /HTTP 403; a fork's pull request gets a read-only token, and the job needs `permissions: pull-requests: write`/],
    [github({ GITHUB_TOKEN: "" }), /no GITHUB_TOKEN/],
    [github({ GITHUB_EVENT_NAME: "push" }), /this run is a push event/],
  ];
  for (const [g, why] of cases) {
    const r = await scan([...GATE, APP], g.env);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, why);
    assert.equal(r.stderr.split("\n").filter((l) => /comment/.test(l) && /warning/.test(l)).length, 1, r.stderr);
    assert.equal(ours(g.thread).length, 0);
    assert.ok(!r.stderr.includes("ghs_fork"));
  }
});

test("GitHub: 503 with Retry-After is waited out; a create whose answer was lost is found, not repeated", async () => {
  const g = github();
  forge.state.faults.push({ method: "GET", pathPrefix: `/repos/acme/app/issues/${g.number}/comments`, status: 503, retryAfter: 1 });
  const t0 = Date.now();
  const r = await scan([...GATE, APP], g.env);
  assert.equal(r.status, 2, r.stderr);
  assert.ok(Date.now() - t0 >= 1000);
  assert.equal(ours(g.thread).length, 1, r.stderr);

  const lost = github();
  forge.state.faults.push({ method: "POST", pathPrefix: `/repos/acme/app/issues/${lost.number}/comments`, lose: true });
  const r2 = await scan([...GATE, APP], lost.env);
  assert.equal(r2.status, 2, r2.stderr);
  assert.equal(ours(lost.thread).length, 1, r2.stderr);  // the lost one, then updated
  assert.match(r2.stderr, /comment updated/);
});

test("GitHub: a GitHub App's installation token is named by GraphQL's viewer and keeps one comment; a personal token refused there is named by GET /user", async () => {
  // GET /user refuses an installation token as it does the job's token; taking it for
  // github-actions[bot] would miss its comment (author tcss-ci[bot]) and write one more each run.
  forge.state.tokens.ghs_apptoken = { login: "tcss-ci[bot]", userStatus: 403 };
  const g = github({ GITHUB_TOKEN: "ghs_apptoken" });
  const byApp = () => forge.state.comments.filter((c) => c.thread === g.thread && c.author === "tcss-ci[bot]");
  for (let run = 0; run < 3; run++) {
    const r = await scan([...GATE, APP], g.env);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, run === 0 ? /comment written/ : /comment updated/);
    assert.equal(byApp().length, 1, JSON.stringify(forge.state.comments.filter((c) => c.thread === g.thread)));
  }
  assert.equal(ours(g.thread).length, 0);

  forge.state.tokens.ghp_personal = { login: "octo-ci", userStatus: 200 };
  const p = github({ GITHUB_TOKEN: "ghp_personal" });
  for (let run = 0; run < 2; run++) {
    forge.state.faults.push({ method: "POST", pathPrefix: "/graphql", status: 403 });
    const before = forge.state.log.length;
    const r = await scan(["--comment", "-v", APP], p.env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /GraphQL viewer: HTTP 403/);
    assert.ok(forge.state.log.slice(before).some((x) => x.method === "GET" && x.path === "/user"));
  }
  assert.equal(forge.state.comments.filter((c) => c.thread === p.thread && c.author === "octo-ci").length, 1);
});

test("GitLab: a merge-request note through X-Next-Page, updated with PUT; CI_JOB_TOKEN alone is named", async () => {
  const env = { GITLAB_CI: "true", CI_MERGE_REQUEST_IID: "3", CI_PROJECT_ID: "42", CI_API_V4_URL: `${forge.url}/api/v4`,
    CI_PROJECT_PATH: "acme/app", CI_JOB_NAME: "tcss-scan: [amd64]", CI_JOB_URL: "https://gitlab.example/acme/app/-/jobs/9",
    TCSS_GITLAB_TOKEN: "glpat-project" };
  const thread = "gl:42!3";
  for (let i = 0; i < 4; i++) forge.state.comments.push({ id: forge.state.nextId++, thread, author: "alice", body: `note ${i}` });
  const dir = fs.mkdtempSync(path.join(tmp, "gl-"));
  const first = await scan([...GATE, APP], env, dir);
  assert.equal(first.status, 2, first.stderr);
  const mine = () => forge.state.comments.filter((c) => c.thread === thread && c.author === "project_7_bot_ab12");
  assert.equal(mine().length, 1, first.stderr);
  assert.ok(mine()[0].body.startsWith(marker("acme/app", "tcss-scan: [amd64]", [APP])));
  assert.match(mine()[0].body, /\[the run\]\(https:\/\/gitlab\.example\/acme\/app\/-\/jobs\/9\)/);
  const before = forge.state.log.length;
  const second = await scan([...GATE, APP], env, dir);
  assert.equal(second.status, 2, second.stderr);
  const log = forge.state.log.slice(before);
  assert.ok(log.some((r) => r.query.includes("page=2")));
  assert.deepEqual(log.filter((r) => r.method === "PUT").map((r) => r.path), [`/api/v4/projects/42/merge_requests/3/notes/${mine()[0].id}`]);
  assert.equal(mine().length, 1);
  assert.ok(log.every((r) => r.headers["private-token"] === "glpat-project"));
  assert.ok(!(first.stderr + second.stderr + first.stdout).includes("glpat-project"));

  const jobToken = await scan([...GATE, APP], { ...env, TCSS_GITLAB_TOKEN: "", CI_JOB_TOKEN: "job-token-xyz" }, dir);
  assert.equal(jobToken.status, 2, jobToken.stderr);
  assert.match(jobToken.stderr, /CI_JOB_TOKEN cannot write merge-request notes/);
});

test("another CI system says once that it has no comment", async () => {
  const r = await scan(["--comment", "nginx:1.25"], { JENKINS_URL: "https://jenkins.example/", BUILD_URL: "https://jenkins.example/job/app/7/" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal((r.stderr.match(/has no pull-request comment/g) || []).length, 1, r.stderr);
});
