"""An SMTP server (aiosmtpd) that answers RCPT per recipient, for delivery tests.

usage: python3 per_recipient_server.py PORT DUMP_DIR RULES_FILE

RULES_FILE lines: address|reply|times   (times 0 = always; otherwise the reply is given that many times,
then the address is accepted). The reply HOLD accepts the address, and the message's reply to DATA is held back
after the message is dumped, until a file DUMP_DIR.release exists: the server has the message, the client has
no answer yet. Accepted messages are written to DUMP_DIR, one file each, headed by one
"X-Rcpt-Args: <address>" line per recipient (the same shape as Postfix smtp-sink's dumps).
"""
import asyncio
import os
import signal
import sys

from aiosmtpd.controller import Controller

from smtp_dump import write_dump


class PerRecipientHandler:
    def __init__(self, rules, dump_dir):
        self.rules = rules
        self.dump_dir = dump_dir
        self.refusals = {}
        self.accepted = 0
        self.held = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        rule = self.rules.get(address.lower())
        if rule is not None:
            reply, times = rule
            given = self.refusals.get(address.lower(), 0)
            if times == 0 or given < times:
                self.refusals[address.lower()] = given + 1
                if reply != "HOLD":
                    return reply
                self.held.add(address.lower())
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.accepted += 1
        write_dump(self.dump_dir, self.accepted, envelope)
        if any(r.lower() in self.held for r in envelope.rcpt_tos):
            self.held.difference_update(r.lower() for r in envelope.rcpt_tos)
            while not os.path.exists(self.dump_dir + ".release"):
                await asyncio.sleep(0.02)
        return "250 2.0.0 queued as %d" % self.accepted


def read_rules(path):
    rules = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            line = line.strip()
            if line and not line.startswith("#"):
                address, reply, times = line.split("|")
                rules[address.lower()] = (reply, int(times))
    return rules


def main():
    port, dump_dir, rules_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    controller = Controller(PerRecipientHandler(read_rules(rules_file), dump_dir), hostname="127.0.0.1", port=port)
    controller.start()
    print("listening on 127.0.0.1:%d" % port, flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


if __name__ == "__main__":
    main()
