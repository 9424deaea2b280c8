// Arrow IPC streams in plain JavaScript: the subset Palisade's schemas use.
//
// The reader decodes what the host sends a detector: uncompressed record
// batches without dictionaries, whose columns are Utf8, integers,
// Float32/64, Bool, Timestamp, Null, List<Utf8> and Map<Utf8, Utf8>, into
// plain values: strings, numbers, booleans, arrays, objects, and null.
// 64-bit integers and timestamps become Numbers (timestamps in
// microseconds since the Unix epoch, UTC; exact until the year 2255).
//
// It loops over the raw buffers instead of using apache-arrow: that was
// about 20 times faster inside a component, and needs no bundled library.
// The writer encodes findings with the detector-output schema.
//
// This module imports nothing from the host, so it also runs under Node
// for tests.

const CONTINUATION = 0xffffffff;
const SCHEMA = 1;
const DICTIONARY_BATCH = 2;
const RECORD_BATCH = 3;
const T = { NULL: 1, INT: 2, FLOAT: 3, UTF8: 5, BOOL: 6, TIMESTAMP: 10, LIST: 12, STRUCT: 13, MAP: 17 };
const MICROS = [1_000_000, 1_000, 1, 0.001];
const utf8 = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/** The bytes are not an Arrow IPC stream this reader understands. */
export class IpcError extends Error {}

// -- FlatBuffers, reading ---------------------------------------------------

class Table {
  constructor(view, pos) {
    this.view = view;
    this.pos = pos;
    this.vt = pos - view.getInt32(pos, true);
    this.vtLen = view.getUint16(this.vt, true);
  }
  static root(view, start) {
    return new Table(view, start + view.getUint32(start, true));
  }
  offset(i) {
    const entry = 4 + 2 * i;
    return entry < this.vtLen ? this.view.getUint16(this.vt + entry, true) : 0;
  }
  u8(i) {
    const o = this.offset(i);
    return o ? this.view.getUint8(this.pos + o) : 0;
  }
  i16(i) {
    const o = this.offset(i);
    return o ? this.view.getInt16(this.pos + o, true) : 0;
  }
  i32(i) {
    const o = this.offset(i);
    return o ? this.view.getInt32(this.pos + o, true) : 0;
  }
  i64(i) {
    const o = this.offset(i);
    return o ? int64(this.view, this.pos + o) : 0;
  }
  target(i) {
    const o = this.offset(i);
    if (!o) return -1;
    const at = this.pos + o;
    return at + this.view.getUint32(at, true);
  }
  table(i) {
    const at = this.target(i);
    return at < 0 ? null : new Table(this.view, at);
  }
  string(i) {
    const at = this.target(i);
    if (at < 0) return null;
    const n = this.view.getUint32(at, true);
    return utf8.decode(new Uint8Array(this.view.buffer, this.view.byteOffset + at + 4, n));
  }
  tables(i) {
    const at = this.target(i);
    if (at < 0) return [];
    const n = this.view.getUint32(at, true);
    const out = [];
    for (let k = 0; k < n; k++) {
      const slot = at + 4 + 4 * k;
      out.push(new Table(this.view, slot + this.view.getUint32(slot, true)));
    }
    return out;
  }
  // A vector of structs of two int64 (FieldNode, Buffer), as [a, b] pairs.
  pairs(i) {
    const at = this.target(i);
    if (at < 0) return [];
    const n = this.view.getUint32(at, true);
    const out = [];
    for (let k = 0; k < n; k++) {
      const p = at + 4 + 16 * k;
      out.push([int64(this.view, p), int64(this.view, p + 8)]);
    }
    return out;
  }
}

function int64(view, at) {
  return view.getInt32(at + 4, true) * 4294967296 + view.getUint32(at, true);
}

// -- reading ----------------------------------------------------------------

/** Decoded columns by name, each an array of plain values. */
export class Batch {
  constructor(names, columns, numRows) {
    this.names = names;
    this.columns = columns;
    this.numRows = numRows;
  }
  /** The values of `name`; throws naming the columns there are. */
  column(name) {
    const values = this.columns[name];
    if (values === undefined) {
      throw new Error(
        `no column "${name}" in this batch (it has ${this.names.join(", ")}); name it in columns`,
      );
    }
    return values;
  }
  /** Every row as an object of column name to value. */
  rows() {
    const out = new Array(this.numRows);
    const cols = this.names.map((n) => this.columns[n]);
    for (let r = 0; r < this.numRows; r++) {
      const row = {};
      for (let c = 0; c < cols.length; c++) row[this.names[c]] = cols[c][r];
      out[r] = row;
    }
    return out;
  }
  [Symbol.iterator]() {
    return this.rows()[Symbol.iterator]();
  }
}

/** Decodes an Arrow IPC stream (a Uint8Array) into one Batch. */
export function readStream(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fields = null;
  let columns = null;
  let rows = 0;
  let pos = 0;
  let message = 0;
  while (pos + 4 <= view.byteLength) {
    message++;
    try {
      let size = view.getUint32(pos, true);
      if (size === CONTINUATION) {
        size = view.getUint32(pos + 4, true);
        pos += 8;
      } else {
        pos += 4;
      }
      if (size === 0) break;
      const meta = Table.root(view, pos);
      pos += size;
      const type = meta.u8(1);
      const body = pos;
      pos += meta.i64(3);
      if (pos > view.byteLength) throw new IpcError("body runs past the end of the stream");
      const header = meta.table(2);
      if (type === SCHEMA) {
        fields = header.tables(1).map(readField);
        columns = {};
        for (const f of fields) columns[f.name] = [];
      } else if (type === RECORD_BATCH) {
        if (!fields) throw new IpcError("record batch before the schema");
        rows += readBatch(fields, header, bytes, view, body, columns);
      } else if (type === DICTIONARY_BATCH) {
        throw new IpcError("dictionary batches are not supported");
      }
    } catch (e) {
      throw new IpcError(`message ${message}: ${e instanceof IpcError ? "" : "malformed Arrow IPC: "}${e.message}`);
    }
  }
  if (!fields) throw new IpcError("the stream has no schema");
  return new Batch(fields.map((f) => f.name), columns, rows);
}

function readField(table) {
  const name = table.string(0) ?? "";
  const type = table.u8(2);
  const detail = table.table(3);
  const field = { name, type, children: table.tables(5).map(readField) };
  if (type === T.INT) {
    field.bits = detail.i32(0);
    field.signed = detail.u8(1) === 1;
  } else if (type === T.FLOAT) {
    field.bits = [16, 32, 64][detail.i16(0)];
    if (field.bits === 16) throw new IpcError(`column "${name}": half floats are not supported`);
  } else if (type === T.TIMESTAMP) {
    field.scale = MICROS[detail.i16(0)];
  } else if (![T.NULL, T.UTF8, T.BOOL, T.LIST, T.STRUCT, T.MAP].includes(type)) {
    throw new IpcError(`column "${name}": Arrow type ${type} is not supported`);
  }
  if (table.table(4)) throw new IpcError(`column "${name}": dictionary encoding is not supported`);
  return field;
}

function readBatch(fields, header, bytes, view, body, columns) {
  if (header.table(3)) throw new IpcError("compressed record batches are not supported");
  const rows = header.i64(0);
  const walk = { nodes: header.pairs(1), buffers: header.pairs(2), n: 0, b: 0, bytes, view, body };
  for (const field of fields) {
    const values = readColumn(field, walk);
    if (values.length !== rows) {
      throw new IpcError(`column "${field.name}": ${values.length} values for ${rows} rows`);
    }
    const target = columns[field.name];
    for (let i = 0; i < values.length; i++) target.push(values[i]);
  }
  return rows;
}

function nextBuffer(walk) {
  const entry = walk.buffers[walk.b++];
  if (!entry) throw new IpcError("too few buffers");
  return { at: walk.body + entry[0], length: entry[1] };
}

function readColumn(field, walk) {
  const node = walk.nodes[walk.n++];
  if (!node) throw new IpcError(`column "${field.name}": too few field nodes`);
  const [length, nullCount] = node;
  if (field.type === T.NULL) return new Array(length).fill(null);
  const validity = nextBuffer(walk);
  const values = READERS[field.type](field, walk, length);
  if (nullCount > 0 && validity.length > 0) {
    const bits = walk.bytes;
    for (let i = 0; i < length; i++) {
      if (!((bits[validity.at + (i >> 3)] >> (i & 7)) & 1)) values[i] = null;
    }
  }
  return values;
}

function offsets(walk, length) {
  const buf = nextBuffer(walk);
  const out = new Int32Array(length + 1);
  for (let i = 0; i <= length && length > 0; i++) out[i] = walk.view.getInt32(buf.at + 4 * i, true);
  return out;
}

function readUtf8(field, walk, length) {
  const offs = offsets(walk, length);
  const data = nextBuffer(walk);
  const raw = walk.bytes.subarray(data.at, data.at + data.length);
  const out = new Array(length);
  // One native decode for the whole column; when it is all ASCII,
  // character offsets are byte offsets. (StarlingMonkey interprets
  // JavaScript: loops over bytes in JS are slow.)
  const text = utf8.decode(raw);
  if (text.length === raw.length) {
    for (let i = 0; i < length; i++) out[i] = text.slice(offs[i], offs[i + 1]);
  } else {
    for (let i = 0; i < length; i++) out[i] = utf8.decode(raw.subarray(offs[i], offs[i + 1]));
  }
  return out;
}

function readInt(field, walk, length) {
  const buf = nextBuffer(walk);
  const v = walk.view;
  const out = new Array(length);
  const at = buf.at;
  const get = {
    "8true": (i) => v.getInt8(at + i),
    "8false": (i) => v.getUint8(at + i),
    "16true": (i) => v.getInt16(at + 2 * i, true),
    "16false": (i) => v.getUint16(at + 2 * i, true),
    "32true": (i) => v.getInt32(at + 4 * i, true),
    "32false": (i) => v.getUint32(at + 4 * i, true),
    "64true": (i) => int64(v, at + 8 * i),
    "64false": (i) => v.getUint32(at + 8 * i + 4, true) * 4294967296 + v.getUint32(at + 8 * i, true),
  }[`${field.bits}${field.signed}`];
  for (let i = 0; i < length; i++) out[i] = get(i);
  return out;
}

function readFloat(field, walk, length) {
  const buf = nextBuffer(walk);
  const out = new Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = field.bits === 64
      ? walk.view.getFloat64(buf.at + 8 * i, true)
      : walk.view.getFloat32(buf.at + 4 * i, true);
  }
  return out;
}

function readBool(field, walk, length) {
  const buf = nextBuffer(walk);
  const out = new Array(length);
  for (let i = 0; i < length; i++) out[i] = ((walk.bytes[buf.at + (i >> 3)] >> (i & 7)) & 1) === 1;
  return out;
}

function readTimestamp(field, walk, length) {
  const buf = nextBuffer(walk);
  const out = new Array(length);
  for (let i = 0; i < length; i++) {
    const v = int64(walk.view, buf.at + 8 * i);
    out[i] = field.scale === 1 ? v : Math.floor(v * field.scale);
  }
  return out;
}

function readList(field, walk, length) {
  const offs = offsets(walk, length);
  const items = readColumn(field.children[0], walk);
  const out = new Array(length);
  for (let i = 0; i < length; i++) out[i] = items.slice(offs[i], offs[i + 1]);
  return out;
}

function readStruct(field, walk, length) {
  const children = field.children.map((c) => readColumn(c, walk));
  const out = new Array(length);
  for (let i = 0; i < length; i++) out[i] = children.map((c) => c[i]);
  return out;
}

function readMap(field, walk, length) {
  const offs = offsets(walk, length);
  const entries = readColumn(field.children[0], walk);
  const out = new Array(length);
  for (let i = 0; i < length; i++) {
    const map = {};
    for (let k = offs[i]; k < offs[i + 1]; k++) map[entries[k][0]] = entries[k][1];
    out[i] = map;
  }
  return out;
}

const READERS = {
  [T.INT]: readInt,
  [T.FLOAT]: readFloat,
  [T.UTF8]: readUtf8,
  [T.BOOL]: readBool,
  [T.TIMESTAMP]: readTimestamp,
  [T.LIST]: readList,
  [T.STRUCT]: readStruct,
  [T.MAP]: readMap,
};

// -- FlatBuffers, building ----------------------------------------------------
//
// Laid out front to back: a table's vtable just before it, its children
// after it, so every offset points forward. A field is [kind, value] with
// kind one of "u8", "bool", "i16", "i32", "i64" (scalars) or "table",
// "string", "tables", "pairs" (children); null leaves a field out.

const WIDTH = { u8: 1, bool: 1, i16: 2, i32: 4, i64: 8 };

class Builder {
  constructor() {
    this.bytes = new Uint8Array(1024);
    this.view = new DataView(this.bytes.buffer);
    this.len = 4;
  }
  reserve(n) {
    if (this.len + n <= this.bytes.length) return;
    const bigger = new Uint8Array(Math.max(this.bytes.length * 2, this.len + n));
    bigger.set(this.bytes);
    this.bytes = bigger;
    this.view = new DataView(bigger.buffer);
  }
  pad(align, ahead = 0) {
    const n = (align - ((this.len + ahead) % align)) % align;
    this.reserve(n);
    this.len += n;
  }
  finish(fields) {
    const root = this.table(fields);
    this.view.setUint32(0, root, true);
    return this.bytes.slice(0, this.len);
  }
  setScalar(kind, at, value) {
    const v = this.view;
    if (kind === "u8" || kind === "bool") v.setUint8(at, Number(value));
    else if (kind === "i16") v.setInt16(at, value, true);
    else if (kind === "i32") v.setInt32(at, value, true);
    else setInt64(v, at, value);
  }
  table(fields) {
    const slots = [];
    let size = 4;
    fields.forEach((field, index) => {
      if (!field) return;
      const width = WIDTH[field[0]] ?? 4;
      size = Math.ceil(size / width) * width;
      slots.push([index, size, field]);
      size += width;
    });
    size = Math.ceil(size / 4) * 4;
    this.pad(2);
    const vt = this.len;
    this.reserve(4 + 2 * fields.length);
    this.view.setUint16(vt, 4 + 2 * fields.length, true);
    this.view.setUint16(vt + 2, size, true);
    for (let i = 0; i < fields.length; i++) this.view.setUint16(vt + 4 + 2 * i, 0, true);
    for (const [index, at] of slots) this.view.setUint16(vt + 4 + 2 * index, at, true);
    this.len += 4 + 2 * fields.length;
    this.pad(8);
    const pos = this.len;
    this.reserve(size);
    this.bytes.fill(0, pos, pos + size);
    this.len += size;
    this.view.setInt32(pos, pos - vt, true);
    for (const [, at, field] of slots) {
      if (field[0] in WIDTH) this.setScalar(field[0], pos + at, field[1]);
    }
    for (const [, at, field] of slots) {
      if (field[0] in WIDTH) continue;
      // Writing the child may grow (replace) the buffer: write it first.
      const child = this.child(field);
      this.view.setUint32(pos + at, child - (pos + at), true);
    }
    return pos;
  }
  child([kind, value]) {
    if (kind === "table") return this.table(value);
    if (kind === "string") {
      const data = encoder.encode(value);
      this.pad(4);
      const pos = this.len;
      this.reserve(5 + data.length);
      this.view.setUint32(pos, data.length, true);
      this.bytes.set(data, pos + 4);
      this.bytes[pos + 4 + data.length] = 0;
      this.len += 5 + data.length;
      return pos;
    }
    if (kind === "tables") {
      this.pad(4);
      const pos = this.len;
      this.reserve(4 + 4 * value.length);
      this.view.setUint32(pos, value.length, true);
      this.len += 4 + 4 * value.length;
      value.forEach((t, k) => {
        const slot = pos + 4 + 4 * k;
        const child = this.table(t);
        this.view.setUint32(slot, child - slot, true);
      });
      return pos;
    }
    // pairs: a vector of structs of two int64
    this.pad(8, 4);
    const pos = this.len;
    this.reserve(4 + 16 * value.length);
    this.view.setUint32(pos, value.length, true);
    value.forEach(([a, b], k) => {
      setInt64(this.view, pos + 4 + 16 * k, a);
      setInt64(this.view, pos + 12 + 16 * k, b);
    });
    this.len += 4 + 16 * value.length;
    return pos;
  }
}

function setInt64(view, at, value) {
  const hi = Math.floor(value / 4294967296);
  view.setUint32(at, value - hi * 4294967296, true);
  view.setInt32(at + 4, hi, true);
}

// -- writing findings -------------------------------------------------------------

/** The detector-output schema: [name, kind, nullable]. */
export const FINDING_COLUMNS = [
  ["time", "timestamp", false],
  ["kind", "utf8", false],
  ["severity", "uint8", false],
  ["title", "utf8", false],
  ["summary", "utf8", false],
  ["user", "utf8", true],
  ["device", "utf8", true],
  ["domain", "utf8", true],
  ["ip", "utf8", true],
  ["event_ids", "list", true],
  ["mitre", "list", true],
  ["attrs", "map", true],
];

function fieldFb(name, nullable, type, typeFields, children = []) {
  return [["string", name], ["bool", nullable], ["u8", type], ["table", typeFields], null, ["tables", children]];
}

function schemaField([name, kind, nullable]) {
  if (kind === "timestamp") return fieldFb(name, nullable, T.TIMESTAMP, [["i16", 2], ["string", "UTC"]]);
  if (kind === "uint8") return fieldFb(name, nullable, T.INT, [["i32", 8], ["bool", false]]);
  if (kind === "utf8") return fieldFb(name, nullable, T.UTF8, []);
  if (kind === "list") return fieldFb(name, nullable, T.LIST, [], [fieldFb("item", true, T.UTF8, [])]);
  const entries = fieldFb("entries", false, T.STRUCT, [], [
    fieldFb("key", false, T.UTF8, []),
    fieldFb("value", true, T.UTF8, []),
  ]);
  return fieldFb(name, nullable, T.MAP, [["bool", false]], [entries]);
}

function message(headerType, header, bodyLength) {
  const meta = new Builder().finish([["i16", 4], ["u8", headerType], ["table", header], ["i64", bodyLength]]);
  const padded = Math.ceil(meta.length / 8) * 8;
  const out = new Uint8Array(8 + padded);
  const v = new DataView(out.buffer);
  v.setUint32(0, CONTINUATION, true);
  v.setInt32(4, padded, true);
  out.set(meta, 8);
  return out;
}

class BodyWriter {
  constructor() {
    this.nodes = [];
    this.buffers = [];
    this.parts = [];
    this.length = 0;
  }
  buffer(bytes) {
    this.buffers.push([this.length, bytes.length]);
    const padded = Math.ceil(bytes.length / 8) * 8;
    const part = new Uint8Array(padded);
    part.set(bytes);
    this.parts.push(part);
    this.length += padded;
  }
  validity(values) {
    let nulls = 0;
    for (const v of values) if (v == null) nulls++;
    if (!nulls) {
      this.buffer(new Uint8Array(0));
      return 0;
    }
    const bits = new Uint8Array((values.length + 7) >> 3);
    values.forEach((v, i) => {
      if (v != null) bits[i >> 3] |= 1 << (i & 7);
    });
    this.buffer(bits);
    return nulls;
  }
  offsets(counts) {
    const out = new Int32Array(counts.length + 1);
    counts.forEach((n, i) => (out[i + 1] = out[i] + n));
    this.buffer(new Uint8Array(out.buffer));
  }
  utf8(values) {
    const nulls = this.validity(values);
    this.nodes.push([values.length, nulls]);
    const encoded = values.map((v) => (v == null ? new Uint8Array(0) : encoder.encode(String(v))));
    this.offsets(encoded.map((e) => e.length));
    const data = new Uint8Array(encoded.reduce((n, e) => n + e.length, 0));
    let at = 0;
    for (const e of encoded) {
      data.set(e, at);
      at += e.length;
    }
    this.buffer(data);
  }
  fixed(values, width) {
    const nulls = this.validity(values);
    this.nodes.push([values.length, nulls]);
    const out = new Uint8Array(values.length * width);
    const v = new DataView(out.buffer);
    values.forEach((x, i) => (width === 1 ? v.setUint8(i, x ?? 0) : setInt64(v, 8 * i, x ?? 0)));
    this.buffer(out);
  }
  textList(lists) {
    lists = lists.map((l) => (l ?? []).map(String));
    this.nodes.push([lists.length, 0]);
    this.buffer(new Uint8Array(0));
    this.offsets(lists.map((l) => l.length));
    this.utf8(lists.flat());
  }
  textMap(maps) {
    const entries = maps.map((m) => Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    this.nodes.push([entries.length, 0]);
    this.buffer(new Uint8Array(0));
    this.offsets(entries.map((e) => e.length));
    const flat = entries.flat();
    this.nodes.push([flat.length, 0]);
    this.buffer(new Uint8Array(0));
    this.utf8(flat.map(([k]) => k));
    this.utf8(flat.map(([, v]) => (v == null ? null : String(v))));
  }
}

/**
 * An Arrow IPC stream (Uint8Array) of findings, each an object of
 * detector-output columns (`time` in microseconds). No findings gives an
 * empty stream, which means no findings.
 */
export function writeFindings(rows) {
  if (rows.length === 0) return new Uint8Array(0);
  const out = new BodyWriter();
  for (const [name, kind] of FINDING_COLUMNS) {
    const values = rows.map((r) => r[name] ?? null);
    if (kind === "utf8") out.utf8(values);
    else if (kind === "timestamp") out.fixed(values, 8);
    else if (kind === "uint8") out.fixed(values, 1);
    else if (kind === "list") out.textList(values);
    else out.textMap(values);
  }
  const schema = message(SCHEMA, [["i16", 0], ["tables", FINDING_COLUMNS.map(schemaField)]], 0);
  const batch = message(
    RECORD_BATCH,
    [["i64", rows.length], ["pairs", out.nodes], ["pairs", out.buffers]],
    out.length,
  );
  const total = schema.length + batch.length + out.length + 8;
  const stream = new Uint8Array(total);
  stream.set(schema, 0);
  stream.set(batch, schema.length);
  let at = schema.length + batch.length;
  for (const part of out.parts) {
    stream.set(part, at);
    at += part.length;
  }
  new DataView(stream.buffer).setUint32(at, CONTINUATION, true);
  return stream;
}
