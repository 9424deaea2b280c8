"""Arrow IPC streams in pure Python: the subset Palisade's schemas use.

The reader decodes what the host sends a detector: uncompressed record
batches without dictionaries, whose columns are Utf8, signed or unsigned
integers, Float32/64, Bool, Timestamp, Null, List<Utf8> and
Map<Utf8, Utf8>. Values come out as plain Python values: `str`, `int`,
`float`, `bool`, `list`, `dict`, and `None` for nulls; timestamps as
integer microseconds since the Unix epoch (UTC).

The writer encodes findings with the detector-output schema of
`schemas/COLUMNS.md`.
"""

import struct

from .flatbuf import Builder, Table

_CONTINUATION = 0xFFFFFFFF
_V5 = 4  # MetadataVersion.V5

# Message header and type union tags from Arrow's Message.fbs / Schema.fbs.
_SCHEMA, _DICTIONARY_BATCH, _RECORD_BATCH = 1, 2, 3
_NULL, _INT, _FLOAT, _UTF8, _BOOL, _TIMESTAMP = 1, 2, 3, 5, 6, 10
_LIST, _STRUCT, _MAP = 12, 13, 17
_TYPE_NAMES = {
    4: "Binary", 7: "Decimal", 8: "Date", 9: "Time", 11: "Interval",
    14: "Union", 15: "FixedSizeBinary", 16: "FixedSizeList", 18: "Duration",
    19: "LargeBinary", 20: "LargeUtf8", 21: "LargeList",
    22: "RunEndEncoded", 23: "BinaryView", 24: "Utf8View",
}
_INT_CODES = {(8, True): "b", (8, False): "B", (16, True): "h", (16, False): "H",
              (32, True): "i", (32, False): "I", (64, True): "q", (64, False): "Q"}
_TO_MICROS = {0: 1_000_000, 1: 1_000, 2: 1, 3: None}


class IpcError(ValueError):
    """The bytes are not an Arrow IPC stream this reader understands."""


class Field:
    """A column of a schema: its name, type tag, and type details."""

    __slots__ = ("name", "type_id", "detail", "children")

    def __init__(self, name, type_id, detail, children):
        self.name = name
        self.type_id = type_id
        self.detail = detail
        self.children = children

    def __repr__(self):
        return "Field(%r, %d)" % (self.name, self.type_id)


class Batch:
    """Decoded columns by name, each a list of Python values."""

    def __init__(self, names, columns, num_rows):
        self.names = names
        self.columns = columns
        self.num_rows = num_rows

    def __len__(self):
        return self.num_rows

    def column(self, name):
        """The values of column `name`; KeyError names the columns there are."""
        try:
            return self.columns[name]
        except KeyError:
            raise KeyError(
                "no column %r in this batch (it has %s); name it in `columns`"
                % (name, ", ".join(self.names))
            ) from None

    def rows(self):
        """Every row as a dict of column name to value."""
        names = self.names
        return [dict(zip(names, values)) for values in zip(*(self.columns[n] for n in names))]

    def __iter__(self):
        return iter(self.rows())


def read_stream(data):
    """Decodes an Arrow IPC stream into one Batch (batches concatenated).

    Raises IpcError naming the message and column that could not be read.
    """
    data = memoryview(bytes(data))
    fields = None
    columns = None
    rows = 0
    pos = 0
    message = 0
    while pos + 4 <= len(data):
        message += 1
        try:
            size = struct.unpack_from("<I", data, pos)[0]
            if size == _CONTINUATION:
                size = struct.unpack_from("<I", data, pos + 4)[0]
                pos += 8
            else:
                pos += 4
            if size == 0:
                break
            meta = Table.root(data, pos)
            pos += size
            header_type = meta.scalar(1, "<B")
            body = pos
            pos += meta.scalar(3, "<q")
            if pos > len(data):
                raise IpcError("message %d: body runs past the end of the stream" % message)
            header = meta.table(2)
            if header_type == _SCHEMA:
                fields = [_read_field(f) for f in header.tables(1)]
                columns = {f.name: [] for f in fields}
            elif header_type == _RECORD_BATCH:
                if fields is None:
                    raise IpcError("message %d: record batch before the schema" % message)
                rows += _read_batch(fields, header, data, body, columns)
            elif header_type == _DICTIONARY_BATCH:
                raise IpcError("message %d: dictionary batches are not supported" % message)
        except IpcError:
            raise
        except (struct.error, IndexError, UnicodeDecodeError, ValueError) as e:
            raise IpcError("message %d: malformed Arrow IPC: %s" % (message, e)) from None
    if fields is None:
        raise IpcError("the stream has no schema")
    return Batch([f.name for f in fields], columns, rows)


def _read_field(table):
    name = table.string(0) or ""
    type_id = table.scalar(2, "<B")
    type_table = table.table(3)
    detail = None
    if type_id == _INT:
        detail = _INT_CODES.get((type_table.scalar(0, "<i"), bool(type_table.scalar(1, "<B"))))
    elif type_id == _FLOAT:
        detail = {1: "f", 2: "d"}.get(type_table.scalar(0, "<h"))
        if detail is None:
            raise IpcError("column %r: half floats are not supported" % name)
    elif type_id == _TIMESTAMP:
        detail = _TO_MICROS[type_table.scalar(0, "<h")]
    elif type_id not in (_NULL, _UTF8, _BOOL, _LIST, _STRUCT, _MAP):
        raise IpcError(
            "column %r: type %s is not supported" % (name, _TYPE_NAMES.get(type_id, type_id))
        )
    if table.table(4) is not None:
        raise IpcError("column %r: dictionary-encoded columns are not supported" % name)
    return Field(name, type_id, detail, [_read_field(c) for c in table.tables(5)])


class _Body:
    """Walks a record batch's field nodes and buffers in schema order."""

    def __init__(self, header, data, body):
        self.nodes = iter(header.structs(1, "<qq"))
        self.buffers = iter(header.structs(2, "<qq"))
        self.data = data
        self.body = body

    def node(self):
        return next(self.nodes)

    def buffer(self):
        offset, length = next(self.buffers)
        start = self.body + offset
        return self.data[start : start + length]


def _read_batch(fields, header, data, body, columns):
    if header.table(3) is not None:
        raise IpcError("compressed record batches are not supported")
    rows = header.scalar(0, "<q")
    walk = _Body(header, data, body)
    for field in fields:
        try:
            values = _read_column(field, walk)
        except StopIteration:
            raise IpcError("column %r: too few buffers or nodes" % field.name) from None
        if len(values) != rows:
            raise IpcError("column %r: %d values for %d rows" % (field.name, len(values), rows))
        columns[field.name].extend(values)
    return rows


def _read_column(field, walk):
    length, null_count = walk.node()
    if field.type_id == _NULL:
        return [None] * length
    validity = walk.buffer()
    values = _READERS[field.type_id](field, walk, length)
    if null_count and len(validity):
        bits = validity
        values = [v if bits[i >> 3] >> (i & 7) & 1 else None for i, v in enumerate(values)]
    return values


def _offsets(walk, length):
    # An empty array may have an empty offsets buffer instead of one zero.
    raw = walk.buffer()
    return struct.unpack_from("<%di" % (length + 1), raw) if length else (0,)


def _read_utf8(field, walk, length):
    offsets = _offsets(walk, length)
    raw = bytes(walk.buffer())
    text = raw.decode("utf-8")
    if len(text) == len(raw):
        # All ASCII: character offsets are byte offsets.
        return [text[offsets[i] : offsets[i + 1]] for i in range(length)]
    return [raw[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(length)]


def _read_fixed(field, walk, length):
    if field.detail is None:
        raise IpcError("column %r: unsupported integer width" % field.name)
    return list(struct.unpack_from("<%d%s" % (length, field.detail), walk.buffer()))


def _read_bool(field, walk, length):
    bits = walk.buffer()
    return [bool(bits[i >> 3] >> (i & 7) & 1) for i in range(length)]


def _read_timestamp(field, walk, length):
    raw = struct.unpack_from("<%dq" % length, walk.buffer())
    if field.detail is None:  # nanoseconds
        return [v // 1000 for v in raw]
    if field.detail == 1:
        return list(raw)
    return [v * field.detail for v in raw]


def _read_list(field, walk, length):
    offsets = _offsets(walk, length)
    items = _read_column(field.children[0], walk)
    return [items[offsets[i] : offsets[i + 1]] for i in range(length)]


def _read_struct(field, walk, length):
    children = [_read_column(c, walk) for c in field.children]
    return [tuple(values) for values in zip(*children)] if children else [()] * length


def _read_map(field, walk, length):
    offsets = _offsets(walk, length)
    entries = _read_column(field.children[0], walk)
    return [dict(entries[offsets[i] : offsets[i + 1]]) for i in range(length)]


_READERS = {
    _INT: _read_fixed,
    _FLOAT: _read_fixed,
    _UTF8: _read_utf8,
    _BOOL: _read_bool,
    _TIMESTAMP: _read_timestamp,
    _LIST: _read_list,
    _STRUCT: _read_struct,
    _MAP: _read_map,
}


# -- writing ---------------------------------------------------------------

# The detector-output schema: (name, kind, nullable).
FINDING_COLUMNS = (
    ("time", "timestamp", False),
    ("kind", "utf8", False),
    ("severity", "uint8", False),
    ("title", "utf8", False),
    ("summary", "utf8", False),
    ("user", "utf8", True),
    ("device", "utf8", True),
    ("domain", "utf8", True),
    ("ip", "utf8", True),
    ("event_ids", "list", True),
    ("mitre", "list", True),
    ("attrs", "map", True),
)


def _field_fb(name, nullable, type_id, type_fields, children=()):
    return [
        ("string", name),
        ("?", nullable),
        ("B", type_id),
        ("table", type_fields),
        None,
        ("tables", list(children)),
    ]


def _schema_field(name, kind, nullable):
    if kind == "timestamp":
        return _field_fb(name, nullable, _TIMESTAMP, [("h", 2), ("string", "UTC")])
    if kind == "uint8":
        return _field_fb(name, nullable, _INT, [("i", 8), ("?", False)])
    if kind == "utf8":
        return _field_fb(name, nullable, _UTF8, [])
    if kind == "list":
        item = _field_fb("item", True, _UTF8, [])
        return _field_fb(name, nullable, _LIST, [], [item])
    key = _field_fb("key", False, _UTF8, [])
    value = _field_fb("value", True, _UTF8, [])
    entries = _field_fb("entries", False, _STRUCT, [], [key, value])
    return _field_fb(name, nullable, _MAP, [("?", False)], [entries])


def _message(header_type, header, body_length):
    meta = Builder().finish([("h", _V5), ("B", header_type), ("table", header), ("q", body_length)])
    meta += bytes(-len(meta) % 8)
    return struct.pack("<Ii", _CONTINUATION, len(meta)) + meta


class _BodyWriter:
    """Collects a record batch's nodes and 8-byte aligned buffers."""

    def __init__(self):
        self.nodes = []
        self.buffers = []
        self.body = bytearray()

    def buffer(self, data):
        self.buffers.append((len(self.body), len(data)))
        self.body += data
        self.body += bytes(-len(self.body) % 8)

    def validity(self, values):
        nulls = sum(1 for v in values if v is None)
        if not nulls:
            self.buffer(b"")
            return 0
        bits = bytearray((len(values) + 7) // 8)
        for i, v in enumerate(values):
            if v is not None:
                bits[i >> 3] |= 1 << (i & 7)
        self.buffer(bits)
        return nulls

    def utf8(self, values):
        nulls = self.validity(values)
        self.nodes.append((len(values), nulls))
        offsets = [0]
        data = bytearray()
        for v in values:
            if v is not None:
                data += str(v).encode("utf-8")
            offsets.append(len(data))
        self.buffer(struct.pack("<%di" % len(offsets), *offsets))
        self.buffer(data)

    def fixed(self, values, code):
        nulls = self.validity(values)
        self.nodes.append((len(values), nulls))
        self.buffer(struct.pack("<%d%s" % (len(values), code), *(v or 0 for v in values)))

    def offsets(self, lists):
        offsets = [0]
        for items in lists:
            offsets.append(offsets[-1] + len(items))
        self.buffer(struct.pack("<%di" % len(offsets), *offsets))

    def text_list(self, lists):
        lists = [list(v or ()) for v in lists]
        self.nodes.append((len(lists), 0))
        self.buffer(b"")
        self.offsets(lists)
        self.utf8([item for items in lists for item in items])

    def text_map(self, maps):
        entries = [sorted((v or {}).items()) for v in maps]
        self.nodes.append((len(entries), 0))
        self.buffer(b"")
        self.offsets(entries)
        flat = [pair for pairs in entries for pair in pairs]
        self.nodes.append((len(flat), 0))
        self.buffer(b"")
        self.utf8([str(k) for k, _ in flat])
        self.utf8([v for _, v in flat])


def write_findings(rows):
    """An Arrow IPC stream of findings, each a dict of detector-output
    columns (`time` in microseconds; lists and maps as Python lists and
    dicts). No rows gives an empty stream, which means no findings.
    """
    if not rows:
        return b""
    out = _BodyWriter()
    for name, kind, _ in FINDING_COLUMNS:
        values = [row.get(name) for row in rows]
        if kind == "utf8":
            out.utf8(values)
        elif kind == "timestamp":
            out.fixed(values, "q")
        elif kind == "uint8":
            out.fixed(values, "B")
        elif kind == "list":
            out.text_list(values)
        else:
            out.text_map(values)

    schema = [("h", 0), ("tables", [_schema_field(*c) for c in FINDING_COLUMNS])]
    batch = [
        ("q", len(rows)),
        ("structs", "<qq", out.nodes),
        ("structs", "<qq", out.buffers),
    ]
    return b"".join([
        _message(_SCHEMA, schema, 0),
        _message(_RECORD_BATCH, batch, len(out.body)),
        bytes(out.body),
        struct.pack("<Ii", _CONTINUATION, 0),
    ])
