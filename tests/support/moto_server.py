"""Runs a moto server on 127.0.0.1 for the tests and prints its port on stdout.

Usage: python moto_server.py

Binds port 0 (no race for a free port), prints `PORT` once it accepts connections, then
serves until its stdin reaches end-of-file. The test process holds the other end of that
pipe, so the server exits when the tests end, however they end (even when killed).
"""

import logging
import os
import sys

from moto.moto_server.threaded_moto_server import ThreadedMotoServer


def main():
    # One log line per request would drown the test output; errors still show.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    print(server.get_host_and_port()[1], flush=True)
    sys.stdin.read()
    os._exit(0)


if __name__ == "__main__":
    main()
