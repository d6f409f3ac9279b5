"""Runs localstripe (the Stripe emulator, installed by scripts/setup.sh) on 127.0.0.1 only.

localstripe's own command listens on every interface (it binds `::`); the tests and the default
run need it on the loopback address only. Usage: run_localstripe.py PORT [--keep]
(--keep loads what a previous run left in /tmp/localstripe.pickle; without it, it starts empty).
"""
import sys

from aiohttp import web
from localstripe import server
from localstripe.resources import store

port = int(sys.argv[1])
if "--keep" in sys.argv[2:]:
    store.try_load_from_disk()
web.run_app(server.app, host="127.0.0.1", port=port, access_log=None, print=None)
