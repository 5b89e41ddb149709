package dev.tape.program;

import dev.tape.classinit.ClassInit;
import dev.tape.format.ByteReader;
import dev.tape.format.DecodeException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.tape.program.DecoderTables.MAGIC;
import static dev.tape.program.DecoderTables.UNIT;
import static dev.tape.program.DecoderTables.TRUE;
import static dev.tape.program.DecoderTables.FALSE;
import static dev.tape.program.DecoderTables.SMALL;
import static dev.tape.program.DecoderTables.SMALL_I64;
import static dev.tape.program.DecoderTables.SMALL_U64;
import static dev.tape.program.DecoderTables.SMALL_SPANS;
import static dev.tape.program.DecoderTables.NO_FIELDS;
import static dev.tape.program.DecoderTables.KINDS;
import static dev.tape.program.DecoderTables.SMALL_FIELDS;
import static dev.tape.program.DecoderTables.ONE_FIELD;

/**
 * Decodes the {@code execution_tape} v1 container (spec section "Container format (sections)").
 *
 * <p>Checks made here, each a {@link DecodeException} with the section and absolute byte offset:
 * the magic {@code EXTAPE\0\0} and version 0.1; a known section appearing twice; a missing
 * required section (1 to 8); truncated data; LEB128 values that overflow; invalid UTF-8 in
 * symbols, string constants and field names; unknown constant, value-type and shape tags; flag
 * bytes other than 0 or 1; symbol 0 not empty; a field-name id out of range; function-table
 * bytecode and span-table indices out of range; a function-signature count that differs from the
 * function count; a zero span id; a zero or out-of-range name symbol; section 9 and 11 entries
 * naming missing functions, arguments or pcs past the end of the code; trailing bytes in sections
 * 9 and 11. Unknown section tags are skipped. Section 9's entries may come in any order, as the
 * reference accepts them; they are kept in the order its encoder and {@link ProgramEncoder} write
 * (function names by function id then symbol id, labels by function id, pc, then symbol id), so a
 * decoded program equals the one decoded from its re-encoding, unless a key repeats (a function
 * named twice, one name on two functions, a pc labelled twice, one label name twice in a function):
 * then the file's order, which decides the entry a lookup finds, is kept, as the reference keeps
 * it. Everything else (bytecode, type ids, signature
 * agreement, host signature hashes) is the verifier's job, as in the reference implementation;
 * so are the u32 fields the reference decodes without a check (a function's counts, a host
 * symbol id, an argument shape's type ids), which decode up to 2^32-1 and are kept in one form,
 * the value's 32 bits in an {@code int}: a value of 2^31 or more is given as 2^31-1 by the
 * accessors the checks read (which every check of the verifier refuses, as the reference's refuses
 * the value itself: no table that large fits in a file), so that no count sizes an allocation, and
 * as declared by the others ({@link Function#declaredRegCount()}, {@link HostSig#declaredSymbolId()},
 * {@link AggShape.Struct#declaredTypeId()}, ...), which messages, the disassembly and the encoder use.
 *
 * <p>The decoder never allocates in proportion to a count it has not checked against the bytes
 * that remain, so a hostile file cannot exhaust memory.
 */
public final class ProgramDecoder {
    private ProgramDecoder() {}

    /** a function table row; the counts as declared, 0 to 2^32-1 (the reference reads them as u32) */
    private record FuncRow(long argCount, long retCount, long regCount, long bytecodeIndex, long spanIndex, long at) {}

    /**
     * The largest file {@link #decode(byte[])} reads: 16 MiB. A decoded program keeps at most
     * about 14 bytes of heap per byte of its file (docs/SECURITY.md, "What loading guarantees"),
     * so about 225 MiB at this size; {@link #decode(byte[], int)} takes another limit.
     */
    public static final int DEFAULT_MAX_PROGRAM_BYTES = 16 << 20;

    /**
     * Decodes a whole file of at most {@link #DEFAULT_MAX_PROGRAM_BYTES}.
     *
     * @param data the file's bytes
     * @return the program
     * @throws DecodeException when the bytes are not a well-formed v1 container, are more than
     *     {@link #DEFAULT_MAX_PROGRAM_BYTES}, or need more memory than the JVM has
     */
    public static Program decode(byte[] data) {
        return decode(data, DEFAULT_MAX_PROGRAM_BYTES);
    }

    /**
     * Decodes a whole file.
     *
     * @param data the file's bytes
     * @param maxBytes the largest file accepted, in bytes, 0 or more
     * @return the program
     * @throws DecodeException when the bytes are not a well-formed v1 container, are more than
     *     {@code maxBytes} (at offset {@code maxBytes}), or need more memory than the JVM has (an
     *     {@code OutOfMemoryError} while decoding, at offset 0)
     * @throws IllegalArgumentException when {@code maxBytes} is negative
     */
    public static Program decode(byte[] data, int maxBytes) {
        // this class has no static initialiser: its tables are DecoderTables', initialised up front
        ClassInit.decoder();
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        if (data.length > maxBytes) {
            throw new DecodeException("header", maxBytes, "the file is " + data.length + " bytes, more than the "
                    + maxBytes + " a program may have");
        }
        try {
            return decodeWhole(data);
        } catch (OutOfMemoryError e) {
            throw new DecodeException("header", 0, "decoding the " + data.length
                    + "-byte file needs more memory than the JVM has");
        }
    }

    private static Program decodeWhole(byte[] data) throws DecodeException {
        ByteReader r = new ByteReader(data, "header");
        if (data.length < MAGIC.length) {
            throw r.error("file is " + data.length + " bytes, shorter than the 8-byte magic");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (data[i] != MAGIC[i]) {
                throw r.errorAt(i, "bad magic: not an execution_tape file (expected \"EXTAPE\\0\\0\")");
            }
        }
        r.bytes(MAGIC.length);
        int major = r.u16le();
        int minor = r.u16le();
        if (major != 0 || minor != 1) {
            throw r.errorAt(8, "unsupported version " + major + "." + minor + " (this decoder reads 0.1)");
        }
        Map<SectionTag, int[]> sections = new EnumMap<>(SectionTag.class);
        while (!r.atEnd()) {
            r.section("section header");
            int tagAt = r.position();
            int tag = r.u8();
            long len = r.uleb64();
            if (len < 0 || len > r.remaining()) {
                throw r.errorAt(tagAt, "section " + tag + " declares " + Long.toUnsignedString(len)
                        + " bytes but only " + r.remaining() + " remain");
            }
            int start = r.position();
            r.skip((int) len);
            SectionTag t = SectionTag.fromTag(tag);
            if (t == null) {
                continue;
            }
            if (sections.containsKey(t)) {
                throw r.errorAt(tagAt, "duplicate section " + t.label() + " (tag " + tag + ")");
            }
            sections.put(t, new int[] {start, start + (int) len});
        }
        for (SectionTag t : new SectionTag[] {SectionTag.SYMBOLS, SectionTag.CONST_POOL, SectionTag.TYPES,
                SectionTag.FUNCTION_SIGS, SectionTag.FUNCTION_TABLE, SectionTag.BYTECODE_BLOBS,
                SectionTag.SPAN_TABLES, SectionTag.HOST_SIGS}) {
            if (!sections.containsKey(t)) {
                throw new DecodeException(t.label(), data.length, "required section " + t.label() + " (tag "
                        + t.tag() + ") is missing");
            }
        }
        SymbolList symbols = symbols(data, reader(data, sections, SectionTag.SYMBOLS));
        List<Constant> constants = constants(reader(data, sections, SectionTag.CONST_POOL));
        TypeTable types = types(reader(data, sections, SectionTag.TYPES));
        Blobs blobs = blobs(data, reader(data, sections, SectionTag.BYTECODE_BLOBS));
        List<List<SpanEntry>> spans = spanTables(reader(data, sections, SectionTag.SPAN_TABLES));
        ByteReader fr = reader(data, sections, SectionTag.FUNCTION_TABLE);
        List<FuncRow> rows = functionTable(fr);
        for (FuncRow row : rows) {
            if (row.bytecodeIndex >= blobs.size() || row.bytecodeIndex < 0) {
                throw new DecodeException("function_table", row.at, "bytecode index " + row.bytecodeIndex
                        + " is out of range (" + blobs.size() + " blobs)");
            }
            if (row.spanIndex >= spans.size() || row.spanIndex < 0) {
                throw new DecodeException("function_table", row.at, "span table index " + row.spanIndex
                        + " is out of range (" + spans.size() + " span tables)");
            }
        }
        ByteReader sr = reader(data, sections, SectionTag.FUNCTION_SIGS);
        List<FunctionSig> sigs = functionSigs(sr, symbols.size());
        if (sigs.size() != rows.size()) {
            throw new DecodeException("function_sigs", sectionStart(sections, SectionTag.FUNCTION_SIGS),
                    sigs.size() + " function signatures for " + rows.size() + " functions");
        }
        List<Function> functions = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            FuncRow row = rows.get(i);
            // rows may share a blob or span table: share the decoded arrays, never copy them per row
            int blob = (int) row.bytecodeIndex;
            functions.add(Function.sharing(row.argCount, row.retCount, row.regCount,
                    blobs.arrays()[blob],
                    blobs.from()[blob], blobs.lengths()[blob], spans.get((int) row.spanIndex), sigs.get(i)));
        }
        List<HostSig> hostSigs = hostSigs(reader(data, sections, SectionTag.HOST_SIGS));
        List<CallSig> callSigs = sections.containsKey(SectionTag.CALL_SIGS)
                ? callSigs(reader(data, sections, SectionTag.CALL_SIGS)) : List.of();
        List<AggShape.ArgShape> shapes = sections.containsKey(SectionTag.FUNCTION_ARG_AGG_SHAPES)
                ? argShapes(reader(data, sections, SectionTag.FUNCTION_ARG_AGG_SHAPES), rows) : List.of();
        Names names = sections.containsKey(SectionTag.NAMES)
                ? names(reader(data, sections, SectionTag.NAMES), symbols, functions) : Names.NONE;
        return new Program(symbols, constants, types, functions, hostSigs, callSigs, shapes, names);
    }

    private static long sectionStart(Map<SectionTag, int[]> sections, SectionTag t) {
        return sections.get(t)[0];
    }

    private static ByteReader reader(byte[] data, Map<SectionTag, int[]> sections, SectionTag t) {
        int[] range = sections.get(t);
        return new ByteReader(data, range[0], range[1], 0, t.label());
    }

    private static SymbolList symbols(byte[] data, ByteReader r) throws DecodeException {
        int n = r.count("symbol", 1);
        if (n == 0) {
            throw r.error("the symbol table must hold at least symbol 0 (the empty string)");
        }
        // each symbol's checked UTF-8 bytes, kept in one array (SymbolList makes strings on access)
        int[] starts = new int[n];
        int[] ends = new int[n];
        int total = 0;
        for (int i = 0; i < n; i++) {
            long at = r.offset();
            starts[i] = r.utf8Bytes();
            if (i == 0 && r.position() != starts[i]) {
                throw new DecodeException("symbols", at, "symbol 0 is reserved and must be the empty string");
            }
            total += r.position() - starts[i];
            ends[i] = total;
        }
        byte[] bytes = new byte[total];
        for (int i = 0; i < n; i++) {
            int start = i == 0 ? 0 : ends[i - 1];
            System.arraycopy(data, starts[i], bytes, start, ends[i] - start);
        }
        return new SymbolList(bytes, ends);
    }

    private static int smallField(int nameId, ValueType type) {
        return nameId < 128 && type.kind() != ValueKind.OBJ ? nameId * KINDS + type.kind().ordinal() : -1;
    }

    private static StructType.Field field(int nameId, ValueType type) {
        int i = smallField(nameId, type);
        if (i < 0) {
            return new StructType.Field(nameId, type);
        }
        StructType.Field f = SMALL_FIELDS[i];
        if (f == null) {
            f = new StructType.Field(nameId, type);
            SMALL_FIELDS[i] = f;
        }
        return f;
    }

    private static StructType oneField(StructType.Field f) {
        int i = smallField(f.nameId(), f.type());
        if (i < 0) {
            return new StructType(List.of(f));
        }
        StructType t = ONE_FIELD[i];
        if (t == null) {
            t = new StructType(List.of(f));
            ONE_FIELD[i] = t;
        }
        return t;
    }

    private static List<Constant> constants(ByteReader r) throws DecodeException {
        int n = r.count("constant", 1);
        List<Constant> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int at = r.position();
            int tag = r.u8();
            out.add(switch (tag) {
                case 0 -> UNIT;
                case 1 -> r.u8() != 0 ? TRUE : FALSE;
                case 2 -> {
                    long v = r.sleb64();
                    yield v >= -SMALL && v < SMALL ? SMALL_I64[(int) v + SMALL] : new Constant.I64(v);
                }
                case 3 -> {
                    long v = r.uleb64();
                    yield v >= 0 && v < SMALL ? SMALL_U64[(int) v] : new Constant.U64(v);
                }
                case 4 -> new Constant.F64(r.u64le());
                case 5 -> {
                    long m = r.sleb64();
                    yield new Constant.Decimal(m, r.u8());
                }
                case 6 -> new Constant.Bytes(r.bytes(r.index("bytes length")));
                case 7 -> new Constant.Str(r.utf8());
                default -> throw r.errorAt(at, "unknown constant tag " + tag + " (expected 0 to 7)");
            });
        }
        return out;
    }

    static ValueType valueType(ByteReader r) throws DecodeException {
        int at = r.position();
        int tag = r.u8();
        ValueKind k = ValueKind.fromTag(tag);
        if (k == null) {
            throw r.errorAt(at, "unknown value type tag " + tag + " (expected 0 to 11)");
        }
        return k == ValueKind.OBJ ? ValueType.obj(r.u64le()) : ValueType.of(k);
    }

    private static List<ValueType> valueTypes(ByteReader r, String what) throws DecodeException {
        int n = r.count(what, 1);
        if (n == 0) {
            return List.of();
        }
        ValueType[] out = new ValueType[n];
        for (int i = 0; i < n; i++) {
            out[i] = valueType(r);
        }
        // an immutable list, which the signatures' List.copyOf keeps instead of copying again
        return List.of(out);
    }

    private static TypeTable types(ByteReader r) throws DecodeException {
        int nNames = r.count("field name", 1);
        List<String> names = new ArrayList<>(nNames);
        for (int i = 0; i < nNames; i++) {
            names.add(r.utf8());
        }
        int nStructs = r.count("struct", 1);
        // Field names are re-interned in order of first use, as the reference decoder does.
        Map<String, Integer> interned = new LinkedHashMap<>();
        List<StructType> structs = new ArrayList<>(nStructs);
        for (int s = 0; s < nStructs; s++) {
            int nFields = r.count("field", 2);
            if (nFields == 0) {
                structs.add(NO_FIELDS);
                continue;
            }
            List<StructType.Field> fields = new ArrayList<>(nFields);
            for (int f = 0; f < nFields; f++) {
                int at = r.position();
                int nameId = r.index("field name id");
                if (nameId >= names.size()) {
                    throw r.errorAt(at, "field name id " + nameId + " is out of range (" + names.size() + " names)");
                }
                String name = names.get(nameId);
                Integer id = interned.get(name);
                if (id == null) {
                    id = interned.size();
                    interned.put(name, id);
                }
                fields.add(field(id, valueType(r)));
            }
            structs.add(nFields == 1 ? oneField(fields.get(0)) : new StructType(fields));
        }
        List<ValueType> elems = valueTypes(r, "array element type");
        return new TypeTable(new ArrayList<>(interned.keySet()), structs, elems);
    }

    /**
     * The bytecode blobs: blob {@code i} is {@code length(i)} bytes of {@code arrays[i]} from
     * {@code from[i]}. Blobs are packed into shared arrays of up to {@link #CHUNK} bytes (a larger
     * blob has its own), so the program keeps no array header per function and no array large
     * enough for G1 to place in whole regions of its own (a "humongous" object, rounded up to
     * the region size: up to 1 MB lost per array).
     */
    private record Blobs(byte[][] arrays, int[] from, int[] lengths) {
        int size() {
            return arrays.length;
        }
    }

    /** the most bytes of blobs packed into one array: under half the smallest G1 region (1 MB) */
    private static final int CHUNK = 128 * 1024;

    private static Blobs blobs(byte[] data, ByteReader r) throws DecodeException {
        int n = r.count("bytecode blob", 1);
        int[] starts = new int[n];
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) {
            lengths[i] = r.index("bytecode length");
            starts[i] = r.position();
            r.skip(lengths[i]);
        }
        byte[][] arrays = new byte[n][];
        int[] from = new int[n];
        int i = 0;
        while (i < n) {
            if (lengths[i] >= CHUNK) {
                arrays[i] = Arrays.copyOfRange(data, starts[i], starts[i] + lengths[i]);
                i++;
                continue;
            }
            // blobs i to j - 1 share one array of at most CHUNK bytes
            int j = i;
            int size = 0;
            while (j < n && lengths[j] < CHUNK && size + lengths[j] <= CHUNK) {
                size += lengths[j++];
            }
            byte[] chunk = new byte[size];
            for (int at = 0; i < j; i++) {
                System.arraycopy(data, starts[i], chunk, at, lengths[i]);
                arrays[i] = chunk;
                from[i] = at;
                at += lengths[i];
            }
        }
        return new Blobs(arrays, from, lengths);
    }

    private static List<List<SpanEntry>> spanTables(ByteReader r) throws DecodeException {
        int n = r.count("span table", 1);
        List<List<SpanEntry>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int entries = r.count("span entry", 2);
            List<SpanEntry> table = new ArrayList<>(entries);
            for (int e = 0; e < entries; e++) {
                long delta = r.uleb64();
                int at = r.position();
                long span = r.uleb64();
                if (span == 0) {
                    throw r.errorAt(at, "span id 0 is reserved (span ids are non-zero)");
                }
                boolean small = delta >= 0 && delta < 128 && span > 0 && span < 128;
                table.add(small ? SMALL_SPANS[(int) (delta * 128 + span)] : new SpanEntry(delta, span));
            }
            out.add(List.copyOf(table));
        }
        return out;
    }

    private static List<FuncRow> functionTable(ByteReader r) throws DecodeException {
        int n = r.count("function", 5);
        List<FuncRow> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long at = r.offset();
            long argc = r.uleb32();
            long retc = r.uleb32();
            long regs = r.uleb32();
            long bc = r.uleb64();
            long sp = r.uleb64();
            out.add(new FuncRow(argc, retc, regs, bc, sp, at));
        }
        return out;
    }

    private static List<Integer> nameIds(ByteReader r, int n, int symbolCount) throws DecodeException {
        List<Integer> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int at = r.position();
            int id = r.index("name symbol id");
            if (id != 0 && id >= symbolCount) {
                throw r.errorAt(at, "name symbol id " + id + " is out of range (" + symbolCount + " symbols)");
            }
            ids.add(id);
        }
        return ids;
    }

    private static boolean flag(ByteReader r, String what) throws DecodeException {
        int at = r.position();
        int b = r.u8();
        if (b > 1) {
            throw r.errorAt(at, what + " must be 0 or 1, found " + b);
        }
        return b == 1;
    }

    /** entries of the decoder's signature cache ({@link #functionSigs}): {@code 1 << SIG_CACHE_BITS} */
    private static final int SIG_CACHE_BITS = 6;

    private static List<FunctionSig> functionSigs(ByteReader r, int symbolCount) throws DecodeException {
        int n = r.count("function signature", 4);
        List<FunctionSig> out = new ArrayList<>(n);
        // Equal signatures (most programs have few distinct ones) share one object: a verified
        // program keeps every function's. A small direct-mapped cache by hash, not a map, so that
        // a file of colliding signatures costs O(1) comparisons each, never a scan.
        FunctionSig[] seen = new FunctionSig[1 << SIG_CACHE_BITS];
        for (int i = 0; i < n; i++) {
            List<ValueType> args = valueTypes(r, "argument type");
            List<Integer> argNames = flag(r, "has_arg_names") ? nameIds(r, args.size(), symbolCount) : null;
            List<ValueType> rets = valueTypes(r, "result type");
            List<Integer> retNames = flag(r, "has_ret_names") ? nameIds(r, rets.size(), symbolCount) : null;
            FunctionSig sig = new FunctionSig(args, argNames, rets, retNames);
            int h = sig.hashCode();
            // Fibonacci hashing: the top bits of h times 2^32 / phi, so that signatures whose hashes
            // differ only in high or only in a few low bits (small kinds' ordinals) spread too
            int slot = h * 0x9E3779B9 >>> 32 - SIG_CACHE_BITS;
            FunctionSig prior = seen[slot];
            if (prior != null && prior.equals(sig)) {
                sig = prior;
            } else {
                seen[slot] = sig;
            }
            out.add(sig);
        }
        return out;
    }

    private static List<HostSig> hostSigs(ByteReader r) throws DecodeException {
        int n = r.count("host signature", 11);
        List<HostSig> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int at = r.position();
            long symbol = r.uleb32();
            if (symbol == 0) {
                throw r.errorAt(at, "host signature " + i + " uses symbol 0, which is reserved");
            }
            long hash = r.u64le();
            List<ValueType> args = valueTypes(r, "argument type");
            List<ValueType> rets = valueTypes(r, "result type");
            out.add(HostSig.declared(symbol, hash, args, rets));
        }
        return out;
    }

    private static List<CallSig> callSigs(ByteReader r) throws DecodeException {
        int n = r.count("call signature", 2);
        List<CallSig> out = new ArrayList<>(n);
        // the smallest (2 to 12 bytes: 28 to 140 bytes of heap each) are one object per distinct value
        Map<Long, CallSig> small = new HashMap<>();
        for (int i = 0; i < n; i++) {
            List<ValueType> args = valueTypes(r, "argument type");
            List<ValueType> rets = valueTypes(r, "result type");
            long key = smallKey(smallKey(args.size() * (SHARED_MOST + 1L) + rets.size(), args, SHARED_MOST), rets,
                    SHARED_MOST);
            out.add(key < 0 ? new CallSig(args, rets) : small.computeIfAbsent(key, k -> new CallSig(args, rets)));
        }
        return out;
    }

    /**
     * The most elements of a tuple shape, and arguments or results of a call signature, for which
     * equal entries share one object: with no more, an entry is so few bytes of file that an object
     * graph of its own would keep over 14 bytes of heap per byte (docs/SECURITY.md); with more, it
     * keeps about 13 at most either way (a tuple shape of six unknown elements: 10 bytes, 132 of
     * heap; a call signature of six arguments and one result: 9 bytes, 108).
     */
    private static final int SHARED_MOST = 5;

    /**
     * An exact key for a short list of types without {@code obj} (whose host type id would need 64
     * bits): {@code key} followed by one base-13 digit per type, 0 for an unknown (null) one and
     * its tag + 1 else; -1 when {@code key} is, the list is longer than {@code most} or holds an
     * {@code obj}. Distinct lists under one prefix get distinct keys.
     *
     * <p>Why not the type checker's tuple interning ({@code TypeChecker.canonical}), which also
     * makes equal tuple shapes one object: the two keep different promises. This map exists for
     * the heap a decoded program keeps per byte of its file, so it takes only the entries small
     * enough to need it, and for those a key is one {@code long} that no two lists share (nothing
     * to hash, no collision a file could craft, and no key object but the boxed {@code long}); it
     * also keys call signatures, two lists. The checker must make every tuple shape of a function
     * canonical (any length, {@code obj} elements too), since its join compares shapes by
     * reference, so it hashes (a random base per function over its own type ids, with an exact
     * comparison behind). Used here, that map would add a key and an entry per distinct shape or
     * signature of any size to what decoding allocates, to share entries that keep under 14 bytes
     * of heap per byte already; this key used there would cover only the short shapes and leave
     * the checker a second map for the rest. Each also lives for a different span (one decode,
     * one function's analysis), so there is no table to share between them either.
     */
    private static long smallKey(long key, List<ValueType> types, int most) {
        if (key < 0 || types.size() > most) {
            return -1;
        }
        for (ValueType t : types) {
            if (t != null && t.kind() == ValueKind.OBJ) {
                return -1;
            }
            key = key * 13 + (t == null ? 0 : t.kind().tag() + 1);
        }
        return key;
    }

    private static List<AggShape.ArgShape> argShapes(ByteReader r, List<FuncRow> functions) throws DecodeException {
        int n = r.count("argument shape", 3);
        List<AggShape.ArgShape> out = new ArrayList<>(n);
        // the smallest tuple shapes (4 to 14 bytes: up to 132 bytes of heap each) are one object per
        // distinct value; an entry then keeps its ArgShape alone (28 bytes)
        Map<Long, AggShape.Tuple> small = new HashMap<>();
        for (int i = 0; i < n; i++) {
            int at = r.position();
            int func = r.index("function id");
            long arg = r.uleb32();
            if (func >= functions.size()) {
                throw r.errorAt(at, "function id " + func + " is out of range (" + functions.size() + " functions)");
            }
            // against the count as declared, as the reference's decoder checks it: an index of 2^31
            // or more under a larger count decodes, and the verifier finds no such argument
            if (arg >= functions.get(func).argCount()) {
                throw r.errorAt(at, "argument " + arg + " is out of range: function " + func + " takes "
                        + functions.get(func).argCount());
            }
            int tagAt = r.position();
            int tag = r.u8();
            AggShape shape = switch (tag) {
                case 1 -> {
                    int elems = r.count("tuple element", 1);
                    List<ValueType> types = new ArrayList<>(elems);
                    for (int e = 0; e < elems; e++) {
                        types.add(flag(r, "tuple element has-type flag") ? valueType(r) : null);
                    }
                    long key = smallKey(elems, types, SHARED_MOST);
                    yield key < 0 ? new AggShape.Tuple(types)
                            : small.computeIfAbsent(key, k -> new AggShape.Tuple(types));
                }
                case 2 -> AggShape.Struct.declared(r.uleb32());
                case 3 -> AggShape.Array.declared(r.uleb32());
                default -> throw r.errorAt(tagAt, "unknown aggregate shape tag " + tag + " (expected 1 to 3)");
            };
            // kept below the function's count as kept (2^31-1 at most): the program keeps arg < argCount
            // (the verifier refuses either index alike); ArgShape.declaredArg() gives the declared index
            out.add(AggShape.ArgShape.declared(func, arg, shape));
        }
        if (!r.atEnd()) {
            throw r.error(r.remaining() + " unexpected bytes after the last entry");
        }
        return out;
    }

    private static Names names(ByteReader r, SymbolList symbols, List<Function> functions) throws DecodeException {
        int symbolCount = symbols.size();
        int program = -1;
        if (flag(r, "has_program_name")) {
            program = symbolRef(r, symbolCount);
        }
        int nf = r.count("function name", 2);
        // two int arrays, not an object per name: the program keeps them
        int[] fnIds = new int[nf];
        int[] fnSymbols = new int[nf];
        for (int i = 0; i < nf; i++) {
            fnIds[i] = funcRef(r, functions.size());
            fnSymbols[i] = symbolRef(r, symbolCount);
        }
        int nl = r.count("label name", 3);
        List<Names.LabelName> labels = new ArrayList<>(nl);
        for (int i = 0; i < nl; i++) {
            int func = funcRef(r, functions.size());
            int at = r.position();
            int pc = r.index("label pc");
            if (pc > functions.get(func).codeLength()) {
                throw r.errorAt(at, "label pc " + pc + " is past the end of function " + func + " ("
                        + functions.get(func).codeLength() + " bytes)");
            }
            labels.add(new Names.LabelName(func, pc, symbolRef(r, symbolCount)));
        }
        if (!r.atEnd()) {
            throw r.error(r.remaining() + " unexpected bytes after the last entry");
        }
        // The reference accepts the entries in any order, keeps the file's order (its function_name
        // and label_name take the first entry for a key) and its encoder writes them sorted. Sorted
        // here only when no key repeats (no function named twice, no name on two functions, no pc
        // labelled twice, no label name twice in one function): the order then decides no lookup,
        // and the program equals the one decoded from its re-encoding. When a key repeats, the
        // file's order decides which entry a lookup finds (a function's name, the function
        // --entry runs), so it is kept, as the reference keeps it.
        if (!functionNamesInOrder(fnIds, fnSymbols)) {
            long[] ids = new long[nf];
            for (int i = 0; i < nf; i++) {
                ids[i] = fnIds[i];
            }
            if (!repeats(ids) && !repeats(asLongs(symbols.leastWithSameText(fnSymbols), null))) {
                sortFunctionNames(fnIds, fnSymbols);
            }
        }
        // labels by function id, then pc, then symbol id (the comparator made here: this class has
        // no static initialiser, see ClassInit)
        Comparator<Names.LabelName> order = null;
        for (int i = 1; i < labels.size() && order == null; i++) {
            Names.LabelName a = labels.get(i - 1);
            Names.LabelName b = labels.get(i);
            if (a.funcId() > b.funcId() || a.funcId() == b.funcId() && (a.pc() > b.pc()
                    || a.pc() == b.pc() && a.nameSymbol() > b.nameSymbol())) {
                order = Comparator.comparingInt(Names.LabelName::funcId).thenComparingInt(Names.LabelName::pc)
                        .thenComparingInt(Names.LabelName::nameSymbol);
            }
        }
        if (order != null) {
            long[] pcs = new long[nl];
            int[] syms = new int[nl];
            int[] funcs = new int[nl];
            for (int i = 0; i < nl; i++) {
                Names.LabelName l = labels.get(i);
                pcs[i] = ((long) l.funcId() << 32) | l.pc();
                syms[i] = l.nameSymbol();
                funcs[i] = l.funcId();
            }
            if (!repeats(pcs) && !repeats(asLongs(symbols.leastWithSameText(syms), funcs))) {
                labels.sort(order);
            }
        }
        return new Names(program, fnIds, fnSymbols, nf, labels);
    }

    /**
     * @param ids the function id of each function-name entry
     * @param symbols the name symbol of each entry
     * @return whether the entries are in the encoder's order, by function id then symbol id
     */
    private static boolean functionNamesInOrder(int[] ids, int[] symbols) {
        for (int i = 1; i < ids.length; i++) {
            if (ids[i - 1] > ids[i] || ids[i - 1] == ids[i] && symbols[i - 1] > symbols[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param keys the keys, sorted in place (time O(n log n))
     * @return whether two of them are equal
     */
    private static boolean repeats(long[] keys) {
        Arrays.sort(keys);
        for (int i = 1; i < keys.length; i++) {
            if (keys[i - 1] == keys[i]) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param low the low 32 bits of each key, 0 or more
     * @param high the high 32 bits of each key, or null for 0
     * @return the keys
     */
    private static long[] asLongs(int[] low, int[] high) {
        long[] out = new long[low.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (high == null ? 0 : (long) high[i] << 32) | low[i];
        }
        return out;
    }

    /**
     * Sorts function names in the encoder's order, by function id then symbol id, in place (time
     * O(n log n), 8 bytes an entry while sorting).
     *
     * @param ids the function id of each entry, each 0 or more
     * @param symbols the name symbol of each entry, each 0 or more
     */
    private static void sortFunctionNames(int[] ids, int[] symbols) {
        long[] keys = new long[ids.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = ((long) ids[i] << 32) | symbols[i];
        }
        Arrays.sort(keys);
        for (int i = 0; i < keys.length; i++) {
            ids[i] = (int) (keys[i] >>> 32);
            symbols[i] = (int) keys[i];
        }
    }

    private static int symbolRef(ByteReader r, int symbolCount) throws DecodeException {
        int at = r.position();
        int id = r.index("symbol id");
        if (id == 0 || id >= symbolCount) {
            throw r.errorAt(at, "symbol id " + id + " is out of range (1 to " + (symbolCount - 1) + ")");
        }
        return id;
    }

    private static int funcRef(ByteReader r, int functionCount) throws DecodeException {
        int at = r.position();
        int id = r.index("function id");
        if (id >= functionCount) {
            throw r.errorAt(at, "function id " + id + " is out of range (" + functionCount + " functions)");
        }
        return id;
    }
}
