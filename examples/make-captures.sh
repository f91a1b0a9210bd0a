#!/usr/bin/env bash
# Re-creates the sample packet captures in examples/pcap/ with real clients
# (dig, curl, headless Chromium) talking to stand-in servers on loopback.
#
#   sudo bash examples/make-captures.sh
#
# Needs root (network namespace, port 53/80/443, packet capture) and these
# Debian packages: tcpdump tshark dnsutils curl chromium openssl iproute2
# ethtool (ethtool is optional: without it the browser's ClientHellos are not
# cut into Ethernet-sized segments). Node.js and the repository's own
# node_modules (dns-packet) are used for the stand-in DNS/HTTP/HTTPS servers.
#
# Nothing leaves the machine: everything runs inside a private network
# namespace whose only interface is its own loopback, every hostname is
# answered with / pinned to 127.0.0.1, and the capture filter keeps only
# ports 53, 80 and 443. The namespace and every background process are
# removed on exit. Safe to re-run: outputs are built in a temp dir and only
# replace examples/pcap/* once they have been checked.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
OUT="$HERE/pcap"
NS="shadowai-cap"
FILTER="port 53 or port 80 or port 443"
SERVER=127.0.0.1

if [[ $EUID -ne 0 ]]; then
  echo "make-captures.sh: run as root (needs a network namespace and packet capture)" >&2
  exit 1
fi
for cmd in ip tcpdump dumpcap tshark editcap capinfos dig curl chromium openssl node timeout; do
  command -v "$cmd" >/dev/null || {
    echo "make-captures.sh: '$cmd' not found; apt-get install -y tcpdump tshark dnsutils curl chromium openssl iproute2 ethtool" >&2
    exit 1
  }
done
[[ -f "$REPO/node_modules/dns-packet/index.js" ]] || {
  echo "make-captures.sh: $REPO/node_modules/dns-packet missing; run npm ci first" >&2
  exit 1
}

TMP="$(mktemp -d /tmp/shadowai-cap.XXXXXX)"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]:-}"; do
    [[ -n "$pid" ]] || continue
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

nsx() { ip netns exec "$NS" "$@"; }
log() { printf '== %s\n' "$*" >&2; }

# ---------------------------------------------------------------- hostnames
AI_HOSTS=(
  chatgpt.com api.openai.com claude.ai api.anthropic.com gemini.google.com
  generativelanguage.googleapis.com copilot.microsoft.com www.perplexity.ai
  api.mistral.ai huggingface.co api.githubcopilot.com api2.cursor.sh
  chat.deepseek.com character.ai app.grammarly.com otter.ai app.fireflies.ai
  www.midjourney.com api.elevenlabs.io app.runwayml.com suno.com www.deepl.com
  gamma.app app.hirevue.com api.x.ai api.groq.com api.together.xyz openrouter.ai
)
NON_AI_HOSTS=(www.wikipedia.org slack.com zoom.us github.com www.google.com)
printf '%s\n' "${AI_HOSTS[@]}" "${NON_AI_HOSTS[@]}" >"$TMP/names.txt"

# -------------------------------------------------------- network namespace
# A private namespace: its only interface is its own `lo`, so no packet can
# leave the machine, and ports 53/80/443 do not clash with anything on the host.
# MTU 1500 and no segmentation offload make TCP cut data into Ethernet-sized
# segments, as on a real office network (a post-quantum browser ClientHello
# then spans two segments).
ip netns del "$NS" 2>/dev/null || true
ip netns add "$NS"
nsx ip link set lo up mtu 1500
if command -v ethtool >/dev/null; then
  nsx ethtool -K lo tso off gso off gro off >/dev/null 2>&1 || log "ethtool -K lo failed; segments may be larger than 1500 bytes"
else
  log "ethtool not installed; browser ClientHellos will not be split"
fi
# Any socket that does not pick its own source address when talking to
# 127.0.0.1 (Chromium cannot bind one) gets 127.0.0.25, the "browser workstation".
nsx ip route change local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.25 table local

# ------------------------------------------------------------ servers
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -days 7 -subj "/CN=shadow-ai stand-in" \
  -addext "subjectAltName=DNS:localhost" >/dev/null 2>&1

cat >"$TMP/servers.cjs" <<'EOF'
// Stand-in servers, all on 127.0.0.1 inside the capture namespace:
//  udp/53  DNS: A -> 127.0.0.1, AAAA -> ::1, HTTPS(65) -> 1 . alpn=h2,http/1.1 ipv4hint=127.0.0.1
//               for the names in names.txt; NXDOMAIN for anything else
//  tcp/443 HTTPS (h2 and http/1.1, self-signed cert)
//  tcp/80  HTTP/1.1
const dgram = require('dgram'), http = require('http'), http2 = require('http2');
const fs = require('fs'), path = require('path');
const dns = require(path.join(process.env.REPO, 'node_modules', 'dns-packet'));
const dir = process.env.TMPDIR_CAP, ip = process.env.SERVER_IP;
const names = new Set(fs.readFileSync(path.join(dir, 'names.txt'), 'utf8').split(/\s+/).filter(Boolean));
const httpsRdata = Buffer.concat([
  Buffer.from([0x00, 0x01, 0x00]),                 // SvcPriority 1, TargetName "."
  Buffer.from([0x00, 0x01, 0x00, 0x0c, 0x02]), Buffer.from('h2'), Buffer.from([0x08]), Buffer.from('http/1.1'),
  Buffer.from([0x00, 0x04, 0x00, 0x04, 127, 0, 0, 1]),
]);
const udp = dgram.createSocket('udp4');
udp.on('message', (msg, rinfo) => {
  let q;
  try { q = dns.decode(msg); } catch { return; }
  const answers = [];
  let rcode = 0;
  for (const question of q.questions || []) {
    const name = question.name.toLowerCase().replace(/\.$/, '');
    if (!names.has(name)) { rcode = 3; continue; }
    const base = { name: question.name, ttl: 300, class: 'IN' };
    if (question.type === 'A') answers.push({ ...base, type: 'A', data: '127.0.0.1' });
    else if (question.type === 'AAAA') answers.push({ ...base, type: 'AAAA', data: '::1' });
    else if (question.type === 'UNKNOWN_65') answers.push({ ...base, type: 'UNKNOWN_65', data: httpsRdata });
  }
  const flags = dns.RECURSION_DESIRED | dns.RECURSION_AVAILABLE | rcode;
  const resp = dns.encode({ type: 'response', id: q.id, flags, questions: q.questions, answers });
  udp.send(resp, rinfo.port, rinfo.address);
  console.log(`dns ${rinfo.address} ${q.questions.map((x) => x.type + ' ' + x.name).join(',')} rcode=${rcode}`);
});
udp.bind(53, ip);
const page = (req, res) => {
  const host = req.headers[':authority'] || req.headers.host || '?';
  console.log(`${req.socket.encrypted ? 'https' : 'http'} ${req.socket.remoteAddress} ${req.method} ${host}${req.url} ua=${req.headers['user-agent'] || ''}`);
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`<!doctype html><title>${host}</title><p>local stand-in for ${host}</p>\n`);
  });
};
http2.createSecureServer({
  key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')), allowHTTP1: true,
}, page).listen(443, ip);
http.createServer(page).listen(80, ip);
console.log('servers up');
EOF

log "starting stand-in DNS/HTTP/HTTPS servers on $SERVER in namespace $NS"
# (background jobs call `ip netns exec` directly, not nsx, so that $! is the
# server/capture process itself and the trap can stop it)
REPO="$REPO" TMPDIR_CAP="$TMP" SERVER_IP="$SERVER" ip netns exec "$NS" node "$TMP/servers.cjs" >"$TMP/servers.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do grep -q 'servers up' "$TMP/servers.log" 2>/dev/null && break; sleep 0.1; done
grep -q 'servers up' "$TMP/servers.log" || { cat "$TMP/servers.log" >&2; exit 1; }

# ------------------------------------------------------------ capture helpers
CAP_PID=""
start_capture() { # tool file
  local tool=$1 file=$2
  case $tool in
    tcpdump) ip netns exec "$NS" tcpdump -i lo -U -Z root -s 0 -w "$file" "$FILTER" 2>"$TMP/cap.err" & ;;
    dumpcap) ip netns exec "$NS" dumpcap -q -i lo -s 0 -f "$FILTER" -w "$file" 2>"$TMP/cap.err" & ;;
  esac
  CAP_PID=$!
  PIDS+=("$CAP_PID")
  for _ in $(seq 100); do grep -qiE 'listening on|capturing on' "$TMP/cap.err" 2>/dev/null && break; sleep 0.1; done
  sleep 0.5
}
stop_capture() {
  sleep 1
  kill -INT "$CAP_PID" 2>/dev/null || true
  wait "$CAP_PID" 2>/dev/null || true
  CAP_PID=""
}

# ------------------------------------------------------------ client helpers
UA_CHROME_WIN='Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
UA_CHROME_MAC='Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
UA_FIREFOX='Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'
UA_SAFARI='Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15'
UA_OPENAI_PY='OpenAI/Python 1.54.3'
UA_ANTHROPIC_PY='Anthropic/Python 0.39.0'

# dnsq SRC TYPE NAME...      dig from SRC to the stand-in resolver
dnsq() {
  local src=$1 type=$2; shift 2
  local name
  for name; do nsx dig +tries=1 +time=2 -b "$src" @"$SERVER" "$name" "$type" >/dev/null; done
}
# tls SRC HOST PATH [curl args]   HTTPS via curl (SNI=HOST, ALPN h2,http/1.1 unless --http1.1)
tls() {
  local src=$1 host=$2 p=$3; shift 3
  nsx curl -sS -k -o /dev/null --max-time 10 --interface "$src" \
    --resolve "$host:443:$SERVER" "$@" "https://$host$p"
}
# plain SRC HOST PATH UA [curl args]   cleartext HTTP via curl (Host + User-Agent visible)
plain() {
  local src=$1 host=$2 p=$3 ua=$4; shift 4
  nsx curl -sS -o /dev/null --max-time 10 --interface "$src" \
    --resolve "$host:80:$SERVER" -A "$ua" "$@" "http://$host$p"
}
# visit SRC HOST PATH [curl args]   what a client does: A + AAAA lookup, then HTTPS
visit() {
  local src=$1 host=$2; shift 2
  dnsq "$src" A "$host"
  dnsq "$src" AAAA "$host"
  tls "$src" "$host" "$@"
}
gap() { sleep 0.2; }
JSON=(-H 'content-type: application/json')

# ================================================== office-clients.pcap (tcpdump)
log "capturing office-clients.pcap (tcpdump, classic pcap)"
start_capture tcpdump "$TMP/office-clients.pcap"

# 127.0.0.21 -- heavy ChatGPT + Claude user (browser and Python SDKs)
C=127.0.0.21
dnsq $C HTTPS chatgpt.com claude.ai
visit $C chatgpt.com / -A "$UA_CHROME_WIN"
tls $C chatgpt.com /backend-api/conversation -A "$UA_CHROME_WIN" "${JSON[@]}" --data '{"action":"next"}'
tls $C chatgpt.com /backend-api/conversation -A "$UA_CHROME_WIN" "${JSON[@]}" --data '{"action":"next"}'
visit $C claude.ai / -A "$UA_CHROME_WIN"
tls $C claude.ai /api/organizations -A "$UA_CHROME_WIN"
tls $C claude.ai /api/organizations -A "$UA_CHROME_WIN"
visit $C api.openai.com /v1/chat/completions --http1.1 -A "$UA_OPENAI_PY" "${JSON[@]}" --data '{"model":"gpt-4o-mini","messages":[]}'
plain $C api.openai.com /v1/models "$UA_OPENAI_PY"
visit $C api.anthropic.com /v1/messages --http1.1 -A "$UA_ANTHROPIC_PY" -H 'anthropic-version: 2023-06-01' "${JSON[@]}" --data '{"model":"claude-3-5-haiku-latest","max_tokens":16,"messages":[]}'
plain $C api.anthropic.com /v1/messages "$UA_ANTHROPIC_PY" -H 'anthropic-version: 2023-06-01' "${JSON[@]}" --data '{"max_tokens":16,"messages":[]}'
plain $C chatgpt.com / "$UA_CHROME_WIN"
plain $C claude.ai / "$UA_CHROME_WIN"
dnsq $C HTTPS gemini.google.com copilot.microsoft.com www.perplexity.ai
visit $C gemini.google.com /app -A "$UA_CHROME_WIN"
visit $C copilot.microsoft.com / -A "$UA_CHROME_WIN"
visit $C www.perplexity.ai / -A "$UA_CHROME_WIN"
gap

# 127.0.0.22 -- developer: coding assistants and model APIs
C=127.0.0.22
visit $C api.githubcopilot.com /chat/completions --http1.1 -A 'GitHubCopilotChat/0.22.4' -H 'Editor-Version: vscode/1.95.3' "${JSON[@]}" --data '{}'
plain $C api.githubcopilot.com /models 'GitHubCopilotChat/0.22.4' -H 'Editor-Version: vscode/1.95.3'
visit $C api2.cursor.sh /aiserver.v1.AiService/StreamChat -A 'connect-es/1.4.0' "${JSON[@]}" --data '{}'
visit $C huggingface.co /api/models -A 'unknown/None; hf_hub/0.26.2; python/3.11.7'
plain $C huggingface.co /api/models 'unknown/None; hf_hub/0.26.2; python/3.11.7'
visit $C api.mistral.ai /v1/chat/completions --http1.1 -A 'mistral-client-python/1.2.3' "${JSON[@]}" --data '{}'
visit $C generativelanguage.googleapis.com /v1beta/models/gemini-1.5-flash:generateContent -A 'google-genai-sdk/0.3.0 gl-python/3.11.7' "${JSON[@]}" --data '{}'
visit $C api.x.ai /v1/chat/completions -A "$UA_OPENAI_PY" "${JSON[@]}" --data '{}'
visit $C api.groq.com /openai/v1/chat/completions -A 'Groq/Python 0.11.0' "${JSON[@]}" --data '{}'
plain $C api.groq.com /openai/v1/models 'Groq/Python 0.11.0'
visit $C api.together.xyz /v1/chat/completions --http1.1 -A 'Together/Python 1.3.3' "${JSON[@]}" --data '{}'
visit $C openrouter.ai /api/v1/chat/completions -A 'python-httpx/0.27.2' "${JSON[@]}" --data '{}'
visit $C chat.deepseek.com / -A "$UA_FIREFOX"
visit $C github.com / -A "$UA_FIREFOX"
plain $C github.com / "$UA_FIREFOX"
gap

# 127.0.0.23 -- meetings and writing tools
C=127.0.0.23
visit $C otter.ai / -A "$UA_CHROME_MAC"
plain $C otter.ai / "$UA_CHROME_MAC"
visit $C app.fireflies.ai / -A "$UA_CHROME_MAC"
visit $C app.grammarly.com / -A "$UA_CHROME_MAC"
visit $C www.deepl.com /translator -A "$UA_CHROME_MAC"
plain $C www.deepl.com /translator "$UA_CHROME_MAC"
visit $C gamma.app / -A "$UA_CHROME_MAC"
visit $C zoom.us / -A "$UA_CHROME_MAC"
visit $C slack.com / -A "$UA_CHROME_MAC"
gap

# 127.0.0.24 -- HR: candidate screening on HireVue
C=127.0.0.24
visit $C app.hirevue.com / -A "$UA_CHROME_WIN"
tls $C app.hirevue.com /api/v1/interviews -A "$UA_CHROME_WIN"
plain $C app.hirevue.com / "$UA_CHROME_WIN"
visit $C www.wikipedia.org / -A "$UA_CHROME_WIN"
gap

# 127.0.0.26 -- marketing: image, video, voice and character tools
C=127.0.0.26
visit $C www.midjourney.com /imagine -A "$UA_SAFARI"
visit $C app.runwayml.com / -A "$UA_SAFARI"
visit $C api.elevenlabs.io /v1/text-to-speech/21m00Tcm4TlvDq8ikWAM --http1.1 -A 'python-requests/2.32.3' "${JSON[@]}" --data '{"text":"hi"}'
plain $C api.elevenlabs.io /v1/voices 'python-requests/2.32.3'
visit $C suno.com /create -A "$UA_SAFARI"
plain $C suno.com / "$UA_SAFARI"
visit $C character.ai / -A "$UA_SAFARI"
gap

# 127.0.0.27 -- control client: only non-AI services, must not be flagged
C=127.0.0.27
dnsq $C HTTPS www.google.com
visit $C www.google.com / -A "$UA_CHROME_WIN"
plain $C www.google.com / "$UA_CHROME_WIN"
visit $C www.wikipedia.org / -A "$UA_CHROME_WIN"
plain $C www.wikipedia.org / "$UA_CHROME_WIN"
visit $C slack.com /api/rtm.connect -A 'Slack/4.41.97'
visit $C zoom.us / --http1.1 -A 'Zoom/6.2.5'
visit $C github.com / -A "$UA_CHROME_WIN"

stop_capture

# ================================================== browser.pcapng (dumpcap)
# Headless Chromium on the "browser workstation" 127.0.0.25. Chromium's host
# resolver is pinned (--host-resolver-rules) and everything else is mapped to
# NOTFOUND, so Chromium itself sends no DNS; the A/AAAA/HTTPS lookups a desktop
# stub resolver would make are sent with dig from 127.0.0.25 before each visit.
log "capturing browser.pcapng (dumpcap, pcapng)"
BROWSER_HOSTS=(claude.ai chatgpt.com gemini.google.com www.perplexity.ai huggingface.co www.wikipedia.org github.com)
# plain-HTTP visit: must be a host that is not HSTS-preloaded in Chromium
# (www.deepl.com and all of .app are, and Chromium would go to HTTPS instead)
BROWSER_HTTP_HOSTS=(otter.ai)
RULES=""
for h in "${BROWSER_HOSTS[@]}" "${BROWSER_HTTP_HOSTS[@]}"; do RULES+="MAP $h $SERVER, "; done
RULES+="MAP * ~NOTFOUND"
mkdir -p "$TMP/chrome-profile" "$TMP/home"
browse() {
  HOME="$TMP/home" nsx timeout -k 5 60 chromium --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --no-default-browser-check --disable-background-networking \
    --disable-component-update --disable-sync --disable-domain-reliability \
    --disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,OptimizationHints,MediaRouter \
    --user-data-dir="$TMP/chrome-profile" --host-resolver-rules="$RULES" \
    --ignore-certificate-errors --dump-dom "$1" >>"$TMP/chromium.out" 2>>"$TMP/chromium.err"
}
start_capture dumpcap "$TMP/browser.pcapng"
B=127.0.0.25
for h in "${BROWSER_HOSTS[@]}"; do
  dnsq $B A "$h"
  dnsq $B AAAA "$h"
  dnsq $B HTTPS "$h"
  browse "https://$h/"
  gap
done
for h in "${BROWSER_HTTP_HOSTS[@]}"; do
  dnsq $B A "$h"
  dnsq $B AAAA "$h"
  browse "http://$h/"
done
# single-segment ClientHellos (curl, OpenSSL: no post-quantum key share) from the same workstation
tls $B claude.ai /api/organizations -A "$UA_CHROME_WIN"
tls $B chatgpt.com /backend-api/me --http1.1 -A "$UA_CHROME_WIN"
tls $B www.wikipedia.org / -A "$UA_CHROME_WIN"
stop_capture

# ------------------------------------------------------------ check & install
log "checking captures"
fields() {
  tshark -r "$1" -2 -T fields -E separator='|' -e frame.number -e ip.src -e dns.qry.name \
    -e tls.handshake.extensions_server_name -e tls.handshake.extensions_alpn_str \
    -e http.host -e http.user_agent -e dns.flags.response 2>/dev/null
}
missing=0
check() { # file name...
  local f=$1; shift
  local seen
  seen="$(fields "$f" | awk -F'|' '$8!="1" && $8!="True"{print $3; print $4; print $6}' | tr ',' '\n' | sort -u)"
  local n
  for n; do
    grep -qxF "$n" <<<"$seen" || { echo "MISSING in $(basename "$f"): $n" >&2; missing=1; }
  done
}
check "$TMP/office-clients.pcap" "${AI_HOSTS[@]}" "${NON_AI_HOSTS[@]}"
check "$TMP/browser.pcapng" "${BROWSER_HOSTS[@]}" "${BROWSER_HTTP_HOSTS[@]}"
# the browser's cleartext visit must show up as an HTTP Host header
for h in "${BROWSER_HTTP_HOSTS[@]}"; do
  fields "$TMP/browser.pcapng" | awk -F'|' '{print $6}' | grep -qxF "$h" ||
    { echo "MISSING in browser.pcapng: HTTP Host $h" >&2; missing=1; }
done
# outside hosts: Chromium must not have reached anything it was not told to
extra="$(fields "$TMP/browser.pcapng" | awk -F'|' '{print $4; print $6}' | tr ',' '\n' | sed '/^$/d' | sort -u |
  grep -vxF -f <(printf '%s\n' "${BROWSER_HOSTS[@]}" "${BROWSER_HTTP_HOSTS[@]}") || true)"
[[ -z "$extra" ]] || { echo "unexpected hosts in browser.pcapng: $extra" >&2; missing=1; }
[[ $missing -eq 0 ]] || { echo "capture check failed; servers log: $TMP/servers.log" >&2; cat "$TMP/servers.log" >&2; exit 1; }

# keep the samples small
for f in office-clients.pcap browser.pcapng; do
  size=$(stat -c %s "$TMP/$f")
  if (( size > 300000 )); then
    log "$f is $size bytes; cutting it to the first 1500 packets"
    editcap -r "$TMP/$f" "$TMP/$f.cut" 1-1500 && mv "$TMP/$f.cut" "$TMP/$f"
  fi
done

mkdir -p "$OUT"
install -m 0644 "$TMP/office-clients.pcap" "$OUT/office-clients.pcap"
install -m 0644 "$TMP/browser.pcapng" "$OUT/browser.pcapng"

# A machine-readable list of what each client was seen doing, for tests:
# file, client address, evidence kind (dns|sni|http-host), name, ai (yes|no)
{
  printf 'file\tclient\tkind\tname\tai\n'
  for f in office-clients.pcap browser.pcapng; do
    fields "$OUT/$f" | awk -F'|' -v f="$f" '
      $8=="1" || $8=="True" {next}
      $3!="" {print f "\t" $2 "\tdns\t" $3}
      $4!="" {print f "\t" $2 "\tsni\t" $4}
      $6!="" {print f "\t" $2 "\thttp-host\t" $6}'
  done | sort -u | while IFS=$'\t' read -r f c k n; do
    if printf '%s\n' "${AI_HOSTS[@]}" | grep -qxF "$n"; then a=yes; else a=no; fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$f" "$c" "$k" "$n" "$a"
  done
} >"$OUT/expected-names.tsv"

for f in office-clients.pcap browser.pcapng; do
  capinfos -c -F -t "$OUT/$f" | sed 1d >&2 || true
  ls -l "$OUT/$f" >&2
done
log "done: $OUT"
