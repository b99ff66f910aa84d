#!/usr/bin/env python3
"""A stand-in for one CometBFT node's RPC, for the demo's local fleet: answers /status (not
catching up), /net_info (one peer, none listed) and /commit (no signature) on 127.0.0.1:PORT, so picket's health checks are real
HTTP over the SSH connection. It replaces nothing else of a node.

  rpc_standin.py restart --port PORT --state DIR   (re)start it in the background
  rpc_standin.py check --state DIR                 exit 0 while it runs
  rpc_standin.py stop --state DIR
"""
import json
import os
import signal
import socket
import sys
import time

# Kept to the standard library's cheapest modules (no http.server, no argparse): the restart
# command is timed in the deploy benchmark for every tool alike, and should cost what a
# `systemctl restart` costs, not Python's import time.


def reply(conn):
    """Answers one HTTP/1.0 request on `conn` and closes it."""
    conn.settimeout(5)
    request = b""
    while b"\r\n\r\n" not in request and len(request) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            break
        request += chunk
    parts = request.split(b"\r\n", 1)[0].split()
    path = parts[1].decode("latin-1").split("?")[0] if len(parts) >= 2 else ""
    if path == "/status":
        body = {"jsonrpc": "2.0", "id": -1, "result": {
            "node_info": {"network": "demo"},
            "sync_info": {"latest_block_height": str(int(time.time())), "catching_up": False}}}
    elif path == "/net_info":
        # A count for the deploy health check; no peer list (picket status, benchmarked on
        # stand-ins in bench/status.sh, then finds every graph peer missing).
        body = {"jsonrpc": "2.0", "id": -1, "result": {"listening": True, "n_peers": "1", "peers": []}}
    elif path == "/commit":
        body = {"jsonrpc": "2.0", "id": -1, "result": {"signed_header": {
            "header": {"height": str(int(time.time()))}, "commit": {"signatures": []}}}}
    else:
        body = None
    if body is None:
        data = b"not found\n"
        head = "HTTP/1.0 404 Not Found\r\nContent-Type: text/plain\r\n"
    else:
        data = json.dumps(body).encode()
        head = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n"
    head += f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
    conn.sendall(head.encode() + data)


def serve(port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(16)
    while True:
        conn, _ = listener.accept()
        try:
            reply(conn)
        except OSError:
            pass
        finally:
            conn.close()


def pid_file(state):
    return os.path.join(state, "rpc.pid")


def running(state):
    try:
        with open(pid_file(state)) as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    try:  # a zombie waiting for init to reap it has stopped serving
        with open(f"/proc/{pid}/stat") as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                return None
    except (OSError, IndexError):
        pass
    return pid


def stop(state):
    pid = running(state)
    if pid:
        os.kill(pid, signal.SIGTERM)
        for _ in range(400):
            if not running(state):
                break
            time.sleep(0.005)
    try:
        os.unlink(pid_file(state))
    except OSError:
        pass


def restart(port, state):
    os.makedirs(state, exist_ok=True)
    stop(state)
    if os.fork() == 0:  # detach: the SSH session that started us may end at once
        os.setsid()
        if os.fork() == 0:
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            with open(pid_file(state), "w") as f:
                f.write(str(os.getpid()))
            serve(port)
        os._exit(0)
    for _ in range(1000):  # wait until it listens (up to 5 s)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return 0
        except OSError:
            time.sleep(0.005)
    print(f"rpc stand-in did not start on port {port}", file=sys.stderr)
    return 1


def main():
    usage = "usage: rpc_standin.py {restart --port PORT | check | stop} --state DIR"
    args = sys.argv[1:]
    if not args or args[0] not in ("restart", "check", "stop"):
        print(usage, file=sys.stderr)
        return 2
    action, options = args[0], {}
    rest = args[1:]
    while rest:
        if len(rest) < 2 or rest[0] not in ("--port", "--state"):
            print(usage, file=sys.stderr)
            return 2
        options[rest[0]] = rest[1]
        rest = rest[2:]
    state = options.get("--state")
    if state is None or (action == "restart" and "--port" not in options):
        print(usage, file=sys.stderr)
        return 2
    if action == "restart":
        return restart(int(options["--port"]), state)
    if action == "check":
        return 0 if running(state) else 1
    stop(state)
    return 0


if __name__ == "__main__":
    sys.exit(main())
