"""Verifies the DKIM signature of one message with dkimpy (Debian's python3-dkim), an implementation independent of
MimeKit. DNS is replaced by one TXT record read from a file, published at <selector>._domainkey.<domain>.

usage: verify_dkim.py MESSAGE.eml RECORD.txt SELECTOR DOMAIN     exit 0: signature valid, 1: invalid
"""
import sys

import dkim

message_path, record_path, selector, domain = sys.argv[1:5]
record = open(record_path, "rb").read().strip()
published_at = f"{selector}._domainkey.{domain}".encode()


def dnsfunc(name, timeout=5):
    return record if name.rstrip(b".") == published_at else None


message = open(message_path, "rb").read()
valid = dkim.verify(message, dnsfunc=dnsfunc)
print("pass" if valid else "fail")
sys.exit(0 if valid else 1)
