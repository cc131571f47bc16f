# Connectivity probe run inside a sandbox (or its network namespace): tries one TCP connection or one
# UDP exchange and prints "ok <first reply line>" or "fail <reason>". Exit code 0 either way, so the
# caller decides what the outcome means.
import socket
import sys

mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 1.5
family = socket.AF_INET6 if ":" in host else socket.AF_INET
try:
    if mode == "tcp":
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect((host, port))
        data = s.recv(200)
        print("ok", data.decode(errors="replace").strip())
    else:
        s = socket.socket(family, socket.SOCK_DGRAM)
        s.settimeout(timeout)
        s.sendto(b"ping", (host, port))
        data, _ = s.recvfrom(200)
        print("ok", data.decode(errors="replace").strip())
except Exception as e:  # noqa: BLE001 - any failure is the answer
    print("fail", type(e).__name__, e)
