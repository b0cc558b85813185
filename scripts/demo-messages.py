#!/usr/bin/python3
"""Generate the demo account's sample mail: about 50 varied messages (plain,
HTML, multipart with attachments, a thread, several languages and charsets)
spread over INBOX and a few folders, and append them to a running hafend.

    demo-messages.py --port 1143 --user demo --password demo
"""
import argparse
import email.charset
import email.utils
import imaplib
import random
import time
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email import encoders

random.seed(7)
NOW = time.time()
PEOPLE = [
    ("Ada Lovelace", "ada@example.org"), ("Jürgen Müller", "juergen@example.de"),
    ("Chloé Dubois", "chloe@example.fr"), ("田中 太郎", "taro@example.jp"),
    ("Олег Иванов", "oleg@example.ru"), ("Grace Hopper", "grace@example.com"),
    ("王小明", "xiaoming@example.cn"), ("Linus", "linus@example.net"),
]
ME = ("Demo User", "demo@localhost")
WORDS = ("meeting project report budget invoice travel lunch release review draft "
         "schedule quarterly numbers design server client mailbox sync offline "
         "weekend holiday photos garden recipe concert tickets").split()


def addr(p):
    return email.utils.formataddr(p)


def stamp(days_ago):
    t = NOW - days_ago * 86400 - random.randint(0, 80000)
    return t, email.utils.formatdate(t, localtime=True)


MSGIDS = iter(range(1, 1000000))


def next_msgid(domain):
    """Message-IDs the same on every run, so a run that failed half way can
    be repeated: main() skips what is already there."""
    return "<demo-%d@%s>" % (next(MSGIDS), domain)


def base(msg, frm, to, subject, days_ago, msgid=None):
    t, date = stamp(days_ago)
    msg["From"] = addr(frm)
    msg["To"] = addr(to)
    msg["Subject"] = subject
    msg["Date"] = date
    msg["Message-ID"] = msgid or next_msgid(frm[1].split("@")[1])
    return t


def sentence(n=12):
    return " ".join(random.choice(WORDS) for _ in range(n)).capitalize() + "."


def plain(frm, subject, body, days_ago, to=ME, charset="utf-8"):
    msg = MIMEText(body, "plain", charset)
    t = base(msg, frm, to, subject, days_ago)
    return msg, t


def html_alt(frm, subject, days_ago):
    msg = MIMEMultipart("alternative")
    t = base(msg, frm, ME, subject, days_ago)
    text = sentence(20)
    msg.attach(MIMEText(text + "\n", "plain", "utf-8"))
    msg.attach(MIMEText("<html><body><h1>%s</h1><p>%s</p><p><b>&amp;</b> more</p>"
                        "</body></html>" % (subject, text), "html", "utf-8"))
    return msg, t


def with_attachment(frm, subject, filename, ctype, payload, days_ago):
    msg = MIMEMultipart("mixed")
    t = base(msg, frm, ME, subject, days_ago)
    msg.attach(MIMEText("Please find the file attached.\n\n" + sentence(), "plain", "utf-8"))
    main, sub = ctype.split("/")
    part = MIMEBase(main, sub)
    part.set_payload(payload)
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    msg.attach(part)
    return msg, t


def thread(start_days):
    """A conversation of six messages with In-Reply-To and References."""
    out, refs = [], []
    subject = "Planning the offline sync feature"
    for i in range(6):
        frm = PEOPLE[i % 3] if i % 2 == 0 else ME
        to = ME if frm != ME else PEOPLE[0]
        msg = MIMEText("%s\n\n> earlier message %d\n" % (sentence(25), i), "plain", "utf-8")
        mid = next_msgid("example.org")
        t = base(msg, frm, to, ("Re: " if i else "") + subject, start_days - i * 0.3, mid)
        if refs:
            msg["In-Reply-To"] = refs[-1]
            msg["References"] = " ".join(refs)
        refs.append(mid)
        out.append(("Sent" if frm == ME else "INBOX", msg, t, ["\\Seen"] if i < 4 else []))
    return out


def forwarded(days_ago):
    inner, _ = plain(PEOPLE[5], "Original announcement", "The original text.\n", days_ago + 3)
    msg = MIMEMultipart("mixed")
    t = base(msg, PEOPLE[7], ME, "Fwd: Original announcement", days_ago)
    msg.attach(MIMEText("Forwarding this, see below.\n", "plain", "utf-8"))
    msg.attach(MIMEMessage(inner))
    return msg, t


def newsletter(i, days_ago):
    msg, t = html_alt(("hafen news", "news@lists.example.org"), "hafen newsletter #%d" % i,
                      days_ago)
    msg["List-Id"] = "hafen news <news.lists.example.org>"
    msg["List-Unsubscribe"] = "<mailto:unsubscribe@lists.example.org>"
    return msg, t


def samples():
    out = []
    add = lambda folder, mt, flags=(): out.append((folder, mt[0], mt[1], list(flags)))
    add("INBOX", plain(PEOPLE[0], "Welcome to hafen", "Hello!\n\nThis is your demo mailbox. "
                       "Read, move, flag, search and delete as you like.\n", 0.1))
    add("INBOX", plain(PEOPLE[1], "Grüße aus München", "Schöne Grüße, bis bald!\n"
                       "Übermorgen geht's los.\n", 1), ["\\Seen"])
    add("INBOX", plain(PEOPLE[2], "Réunion de vendredi", "Bonjour,\n\nLa réunion est "
                       "déplacée à 14 h. À bientôt !\n", 2, charset="iso-8859-1"))
    add("INBOX", plain(PEOPLE[3], "会議の件", "お疲れ様です。\n明日の会議は十時からです。\n", 2,
                       charset="iso-2022-jp"))
    add("INBOX", plain(PEOPLE[4], "Привет из Москвы", "Добрый день!\nКак дела?\n", 3,
                       charset="koi8-r"), ["\\Flagged"])
    add("INBOX", plain(PEOPLE[6], "你好", "下周见。\n", 4, charset="gb2312"))
    for i in range(12):
        frm = random.choice(PEOPLE)
        subject = "%s %s" % (random.choice(WORDS).capitalize(), random.choice(WORDS))
        flags = random.choice([[], ["\\Seen"], ["\\Seen"], ["\\Seen", "\\Answered"],
                               ["\\Flagged"], ["$Important"]])
        add("INBOX", plain(frm, subject, "\n\n".join(sentence(18) for _ in range(3)) + "\n",
                           5 + i * 1.7), flags)
    for i in range(5):
        add("INBOX", html_alt(random.choice(PEOPLE), "Photos from the %s" % random.choice(WORDS),
                              6 + i * 2), ["\\Seen"] if i % 2 else [])
    pdf = b"%PDF-1.4\n" + bytes(random.randrange(256) for _ in range(20000)) + b"\n%%EOF\n"
    png = (b"\x89PNG\r\n\x1a\n" + bytes(random.randrange(256) for _ in range(3000)))
    add("INBOX", with_attachment(PEOPLE[5], "Quarterly report", "Q3 report.pdf",
                                 "application/pdf", pdf, 8))
    add("INBOX", with_attachment(PEOPLE[0], "Garden photo", "Garten-Übersicht.png",
                                 "image/png", png, 9), ["\\Seen"])
    add("INBOX", with_attachment(PEOPLE[1], "Notes", "notes.txt", "text/plain",
                                 ("Line one\nLine two\n" * 50).encode(), 10))
    add("INBOX", forwarded(11))
    for i in range(4):
        add("INBOX", newsletter(i + 1, 12 + i * 7), ["\\Seen"])
    out.extend(thread(14))
    for i in range(3):
        add("Archive", plain(random.choice(PEOPLE), "Old %s" % random.choice(WORDS),
                             sentence(30) + "\n", 60 + i * 30), ["\\Seen"])
    add("Drafts", plain(ME, "Unfinished thoughts", "Dear Ada,\n\nI was thinking\n", 0.5,
                        to=PEOPLE[0]), ["\\Draft", "\\Seen"])
    for i in range(3):
        add("Sent", plain(ME, "Re: %s" % random.choice(WORDS), sentence(15) + "\n", 3 + i * 4,
                          to=random.choice(PEOPLE)), ["\\Seen"])
    for i in range(3):
        add("Work/Projects", plain(random.choice(PEOPLE), "Project %s" % random.choice(WORDS),
                                   sentence(20) + "\n", 20 + i), ["\\Seen"] if i else [])
    add("Junk", plain(("Prince", "prince@scam.example"), "You have won!!!",
                      "Send your bank details.\n", 1))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=1143)
    ap.add_argument("--user", default="demo")
    ap.add_argument("--password", default="demo")
    args = ap.parse_args()
    m = imaplib.IMAP4(args.host, args.port)
    m.login(args.user, args.password)
    made = set()
    n = 0
    for folder, msg, t, flags in sorted(samples(), key=lambda x: x[2]):
        if folder not in made:
            m.create(folder)  # NO [ALREADYEXISTS] on a repeated run: fine
            made.add(folder)
        m.select(folder)
        typ, data = m.uid("SEARCH", "HEADER", "Message-ID", msg["Message-ID"])
        if typ == "OK" and data[0].split():
            continue  # added by an earlier run
        # imaplib turns the line ends into CRLF on the wire.
        typ, data = m.append(folder, "(%s)" % " ".join(flags) if flags else None,
                             imaplib.Time2Internaldate(t), msg.as_bytes())
        if typ != "OK":
            raise SystemExit("APPEND to %s failed: %s" % (folder, data))
        n += 1
    m.logout()
    print("demo: %d sample messages in %d folders" % (n, len(made)))


if __name__ == "__main__":
    main()
