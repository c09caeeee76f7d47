"""Verifies the DKIM signatures of messages with dkimpy (Debian's python3-dkim), an implementation independent of
MimeKit. DNS is replaced by one TXT record read from a file, published at <selector>._domainkey.<domain>.

usage: verify_dkim.py RECORD.txt SELECTOR DOMAIN MESSAGE.eml...
prints "pass" or "fail" per message; exit 0: every signature valid, 1: one or more invalid
"""
import sys

import dkim

record_path, selector, domain = sys.argv[1:4]
message_paths = sys.argv[4:]
record = open(record_path, "rb").read().strip()
published_at = f"{selector}._domainkey.{domain}".encode()


def dnsfunc(name, timeout=5):
    return record if name.rstrip(b".") == published_at else None


results = [dkim.verify(open(path, "rb").read(), dnsfunc=dnsfunc) for path in message_paths]
for valid in results:
    print("pass" if valid else "fail")
sys.exit(0 if results and all(results) else 1)
