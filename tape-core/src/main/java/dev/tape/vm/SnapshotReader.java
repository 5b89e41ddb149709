package dev.tape.vm;

import dev.tape.format.ByteReader;
import dev.tape.format.DecodeException;
import dev.tape.format.Op;
import dev.tape.program.TypeTable;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import dev.tape.verify.internal.CodeImage;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The reading side of {@link Snapshots}: parses a snapshot, checks it against the program's
 * verifier facts, and fills a context with the paused run (docs/SNAPSHOT.md, "Reading").
 *
 * <p>Restoring is an attack surface, so every count is bounded by the input left before anything
 * is allocated, the register files by the snapshot's register limit (itself bounded by the
 * caller's ceiling), and the state must be one the program can be in: each caller frame at a call
 * of its function whose callee is the next frame's function, the top frame at an instruction of
 * reachable code, every register the frame has written on every path to its pc holding exactly a
 * value of the register's type (aggregates against the program's type table), and the others
 * empty. Nothing but {@link SnapshotException} leaves {@link #read}; reading is linear in the input
 * plus the restored frames' registers.
 */
final class SnapshotReader {
    private final Vm vm;
    private final byte[] bytes;
    private final ByteReader in;
    private final ExecutionContext c;
    private final Limits ceiling;
    /** this program's identity ({@link Snapshots#PROGRAM_HASH} but in tests) */
    private final java.util.function.Function<Vm, byte[]> hash;
    private Object[] objects;
    /** bytes of the objects read so far, counted as a run is charged for them ({@link #hold}) */
    private long held;

    private SnapshotReader(Vm vm, byte[] bytes, ExecutionContext c, Limits ceiling,
                           java.util.function.Function<Vm, byte[]> hash) {
        this.vm = vm;
        this.hash = hash;
        this.bytes = bytes;
        this.in = new ByteReader(bytes, "snapshot");
        this.c = c;
        this.ceiling = ceiling;
    }

    /**
     * {@link #read(Vm, byte[], ExecutionContext, Limits)} with {@link Snapshots#DEFAULT_CEILING}:
     * any fuel, depth and host calls, the default heap and register limits.
     */
    static boolean read(Vm vm, byte[] bytes, ExecutionContext into) {
        return read(vm, bytes, into, Snapshots.DEFAULT_CEILING);
    }

    /**
     * Restores a paused run into a context.
     *
     * @param vm a VM of the program the snapshot was taken of
     * @param bytes the snapshot
     * @param into the context to fill (its previous state is discarded; on failure it holds no run)
     * @param ceiling the largest limits the snapshot may carry: each of its limits (and its fuel
     *     left) must be at most this one's, so the memory a restore allocates is at most what a run
     *     with these limits may hold
     * @return whether the run was paused for fuel with no fuel added since (the {@link Run}'s
     *     state: resuming it without more fuel ends it with {@code fuel_exceeded})
     * @throws SnapshotException with the byte offset and the reason, when the bytes are not a
     *     snapshot of this program in a state it can be in, or its limits exceed the ceiling
     */
    static boolean read(Vm vm, byte[] bytes, ExecutionContext into, Limits ceiling) {
        return read(vm, bytes, into, ceiling, Snapshots.PROGRAM_HASH);
    }

    /**
     * {@link #read(Vm, byte[], ExecutionContext, Limits)} with a given program hash (for tests).
     *
     * @param vm as there
     * @param bytes as there
     * @param into as there
     * @param ceiling as there
     * @param hash this program's identity, {@link Snapshots#PROGRAM_HASH} but in tests (asked inside
     *     the read's handler: its {@link Snapshots#encodingTooLarge} error is the read's
     *     out-of-memory error)
     * @return as there
     * @throws SnapshotException as there
     */
    static boolean read(Vm vm, byte[] bytes, ExecutionContext into, Limits ceiling,
                        java.util.function.Function<Vm, byte[]> hash) {
        if (bytes == null) {
            throw new SnapshotException(0, "no snapshot bytes");
        }
        SnapshotReader r = null;
        boolean ok = false;
        try {
            r = new SnapshotReader(vm, bytes, into, ceiling, hash);
            boolean onFuel = r.read();
            ok = true;
            return onFuel;
        } catch (DecodeException e) {
            throw new SnapshotException(e.offset(), e.reason());
        } catch (VmTrap e) {
            throw new SnapshotException(r.in.offset(), e.getMessage());
        } catch (OutOfMemoryError e) {
            // r is null when making the reader failed
            throw new SnapshotException(r == null ? 0 : r.in.offset(), Vm.OUT_OF_MEMORY_RESTORING);
        } catch (SnapshotException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            if (Snapshots.encodingTooLarge(e)) {
                // the program's hash: its encoding did not fit in memory
                throw new SnapshotException(r == null ? 0 : r.in.offset(), Vm.OUT_OF_MEMORY_RESTORING);
            }
            throw new SnapshotException(r == null ? 0 : r.in.offset(), "unreadable snapshot (" + e.getClass().getSimpleName()
                    + ")");
        } catch (RuntimeException e) {
            // a bug of this reader: still only a SnapshotException leaves
            throw new SnapshotException(r == null ? 0 : r.in.offset(), "unreadable snapshot (" + e.getClass().getSimpleName()
                    + ")");
        } finally {
            if (!ok) {
                into.depth = 0;
                into.hostSuspended = false;
                // allocates nothing: the read may have failed for want of memory
                into.releaseFailed();
            }
        }
    }

    private SnapshotException bad(long at, String reason) {
        return new SnapshotException(at, reason);
    }

    private boolean read() throws DecodeException {
        header();
        int limitsAt = in.position();
        long fuelLimit = in.uleb64();
        long maxDepth = in.uleb64();
        long maxHostCalls = in.uleb64();
        long maxHeap = in.uleb64();
        long maxRegs = in.uleb64();
        if (maxHeap < 0 || maxRegs < 1 || maxRegs > Integer.MAX_VALUE) {
            throw bad(limitsAt, "limits out of range: heap " + Long.toUnsignedString(maxHeap) + ", registers "
                    + Long.toUnsignedString(maxRegs));
        }
        Limits limits = new Limits(fuelLimit, maxDepth, maxHostCalls, maxHeap, (int) maxRegs);
        if (Long.compareUnsigned(fuelLimit, ceiling.fuel()) > 0
                || Long.compareUnsigned(maxDepth, ceiling.maxCallDepth()) > 0
                || Long.compareUnsigned(maxHostCalls, ceiling.maxHostCalls()) > 0
                || maxHeap > ceiling.maxHeapBytes() || maxRegs > ceiling.maxRegisters()) {
            throw bad(limitsAt, "the snapshot's limits " + show(limits) + " exceed the ceiling " + show(ceiling));
        }
        int countersAt = in.position();
        long fuel = in.uleb64();
        long reserve = in.uleb64();
        long hostCalls = in.uleb64();
        long heapBytes = in.uleb64();
        long scanned = in.uleb64();
        long copied = in.uleb64();
        long extra = in.uleb64();
        int debtAt = in.position();
        long debt = in.uleb64();
        // the fuel left is at most the run's own total (its limit), which is within the ceiling
        if (fuel < 0 || Long.compareUnsigned(fuel + reserve, fuel) < 0
                || Long.compareUnsigned(fuel + reserve, fuelLimit) > 0) {
            throw bad(countersAt, "fuel left " + fuel + " + " + Long.toUnsignedString(reserve)
                    + " is out of range (at most the fuel limit " + Long.toUnsignedString(fuelLimit) + ")");
        }
        if (Long.compareUnsigned(hostCalls, maxHostCalls) > 0 || heapBytes < 0 || heapBytes > maxHeap
                || scanned < 0 || scanned > ExecutionContext.scanBudget(limits)
                || copied < 0 || copied > ExecutionContext.copyBudget(limits) || extra < 0) {
            throw bad(countersAt, "counters out of range for the limits: host calls " + Long.toUnsignedString(hostCalls)
                    + ", heap bytes " + heapBytes + ", scanned " + scanned + ", copy units " + copied + ", deferred fuel "
                    + extra);
        }
        if (debt < 0 || (debt != 0 && fuel + reserve != 0)) {
            throw bad(debtAt, "fuel debt " + Long.toUnsignedString(debt) + " is out of range (at most 2^63-1, and only"
                    + " with no fuel left)");
        }
        int flagsAt = in.position();
        int flags = in.u8();
        if ((flags & ~(Snapshots.FLAG_HOST_SUSPENDED | Snapshots.FLAG_PAUSED_ON_FUEL)) != 0) {
            throw bad(flagsAt, "unknown flags " + flags);
        }
        boolean suspended = (flags & Snapshots.FLAG_HOST_SUSPENDED) != 0;
        boolean onFuel = (flags & Snapshots.FLAG_PAUSED_ON_FUEL) != 0;
        if (onFuel && (fuel + reserve != 0 || suspended)) {
            throw bad(flagsAt, "a run paused for fuel has no fuel left and is not suspended in a host call");
        }

        // frames: (function, pc) each, entry frame first
        int depthAt = in.position();
        int depth = in.count("frame", 2);
        if (depth < 1 || depth > limits.depthCap()) {
            throw bad(depthAt, "depth " + depth + " is out of range (1 to the call depth limit "
                    + Long.toUnsignedString(maxDepth) + ")");
        }
        int[] func = new int[depth];
        int[] ip = new int[depth];
        int[] base = new int[depth];
        int[] frameAt = new int[depth];
        long next = 0;
        CodeImage image = vm.image;
        int[] code = image.code();
        for (int d = 0; d < depth; d++) {
            frameAt[d] = in.position();
            long f = in.uleb32();
            long pc = in.uleb32();
            if (f >= vm.funcs.length) {
                throw bad(frameAt[d], "frame " + d + ": function " + f + " does not exist (the program has "
                        + vm.funcs.length + ")");
            }
            func[d] = (int) f;
            ip[d] = vm.verified.initFacts(func[d]).ipAt(pc);
            if (ip[d] < 0) {
                throw bad(frameAt[d], "frame " + d + ": pc " + pc + " of function " + f
                        + " is not the start of an instruction in reachable code");
            }
            base[d] = (int) next;
            next += vm.funcs[func[d]].regCount();
            if (next + (long) ExecutionContext.FRAME_REGISTERS * d > maxRegs) {
                throw bad(frameAt[d], "the frames need more than the register limit of " + maxRegs + " registers");
            }
            int g = image.entry(func[d]) + ip[d];
            if (d > 0) {
                // the caller's pending instruction is a call, and a direct call names this callee
                int cg = image.entry(func[d - 1]) + ip[d - 1];
                if (code[cg] == Op.CALL && code[cg + 1] != func[d]) {
                    throw bad(frameAt[d], "frame " + d + " runs function " + func[d] + " but its caller calls function "
                            + code[cg + 1]);
                }
            }
            if (d < depth - 1 && !Snapshots.isCall(code[g])) {
                throw bad(frameAt[d], "frame " + d + " is a caller, but pc " + pc + " of function " + f
                        + " is not a call");
            }
            if (d == depth - 1 && suspended && code[g] != Op.HOST_CALL) {
                throw bad(flagsAt, "the run is suspended in a host call, but pc " + pc + " of function " + f
                        + " is not a host_call");
            }
        }
        // the context: limits, register files and frame records for this depth
        c.reset(limits, null, 0);
        c.ensureRegisters((int) next, depth - 1);
        if ((depth - 1) * ExecutionContext.FRAME > c.frames.length) {
            c.frames = new int[(depth - 1) * ExecutionContext.FRAME];
            c.jitRoom();
        }
        objects();
        long[][] live = Snapshots.liveSets(vm, func, ip);
        for (int d = 0; d < depth; d++) {
            registers(d, func[d], base[d], live[d]);
        }
        if (!in.atEnd()) {
            throw bad(in.position(), (in.remaining()) + " bytes follow the snapshot's end");
        }
        for (int d = 0; d < depth - 1; d++) {
            int g = image.entry(func[d]) + ip[d];
            int argsAt = code[g] == Op.CALL ? g + 2 : g + 3;
            if (code[g] != Op.CALL) {
                indirect(d, g, base[d], func[d + 1], frameAt[d + 1]);
            }
            int fp = d * ExecutionContext.FRAME;
            c.frames[fp] = vm.funcs[func[d]].regCount();
            c.frames[fp + 1] = base[d];
            c.frames[fp + 2] = g;
            c.frames[fp + 3] = argsAt + 1 + code[argsAt];
        }
        c.depth = depth;
        c.func = func[depth - 1];
        c.ip = ip[depth - 1];
        c.base = base[depth - 1];
        c.fuel = fuel;
        c.fuelReserve = reserve;
        c.hostCalls = hostCalls;
        c.heapBytes = heapBytes;
        c.scannedBytes = scanned;
        c.copiedUnits = copied;
        c.extraUnapplied = extra;
        c.fuelDebt = debt;
        c.hostSuspended = suspended;
        c.pauseRequested = false;
        return onFuel;
    }

    private void header() throws DecodeException {
        if (bytes.length < Snapshots.MAGIC.length || !Arrays.equals(Arrays.copyOf(bytes, 4), Snapshots.MAGIC)) {
            throw bad(0, "not a snapshot (the magic bytes are not TAPS)");
        }
        in.bytes(4);
        int version = in.u16le();
        if (version != Snapshots.VERSION) {
            throw bad(4, "snapshot format version " + version + "; this reader reads version " + Snapshots.VERSION);
        }
        byte[] hash = in.bytes(Snapshots.HASH_BYTES);
        byte[] mine = this.hash.apply(vm);
        if (!Arrays.equals(hash, mine)) {
            throw bad(6, "the snapshot is of program " + Snapshots.shortHex(hash) + "..., not of this program "
                    + Snapshots.shortHex(mine) + "...");
        }
    }

    private static String show(Limits l) {
        return "(fuel " + Long.toUnsignedString(l.fuel()) + ", depth " + Long.toUnsignedString(l.maxCallDepth())
                + ", host calls " + Long.toUnsignedString(l.maxHostCalls()) + ", heap " + l.maxHeapBytes()
                + ", registers " + l.maxRegisters() + ")";
    }

    /**
     * The object table: each entry's references point to earlier entries, so it is a DAG read in one
     * loop. The objects, counted as a run counts what it allocates ({@link #held}), may take at most
     * the ceiling's heap limit.
     */
    private void objects() throws DecodeException {
        int n = in.count("object", 2);
        objects = new Object[n];
        TypeTable types = vm.program.types();
        for (int i = 0; i < n; i++) {
            int at = in.position();
            int tag = in.u8();
            ValueKind k = ValueKind.fromTag(tag);
            if (k == null) {
                throw bad(at, "object " + i + " has unknown kind tag " + tag);
            }
            objects[i] = switch (k) {
                case DECIMAL -> {
                    long m = in.sleb64();
                    yield new Value.Decimal(m, in.u8());
                }
                case BYTES -> {
                    int len = in.count("byte", 1);
                    hold(16 + len, i, at);
                    yield Texts.V.adoptBytes(in.bytes(len));
                }
                case STR -> {
                    int len = in.count("byte", 1);
                    hold(16 + len, i, at);
                    byte[] b = in.bytes(len);
                    if (!utf8(b)) {
                        throw bad(at, "string object " + i + " is not valid UTF-8");
                    }
                    yield Texts.V.adoptUtf8(b);
                }
                case OBJ -> {
                    long ht = in.uleb64();
                    yield new Value.Obj(ht, in.uleb64());
                }
                case CLOSURE -> {
                    long f = in.sleb64();
                    int envAt = in.position();
                    int env = ref(i);
                    if (f != (int) f) {
                        throw bad(at, "closure object " + i + " names function " + f);
                    }
                    if (!(objects[env] instanceof Aggregate a)) {
                        throw bad(envAt, "closure object " + i + "'s environment is not an aggregate");
                    }
                    hold(24, i, at);
                    yield new Value.Closure((int) f, a);
                }
                case AGG -> aggregate(i, at, types);
                default -> throw bad(at, "object " + i + " has kind " + k.keyword() + ", which is not a reference kind");
            };
        }
    }

    /**
     * Counts one object's bytes as a run is charged for making it ({@code 16 + n} a string or byte
     * string of {@code n} bytes, 24 a closure, {@code 32 + 9} an element an aggregate and 8 more an
     * element with references; decimals and objects are values, as in a run) toward the ceiling's
     * heap limit. The snapshot's own heap counter is not checked against this: a genuine run holds
     * values it was never charged for (constants, its arguments, host results).
     *
     * @throws SnapshotException at the object, when the bytes counted so far pass the ceiling's heap
     *     limit (its reason says a genuine snapshot may need a ceiling with a larger one)
     */
    private void hold(long bytes, int i, int at) {
        held += bytes;
        if (held > ceiling.maxHeapBytes()) {
            throw bad(at, "the snapshot's values take more than the ceiling's heap limit of " + ceiling.maxHeapBytes()
                    + " bytes (counted as a run is charged for them) at object " + i + "; a run is not charged for"
                    + " constants, arguments and host results, so its own snapshot may need a larger heap limit");
        }
    }

    /** @return an object id read from the input, which must be below {@code below} */
    private int ref(int below) throws DecodeException {
        int at = in.position();
        long id = in.uleb32();
        if (id >= below) {
            throw bad(at, "object id " + id + " is not one of the " + below + " objects before it");
        }
        return (int) id;
    }

    private Aggregate aggregate(int i, int at, TypeTable types) throws DecodeException {
        int kind = in.u8();
        if (kind > Snapshots.ARRAY) {
            throw bad(at, "aggregate object " + i + " has unknown kind " + kind);
        }
        long typeId = in.uleb32();
        int n = in.count("element", 1);
        int tagsAt = in.position();
        byte[] tags = in.bytes(n);
        for (int e = 0; e < n; e++) {
            if (ValueKind.fromTag(tags[e]) == null) {
                throw bad(tagsAt + e, "element " + e + " of aggregate object " + i + " has unknown kind tag " + tags[e]);
            }
        }
        String why = Snapshots.checkShape(types, kind, typeId, tags);
        if (why != null) {
            throw bad(at, "aggregate object " + i + ": " + why);
        }
        long[] bits = new long[n];
        Object[] refs = null;
        for (int e = 0; e < n; e++) {
            ValueKind k = ValueKind.fromTag(tags[e]);
            if (k == ValueKind.UNIT) {
                continue;
            }
            int eat = in.position();
            if (Aggregate.isWord(k)) {
                bits[e] = word(k);
                continue;
            }
            Object o = objects[ref(i)];
            ValueType want = Snapshots.objType(types, kind, typeId, e);
            if (want == null) {
                want = k == ValueKind.OBJ && o instanceof Value.Obj ob ? ValueType.obj(ob.hostType()) : ValueType.of(k);
            }
            if (!Snapshots.refFits(want, o)) {
                throw bad(eat, "element " + e + " of aggregate object " + i + " must be " + want);
            }
            if (refs == null) {
                refs = new Object[n];
            }
            refs[e] = o;
        }
        hold(Ops.aggregateBytes(n) + (refs == null ? 0 : Ops.referenceBytes(n)), i, at);
        Aggregate.Kind ak = kind == Snapshots.TUPLE ? Aggregate.Kind.TUPLE
                : kind == Snapshots.STRUCT ? Aggregate.Kind.STRUCT : Aggregate.Kind.ARRAY;
        return Texts.V.aggregate(ak, (int) typeId, tags, bits, refs);
    }

    private long word(ValueKind k) throws DecodeException {
        int at = in.position();
        long v = switch (k) {
            case BOOL -> in.u8();
            case I64, FUNC -> in.sleb64();
            case U64 -> in.uleb64();
            default -> in.u64le();
        };
        if (!Snapshots.wordFits(k, v)) {
            throw bad(at, k.keyword() + " value " + v + " is out of range");
        }
        return v;
    }

    private static boolean utf8(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** One frame's registers: the live ones from the input, of exactly their types; the rest empty. */
    private void registers(int d, int f, int base, long[] live) throws DecodeException {
        LoweredFunction fn = vm.funcs[f];
        long[] w = c.w;
        Object[] r = c.r;
        for (int reg = 0; reg < fn.regCount(); reg++) {
            ValueType t = fn.regType(reg);
            ValueKind k = t.kind();
            int at = base + reg;
            if ((live[reg >>> 6] & (1L << reg)) == 0 || k == ValueKind.UNIT) {
                w[at] = 0;
                r[at] = null;
                continue;
            }
            int pos = in.position();
            if (Aggregate.isWord(k)) {
                w[at] = word(k);
                r[at] = null;
            } else {
                Object o = objects[ref(objects.length)];
                if (!Snapshots.refFits(t, o)) {
                    throw bad(pos, "r" + reg + " of frame " + d + " (function " + f + ") must be " + t);
                }
                r[at] = o;
                w[at] = 0;
            }
        }
    }

    /** Checks a caller's call.indirect: its callee register names the next frame's function, of the call's signature. */
    private void indirect(int d, int g, int base, int callee, int at) {
        int[] code = vm.image.code();
        boolean closure = code[g] == LOp.CALL_INDIRECT_CLOSURE;
        int reg = base + code[g + 2];
        int named = closure ? ((Value.Closure) c.r[reg]).func() : (int) c.w[reg];
        if (named != callee) {
            throw bad(at, "frame " + (d + 1) + " runs function " + callee + " but its caller's call.indirect calls "
                    + named);
        }
        int want = vm.verified.callSigKey(code[g + 1]);
        int have = closure ? vm.verified.closureSigKey(callee) : vm.verified.funcSigKey(callee);
        if (want != have) {
            throw bad(at, "function " + callee + " does not fit the signature of its caller's call.indirect");
        }
    }
}
