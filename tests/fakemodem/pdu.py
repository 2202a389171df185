"""GSM 03.40 PDUs for the fake modem: SMS-DELIVER and SMS-STATUS-REPORT
encoding (what a modem hands the gateway), SMS-SUBMIT decoding (what the
gateway sends), with the GSM 7-bit default alphabet and its extension
table, UCS-2, and concatenation headers. Python standard library only."""
import time

# GSM 03.38 default alphabet, by septet value.
GSM7 = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
# The extension table, reached through ESC (0x1B).
GSM7_EXT = {0x0A: "\f", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\",
            0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|", 0x65: "€"}
assert len(GSM7) == 128
GSM7_INDEX = {c: i for i, c in enumerate(GSM7) if i != 0x1B}
GSM7_EXT_INDEX = {c: i for i, c in GSM7_EXT.items()}


def gsm7_septets(text):
    """The septets of text, or None when a character is not in GSM 7-bit."""
    out = []
    for ch in text:
        if ch in GSM7_INDEX:
            out.append(GSM7_INDEX[ch])
        elif ch in GSM7_EXT_INDEX:
            out += [0x1B, GSM7_EXT_INDEX[ch]]
        else:
            return None
    return out


def gsm7_text(septets):
    out, esc = [], False
    for s in septets:
        if esc:
            out.append(GSM7_EXT.get(s, " "))
            esc = False
        elif s == 0x1B:
            esc = True
        else:
            out.append(GSM7[s])
    return "".join(out)


def pack7(septets, fill_bits=0):
    """Packs septets into octets after fill_bits zero bits."""
    bits, nbits, out = 0, fill_bits, bytearray()
    for s in septets:
        bits |= (s & 0x7F) << nbits
        nbits += 7
        while nbits >= 8:
            out.append(bits & 0xFF)
            bits >>= 8
            nbits -= 8
    if nbits > 0:
        out.append(bits & 0xFF)
    return bytes(out)


def unpack7(octets, count, fill_bits=0):
    bits = int.from_bytes(octets, "little")
    return [(bits >> (fill_bits + 7 * i)) & 0x7F for i in range(count)]


def bcd_number(number):
    """(address length in digits, type, BCD octets) of a phone number."""
    intl = number.startswith("+")
    digits = number.lstrip("+")
    if not digits.isdigit():
        # Alphanumeric: 7-bit packed, length counts semi-octets.
        septets = gsm7_septets(number) or gsm7_septets("?")
        return (len(septets) * 7 + 3) // 4, 0xD0, pack7(septets)
    padded = digits + ("F" if len(digits) % 2 else "")
    octets = bytes(int(padded[i + 1] + padded[i], 16)
                   for i in range(0, len(padded), 2))
    return len(digits), 0x91 if intl else 0x81, octets


def decode_number(length, kind, octets):
    if kind & 0x70 == 0x50:
        return gsm7_text(unpack7(octets, length * 4 // 7))
    digits = "".join("%X%X" % (o & 0x0F, o >> 4) for o in octets)[:length]
    return ("+" if kind & 0x70 == 0x10 else "") + digits


def scts(t, offset_quarters=None):
    """7 octets of service-centre time for Unix time t, in local time."""
    lt = time.localtime(t)
    if offset_quarters is None:
        offset_quarters = lt.tm_gmtoff // 900
    fields = [lt.tm_year % 100, lt.tm_mon, lt.tm_mday, lt.tm_hour, lt.tm_min,
              lt.tm_sec]
    out = bytes(((v % 10) << 4) | (v // 10) for v in fields)
    q = abs(offset_quarters)
    tz = ((q % 10) << 4) | (q // 10)
    if offset_quarters < 0:
        tz |= 0x08
    return out + bytes([tz])


SMSC = "+46705008999"


def smsc_field(number=SMSC):
    _, kind, octets = bcd_number(number)
    return bytes([len(octets) + 1, kind]) + octets


def deliver(sender, text, when=None, flash=False, binary=None, ref=None,
            part=1, total=1, ucs2=None):
    """One SMS-DELIVER PDU (hex, TPDU length) of text (one part's worth)."""
    when = time.time() if when is None else when
    udh = b""
    if total > 1:
        udh = bytes([5, 0x00, 0x03, ref & 0xFF, total, part])
    septets = None if binary is not None else gsm7_septets(text)
    if ucs2:
        septets = None
    if binary is not None:
        dcs, ud = 0x04, udh + binary
        udl = len(ud)
    elif septets is not None:
        dcs = 0x00
        if udh:
            fill = (7 - len(udh) * 8 % 7) % 7
            ud = udh + pack7(septets, fill)
            udl = (len(udh) * 8 + fill) // 7 + len(septets)
        else:
            ud = pack7(septets)
            udl = len(septets)
    else:
        dcs = 0x08
        ud = udh + text.encode("utf-16-be")
        udl = len(ud)
    if flash:
        dcs |= 0x10            # message class 0
    n, kind, octets = bcd_number(sender)
    first = 0x04 | (0x40 if udh else 0)   # SMS-DELIVER, no more messages
    tpdu = (bytes([first, n, kind]) + octets + bytes([0x00, dcs]) +
            scts(when) + bytes([udl]) + ud)
    return (smsc_field() + tpdu).hex().upper(), len(tpdu)


def deliver_long(sender, text, ref, **kw):
    """The PDUs of a text split as a phone would: 153 septets or 67 UCS-2
    characters a part when it does not fit one SMS."""
    septets = gsm7_septets(text)
    if septets is not None and len(septets) <= 160:
        return [deliver(sender, text, **kw)]
    if septets is None and len(text) <= 70:
        return [deliver(sender, text, **kw)]
    chunks, cur = [], ""
    for ch in text:
        limit = 153 if septets is not None else 67
        trial = cur + ch
        size = len(gsm7_septets(trial)) if septets is not None else len(trial)
        if size > limit:
            chunks.append(cur)
            cur = ch
        else:
            cur = trial
    chunks.append(cur)
    return [deliver(sender, c, ref=ref, part=i + 1, total=len(chunks),
                    ucs2=septets is None, **kw)
            for i, c in enumerate(chunks)]


def status_report(mr, recipient, delivered=True, when=None):
    """An SMS-STATUS-REPORT for message reference mr (hex, TPDU length)."""
    when = time.time() if when is None else when
    n, kind, octets = bcd_number(recipient)
    tpdu = (bytes([0x06, mr & 0xFF, n, kind]) + octets + scts(when - 5) +
            scts(when) + bytes([0x00 if delivered else 0x45]))
    return (smsc_field() + tpdu).hex().upper(), len(tpdu)


def decode_submit(hexpdu):
    """An SMS-SUBMIT as sent with AT+CMGS (SMSC field included)."""
    b = bytes.fromhex(hexpdu)
    i = 1 + b[0]                       # past the SMSC field
    first = b[i]
    if first & 0x03 != 0x01:
        raise ValueError("not an SMS-SUBMIT: first octet %02X" % first)
    mr = b[i + 1]
    dalen, dakind = b[i + 2], b[i + 3]
    i += 4
    nocts = (dalen + 1) // 2
    to = decode_number(dalen, dakind, b[i:i + nocts])
    i += nocts
    pid, dcs = b[i], b[i + 1]
    i += 2
    vpf = (first >> 3) & 0x03
    i += {0: 0, 2: 1, 1: 7, 3: 7}[vpf]
    udl = b[i]
    ud = b[i + 1:]
    udhi = bool(first & 0x40)
    ref = part = total = None
    hdr = 0
    if udhi:
        hdr = ud[0] + 1
        j = 1
        while j < hdr:
            iei, iel = ud[j], ud[j + 1]
            if iei == 0x00:
                ref, total, part = ud[j + 2], ud[j + 3], ud[j + 4]
            elif iei == 0x08:
                ref = (ud[j + 2] << 8) | ud[j + 3]
                total, part = ud[j + 4], ud[j + 5]
            j += 2 + iel
    alphabet = (dcs >> 2) & 0x03 if dcs & 0xC0 == 0 else 0
    if alphabet == 0:
        fill = (7 - hdr * 8 % 7) % 7 if hdr else 0
        skip = (hdr * 8 + fill) // 7
        text = gsm7_text(unpack7(ud[hdr:], udl - skip, fill))
        coding = "gsm7"
    elif alphabet == 2:
        text = ud[hdr:udl].decode("utf-16-be", "replace")
        coding = "ucs2"
    else:
        text = ud[hdr:udl].hex()
        coding = "8bit"
    return {"to": to, "mr": mr, "text": text, "coding": coding,
            "ref": ref, "part": part, "total": total,
            "report": bool(first & 0x20), "pid": pid, "dcs": dcs}


def submit(to, text, mr=0):
    """One single-part 7-bit SMS-SUBMIT (hex, TPDU length) as a terminal
    types it after AT+CMGS, with an empty SMSC field: for tests that talk
    to the fake modem without libGammu."""
    septets = gsm7_septets(text)
    if septets is None or len(septets) > 160:
        raise ValueError("not one 7-bit part: %r" % text)
    dalen, dakind, da = bcd_number(to)
    tpdu = (bytes([0x01, mr & 0xFF, dalen, dakind]) + da +
            bytes([0x00, 0x00, len(septets)]) + pack7(septets))
    return "00" + tpdu.hex().upper(), len(tpdu)
