#!/usr/bin/env python3
"""A bounded closed-loop load for scripts/netns-check: CLIENTS threads, each on one
keep-alive HTTP/1.1 connection, send GET PATH to HOST:PORT one after the other until
STOP_FILE exists, then print one JSON line: requests sent, answered 200, and every other
outcome (a status, or a connection error) with its count and the first few messages.

A request counts as lost unless it is answered 200: a refused or reset connection to the
gateway, a timeout (30 s), and any other status all count. A client whose connection
broke opens a new one for its next request (that request counts on its own).

    netns-load.py HOST PORT PATH CLIENTS STOP_FILE [PROGRESS_FILE]

PROGRESS_FILE, when given, is rewritten about every 0.2 s with two numbers: the requests
answered 200 so far and those lost so far, so the caller can follow the load.
"""
import http.client
import json
import os
import sys
import threading
import time

host, port, path, clients, stop_file = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
progress_file = sys.argv[6] if len(sys.argv) > 6 else None

lock = threading.Lock()
sent = 0
ok = 0
lost = {}      # outcome -> count
examples = []  # the first few lost requests, described


def record_loss(outcome, detail):
    with lock:
        lost[outcome] = lost.get(outcome, 0) + 1
        if len(examples) < 10:
            examples.append(f"{time.strftime('%H:%M:%S')} {outcome}: {detail}"[:300])


def client():
    global sent, ok
    connection = None
    while not os.path.exists(stop_file):
        if connection is None:
            connection = http.client.HTTPConnection(host, port, timeout=30)
        with lock:
            sent += 1
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            if response.status == 200:
                with lock:
                    ok += 1
            else:
                record_loss(str(response.status), body.decode("utf-8", "replace"))
            if response.getheader("connection", "").lower() == "close":
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException) as error:
            record_loss(type(error).__name__, str(error))
            connection.close()
            connection = None


threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
for thread in threads:
    thread.start()
while any(thread.is_alive() for thread in threads):
    if progress_file:
        with lock:
            answered, missed = ok, sum(lost.values())
        with open(progress_file + ".tmp", "w") as out:
            out.write(f"{answered} {missed}\n")
        os.replace(progress_file + ".tmp", progress_file)
    time.sleep(0.2)
for thread in threads:
    thread.join()
print(json.dumps({"sent": sent, "ok": ok, "lost": sum(lost.values()), "outcomes": lost, "examples": examples}))
