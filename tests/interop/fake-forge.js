// A fake GitHub REST API (issue comments) and a fake GitLab notes API, enough of each for
// tcss-scan's --comment: who the token is, pages of comments (GitHub's Link header with small
// pages, GitLab's X-Next-Page), GitHub GraphQL's viewer, create, update, authors, and faults
// (403, 5xx with Retry-After, a lost answer). Every request is logged with its method, path and headers.
"use strict";
const http = require("node:http");

const PAGE = 3; // small pages, so a handful of comments already spans several

function startForge(options = {}) {
  const state = {
    comments: [],          // {id, thread, author, body}
    log: [],               // {method, path, headers}
    nextId: 9000000001,
    faults: [],            // {method, pathPrefix?, status, retryAfter?, lose?}
    tokens: {              // token -> {login (GitHub), username (GitLab), userStatus}
      "ghs_jobtoken": { login: "github-actions[bot]", userStatus: 403 },
      "glpat-project": { username: "project_7_bot_ab12", userStatus: 200 },
    },
    readOnly: new Set(),   // tokens that may read but not write (a fork's)
  };
  function thread(url) {
    let m = url.match(/^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/);
    if (m) return { forge: "github", key: `gh:${m[1]}#${m[2]}` };
    m = url.match(/^\/api\/v4\/projects\/(\d+)\/merge_requests\/(\d+)\/notes$/);
    if (m) return { forge: "gitlab", key: `gl:${m[1]}!${m[2]}` };
    return null;
  }
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => { body += d; });
    req.on("end", () => {
      const u = new URL(req.url, "http://x");
      // Introspection for a test that runs the forge as a process of its own (`node
      // fake-forge.js`): the state, and comments seeded before a run.
      if (u.pathname === "/_forge/state") {
        res.writeHead(200, { "Content-Type": "application/json" });
        return res.end(JSON.stringify({ comments: state.comments, log: state.log }));
      }
      if (u.pathname === "/_forge/seed" && req.method === "POST") {
        for (const c of JSON.parse(body)) state.comments.push({ id: state.nextId++, ...c });
        res.writeHead(204);
        return res.end();
      }
      state.log.push({ method: req.method, path: u.pathname, query: u.search, headers: req.headers, body });
      const send = (status, obj, headers = {}) => {
        res.writeHead(status, { "Content-Type": "application/json", ...headers });
        res.end(JSON.stringify(obj));
      };
      const fault = state.faults.findIndex((f) => f.method === req.method && u.pathname.startsWith(f.pathPrefix || "/"));
      if (fault >= 0) {
        const f = state.faults.splice(fault, 1)[0];
        if (f.lose) {
          // Carry the request out, then drop the connection without an answer.
          if (req.method === "POST") {
            const t = thread(u.pathname);
            const author = who(req).login || who(req).username;
            state.comments.push({ id: state.nextId++, thread: t.key, author, body: JSON.parse(body).body });
          }
          req.socket.destroy();
          return;
        }
        return send(f.status, { message: "fault" }, f.retryAfter ? { "Retry-After": String(f.retryAfter) } : {});
      }
      const gitlab = u.pathname.startsWith("/api/v4/");
      if (!req.headers["user-agent"]) return send(403, { message: "Request forbidden by administrative rules. Please make sure your request has a User-Agent header" });
      const me = who(req);
      if (!me.known) return send(401, { message: "Bad credentials" });
      if (u.pathname === "/graphql" && req.method === "POST") {
        // Only the viewer query; the login as GitHub's GraphQL gives it (bots with "[bot]").
        if (!/\bviewer\s*\{\s*login\s*\}/.test(JSON.parse(body).query || "")) return send(200, { errors: [{ message: "unsupported query" }] });
        return send(200, { data: { viewer: { login: me.login } } });
      }
      if (u.pathname === (gitlab ? "/api/v4/user" : "/user")) {
        if (me.userStatus !== 200) return send(me.userStatus, { message: "Resource not accessible by integration" });
        return send(200, gitlab ? { id: 1, username: me.username } : { id: 1, login: me.login });
      }
      const t = thread(u.pathname);
      if (t && req.method === "GET") {
        const all = state.comments.filter((c) => c.thread === t.key);
        const page = Number(u.searchParams.get("page") || "1");
        const slice = all.slice((page - 1) * PAGE, page * PAGE);
        const headers = {};
        const more = page * PAGE < all.length;
        if (gitlab) {
          headers["X-Next-Page"] = more ? String(page + 1) : "";
          headers["X-Page"] = String(page);
        } else if (more) {
          const base = `http://${req.headers.host}${u.pathname}?per_page=100`;
          headers.Link = `<${base}&page=${page + 1}>; rel="next", <${base}&page=${Math.ceil(all.length / PAGE)}>; rel="last"`;
        }
        return send(200, slice.map((c) => gitlab
          ? { id: c.id, body: c.body, author: { username: c.author }, system: false }
          : { id: c.id, body: c.body, user: { login: c.author, type: "Bot" } }), headers);
      }
      const token = gitlab ? req.headers["private-token"] : (req.headers.authorization || "").replace(/^Bearer /, "");
      if (state.readOnly.has(token)) return send(403, { message: "Resource not accessible by integration" });
      if (t && req.method === "POST") {
        const c = { id: state.nextId++, thread: t.key, author: me.login || me.username, body: JSON.parse(body).body };
        state.comments.push(c);
        return send(201, { id: c.id, body: c.body });
      }
      const m = u.pathname.match(/^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/) ||
        u.pathname.match(/^\/api\/v4\/projects\/\d+\/merge_requests\/\d+\/notes\/(\d+)$/);
      if (m && req.method === (gitlab ? "PUT" : "PATCH")) {
        const c = state.comments.find((x) => String(x.id) === m[1]);
        if (!c) return send(404, { message: "Not Found" });
        if (c.author !== (me.login || me.username)) return send(403, { message: "not yours" });
        c.body = JSON.parse(body).body;
        return send(200, { id: c.id, body: c.body });
      }
      return send(404, { message: "Not Found" });
    });
  });
  function who(req) {
    const token = req.url.startsWith("/api/v4/") ? req.headers["private-token"]
      : (req.headers.authorization || "").replace(/^Bearer /, "");
    const t = state.tokens[token];
    return t ? { known: true, ...t } : { known: false };
  }
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const port = server.address().port;
      resolve({ state, url: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) });
    });
  });
}

// The forge as a child process, for tests whose runs block this event loop (spawnSync):
// resolves to { url, stop }; its state is GET url/_forge/state.
function spawnForge() {
  const { spawn } = require("node:child_process");
  const child = spawn(process.execPath, [__filename], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (\S+)\n/);
      if (m) resolve({ url: m[1], stop: () => child.kill() });
    });
    child.on("exit", (code) => reject(new Error(`fake forge exited ${code}`)));
  });
}

module.exports = { startForge, spawnForge, PAGE };

// As a process of its own, for tests whose runs block this event loop (spawnSync).
if (require.main === module) {
  startForge().then((f) => process.stdout.write(`listening on ${f.url}\n`));
}
