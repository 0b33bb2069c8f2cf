#!/usr/bin/env python3
"""cdp.py -- drives a headless Chromium page through the DevTools protocol, for the web
browser test: a minimal WebSocket client (RFC 6455: handshake, masked text frames out,
unmasked frames in) on the standard library only, since Debian's Python has no websockets
module and Node 20 no WebSocket client.

    cdp.py WS_URL SCRIPT_FILE

SCRIPT_FILE holds one step per line:
    goto URL              Page.navigate, then wait for the load event
    eval JS               Runtime.evaluate (awaits promises); prints the value
    wait JS [SECONDS]     evaluates JS until it is truthy (default 10 s), else exit 1
A step that throws or times out makes the script exit 1 with the reason on stderr."""
import base64, json, os, socket, struct, sys, time, urllib.parse


class Ws:
    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
                           f"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("DevTools closed the connection during the handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError("no WebSocket upgrade: " + head.split(b"\r\n", 1)[0].decode())
        self.buf = head.split(b"\r\n\r\n", 1)[1]
        self.next_id = 0

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("DevTools closed the connection")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send_text(self, text):
        data = text.encode()
        n = len(data)
        head = bytes([0x81])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def recv_text(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            payload = self._read(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise RuntimeError("DevTools closed the WebSocket")
            if opcode in (0x9, 0xA):          # ping/pong: nothing to answer for a test
                continue
            message += payload
            if b0 & 0x80:
                return message.decode()

    def call(self, method, params=None, events=None):
        self.next_id += 1
        my = self.next_id
        self.send_text(json.dumps({"id": my, "method": method, "params": params or {}}))
        while True:
            m = json.loads(self.recv_text())
            if m.get("id") == my:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            if events is not None and "method" in m:
                events.append(m["method"])


def evaluate(ws, js):
    r = ws.call("Runtime.evaluate", {"expression": js, "awaitPromise": True, "returnByValue": True})
    if "exceptionDetails" in r:
        raise RuntimeError(f"{js}: {r['exceptionDetails'].get('exception', {}).get('description', r['exceptionDetails'])}")
    return r.get("result", {}).get("value")


def main():
    ws = Ws(sys.argv[1])
    ws.call("Page.enable")
    for line in open(sys.argv[2], encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        step, _, arg = line.partition(" ")
        if step == "goto":
            events = []
            ws.call("Page.navigate", {"url": arg}, events)
            deadline = time.time() + 30
            while "Page.loadEventFired" not in events:
                if time.time() > deadline:
                    raise RuntimeError(f"goto {arg}: no load event within 30 s")
                m = json.loads(ws.recv_text())
                if "method" in m:
                    events.append(m["method"])
        elif step == "eval":
            print(evaluate(ws, arg))
        elif step == "wait":
            js, seconds = arg, 10.0
            if arg.rsplit(" ", 1)[-1].replace(".", "").isdigit():
                js, seconds = arg.rsplit(" ", 1)[0], float(arg.rsplit(" ", 1)[1])
            deadline = time.time() + seconds
            while not evaluate(ws, js):
                if time.time() > deadline:
                    raise RuntimeError(f"wait {js}: still false after {seconds} s")
                time.sleep(0.1)
        else:
            raise RuntimeError(f"unknown step '{step}'")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:     # a test tool: one line saying what failed
        print(f"cdp.py: {e}", file=sys.stderr)
        sys.exit(1)
