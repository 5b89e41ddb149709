package dev.tape.vm;

import dev.tape.format.ByteWriter;
import dev.tape.format.Op;
import dev.tape.program.StructType;
import dev.tape.program.TypeTable;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Snapshots of paused runs: a paused run's whole state (its {@link ExecutionContext} in the
 * interpreter's layout) as bytes, and back. The format is documented byte by byte in
 * {@code docs/SNAPSHOT.md}; this class writes it ({@link #write}) and {@link SnapshotReader} reads
 * and checks it.
 *
 * <p>What is written: the program's identity ({@link dev.tape.verify.VerifiedProgram#hash()}),
 * the run's limits and counters, its fuel, whether it is suspended in a host call, one record per
 * frame (function and byte pc), a table of the distinct reference values the registers reach
 * (each string, byte string, decimal, host object, closure and aggregate once, by value, so
 * sharing is kept, equal values are one entry whichever Java objects they are, and the size is
 * linear in the distinct values; see {@link SnapshotIds}), and the registers each frame has
 * written on every path to its pc ({@link dev.tape.verify.InitFacts}), typed by the verifier's
 * register types. Registers a frame may not have written are not written: the program cannot
 * read them before writing them, so they restore as empty.
 */
final class Snapshots {
    private Snapshots() {}

    /** The first four bytes: {@code TAPS}. */
    static final byte[] MAGIC = {'T', 'A', 'P', 'S'};
    /** The format version this code writes and reads. */
    static final int VERSION = 2;
    /** Flag bits: suspended in a host call; paused for fuel with no fuel added since. */
    static final int FLAG_HOST_SUSPENDED = 1;
    static final int FLAG_PAUSED_ON_FUEL = 2;
    /** Bytes of the program hash. */
    static final int HASH_BYTES = 32;
    /** Aggregate kind bytes in the object table. */
    static final int TUPLE = 0;
    static final int STRUCT = 1;
    static final int ARRAY = 2;

    /**
     * The ceiling {@link SnapshotReader#read(Vm, byte[], ExecutionContext)} applies: any fuel,
     * call depth and host calls; the default heap limit (64 MiB) and register limit (8,388,608).
     */
    static final Limits DEFAULT_CEILING = new Limits(Limits.MAX_UNSIGNED, Limits.MAX_UNSIGNED, Limits.MAX_UNSIGNED,
            Limits.DEFAULT_HEAP_BYTES, Limits.DEFAULT_REGISTERS);

    /**
     * Whether {@code e} is the program encoder's report that the program's encoding does not fit
     * in memory ({@link dev.tape.program.ProgramEncoder#TOO_LARGE}, from the program's hash), which
     * a snapshot's write and read report as running out of memory.
     */
    static boolean encodingTooLarge(RuntimeException e) {
        return e instanceof IllegalArgumentException && dev.tape.program.ProgramEncoder.TOO_LARGE.equals(e.getMessage());
    }

    /**
     * The program's identity as a snapshot's write and read get it: {@code vm.verified.hash()}.
     * Both take it as a parameter so that a test can hand them one that fails as a program too
     * large to encode does ({@link #encodingTooLarge}), without a 2 GiB program.
     */
    static final java.util.function.Function<Vm, byte[]> PROGRAM_HASH = v -> v.verified.hash();

    /**
     * Writes a paused run's state.
     *
     * @param vm the VM the run belongs to
     * @param c a context holding a paused run of {@code vm}: depth 1 or more, no trap (what
     *     {@link Interpreter#execute} leaves when it returns OUT_OF_FUEL, or a run suspended in a
     *     host call)
     * @return the snapshot, in size linear in the frames, their registers and the distinct values
     *     they reach, and in time expected linear in them and in the objects that hold those values
     *     (values hashed by content under a key drawn per write; at most 8 + 4 log2(n + 1) content
     *     comparisons a value even if their hashes all collided, {@link SnapshotIds})
     * @throws SnapshotException (offset -1) when the context holds no paused run, or a register
     *     holds a value the restoring side would refuse (a host gave the run a value the program's
     *     types cannot describe, such as a struct of a type id its type table lacks); when the JVM
     *     runs out of memory anywhere in the write; when the registers reach more objects than the
     *     identity table holds (2^29, half of {@link SnapshotIds#MAX_TABLE}: objects, equal values
     *     or not, since each object is listed by identity before it is compared by value) or more
     *     references among the distinct values than an array of ids holds
     *     ({@link SnapshotIds#MAX_ARRAY}), or the snapshot would pass {@link ByteWriter#MAX_BYTES}
     */
    static byte[] write(Vm vm, ExecutionContext c) {
        return write(vm, c, false);
    }

    /**
     * Writes a paused run's state, with the {@link Run}'s own state beside the context.
     *
     * @param vm the VM the run belongs to
     * @param c the context, as {@link #write(Vm, ExecutionContext)}
     * @param pausedOnFuel whether the run paused for fuel and no fuel was added since (so that
     *     resuming it without more fuel ends it with {@code fuel_exceeded}); only with no fuel left
     * @return the snapshot
     * @throws SnapshotException as {@link #write(Vm, ExecutionContext)}
     */
    static byte[] write(Vm vm, ExecutionContext c, boolean pausedOnFuel) {
        return write(vm, c, pausedOnFuel, null);
    }

    /**
     * Writes a paused run's state with a given table of ids (for tests: its hash key, its counts).
     *
     * @param vm the VM the run belongs to
     * @param c the context, as {@link #write(Vm, ExecutionContext)}
     * @param pausedOnFuel as {@link #write(Vm, ExecutionContext, boolean)}
     * @param ids an empty table, which the write fills, or null for a new one with a key drawn per
     *     write (made inside the write's handler, as every allocation of the write is: an {@code
     *     OutOfMemoryError} making it, or loading its class, is the documented error too)
     * @return the snapshot, the same bytes whatever the table's hash key
     * @throws SnapshotException as {@link #write(Vm, ExecutionContext)}
     */
    static byte[] write(Vm vm, ExecutionContext c, boolean pausedOnFuel, SnapshotIds ids) {
        return write(vm, c, pausedOnFuel, ids, PROGRAM_HASH);
    }

    /**
     * Writes a paused run's state with a given table of ids and program hash (for tests).
     *
     * @param vm the VM the run belongs to
     * @param c the context, as {@link #write(Vm, ExecutionContext)}
     * @param pausedOnFuel as {@link #write(Vm, ExecutionContext, boolean)}
     * @param ids as {@link #write(Vm, ExecutionContext, boolean, SnapshotIds)}
     * @param hash the program's identity, {@link #PROGRAM_HASH} but in tests (asked inside the
     *     write's handler: its {@link #encodingTooLarge} error is the write's out-of-memory error)
     * @return the snapshot
     * @throws SnapshotException as {@link #write(Vm, ExecutionContext)}
     */
    static byte[] write(Vm vm, ExecutionContext c, boolean pausedOnFuel, SnapshotIds ids,
                        java.util.function.Function<Vm, byte[]> hash) {
        if (c.depth < 1 || c.trap != null || c.func < 0 || c.func >= vm.funcs.length) {
            throw new SnapshotException(-1, "the context holds no paused run");
        }
        try {
            return new Writer(vm, c, pausedOnFuel && c.fuelLeft() == 0, ids == null ? new SnapshotIds() : ids, hash)
                    .write();
        } catch (OutOfMemoryError e) {
            throw new SnapshotException(-1, Vm.OUT_OF_MEMORY_WRITING);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            if (encodingTooLarge(e)) {
                // the program's hash: its encoding did not fit in memory
                throw new SnapshotException(-1, Vm.OUT_OF_MEMORY_WRITING);
            }
            throw new SnapshotException(-1, "the context holds no paused run of this VM's program (" + e.getMessage()
                    + ")");
        }
    }

    /** Shortens a hash to its first 6 bytes, in hex, for messages. */
    static String shortHex(byte[] h) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(6, h.length); i++) {
            b.append(String.format("%02x", h[i] & 0xFF));
        }
        return b.toString();
    }

    /** @return whether lowered op {@code op} is one of the calls (a caller frame's pending instruction) */
    static boolean isCall(int op) {
        return op == Op.CALL || op == LOp.CALL_INDIRECT_FUNC || op == LOp.CALL_INDIRECT_CLOSURE;
    }

    /**
     * Checks an aggregate's kind, type id and element kinds against the program's type table: a
     * tuple has type id 0; a struct's type id names a struct whose fields have the elements'
     * kinds, in number; an array's names an element type all elements have. Host types of
     * {@code obj} elements are checked by the caller with {@link #objType}.
     *
     * @return null when it fits, else the reason
     */
    static String checkShape(TypeTable types, int kind, long typeId, byte[] tags) {
        switch (kind) {
            case TUPLE -> {
                return typeId == 0 ? null : "a tuple has type id " + typeId + ", not 0";
            }
            case STRUCT -> {
                if (typeId < 0 || typeId >= types.structs().size()) {
                    return "struct type " + typeId + " does not exist (the program has " + types.structs().size() + ")";
                }
                List<StructType.Field> fields = types.structs().get((int) typeId).fields();
                if (fields.size() != tags.length) {
                    return "struct type " + typeId + " has " + fields.size() + " fields, not " + tags.length;
                }
                for (int i = 0; i < tags.length; i++) {
                    if (fields.get(i).type().kind().tag() != tags[i]) {
                        return "field " + i + " of struct type " + typeId + " is " + fields.get(i).type()
                                + ", not " + ValueKind.fromTag(tags[i]).keyword();
                    }
                }
                return null;
            }
            default -> {
                if (typeId < 0 || typeId >= types.arrayElems().size()) {
                    return "array element type " + typeId + " does not exist (the program has "
                            + types.arrayElems().size() + ")";
                }
                int want = types.arrayElems().get((int) typeId).kind().tag();
                for (int i = 0; i < tags.length; i++) {
                    if (tags[i] != want) {
                        return "element " + i + " of an array of " + types.arrayElems().get((int) typeId) + " is "
                                + ValueKind.fromTag(tags[i]).keyword();
                    }
                }
                return null;
            }
        }
    }

    /**
     * @return the type element {@code i} of a struct or array must have exactly, when it is an
     *     {@code obj} whose host type the table fixes; null otherwise (tuples say nothing)
     */
    static ValueType objType(TypeTable types, int kind, long typeId, int i) {
        ValueType t = kind == STRUCT ? types.structs().get((int) typeId).fields().get(i).type()
                : kind == ARRAY ? types.arrayElems().get((int) typeId) : null;
        return t != null && t.kind() == ValueKind.OBJ ? t : null;
    }

    /** @return whether a word of kind {@code k} is one the VM can hold (bool 0 or 1, func an int) */
    static boolean wordFits(ValueKind k, long word) {
        return switch (k) {
            case BOOL -> word == 0 || word == 1;
            case FUNC -> word == (int) word;
            default -> true;
        };
    }

    /** @return whether {@code o} is a reference value of exactly type {@code t} (a ref kind) */
    static boolean refFits(ValueType t, Object o) {
        ValueKind k = t.kind();
        return k != ValueKind.UNIT && !Aggregate.isWord(k) && o instanceof Value v && v.type().equals(t);
    }

    /** The writing side: two passes over the live registers, one to list the values, one to write. */
    private static final class Writer {
        private final Vm vm;
        private final ExecutionContext c;
        private final ByteWriter out = new ByteWriter();
        private final int depth;
        /** per frame: function, code index, register base */
        private final int[] func;
        private final int[] ip;
        private final int[] base;
        private long[][] live;
        private final boolean pausedOnFuel;
        /** the distinct reference values, children before parents, and their ids */
        private final SnapshotIds ids;
        /** the program's identity ({@link Snapshots#PROGRAM_HASH} but in tests) */
        private final java.util.function.Function<Vm, byte[]> hash;
        /** {@link #collect}'s stacks (values, next element, start of their children's ids, ids), kept from root to root */
        private Object[] walk = new Object[8];
        private int[] walkNext = new int[8];
        private int[] walkFrom = new int[8];
        private int[] walkKids = new int[8];

        Writer(Vm vm, ExecutionContext c, boolean pausedOnFuel, SnapshotIds ids, java.util.function.Function<Vm, byte[]> hash) {
            this.vm = vm;
            this.hash = hash;
            this.ids = ids;
            this.pausedOnFuel = pausedOnFuel;
            this.c = c;
            this.depth = c.depth;
            func = new int[depth];
            ip = new int[depth];
            base = new int[depth];
            for (int d = 0; d < depth; d++) {
                int[] f = vm.frameAt(c, depth - 1 - d);
                func[d] = f[0];
                ip[d] = f[1];
                base[d] = f[2];
            }
        }

        byte[] write() {
            out.bytes(MAGIC);
            out.u16le(VERSION);
            out.bytes(hash.apply(vm));
            Limits l = c.limits;
            out.uleb(l.fuel());
            out.uleb(l.maxCallDepth());
            out.uleb(l.maxHostCalls());
            out.uleb(l.maxHeapBytes());
            out.uleb(l.maxRegisters());
            out.uleb(c.fuel);
            out.uleb(c.fuelReserve);
            out.uleb(c.hostCalls);
            out.uleb(c.heapBytes);
            out.uleb(c.scannedBytes);
            out.uleb(c.copiedUnits);
            out.uleb(c.extraUnapplied);
            out.uleb(c.fuelDebt);
            out.u8((c.hostSuspended ? FLAG_HOST_SUSPENDED : 0) | (pausedOnFuel ? FLAG_PAUSED_ON_FUEL : 0));
            out.uleb(depth);
            for (int d = 0; d < depth; d++) {
                int pc = vm.funcs[func[d]].pcOf()[ip[d]];
                out.uleb(func[d]);
                out.uleb(pc);
            }
            live = liveSets(vm, func, ip);
            // pass 1: the distinct values the live registers reach, children first
            for (int d = 0; d < depth; d++) {
                LoweredFunction f = vm.funcs[func[d]];
                for (int r = 0; r < f.regCount(); r++) {
                    ValueType t = f.regType(r);
                    if (isLive(d, r) && t.kind() != ValueKind.UNIT && !Aggregate.isWord(t.kind())) {
                        Object o = c.r[base[d] + r];
                        if (!refFits(t, o)) {
                            throw new SnapshotException(-1, "r" + r + " of frame " + d + " (function " + func[d]
                                    + ") holds " + describe(o) + ", not a value of its type " + t);
                        }
                        collect(o);
                    }
                }
            }
            int n = ids.size();
            out.uleb(n);
            for (int i = 0; i < n; i++) {
                writeObject(i, ids.value(i));
            }
            // pass 2: the registers
            for (int d = 0; d < depth; d++) {
                LoweredFunction f = vm.funcs[func[d]];
                for (int r = 0; r < f.regCount(); r++) {
                    ValueType t = f.regType(r);
                    if (!isLive(d, r) || t.kind() == ValueKind.UNIT) {
                        continue;
                    }
                    if (Aggregate.isWord(t.kind())) {
                        writeWord(t.kind(), c.w[base[d] + r], d, r);
                    } else {
                        out.uleb(ids.get(c.r[base[d] + r]));
                    }
                }
            }
            return out.toByteArray();
        }

        private boolean isLive(int d, int r) {
            return (live[d][r >>> 6] & (1L << r)) != 0;
        }

        private static String describe(Object o) {
            return o == null ? "nothing" : o instanceof Value v ? "a " + v.kind().keyword() : o.getClass().getSimpleName();
        }

        /**
         * Lists {@code root} and the values it reaches, children before parents, walked on a heap
         * stack. Beside it, a stack of ids: the ids of the reference children of each value being
         * walked, in element order, each pushed when the child is met already listed or when its own
         * walk ends; a value's walk ends by listing it with them ({@link SnapshotIds#add}), so no
         * child is looked up again. (Values are immutable, so no value reaches itself: a value on the
         * stack is not listed.)
         */
        private void collect(Object root) {
            if (ids.contains(root)) {
                return;
            }
            Object[] stack = walk;
            int[] next = walkNext;
            int[] from = walkFrom;
            int[] kids = walkKids;
            int top = 0;
            stack[0] = root;
            next[0] = 0;
            from[0] = 0;
            int sp = 1;
            while (sp > 0) {
                Object o = stack[sp - 1];
                Object child = null;
                if (o instanceof Aggregate a) {
                    int n = a.size();
                    int i = next[sp - 1];
                    for (; i < n && child == null; i++) {
                        ValueKind k = ValueKind.fromTag(a.tag(i));
                        if (k == null) {
                            throw new SnapshotException(-1, "an aggregate element has kind tag " + a.tag(i));
                        }
                        if (k != ValueKind.UNIT && !Aggregate.isWord(k)) {
                            Object e = a.ref(i);
                            if (!refFits(k == ValueKind.OBJ && e instanceof Value.Obj ob ? ValueType.obj(ob.hostType())
                                    : ValueType.of(k), e)) {
                                throw new SnapshotException(-1, "an aggregate element of kind " + k.keyword()
                                        + " holds " + describe(e));
                            }
                            int id = ids.get(e);
                            if (id < 0) {
                                child = e;
                            } else {
                                if (top == kids.length) {
                                    kids = Arrays.copyOf(kids, SnapshotIds.capacity(top, top + 1L));
                                }
                                kids[top++] = id;
                            }
                        }
                    }
                    next[sp - 1] = i;
                } else if (o instanceof Value.Closure cl && next[sp - 1] == 0) {
                    next[sp - 1] = 1;
                    int id = ids.get(cl.env());
                    if (id < 0) {
                        child = cl.env();
                    } else {
                        if (top == kids.length) {
                            kids = Arrays.copyOf(kids, SnapshotIds.capacity(top, top + 1L));
                        }
                        kids[top++] = id;
                    }
                }
                if (child != null) {
                    if (sp == stack.length) {
                        int length = SnapshotIds.capacity(sp, sp + 1L);
                        stack = Arrays.copyOf(stack, length);
                        next = Arrays.copyOf(next, length);
                        from = Arrays.copyOf(from, length);
                    }
                    stack[sp] = child;
                    next[sp] = 0;
                    from[sp] = top;
                    sp++;
                } else {
                    stack[--sp] = null;
                    int id = ids.add(o, kids, from[sp], top - from[sp]);
                    top = from[sp];
                    if (top == kids.length) {
                        kids = Arrays.copyOf(kids, SnapshotIds.capacity(top, top + 1L));
                    }
                    kids[top++] = id;
                }
            }
            walk = stack;
            walkNext = next;
            walkFrom = from;
            walkKids = kids;
        }

        /** Writes value {@code id}, {@code o}; its children's ids as listed with it. */
        private void writeObject(int id, Object o) {
            if (o instanceof Value.Decimal d) {
                out.u8(ValueKind.DECIMAL.tag());
                out.sleb(d.mantissa());
                out.u8(d.scale());
            } else if (o instanceof Value.Bytes b) {
                out.u8(ValueKind.BYTES.tag());
                out.uleb(b.length());
                out.bytes(Texts.V.array(b));
            } else if (o instanceof Value.Str s) {
                out.u8(ValueKind.STR.tag());
                out.uleb(s.length());
                byte[] u = Texts.V.utf8(s);
                out.bytes(u.length == s.length() ? u : java.util.Arrays.copyOf(u, s.length()));
            } else if (o instanceof Value.Obj ob) {
                out.u8(ValueKind.OBJ.tag());
                out.uleb(ob.hostType());
                out.uleb(ob.handle());
            } else if (o instanceof Value.Closure cl) {
                out.u8(ValueKind.CLOSURE.tag());
                out.sleb(cl.func());
                out.uleb(ids.child(id, 0));
            } else {
                writeAggregate(id, (Aggregate) o);
            }
        }

        private void writeAggregate(int id, Aggregate a) {
            int kind = a.aggKind() == Aggregate.Kind.TUPLE ? TUPLE : a.aggKind() == Aggregate.Kind.STRUCT ? STRUCT : ARRAY;
            int n = a.size();
            byte[] tags = new byte[n];
            for (int i = 0; i < n; i++) {
                tags[i] = (byte) a.tag(i);
            }
            TypeTable types = vm.program.types();
            String bad = checkShape(types, kind, a.typeId(), tags);
            if (bad != null) {
                throw new SnapshotException(-1, "the run holds an aggregate the program's types do not describe: " + bad);
            }
            out.u8(ValueKind.AGG.tag());
            out.u8(kind);
            out.uleb(a.typeId());
            out.uleb(n);
            out.bytes(tags);
            int j = 0;
            for (int i = 0; i < n; i++) {
                ValueKind k = ValueKind.fromTag(tags[i]);
                if (k == ValueKind.UNIT) {
                    continue;
                }
                if (Aggregate.isWord(k)) {
                    writeWord(k, a.word(i), -1, i);
                } else {
                    Object e = a.ref(i);
                    ValueType want = objType(types, kind, a.typeId(), i);
                    if (want != null && !refFits(want, e)) {
                        throw new SnapshotException(-1, "element " + i + " of an aggregate is " + describe(e)
                                + " of another host type than its type " + want);
                    }
                    out.uleb(ids.child(id, j++));
                }
            }
        }

        /**
         * Writes a word of kind {@code k}: register {@code i} of frame {@code d}, or element {@code i}
         * of an aggregate when {@code d} is -1 (where, for the message only, built when it is needed).
         */
        private void writeWord(ValueKind k, long word, int d, int i) {
            if (!wordFits(k, word)) {
                throw new SnapshotException(-1, (d < 0 ? "element " + i + " of an aggregate" : "r" + i + " of frame " + d)
                        + " holds " + k.keyword() + " word " + word + ", which no run can make");
            }
            switch (k) {
                case BOOL -> out.u8((int) word);
                case I64, FUNC -> out.sleb(word);
                case U64 -> out.uleb(word);
                default -> out.u64le(word);
            }
        }
    }

    /**
     * The registers a snapshot keeps, per frame: those its function has written on every path to
     * the frame's point and reads somewhere ({@link dev.tape.verify.InitFacts#writtenBefore},
     * {@link dev.tape.verify.InitFacts#readAnywhere}); batched per function, each block walked once.
     *
     * @param func per frame, its function
     * @param ip per frame, a reachable instruction start of it
     */
    static long[][] liveSets(Vm vm, int[] func, int[] ip) {
        Map<Integer, List<Integer>> byFunc = new HashMap<>();
        for (int d = 0; d < func.length; d++) {
            byFunc.computeIfAbsent(func[d], k -> new ArrayList<>()).add(ip[d]);
        }
        Map<Long, long[]> sets = new HashMap<>();
        for (Map.Entry<Integer, List<Integer>> e : byFunc.entrySet()) {
            int[] ips = e.getValue().stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
            dev.tape.verify.InitFacts facts = vm.verified.initFacts(e.getKey());
            long[][] s = facts.writtenBefore(ips);
            // a register no instruction reads decides nothing: compiled code may leave it unwritten
            long[] read = facts.readAnywhere();
            for (long[] set : s) {
                for (int k = 0; k < set.length; k++) {
                    set[k] &= read[k];
                }
            }
            for (int i = 0; i < ips.length; i++) {
                sets.put(((long) e.getKey() << 32) | ips[i], s[i]);
            }
        }
        long[][] out = new long[func.length][];
        for (int d = 0; d < func.length; d++) {
            out[d] = sets.get(((long) func[d] << 32) | ip[d]);
        }
        return out;
    }
}
