"""A relay (aiosmtpd) that requires STARTTLS, with the certificate given, and optionally AUTH, for delivery tests.

usage: python3 tls_relay.py PORT DUMP_DIR CERT_PEM KEY_PEM [USER PASSWORD]

Accepted messages are written to DUMP_DIR like smtp-sink's dumps ("X-Rcpt-Args: <address>" lines, then the message).
With USER and PASSWORD, MAIL is refused until the client authenticates (530), and a wrong password gets 535 5.7.8.
"""
import signal
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from smtp_dump import write_dump


class DumpHandler:
    def __init__(self, dump_dir):
        self.dump_dir = dump_dir
        self.accepted = 0

    async def handle_DATA(self, server, session, envelope):
        self.accepted += 1
        write_dump(self.dump_dir, self.accepted, envelope)
        return "250 2.0.0 queued as %d" % self.accepted


def authenticator_for(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False)
    return authenticate


def main():
    port, dump_dir, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    options = dict(tls_context=context, require_starttls=True)
    if len(sys.argv) > 6:
        options.update(authenticator=authenticator_for(sys.argv[5], sys.argv[6]), auth_required=True, auth_require_tls=True)
    controller = Controller(DumpHandler(dump_dir), hostname="127.0.0.1", port=port, **options)
    controller.start()
    print("listening on 127.0.0.1:%d" % port, flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


if __name__ == "__main__":
    main()
