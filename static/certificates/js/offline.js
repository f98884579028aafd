// The offline verify page (/verify/offline/): reads a certificate's QR statement — a COSE_Sign1
// message (EdDSA) in base64url after the verify URL's "#" — checks its signature with the office's
// published keys and shows the signed facts. See certificates/offline_statement.py for the format.
//
// Keys and the status list come from the server when there is a network; the service worker
// (certificates/offline/service-worker.js) keeps the last copies for when there is none.

import { CBORTag, decodeCBOR, encodeCBOR } from "../../vendor/tiny-cbor/cbor.js";
import * as noble from "../../vendor/noble-ed25519/index.js";

const ALG_EDDSA = -8;
const HEADER_ALG = 1;
const HEADER_KID = 4;
const COSE_SIGN1_TAG = 18;

const app = document.getElementById("offline-app");
const form = document.getElementById("offline-form");
const result = document.getElementById("offline-result");
const words = JSON.parse(document.getElementById("offline-messages").textContent);

let keys = new Map(); // key id → raw public key bytes
let statusList = null;

function fill(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
}

function base64urlBytes(text) {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new Error("not base64url");
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

// The statement out of whatever was pasted: the whole link, the part after "#", with spaces.
function statementText(pasted) {
  const text = pasted.trim();
  return (text.includes("#") ? text.slice(text.lastIndexOf("#") + 1) : text).replace(/\s+/g, "");
}

async function loadJson(url) {
  const response = await fetch(url, { credentials: "omit" });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

async function loadKeys() {
  try {
    const set = await loadJson(app.dataset.keysUrl);
    keys = new Map(set.keys.filter((k) => k.kty === "OKP" && k.crv === "Ed25519").map((k) => [k.kid, base64urlBytes(k.x)]));
  } catch (error) {
    keys = new Map();
  }
  app.querySelector("[data-key-count]").textContent = String(keys.size);
}

async function loadStatus() {
  try {
    statusList = await loadJson(app.dataset.statusUrl);
  } catch (error) {
    statusList = null;
  }
  app.querySelector("[data-sync-time]").textContent = statusList ? syncTime() : words.never;
  app.dataset.synced = statusList ? statusList.generated_at : "";
}

function syncTime() {
  return new Date(statusList.generated_at).toLocaleString(document.documentElement.lang || undefined, {
    dateStyle: "medium",
    timeStyle: "short",
  });
}

function showNetwork() {
  app.dataset.network = navigator.onLine ? "online" : "offline";
  app.querySelector("[data-network]").textContent = navigator.onLine ? words.online : words.offline;
}

async function registerWorker() {
  const state = app.querySelector("[data-offline-ready]");
  if (!("serviceWorker" in navigator)) {
    state.textContent = words.no_worker;
    return;
  }
  state.textContent = words.not_ready;
  try {
    await navigator.serviceWorker.register(app.dataset.workerUrl, { scope: app.dataset.scope, type: "classic" });
    await navigator.serviceWorker.ready;
    state.textContent = words.ready;
    app.dataset.ready = "true";
  } catch (error) {
    state.textContent = words.no_worker;
  }
}

// WebCrypto's Ed25519 where the browser has it; @noble/ed25519 (pinned, served by us) elsewhere.
async function ed25519Verify(publicKey, signature, message) {
  let key;
  try {
    key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  } catch (error) {
    return noble.verifyAsync(signature, message, publicKey);
  }
  return crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
}

class Refusal extends Error {
  constructor(kind, values = {}) {
    super(kind);
    this.kind = kind;
    this.values = values;
  }
}

async function verify(pasted) {
  let message;
  try {
    const decoded = decodeCBOR(base64urlBytes(statementText(pasted)));
    message = decoded instanceof CBORTag && decoded.tag === COSE_SIGN1_TAG ? decoded.value : decoded;
    if (!Array.isArray(message) || message.length !== 4) throw new Error("not COSE_Sign1");
  } catch (error) {
    throw new Refusal("not_a_statement");
  }
  const [protectedBytes, , payload, signature] = message;
  let protectedHeader;
  let claims;
  try {
    protectedHeader = decodeCBOR(protectedBytes);
    claims = decodeCBOR(payload);
    if (!(protectedHeader instanceof Map) || !(claims instanceof Map)) throw new Error("not maps");
  } catch (error) {
    throw new Refusal("not_a_statement");
  }
  const kidBytes = protectedHeader.get(HEADER_KID);
  const kid = kidBytes instanceof Uint8Array ? new TextDecoder().decode(kidBytes) : "?";
  const publicKey = keys.get(kid);
  if (!publicKey) throw new Refusal("unknown_key", { kid });
  if (protectedHeader.get(HEADER_ALG) !== ALG_EDDSA || !(signature instanceof Uint8Array)) throw new Refusal("invalid");
  // The bytes COSE signs (RFC 9052 §4.4): ["Signature1", protected, external_aad (empty), payload].
  const signed = encodeCBOR(["Signature1", protectedBytes, new Uint8Array(0), payload]);
  if (!(await ed25519Verify(publicKey, signature, signed))) throw new Refusal("invalid");
  return { kid, facts: Object.fromEntries(claims) };
}

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

function statusOf(number) {
  if (!statusList) return { verdict: "valid", line: words.no_status };
  const synced = syncTime();
  if (number in statusList.revoked) {
    return { verdict: "revoked", line: fill(words.revoked, { synced, date: statusList.revoked[number] || "?" }) };
  }
  if (number in statusList.superseded) {
    const entry = statusList.superseded[number];
    return { verdict: "superseded", line: fill(words.superseded, { synced, date: entry.on || "?", by: entry.by || "?" }) };
  }
  return { verdict: "valid", line: fill(words.not_listed, { synced }) };
}

function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function showVerified({ kid, facts }) {
  const status = statusOf(facts.n);
  const expired = typeof facts.x === "string" && facts.x < today();
  const verdict = element("div", {
    class: `verdict verdict-${status.verdict === "valid" && !expired ? "valid" : status.verdict === "superseded" ? "superseded" : "revoked"}`,
    "data-verdict": "verified",
    "data-status": expired && status.verdict === "valid" ? "expired" : status.verdict,
  });
  const text = element("div");
  text.append(element("p", {}, ""), element("p", {}, status.line));
  text.firstChild.append(element("strong", {}, words.verified));
  if (expired) text.append(element("p", { "data-expired": "" }, fill(words.expired, { date: facts.x })));
  verdict.append(text);

  const list = element("dl", { class: "facts" });
  const rows = [
    [words.number, facts.n, "mono"],
    [words.holder, facts.h],
    [words.track, facts.t],
    [words.level, words.levels[String(facts.l)] || String(facts.l)],
    [words.issue_date, facts.d],
    [words.valid_until, facts.x || words.no_end],
    [words.key, kid, "mono"],
  ];
  for (const [label, value, cls] of rows) {
    list.append(element("dt", {}, label), element("dd", cls ? { class: cls } : {}, String(value ?? "—")));
  }
  const card = element("div", { class: "card" });
  card.append(list);
  result.replaceChildren(verdict, card);
}

function showRefused(refusal) {
  const verdict = element("div", { class: "verdict verdict-invalid", "data-verdict": refusal.kind });
  verdict.append(element("p", {}, fill(words[refusal.kind] || words.invalid, refusal.values)));
  result.replaceChildren(verdict);
}

async function check(text) {
  try {
    showVerified(await verify(text));
  } catch (error) {
    showRefused(error instanceof Refusal ? error : new Refusal("invalid"));
  }
}

// The camera, where the browser can read QR codes itself (BarcodeDetector); pasting works everywhere.
async function setUpCamera() {
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices?.getUserMedia) return;
  let formats = [];
  try {
    formats = await window.BarcodeDetector.getSupportedFormats();
  } catch (error) {
    return;
  }
  if (!formats.includes("qr_code")) return;
  const box = form.querySelector("[data-camera]");
  const video = box.querySelector("[data-video]");
  box.hidden = false;
  box.querySelector("[data-scan]").addEventListener("click", async () => {
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (error) {
      showRefused(new Refusal("camera_failed"));
      return;
    }
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    result.replaceChildren(element("p", { class: "muted" }, words.scanning));
    const stop = () => {
      stream.getTracks().forEach((track) => track.stop());
      video.hidden = true;
    };
    const look = async () => {
      const codes = await detector.detect(video).catch(() => []);
      if (codes.length) {
        stop();
        form.elements.payload.value = codes[0].rawValue;
        check(codes[0].rawValue);
      } else if (!video.hidden) {
        requestAnimationFrame(look);
      }
    };
    look();
  });
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  check(form.elements.payload.value);
});
window.addEventListener("online", () => {
  showNetwork();
  loadStatus();
  loadKeys();
});
window.addEventListener("offline", showNetwork);

showNetwork();
await Promise.all([loadKeys(), loadStatus()]);
app.dataset.loaded = "true";
// A link to this page may carry a statement itself: /verify/offline/#<statement>.
if (location.hash.length > 1) {
  form.elements.payload.value = location.hash.slice(1);
  check(location.hash);
}
setUpCamera();
registerWorker();
