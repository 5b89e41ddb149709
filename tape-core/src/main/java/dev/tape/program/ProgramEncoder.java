package dev.tape.program;

import dev.tape.format.ByteWriter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes a {@link Program} into the v1 container exactly as the reference encoder does: header,
 * then sections 1, 2, 3, 5, 6, 4, 7, 8, then 10, 11 and 9 only when they have content; every
 * LEB128 outside bytecode canonical; one bytecode blob and one span table per function; field names
 * interned in order of first use; function and label names sorted ({@code reference/README.md}).
 * Bytecode is copied as it is, padded branch targets included.
 */
public final class ProgramEncoder {
    private ProgramEncoder() {}

    /**
     * The message of {@link #encode}'s {@link IllegalArgumentException} for a program whose
     * encoding does not fit in memory.
     */
    public static final String TOO_LARGE = "the program's encoding does not fit in memory: more than "
            + ByteWriter.MAX_BYTES + " bytes (the largest byte array), or more than the JVM could allocate";

    /**
     * Encodes a program as an execution_tape v1 file.
     *
     * @param p the program
     * @return the file's bytes, at most {@link ByteWriter#MAX_BYTES} (2^31 - 9)
     * @throws IllegalArgumentException when a struct field names a missing field name; and, with
     *     the message {@link #TOO_LARGE}, when the encoding would be longer than
     *     {@link ByteWriter#MAX_BYTES} or the JVM runs out of memory making it (an
     *     {@code OutOfMemoryError} while encoding, which does not escape)
     * @throws NullPointerException when {@code p} is null
     */
    public static byte[] encode(Program p) {
        return encode(p, ByteWriter.MAX_BYTES);
    }

    /**
     * {@link #encode(Program)} into a file of at most {@code maxBytes} bytes (for tests of the
     * error, without a 2 GiB program).
     */
    static byte[] encode(Program p, int maxBytes) {
        java.util.Objects.requireNonNull(p, "p");
        // SectionTag's initialiser on ClassInit's thread, as the decoder has it: a first encode
        // (a snapshot's program hash) with almost no stack left made the class erroneous
        dev.tape.classinit.ClassInit.decoder();
        try {
            return write(p, new ByteWriter(maxBytes));
        } catch (OutOfMemoryError e) {
            throw new IllegalArgumentException(TOO_LARGE);
        }
    }

    /** Writes the file into {@code out}; returns its bytes. */
    private static byte[] write(Program p, ByteWriter out) {
        out.bytes(new byte[] {'E', 'X', 'T', 'A', 'P', 'E', 0, 0});
        out.u16le(0);
        out.u16le(1);
        section(out, SectionTag.SYMBOLS, symbols(p));
        section(out, SectionTag.CONST_POOL, constants(p));
        section(out, SectionTag.TYPES, types(p.types()));
        section(out, SectionTag.BYTECODE_BLOBS, blobs(p));
        section(out, SectionTag.SPAN_TABLES, spans(p));
        section(out, SectionTag.FUNCTION_TABLE, functionTable(p));
        section(out, SectionTag.FUNCTION_SIGS, functionSigs(p));
        section(out, SectionTag.HOST_SIGS, hostSigs(p));
        if (!p.callSigs().isEmpty()) {
            section(out, SectionTag.CALL_SIGS, callSigs(p));
        }
        if (!p.argShapes().isEmpty()) {
            section(out, SectionTag.FUNCTION_ARG_AGG_SHAPES, argShapes(p));
        }
        if (!p.names().isEmpty()) {
            section(out, SectionTag.NAMES, names(p.names()));
        }
        return out.toByteArray();
    }

    private static void section(ByteWriter out, SectionTag tag, ByteWriter payload) {
        out.u8(tag.tag());
        out.uleb(payload.size());
        out.bytes(payload.toByteArray());
    }

    private static ByteWriter symbols(Program p) {
        ByteWriter w = new ByteWriter();
        w.uleb(p.symbols().size());
        for (String s : p.symbols()) {
            w.utf8(s);
        }
        return w;
    }

    private static ByteWriter constants(Program p) {
        ByteWriter w = new ByteWriter();
        w.uleb(p.constants().size());
        for (Constant c : p.constants()) {
            w.u8(c.tag());
            if (c instanceof Constant.Bool b) {
                w.u8(b.value() ? 1 : 0);
            } else if (c instanceof Constant.I64 i) {
                w.sleb(i.value());
            } else if (c instanceof Constant.U64 u) {
                w.uleb(u.value());
            } else if (c instanceof Constant.F64 f) {
                w.u64le(f.bits());
            } else if (c instanceof Constant.Decimal d) {
                w.sleb(d.mantissa());
                w.u8(d.scale());
            } else if (c instanceof Constant.Bytes b) {
                w.uleb(b.length());
                w.bytes(b.value());
            } else if (c instanceof Constant.Str s) {
                w.utf8(s.value());
            }
        }
        return w;
    }

    static void valueType(ByteWriter w, ValueType t) {
        w.u8(t.kind().tag());
        if (t.kind() == ValueKind.OBJ) {
            w.u64le(t.hostType());
        }
    }

    private static void valueTypes(ByteWriter w, List<ValueType> types) {
        w.uleb(types.size());
        for (ValueType t : types) {
            valueType(w, t);
        }
    }

    private static ByteWriter types(TypeTable t) {
        Map<String, Integer> interned = new LinkedHashMap<>();
        for (StructType s : t.structs()) {
            for (StructType.Field f : s.fields()) {
                if (f.nameId() < 0 || f.nameId() >= t.fieldNames().size()) {
                    throw new IllegalArgumentException("struct field names missing field name " + f.nameId());
                }
                interned.putIfAbsent(t.fieldNames().get(f.nameId()), interned.size());
            }
        }
        ByteWriter w = new ByteWriter();
        w.uleb(interned.size());
        for (String name : interned.keySet()) {
            w.utf8(name);
        }
        w.uleb(t.structs().size());
        for (StructType s : t.structs()) {
            w.uleb(s.fields().size());
            for (StructType.Field f : s.fields()) {
                w.uleb(interned.get(t.fieldNames().get(f.nameId())));
                valueType(w, f.type());
            }
        }
        valueTypes(w, t.arrayElems());
        return w;
    }

    private static ByteWriter blobs(Program p) {
        ByteWriter w = new ByteWriter();
        w.uleb(p.functions().size());
        for (Function f : p.functions()) {
            w.uleb(f.codeLength());
            w.bytes(f.code());
        }
        return w;
    }

    private static ByteWriter spans(Program p) {
        ByteWriter w = new ByteWriter();
        w.uleb(p.functions().size());
        for (Function f : p.functions()) {
            w.uleb(f.spans().size());
            for (SpanEntry e : f.spans()) {
                w.uleb(e.pcDelta());
                w.uleb(e.spanId());
            }
        }
        return w;
    }

    private static ByteWriter functionTable(Program p) {
        ByteWriter w = new ByteWriter();
        w.uleb(p.functions().size());
        for (int i = 0; i < p.functions().size(); i++) {
            Function f = p.functions().get(i);
            w.uleb(f.declaredArgCount());
            w.uleb(f.declaredRetCount());
            w.uleb(f.declaredRegCount());
            w.uleb(i);
            w.uleb(i);
        }
        return w;
    }

    private static void names(ByteWriter w, List<Integer> ids) {
        if (ids == null) {
            w.u8(0);
            return;
        }
        w.u8(1);
        for (int id : ids) {
            w.uleb(id);
        }
    }

    private static ByteWriter functionSigs(Program p) {
        ByteWriter w = new ByteWriter();
        w.uleb(p.functions().size());
        for (Function f : p.functions()) {
            FunctionSig s = f.sig();
            valueTypes(w, s.args());
            names(w, s.argNames());
            valueTypes(w, s.rets());
            names(w, s.retNames());
        }
        return w;
    }

    private static ByteWriter hostSigs(Program p) {
        ByteWriter w = new ByteWriter();
        w.uleb(p.hostSigs().size());
        for (HostSig h : p.hostSigs()) {
            w.uleb(h.declaredSymbolId());
            w.u64le(h.sigHash());
            valueTypes(w, h.args());
            valueTypes(w, h.rets());
        }
        return w;
    }

    private static ByteWriter callSigs(Program p) {
        ByteWriter w = new ByteWriter();
        w.uleb(p.callSigs().size());
        for (CallSig c : p.callSigs()) {
            valueTypes(w, c.args());
            valueTypes(w, c.rets());
        }
        return w;
    }

    private static ByteWriter argShapes(Program p) {
        ByteWriter w = new ByteWriter();
        w.uleb(p.argShapes().size());
        for (AggShape.ArgShape s : p.argShapes()) {
            w.uleb(s.funcId());
            w.uleb(s.declaredArg());
            AggShape shape = s.shape();
            w.u8(shape.tag());
            if (shape instanceof AggShape.Tuple t) {
                w.uleb(t.elems().size());
                for (ValueType e : t.elems()) {
                    if (e == null) {
                        w.u8(0);
                    } else {
                        w.u8(1);
                        valueType(w, e);
                    }
                }
            } else if (shape instanceof AggShape.Struct st) {
                w.uleb(st.declaredTypeId());
            } else if (shape instanceof AggShape.Array a) {
                w.uleb(a.declaredElemTypeId());
            }
        }
        return w;
    }

    private static ByteWriter names(Names n) {
        ByteWriter w = new ByteWriter();
        if (n.programName() >= 0) {
            w.u8(1);
            w.uleb(n.programName());
        } else {
            w.u8(0);
        }
        List<Names.FunctionName> fns = new ArrayList<>(n.functions());
        fns.sort(Comparator.comparingInt(Names.FunctionName::funcId).thenComparingInt(Names.FunctionName::nameSymbol));
        w.uleb(fns.size());
        for (Names.FunctionName f : fns) {
            w.uleb(f.funcId());
            w.uleb(f.nameSymbol());
        }
        List<Names.LabelName> labels = new ArrayList<>(n.labels());
        labels.sort(Comparator.comparingInt(Names.LabelName::funcId).thenComparingInt(Names.LabelName::pc)
                .thenComparingInt(Names.LabelName::nameSymbol));
        w.uleb(labels.size());
        for (Names.LabelName l : labels) {
            w.uleb(l.funcId());
            w.uleb(l.pc());
            w.uleb(l.nameSymbol());
        }
        return w;
    }
}
