#!/usr/bin/env python3
"""redis-server CPU per 100k writes (and per 100k reads) with and without client-side-caching tracking.

Starts a throwaway redis-server of its own (redis-server on PATH, or $CACHELAYER_REDIS_SERVER), then for each
set-up sends 100k SETs (and 100k GETs) of 100-byte values over 10k keys under one prefix, pipelined 100 at a time,
and reads the server's user+system CPU from /proc/<pid>/stat before and after. Rounds are interleaved and the
median is reported. The set-ups:

  none       no tracking
  bcast      N invalidation connections: CLIENT TRACKING on REDIRECT <own id> BCAST PREFIX p, SUBSCRIBEd
             (what TwoTierBackend does: one per process)
  default    N invalidation connections SUBSCRIBEd, and N data connections with CLIENT TRACKING on REDIRECT <id>
             (default mode) that have read every key once, so the server remembers N readers per key

Columns: 100k SETs (in default mode only the first write of a key after a read invalidates: a lower bound), 100k
GETs (on a tracked connection in default mode), and a read-mostly mix (about 96k GETs by N readers and 5k SETs,
each write re-tracked by the next reads in default mode).

Usage: tracking-cost.py [processes=4] [rounds=5]
"""
import os, socket, subprocess, sys, tempfile, time, statistics

PROCESSES = int(sys.argv[1]) if len(sys.argv) > 1 else 4
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
KEYS = 10_000
OPS = 100_000
PIPELINE = 100
PREFIX = b"bench:"
VALUE = b"x" * 100


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def _fill(self):
        chunk = self.s.recv(1 << 20)
        if not chunk:
            raise EOFError
        self.buf += chunk

    def reply(self):
        while True:
            parsed = self._parse(0)
            if parsed is not None:
                value, end = parsed
                self.buf = self.buf[end:]
                return value
            self._fill()

    def _parse(self, i):
        line_end = self.buf.find(b"\r\n", i)
        if line_end < 0:
            return None
        kind, rest = self.buf[i:i + 1], self.buf[i + 1:line_end]
        if kind in (b"+", b"-", b":"):
            return rest, line_end + 2
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None, line_end + 2
            if len(self.buf) < line_end + 2 + n + 2:
                return None
            return self.buf[line_end + 2:line_end + 2 + n], line_end + 2 + n + 2
        if kind == b"*":
            n = int(rest)
            items, pos = [], line_end + 2
            for _ in range(max(n, 0)):
                parsed = self._parse(pos)
                if parsed is None:
                    return None
                items.append(parsed[0])
                pos = parsed[1]
            return items, pos
        raise ValueError(kind)

    def call(self, *args):
        self.send(encode(*args))
        return self.reply()

    def drain(self):
        self.s.setblocking(False)
        try:
            while True:
                if not self.s.recv(1 << 20):
                    break
        except BlockingIOError:
            pass
        finally:
            self.s.setblocking(True)


def cpu(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pipelined(conn, command, count):
    for start in range(0, count, PIPELINE):
        conn.send(b"".join(encode(command, PREFIX + b"k%d" % ((start + j) % KEYS), *( [VALUE] if command == b"SET" else [])) for j in range(PIPELINE)))
        for _ in range(PIPELINE):
            conn.reply()


def main():
    binary = os.environ.get("CACHELAYER_REDIS_SERVER", "redis-server")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    directory = tempfile.mkdtemp()
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                Conn(port).call(b"PING")
                break
            except OSError:
                time.sleep(0.05)
        results = {name: {"SET": [], "GET": [], "MIX": []} for name in ("none", "bcast", "default")}
        for _ in range(ROUNDS):
            for name in ("none", "bcast", "default"):
                listeners, readers = [], []
                for _ in range(PROCESSES if name != "none" else 0):
                    listener = Conn(port)
                    ident = int(listener.call(b"CLIENT", b"ID"))
                    if name == "bcast":
                        listener.call(b"CLIENT", b"TRACKING", b"on", b"REDIRECT", ident, b"BCAST", b"PREFIX", PREFIX)
                    listener.call(b"SUBSCRIBE", b"__redis__:invalidate")
                    listeners.append(listener)
                    reader = Conn(port)
                    if name == "default":
                        reader.call(b"CLIENT", b"TRACKING", b"on", b"REDIRECT", ident)
                    readers.append(reader)
                worker = Conn(port)
                pipelined(worker, b"SET", KEYS)
                if name == "default":
                    for reader in readers:  # every reader has every key tracked
                        pipelined(reader, b"GET", KEYS)
                for listener in listeners:
                    listener.drain()
                # Reads: on a tracked connection in default mode (each GET remembers its reader).
                reading = readers[0] if name == "default" else worker
                before = cpu(server.pid)
                pipelined(reading, b"GET", OPS)
                results[name]["GET"].append(cpu(server.pid) - before)
                before = cpu(server.pid)
                pipelined(worker, b"SET", OPS)
                results[name]["SET"].append(cpu(server.pid) - before)
                # A read-mostly mix: per 100 keys, every process reads them, then 5% are written (re-tracked
                # in default mode by the next reads): about 96k GETs and 5k SETs.
                for listener in listeners:
                    listener.drain()
                before = cpu(server.pid)
                for batch in range(240):
                    keys = [PREFIX + b"k%d" % ((batch * 100 + j) % KEYS) for j in range(100)]
                    for reader in (readers or [worker] * PROCESSES):
                        reader.send(b"".join(encode(b"GET", key) for key in keys))
                        for _ in keys:
                            reader.reply()
                    for listener in listeners:
                        listener.drain()
                    worker.send(b"".join(encode(b"SET", key, VALUE) for key in keys[:21]))
                    for _ in range(21):
                        worker.reply()
                results[name]["MIX"].append(cpu(server.pid) - before)
                for conn in listeners + readers + [worker]:
                    conn.s.close()
                time.sleep(0.2)
        print(f"redis-server CPU seconds per {OPS} operations ({PROCESSES} tracking processes, 100-byte values, {KEYS} keys, median of {ROUNDS} rounds)")
        print(f"{'set-up':10} {'SET':>8} {'GET':>8} {'95/5 mix':>9}")
        for name, ops in results.items():
            print(f"{name:10} {statistics.median(ops['SET']):8.3f} {statistics.median(ops['GET']):8.3f} {statistics.median(ops['MIX']):9.3f}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
