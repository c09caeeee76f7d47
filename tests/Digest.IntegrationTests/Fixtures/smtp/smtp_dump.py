"""Writes an accepted message into the dump folder the way Postfix smtp-sink does, for the tests' own servers."""
import os


def write_dump(dump_dir, number, envelope):
    """
    One file per message, headed by one "X-Rcpt-Args: <address>" line per recipient and an "X-Mail-Args:" line
    with the MAIL FROM parameters (e.g. SIZE=...).
    """
    name = os.path.join(dump_dir, "%08d.eml" % number)
    header = "".join("X-Rcpt-Args: <%s>\r\n" % r for r in envelope.rcpt_tos).encode()
    header += ("X-Mail-Args: %s\r\n" % " ".join(envelope.mail_options)).encode()
    with open(name + ".tmp", "wb") as dump:
        dump.write(header + envelope.original_content)
    os.rename(name + ".tmp", name)  # readers never see half a message
