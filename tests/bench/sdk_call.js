// One CreateAssetImageScanTask through the official Node SDK against the emulator on PORT, with
// the production endpoint signed ("Option B"): the baseline scripts/bench.sh compares against.
"use strict";
const http = require("node:http");
const net = require("node:net");
const path = require("node:path");
const { Client } = require(path.join(__dirname, "../interop/node_modules/tencentcloud-sdk-nodejs/tencentcloud/services/tcss/v20201101/tcss_client"));
const port = Number(process.argv[2]);
class Loopback extends http.Agent {
  createConnection(_o, cb) {
    const s = net.connect({ host: "127.0.0.1", port });
    if (cb) s.once("connect", () => cb(null, s));
    return s;
  }
}
new Client({
  credential: { secretId: process.env.TENCENTCLOUD_SECRET_ID, secretKey: process.env.TENCENTCLOUD_SECRET_KEY },
  profile: { httpProfile: { protocol: "http://", agent: new Loopback() } },
}).CreateAssetImageScanTask({ Images: [process.argv[3]], ScanVul: true, ScanVirus: true, ScanRisk: true })
  .then((r) => { process.stdout.write(r.TaskID + "\n"); })
  .catch((e) => { process.stderr.write(String(e) + "\n"); process.exit(1); });
