#!/usr/bin/env python3
"""fediverse-pasture's `verify_actor` (PyPI fediverse-pasture) for Puentes' tests.

Run:  python3 tests/peers/pasture.py --port PORT

The app is the package's own (`fediverse_pasture.verify_actor.build_app`): its
six test actors (alice, bob, claire with preferredUsername; dean, emily, frank
without; bob and emily sign, claire and frank also need signed fetches of
their keys) read a target actor and post to its inbox, and it reports what
worked. This file only serves that app on 127.0.0.1:PORT as
http://localhost:PORT, generating the actors' keys in a temporary directory,
and prints `READY http://localhost:PORT` once the socket listens.

    GET /?actor_uri=<actor id>  (Accept: application/json)  ->  {"result": …}
"""

import argparse
import asyncio
import logging
import os
import socket
import sys
import tempfile


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="puentes-pasture-") as tmp:
        # The package writes its actors' keys to data.toml in the working directory.
        os.chdir(tmp)
        from fediverse_pasture.verify_actor import build_app
        from hypercorn.asyncio import serve
        from hypercorn.config import Config

        # The package turns on debug logging for everything; keep stderr readable.
        logging.getLogger().setLevel(logging.DEBUG if args.verbose else logging.WARNING)
        if not args.verbose:
            logging.disable(logging.INFO)
        app = build_app(False, f"localhost:{args.port}", False, 10)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", args.port))
        sock.listen(128)
        sock.set_inheritable(True)
        config = Config()
        config.bind = [f"fd://{sock.fileno()}"]
        config.accesslog = None
        config.errorlog = None
        print(f"READY http://localhost:{args.port}", flush=True)
        asyncio.run(serve(app, config))


if __name__ == "__main__":
    sys.exit(main())
