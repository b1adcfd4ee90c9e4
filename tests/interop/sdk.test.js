// The official Tencent Node SDK (tencentcloud-sdk-nodejs, pinned in package-lock.json) as an
// independent oracle: it signs what tcss-scan signs, byte for byte, and it is a client the
// emulator accepts (and rejects) exactly as the real service would.
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const http = require("node:http");
const net = require("node:net");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const sign = require("tencentcloud-sdk-nodejs/tencentcloud/common/sign").default;
const { Client } = require("tencentcloud-sdk-nodejs/tencentcloud/services/tcss/v20201101/tcss_client");

const { BIN, SECRET_ID, SECRET_KEY, startEmulator, emulatorFetch, emulatorJson } = require("./helpers");
const TOKEN = "interopSessionToken-abcdef";
const APP_ID = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";

// "Option B": production endpoint and host, every connection diverted to the emulator, so the
// SDK signs exactly what it would sign against tcss.tencentcloudapi.com.
function sdkClient(port, { secretKey = SECRET_KEY, token } = {}) {
  class Loopback extends http.Agent {
    createConnection(_opts, cb) {
      const s = net.connect({ host: "127.0.0.1", port });
      if (cb) s.once("connect", () => cb(null, s));
      return s;
    }
  }
  return new Client({
    credential: { secretId: SECRET_ID, secretKey, token },
    profile: { language: "en-US", httpProfile: { protocol: "http://", agent: new Loopback(), reqTimeout: 10 } },
  });
}

let plain;
let withToken;
let tmp;
before(async () => {
  delete process.env.http_proxy;
  delete process.env.HTTP_PROXY;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tcss-interop-"));
  fs.writeFileSync(path.join(tmp, "creds.json"),
      JSON.stringify([{ secretId: SECRET_ID, secretKey: SECRET_KEY, token: TOKEN }]));
  plain = await startEmulator(["--scan-seconds", "60"], { TENCENTCLOUD_SECRET_ID: SECRET_ID, TENCENTCLOUD_SECRET_KEY: SECRET_KEY });
  withToken = await startEmulator(["--credentials", path.join(tmp, "creds.json")], {});
});
after(() => {
  for (const e of [plain, withToken]) if (e) e.child.kill("SIGTERM");
  fs.rmSync(tmp, { recursive: true, force: true });
});

// --dry-run prints the canonical request, the string to sign and the request with the token and
// the signature withheld (so the text can never be replayed).
function dryRun(endpoint, extraEnv = {}) {
  const r = spawnSync(path.join(BIN, "tcss-scan"), ["--dry-run", "--endpoint", endpoint, "--scan", "vul,virus", APP_ID], {
    env: { PATH: process.env.PATH, HOME: tmp, TENCENTCLOUD_SECRET_ID: SECRET_ID, TENCENTCLOUD_SECRET_KEY: SECRET_KEY, ...extraEnv },
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  const m = r.stdout.match(/^# canonical request\n([\s\S]*?)\n\n# string to sign\n([\s\S]*?)\n\n# request[^\n]*\n([\s\S]*?)\n\n([\s\S]*)\n$/);
  assert.ok(m, r.stdout);
  const headers = {};
  for (const line of m[3].split("\n").slice(1)) {
    const i = line.indexOf(": ");
    headers[line.slice(0, i)] = line.slice(i + 2);
  }
  return { canonical: m[1], stringToSign: m[2], headers, body: m[4] };
}

// TC3's key derivation and signature, written from Tencent's documentation.
function tc3Signature(secretKey, date, stringToSign) {
  const hmac = (key, msg) => crypto.createHmac("sha256", key).update(msg).digest();
  const signing = hmac(hmac(hmac("TC3" + secretKey, date), "tcss"), "tc3_request");
  return crypto.createHmac("sha256", signing).update(stringToSign).digest("hex");
}

for (const endpoint of ["https://tcss.tencentcloudapi.com", "https://tcss.intl.tencentcloudapi.com"]) {
  test(`the SDK's signer produces tcss-scan's Authorization byte for byte (${endpoint})`, () => {
    const { stringToSign, headers, body } = dryRun(endpoint);
    assert.equal(headers["Content-Type"], "application/json");
    assert.equal(headers["X-TC-Version"], "2020-11-01");
    assert.equal(headers["X-TC-Action"], "CreateAssetImageScanTask");
    const expected = sign.sign3({
      method: "POST",
      url: endpoint + "/",
      payload: Buffer.from(body),
      timestamp: Number(headers["X-TC-Timestamp"]),
      service: "tcss",
      secretId: SECRET_ID,
      secretKey: SECRET_KEY,
      headers: { "Content-Type": headers["Content-Type"] },
    });
    // Everything but the signature is printed as sent; the signature over tcss-scan's string
    // to sign must be the SDK's, so both signed the same bytes.
    const [prefix, sdkSignature] = expected.split("Signature=");
    assert.equal(headers["Authorization"], prefix + "Signature=***");
    const date = stringToSign.split("\n")[2].split("/")[0];
    assert.equal(tc3Signature(SECRET_KEY, date, stringToSign), sdkSignature);
    assert.ok(!headers["Authorization"].includes(sdkSignature));
    assert.equal(body, `{"Images":["${APP_ID}"],"ScanVul":true,"ScanVirus":true,"ScanRisk":false}`);
  });
}

test("the SDK reproduces the published TCSS vector", () => {
  const auth = sign.sign3({
    method: "POST", url: "https://tcss.tencentcloudapi.com/",
    payload: Buffer.from('{"Images":["ccr.ccs.tencentyun.com/ns/app:1.0"],"ScanVul":true,"ScanVirus":true,"ScanRisk":true}'),
    timestamp: 1700000000, service: "tcss", secretId: "AKIDFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE",
    secretKey: "fakeSecretKeyfakeSecretKeyfake12", headers: { "Content-Type": "application/json" },
  });
  assert.equal(auth, fs.readFileSync(path.join(__dirname, "../vectors/tcss-node-sdk/authorization"), "utf8"));
});

test("a correct SDK call gets a TaskID from the emulator", async () => {
  const r = await sdkClient(plain.port).CreateAssetImageScanTask({ Images: [APP_ID], ScanVul: true, ScanVirus: true, ScanRisk: true });
  assert.match(r.TaskID, /^[0-9a-f]{24}$/);
  assert.match(r.RequestId, /^[0-9a-f-]{36}$/);
  const status = await sdkClient(plain.port).DescribeAssetImageScanStatus({ TaskID: r.TaskID });
  assert.ok(["READY", "SCANNING"].includes(status.Status), status.Status);
  const list = await sdkClient(plain.port).DescribeAssetImageList({ Limit: 100, Filters: [{ Name: "ImageName", Values: ["demo/app"], ExactMatch: false }] });
  assert.equal(list.TotalCount, 2);  // app:1.0 and app:main (the baseline)
  assert.deepEqual(list.List.map((i) => i.ImageName).sort(),
    ["ccr.ccs.tencentyun.com/demo/app:1.0", "ccr.ccs.tencentyun.com/demo/app:main"]);
  assert.ok(list.List.some((i) => i.ImageID === APP_ID));
});

test("the SDK calls every registry action of the emulator and its models read the answers", async () => {
  const c = sdkClient(plain.port);
  const list = await c.DescribeAssetImageRegistryList({ Limit: 100, Offset: 0,
    Filters: [{ Name: "ImageName", Values: ["web"], ExactMatch: true }] });
  assert.equal(list.TotalCount, 1);
  const web = list.List[0];
  assert.equal(web.ImageRepoAddress, "ccr.ccs.tencentyun.com/demo/web");
  assert.equal(web.ImageTag, "2.0");
  assert.equal(typeof web.Id, "number");
  assert.match(web.ImageDigest, /^sha256:[0-9a-f]{64}$/);
  await c.SyncAssetImageRegistryAsset({ All: true });
  const sync = await c.DescribeAssetImageRegistryAssetStatus({});
  assert.ok(["doing", "success"].includes(sync.Status), sync.Status);
  // The SDK sends uint64 fields with json-bigint, but reads answers with JSON.parse: a TaskID
  // past 2^53 (the emulator's first is 2^53 + 1) comes back rounded. tcss-scan keeps the digits.
  const created = await c.CreateAssetImageRegistryScanTask({ Id: [web.Id], ScanType: ["CVE", "VIRUS", "RISK"] });
  assert.equal(typeof created.TaskID, "number");
  assert.equal(created.TaskID, 9007199254740992);  // not ...993: precision lost in the SDK
  const status = await c.DescribeAssetImageRegistryScanStatusOneKey({ TaskID: BigInt("9007199254740993") });
  assert.ok(["READY", "SCANNING", "END"].includes(status.Status), status.Status);
  assert.equal(status.ImageTotal, 1);
  assert.equal(typeof status.ScanRemainTime, "number");
  const vulns = await c.DescribeAssetImageRegistryVulList({ Id: web.Id, Limit: 100, Offset: 0 });
  assert.equal(typeof vulns.TotalCount, "number");
});

test("a wrong secret key gets AuthFailure.SignatureFailure", async () => {
  await assert.rejects(
    sdkClient(plain.port, { secretKey: "wrongwrongwrong" }).DescribeAssetImageScanTask({}),
    (e) => e.code === "AuthFailure.SignatureFailure" && /^[0-9a-f-]{36}$/.test(e.requestId));
});

test("a clock 10 minutes off gets AuthFailure.SignatureExpire", async () => {
  const getTime = Date.prototype.getTime;
  Date.prototype.getTime = function () { return getTime.call(this) + 10 * 60 * 1000; };
  try {
    await assert.rejects(sdkClient(plain.port).DescribeAssetImageScanTask({}),
      (e) => e.code === "AuthFailure.SignatureExpire");
  } finally {
    Date.prototype.getTime = getTime;
  }
});

test("temporary credentials: the token is checked", async () => {
  const ok = await sdkClient(withToken.port, { token: TOKEN }).DescribeAssetImageScanTask({});
  assert.match(ok.RequestId, /^[0-9a-f-]{36}$/);
  await assert.rejects(sdkClient(withToken.port, { token: "stale" }).DescribeAssetImageScanTask({}),
    (e) => e.code === "AuthFailure.TokenFailure");
});

test("the host signed without the port (the SDK's habit) is accepted", async () => {
  // "Option A": endpoint 127.0.0.1:PORT. The SDK signs host 127.0.0.1 without the port but
  // takes the scope's service from the endpoint ("127"), which the emulator, like TCSS, rejects.
  const c = new Client({
    credential: { secretId: SECRET_ID, secretKey: SECRET_KEY },
    profile: { httpProfile: { endpoint: `127.0.0.1:${plain.port}`, protocol: "http://" } },
  });
  await assert.rejects(c.DescribeAssetImageScanTask({}),
    (e) => e.code === "AuthFailure.SignatureFailure" && /tcss/.test(e.message));
  // Option B sends Host with no port at all; with a port in Host and none signed it also passes:
  const body = "{}";
  const ts = Math.floor(Date.now() / 1000);
  const auth = sign.sign3({ method: "POST", url: `http://127.0.0.1:${plain.port}/`, payload: Buffer.from(body),
    timestamp: ts, service: "tcss", secretId: SECRET_ID, secretKey: SECRET_KEY, headers: { "Content-Type": "application/json" } });
  const res = await fetch(`${plain.url}/`, { method: "POST", body, headers: {
    "Content-Type": "application/json", "X-TC-Action": "DescribeAssetImageScanTask", "X-TC-Version": "2020-11-01",
    "X-TC-Timestamp": String(ts), Authorization: auth } });
  const json = await res.json();
  assert.equal(json.Response.Error, undefined, JSON.stringify(json));
});

// Keyless (issue 10): the SDK's own OIDC credential, configured the TKE way (TKE_PROVIDER_ID,
// TKE_WEB_IDENTITY_TOKEN_FILE, TKE_ROLE_ARN, TKE_REGION), exchanges a token from the
// emulator's issuer with the emulator's STS, unsigned as the SDK sends it, and the temporary
// keys it gets sign TCSS calls the emulator accepts; tcss-scan, given the same variables, does
// the same exchange.
test("the SDK's OIDC credential and tcss-scan both get working temporary keys from the emulator's STS", async () => {
  const { OIDCRoleArnCredential } = require("tencentcloud-sdk-nodejs/tencentcloud/common/credential");
  const role = "qcs::cam::uin/100000000001:roleName/tke-ci";
  const emu = await startEmulator(
      ["--oidc-provider", "tke=self,sts.tencentcloudapi.com", "--role", `${role}=tke`,
       "--oidc-request-token", "interop-request-token"],
      { TENCENTCLOUD_SECRET_ID: SECRET_ID, TENCENTCLOUD_SECRET_KEY: SECRET_KEY });
  const saved = { ...process.env };
  try {
    const res = await emulatorFetch(`${emu.url}/_emulator/oidc/token?audience=sts.tencentcloudapi.com`,
        { headers: { Authorization: "Bearer interop-request-token" } });
    const jwt = (await res.json()).value;
    assert.match(jwt, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const tokenFile = path.join(tmp, "oidc-token");
    fs.writeFileSync(tokenFile, jwt);
    const tke = { TKE_PROVIDER_ID: "tke", TKE_WEB_IDENTITY_TOKEN_FILE: tokenFile, TKE_ROLE_ARN: role, TKE_REGION: "ap-guangzhou" };
    Object.assign(process.env, tke);

    class Loopback extends http.Agent {
      createConnection(_opts, cb) {
        const s = net.connect({ host: "127.0.0.1", port: emu.port });
        if (cb) s.once("connect", () => cb(null, s));
        return s;
      }
    }
    const profile = { language: "en-US", httpProfile: { protocol: "http://", agent: new Loopback(), reqTimeout: 10 } };
    const credential = new OIDCRoleArnCredential({ profile });
    const keys = await credential.getCredential();
    assert.match(keys.secretId, /^AKID/);
    assert.notEqual(keys.secretId, SECRET_ID);
    assert.ok(keys.token.length > 0);
    const client = new Client({ credential, profile });
    const list = await client.DescribeAssetImageList({ Limit: 1 });
    assert.ok(list.TotalCount >= 1);

    const r = spawnSync(path.join(BIN, "tcss-scan"), [APP_ID], {
      env: { PATH: process.env.PATH, HOME: tmp, TCSS_ENDPOINT: emu.url, ...tke },
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const log = await emulatorJson(emu, "GET", "/_emulator/requests");
    const actions = log.Requests.map((q) => `${q.Action}:${q.ErrorCode}`);
    assert.deepEqual(actions, [
      "AssumeRoleWithWebIdentity:", "DescribeAssetImageList:",
      "AssumeRoleWithWebIdentity:", "CreateAssetImageScanTask:",
    ]);
    // Both exchanges were sent unsigned; the token never reached the log.
    for (const q of log.Requests.filter((x) => x.Action === "AssumeRoleWithWebIdentity")) {
      assert.equal(q.Headers.authorization, "SKIP");
      assert.ok(!q.Body.includes(jwt));
    }
    assert.ok(!JSON.stringify(log).includes(keys.secretKey));
  } finally {
    process.env = saved;
    emu.stop();
  }
});
