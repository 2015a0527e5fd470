"""A real SMTP server for the notification tests (aiosmtpd): it takes mail only after AUTH as
one user, and writes each message it takes to a file as a line of JSON.

    python3 smtp_receiver.py <port> <messages.jsonl> <user> <password> [starttls|tls <cert> <key>]

With `starttls` it offers STARTTLS and takes AUTH and mail only after it; with `tls` it speaks
TLS from the first byte. Each message records whether it came encrypted.
"""

import email
import email.policy
import json
import logging
import signal
import ssl
import sys
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

port, out, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
mode = sys.argv[5] if len(sys.argv) > 5 else "none"
context = None
if mode != "none":
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(sys.argv[6], sys.argv[7])


class Keep:
    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        record = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "subject": str(message["Subject"]),
            "content_type": message.get_content_type(),
            "body": message.get_content() if not message.is_multipart() else "",
            "authenticated_as": session.auth_data.login.decode() if session.authenticated else None,
            "encrypted": server.transport.get_extra_info("ssl_object") is not None,
        }
        with open(out, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        return "250 2.0.0 Message accepted for delivery"


def check(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == user
        and auth_data.password.decode() == password
    )
    return AuthResult(success=ok, auth_data=auth_data if ok else None)


# It warns, rightly, that AUTH without TLS is unsafe: the plain server is the test's, on the
# loopback.
warnings.filterwarnings("ignore", module="aiosmtpd")
# A handshake the test makes fail on purpose is logged as an error: keep the output quiet.
logging.getLogger("mail.log").setLevel(logging.CRITICAL)

secured = {
    # Plain text, on the loopback only: AUTH without TLS.
    "none": {"auth_require_tls": False},
    "starttls": {"tls_context": context, "require_starttls": True, "auth_require_tls": True},
    "tls": {"ssl_context": context, "auth_require_tls": False},
}[mode]
controller = Controller(
    Keep(),
    hostname="127.0.0.1",
    port=port,
    authenticator=check,
    auth_required=True,
    **secured,
)
controller.start()
print("ready", flush=True)
signal.sigwait({signal.SIGTERM, signal.SIGINT})
controller.stop()
