"""The small part of FlatBuffers that Arrow IPC metadata needs.

Arrow frames every IPC message with a FlatBuffers table (`Message.fbs`,
`Schema.fbs`). No Arrow library runs inside a Python Wasm component, and
the metadata of the event and finding schemas uses only tables, scalars,
strings, unions and vectors of tables or structs, so this module reads and
builds exactly those.

The builder lays a buffer out front to back: a table's vtable comes just
before it, and its children (strings, vectors, tables) after it, so every
offset points forward as the format requires.
"""

import struct

_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_I32 = struct.Struct("<i")


class Table:
    """A table inside a FlatBuffers buffer, read lazily by field index."""

    __slots__ = ("buf", "pos", "_vt", "_vt_len")

    def __init__(self, buf, pos):
        self.buf = buf
        self.pos = pos
        self._vt = pos - _I32.unpack_from(buf, pos)[0]
        self._vt_len = _U16.unpack_from(buf, self._vt)[0]

    @classmethod
    def root(cls, buf, start=0):
        """The root table of a buffer that begins at `start`."""
        return cls(buf, start + _U32.unpack_from(buf, start)[0])

    def _offset(self, index):
        entry = 4 + 2 * index
        if entry >= self._vt_len:
            return 0
        return _U16.unpack_from(self.buf, self._vt + entry)[0]

    def scalar(self, index, fmt, default=0):
        """Field `index` as a scalar of struct format `fmt` (`<q`, `<B`)."""
        off = self._offset(index)
        if not off:
            return default
        return struct.unpack_from(fmt, self.buf, self.pos + off)[0]

    def _target(self, index):
        off = self._offset(index)
        if not off:
            return None
        at = self.pos + off
        return at + _U32.unpack_from(self.buf, at)[0]

    def table(self, index):
        """Field `index` as a table (or a union's value), or None."""
        at = self._target(index)
        return None if at is None else Table(self.buf, at)

    def string(self, index):
        """Field `index` as text, or None."""
        at = self._target(index)
        if at is None:
            return None
        size = _U32.unpack_from(self.buf, at)[0]
        return bytes(self.buf[at + 4 : at + 4 + size]).decode("utf-8")

    def tables(self, index):
        """Field `index` as a list of tables (empty when absent)."""
        at = self._target(index)
        if at is None:
            return []
        count = _U32.unpack_from(self.buf, at)[0]
        out = []
        for k in range(count):
            slot = at + 4 + 4 * k
            out.append(Table(self.buf, slot + _U32.unpack_from(self.buf, slot)[0]))
        return out

    def structs(self, index, fmt):
        """Field `index` as a list of structs of format `fmt`, as tuples."""
        at = self._target(index)
        if at is None:
            return []
        count = _U32.unpack_from(self.buf, at)[0]
        layout = struct.Struct(fmt)
        return [layout.unpack_from(self.buf, at + 4 + k * layout.size) for k in range(count)]


# What a table field can be, for the builder: a scalar `(fmt, value)` with
# fmt one of the struct codes below, or a child:
#   ("table", [fields...]), ("string", text), ("tables", [[fields...], ...]),
#   ("structs", fmt, [tuple, ...]).
_SCALARS = {"b", "B", "?", "h", "H", "i", "I", "q", "Q"}


class Builder:
    """Builds one FlatBuffers buffer whose root is a table."""

    def __init__(self):
        self.buf = bytearray(4)

    def finish(self, fields):
        """The buffer with `fields` as its root table."""
        root = self._table(fields)
        _U32.pack_into(self.buf, 0, root)
        return bytes(self.buf)

    def _pad(self, align, ahead=0):
        while (len(self.buf) + ahead) % align:
            self.buf.append(0)

    def _table(self, fields):
        slots = []
        size = 4
        for index, field in enumerate(fields):
            if field is None:
                continue
            kind = field[0]
            width = struct.calcsize(kind) if kind in _SCALARS else 4
            size = (size + width - 1) // width * width
            slots.append((index, size, field))
            size += width
        size = (size + 3) // 4 * 4

        vtable = [4 + 2 * len(fields), size] + [0] * len(fields)
        for index, at, _ in slots:
            vtable[2 + index] = at
        self._pad(2)
        vt_pos = len(self.buf)
        self.buf += struct.pack("<%dH" % len(vtable), *vtable)
        self._pad(8)
        pos = len(self.buf)
        self.buf += bytes(size)
        _I32.pack_into(self.buf, pos, pos - vt_pos)

        for _, at, field in slots:
            if field[0] in _SCALARS:
                struct.pack_into("<" + field[0], self.buf, pos + at, field[1])
        for _, at, field in slots:
            if field[0] not in _SCALARS:
                child = self._child(field)
                _U32.pack_into(self.buf, pos + at, child - (pos + at))
        return pos

    def _child(self, field):
        kind = field[0]
        if kind == "table":
            return self._table(field[1])
        if kind == "string":
            data = field[1].encode("utf-8")
            self._pad(4)
            pos = len(self.buf)
            self.buf += _U32.pack(len(data)) + data + b"\0"
            return pos
        if kind == "tables":
            self._pad(4)
            pos = len(self.buf)
            self.buf += _U32.pack(len(field[1])) + bytes(4 * len(field[1]))
            for k, child in enumerate(field[1]):
                slot = pos + 4 + 4 * k
                _U32.pack_into(self.buf, slot, self._table(child) - slot)
            return pos
        if kind == "structs":
            layout = struct.Struct(field[1])
            self._pad(8, ahead=4)
            pos = len(self.buf)
            self.buf += _U32.pack(len(field[2]))
            for item in field[2]:
                self.buf += layout.pack(*item)
            return pos
        raise ValueError("unknown flatbuffer field kind %r" % (kind,))
