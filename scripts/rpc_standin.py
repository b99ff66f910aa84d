#!/usr/bin/env python3
"""A stand-in for one CometBFT node's RPC, for the demo's local fleet: answers /status (not
catching up) and /net_info (one peer) on 127.0.0.1:PORT, so picket's health checks are real
HTTP over the SSH connection. It replaces nothing else of a node.

  rpc_standin.py restart --port PORT --state DIR   (re)start it in the background
  rpc_standin.py check --state DIR                 exit 0 while it runs
  rpc_standin.py stop --state DIR
"""
import argparse
import http.server
import json
import os
import signal
import socket
import sys
import time


def serve(port):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            path = self.path.split("?")[0]
            if path == "/status":
                body = {"jsonrpc": "2.0", "id": -1, "result": {
                    "node_info": {"network": "demo"},
                    "sync_info": {"latest_block_height": str(int(time.time())), "catching_up": False}}}
            elif path == "/net_info":
                body = {"jsonrpc": "2.0", "id": -1, "result": {"listening": True, "n_peers": "1"}}
            else:
                self.send_error(404)
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()


def pid_file(state):
    return os.path.join(state, "rpc.pid")


def running(state):
    try:
        with open(pid_file(state)) as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def stop(state):
    pid = running(state)
    if pid:
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not running(state):
                break
            time.sleep(0.02)
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
    for _ in range(250):  # wait until it listens
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return 0
        except OSError:
            time.sleep(0.02)
    print(f"rpc stand-in did not start on port {port}", file=sys.stderr)
    return 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("action", choices=["restart", "check", "stop"])
    ap.add_argument("--port", type=int)
    ap.add_argument("--state", required=True)
    a = ap.parse_args()
    if a.action == "restart":
        return restart(a.port, a.state)
    if a.action == "check":
        return 0 if running(a.state) else 1
    stop(a.state)
    return 0


if __name__ == "__main__":
    sys.exit(main())
