"""A hand-written PDF, one object at a time, with a classic xref table:
for bench files that a PDF library would take too long (or too much
memory) to build. Used by make_big_pdf.py and make_growth.py."""


class RawPdf:
    def __init__(self):
        self.parts, self.offsets, self.pos = [], {}, 0
        self.emit(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def emit(self, b):
        self.parts.append(b)
        self.pos += len(b)

    def begin(self, num):
        """Object `num` starts here (its bytes follow through emit)."""
        self.offsets[num] = self.pos

    def obj(self, num, body):
        self.begin(num)
        self.emit(b"%d 0 obj\n" % num + body + b"\nendobj\n")

    def finish(self, root=1):
        """The xref table over objects 1..max and the trailer; the file's bytes."""
        total = max(self.offsets) + 1
        xref_at = self.pos
        rows = [b"xref\n0 %d\n0000000000 65535 f \n" % total]
        rows.extend(b"%010d 00000 n \n" % self.offsets[k] for k in range(1, total))
        self.emit(b"".join(rows))
        self.emit(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                  % (total, root, xref_at))
        return b"".join(self.parts)
