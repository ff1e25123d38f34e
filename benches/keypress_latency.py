#!/usr/bin/env python3
"""Keypress-to-screen latency of the real binary ("a keypress shows on screen within one
frame"). Starts target/release/dropscope in a 160x48 pseudo-terminal (private XDG folders), then
30 times presses -> or <- (delta +-0.01) and times until the terminal receives the redraw of the
header row. Extra arguments go to dropscope, e.g. a heavy case:

    python3 benches/keypress_latency.py --weights=$(python3 -c "print(','.join(str(((i*37)%19-9)/10) for i in range(1000)))") --k 150
"""
import os, pty, time, select, sys, statistics

BINARY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "release", "dropscope")
args = sys.argv[1:]
HOME = __import__("tempfile").mkdtemp()
pid, fd = pty.fork()
if pid == 0:
    os.environ.update({"LANG": "C.UTF-8", "TERM": "xterm-256color", "XDG_DATA_HOME": HOME + "/d", "XDG_CONFIG_HOME": HOME + "/c"})
    os.execv(BINARY, ["dropscope"] + args)
import fcntl, termios, struct
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
def read_until(needle, timeout=5):
    buf = b""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        r, _, _ = select.select([fd], [], [], 0.001)
        if r:
            buf += os.read(fd, 65536)
            if needle in buf:
                return time.perf_counter()
    raise SystemExit("timeout waiting for %r" % needle)
read_until(b"0.50")
time.sleep(1.0)
lat = []
for i in range(30):
    key, want = (b"\x1b[C", "\x1b[2;") if i % 2 == 0 else (b"\x1b[D", "\x1b[2;")
    time.sleep(0.25)
    # drain
    while select.select([fd], [], [], 0)[0]:
        os.read(fd, 65536)
    t0 = time.perf_counter()
    os.write(fd, key)
    t1 = read_until(want.encode())
    lat.append((t1 - t0) * 1000)
os.write(fd, b"q")
print("keypress-to-screen ms: median %.2f  p90 %.2f  max %.2f  (n=%d)" % (statistics.median(lat), sorted(lat)[int(0.9*len(lat))], max(lat), len(lat)))
