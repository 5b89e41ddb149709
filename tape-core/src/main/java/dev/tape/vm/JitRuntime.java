package dev.tape.vm;

import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import dev.tape.verify.internal.LOp;

import java.lang.invoke.MethodHandle;

/**
 * The static helpers that compiled code calls: frame set-up for calls, the hand-over to the
 * interpreter, trap placement and the rare instruction paths. Everything here mirrors what
 * {@link Interpreter} does for the same instruction, on the same {@link ExecutionContext} state, so
 * that compiled and interpreted runs are indistinguishable (same results, traps, pcs and fuel).
 */
final class JitRuntime {
    private JitRuntime() {}

    /**
     * How many frames deep a compiled run calls on the Java stack: a call that would go deeper hands
     * the rest of the run to the interpreter (heap frames), so recursion is bounded by
     * {@link Limits#maxCallDepth()} only, never by the thread's stack size.
     */
    static final int MAX_NESTING = 200;

    /**
     * The Java stack, in 8-byte words (64 KiB), that compiled frames may use on one thread: a call
     * whose callee's frame would not fit hands over to the interpreter, like one past
     * {@link #MAX_NESTING}. The compiled frames of all the runs on a thread share it, runs nested
     * through host functions included (each starts with what its host call's frame had left,
     * less {@link #NEST_WORDS}). Small enough for threads with 128 KiB stacks, leaving room for
     * the embedder's own frames and for host functions; recursion deeper than this allows goes on
     * in the interpreter.
     */
    static final int STACK_WORDS = 8 * 1024;

    /**
     * Java stack words set aside for each run nested through a host function, on top of the
     * frames it compiles: the frames between the host call and the nested run's compiled code
     * ({@code Calls}, the host function's own call, {@code Vm.run}, the tier, the method handle),
     * and an interpreted run's frames when one sits between two compiled ones.
     */
    static final int NEST_WORDS = 512;

    /**
     * Java stack words a call through a call site adds to its callee's frame: the call site's
     * invoker and the method handle's own frames ({@code CompileView.indirectWords}, for direct
     * calls of other functions).
     */
    static final int INDIRECT_WORDS = 160;

    /**
     * Java stack words a {@code call.indirect} adds to its callee's frame: the frames of its inline
     * cache ({@link IndirectSite}: the call site's invoker, up to {@link IndirectSite#MAX_ENTRIES}
     * guards, the bound call and its method) or of {@link #invoke}, and the method handle's own.
     * Both paths count the same, so a site's cache never changes where a run hands over.
     */
    static final int CACHE_WORDS = 320;

    /**
     * Unwinds the compiled frames of a run once its outcome is in the context
     * ({@link ExecutionContext#tierStatus}). Not a {@link VmTrap}, so compiled trap handlers let it
     * pass. Preallocated, without a stack trace: it is control flow.
     */
    static final class Unwind extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final Unwind INSTANCE = new Unwind();

        private Unwind() {
            super("compiled run unwinding", null, false, false);
        }
    }

    /**
     * Thrown by a fast clone (tape-jit's {@code FastClone}) when it meets anything it does not
     * handle: fuel short, its nesting budget spent. The clone has no effect but on
     * {@link ExecutionContext#fuel}, so the call site that entered it restores the fuel and runs
     * the call again on the compiled tier's own path. Preallocated, without a stack trace; not a
     * {@link VmTrap} or {@link Unwind}, so no compiled handler but the entering site's catches it.
     */
    static final class Bail extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final Bail INSTANCE = new Bail();

        private Bail() {
            super("fast clone bailed", null, false, false);
        }
    }

    /**
     * The nesting budget of a pure call's fast clone, the call of {@code callee} on {@code vm}'s
     * compiled tier, entered from a compiled frame at
     * {@code depth} (its base {@code base}, {@code regs} registers) with {@code stack} words of
     * Java stack for its callees: how many calls the clone may nest below itself while every
     * limit surely holds for each of them, so that a clone that succeeds has met every check the
     * compiled tier's own path makes ({@code enterDirect}: the call-depth limit, the register
     * limit with {@link ExecutionContext#FRAME_REGISTERS} per pending frame; the Java stack
     * budget, {@code JitCompiler.cost}). The least of: {@code maxDepth - depth - 1} (a call from
     * depth {@code d} needs {@code d < maxDepth}); {@code (maxRegisters - base - regs
     * - FRAME_REGISTERS * (depth - 1)) / (m + FRAME_REGISTERS) - 1}, where {@code m} is the most
     * registers of any function the clone may call (the call from depth {@code depth + k} needs
     * at most {@code base + regs + (k + 1) * m} registers and {@code FRAME_REGISTERS * (depth + k)}
     * for records); and {@code stack / cost - 1}, where {@code cost} bounds a clone's frame. The
     * clones touch no register file and write no frame record, so the register mark is not
     * raised (only a sliced {@code Run}, which never runs clones, reports it).
     * Bounded: a few reads and arithmetic.
     *
     * A clone is entered only once {@code callee} has its compiled method: until then the call
     * takes the compiled tier's own path, which compiles it when the tier's budgets allow, so the
     * clones never change which functions are compiled, what classes cost or what the fuel credit
     * pays for ({@code AuditCompileCreditTest}).
     *
     * @return the budget, 0 or more, or -1 when fast mode is off ({@link ExecutionContext#fast}),
     *     the callee has no compiled method yet, or the entry call itself is not surely within the
     *     limits
     */
    static int fastNest(Vm vm, ExecutionContext c, int callee, int depth, int base, int regs, int stack, int m,
            int cost) {
        if (!c.fast || ((JitTier) vm.tier).handles[callee] == null) {
            return -1;
        }
        long byDepth = (long) c.maxDepth - depth - 1;
        long room = c.limits.maxRegisters() - (long) base - regs
                - (long) ExecutionContext.FRAME_REGISTERS * (depth - 1);
        long byRegs = room < 0 ? -1 : room / (m + ExecutionContext.FRAME_REGISTERS) - 1;
        long byStack = stack / cost - 1;
        long n = Math.min(byDepth, Math.min(byRegs, byStack));
        if (n < 0) {
            return -1;
        }
        c.fastEntries++;
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    /**
     * Stops compiled execution before the instruction at {@code ip} (function-relative) of function
     * {@code func}, whose frame is at {@code base} and {@code depth}: the interpreter goes on from
     * there. Used when a block's fuel is short (the interpreter then meters it instruction by
     * instruction), at a call to a function without compiled code, and past {@link #MAX_NESTING}.
     */
    static Unwind handover(ExecutionContext c, int func, int ip, int base, int depth) {
        c.func = func;
        c.ip = ip;
        c.base = base;
        c.depth = depth;
        c.tierStatus = CompiledTier.HANDOVER;
        return Unwind.INSTANCE;
    }

    /**
     * Stops compiled execution at the {@code host_call} at {@code ip} of {@code func} whose host
     * function asked to suspend ({@link ExecutionContext#hostSuspended}): the call's fuel and
     * count are charged, and so is any extra fuel the host charged (as on its normal return); its
     * results are not stored. A host call that can suspend ends its block, so no block fuel is given
     * back.
     */
    static Unwind suspended(ExecutionContext c, Calls.Site site, int func, int ip, int base, int depth) {
        if (site.charged != 0) {
            charge(c, site.charged);
        }
        return handover(c, func, ip, base, depth);
    }

    /** A resume at a code index that is not one of the method's resume points (a caller's bug). */
    static IllegalStateException badResume(int ip) {
        return new IllegalStateException("compiled code cannot resume at code index " + ip);
    }

    /**
     * Records a trap raised by the instruction at {@code ip} of {@code func}: the position, and the
     * fuel of the block's instructions after it, which were charged at the block's start but never
     * ran ({@code refund}). An {@code OutOfMemoryError} of the instruction traps
     * {@code heap_limit_exceeded} there, as in the interpreter.
     */
    static Unwind trapped(Throwable t, ExecutionContext c, int func, int ip, int base, int depth, int refund) {
        // the handler catches VmTrap and OutOfMemoryError only: the latter traps as the interpreter's does
        c.trap = t instanceof VmTrap v ? v : ExecutionContext.outOfMemory();
        c.func = func;
        c.ip = ip;
        c.base = base;
        c.depth = depth;
        c.fuel += refund;
        c.tierStatus = Interpreter.TRAPPED;
        return Unwind.INSTANCE;
    }

    /** The entry frame returned from the {@code ret} at {@code ip} of {@code func}. */
    static void returned(ExecutionContext c, int func, int ip, int base) {
        c.func = func;
        c.ip = ip;
        c.base = base;
        c.depth = 1;
    }

    /**
     * Sets up a call from a frame at {@code base} and {@code depth} with {@code regs} registers:
     * checks the depth limit, makes room for the callee's {@code calleeRegs} registers and writes
     * the caller's frame record exactly as the interpreter does (so the interpreter can return into
     * it after a hand-over, and traps list it).
     *
     * @param callIp global ip of the call instruction
     * @param pos global ip of the call's result count
     * @return the callee's register base
     */
    static int enter(ExecutionContext c, int depth, int base, int regs, int calleeRegs, int callIp, int pos) {
        int nb = enterDirect(c, depth, base, regs, calleeRegs);
        record(c, depth, regs, base, callIp, pos);
        return nb;
    }

    /** Writes the frame record of the caller at {@code depth} (its room made by {@link #enterDirect}). */
    private static void record(ExecutionContext c, int depth, int regs, int base, int callIp, int pos) {
        int fp = (depth - 1) * ExecutionContext.FRAME;
        int[] frames = c.frames;
        frames[fp] = regs;
        frames[fp + 1] = base;
        frames[fp + 2] = callIp;
        frames[fp + 3] = pos;
    }

    /**
     * Sets up a direct call ({@code call}) from a frame at {@code base} and {@code depth} with
     * {@code regs} registers: {@link #enter}'s checks and growth (the depth limit, room for the
     * callee's {@code calleeRegs} registers, room for the caller's frame record) without writing the
     * record. The record is written lazily by {@link #pending}, in the caller's hand-over handler,
     * only when a trap, pause or hand-over unwinds through the call: nothing else reads a record
     * while compiled frames run (a compiled {@code ret} pops none).
     *
     * <p>Small enough for C2 to inline at every call site: it first tests, with two compares
     * ({@link #leafRoom}), whether the checks would pass without changing anything, and returns
     * the base then; only otherwise does it call {@link #enterChecked}, which takes them in order
     * and grows or traps. So the growth and trap code stays out of line in compiled callers (a
     * run's first calls grow the register mark, so the profile C2 compiles from has seen it).
     *
     * @return the callee's register base
     * @throws VmTrap {@code call_depth_exceeded} or {@code heap_limit_exceeded}, as {@link #enter}
     */
    static int enterDirect(ExecutionContext c, int depth, int base, int regs, int calleeRegs) {
        int nb = base + regs;
        if (leafRoom(c, depth, nb + calleeRegs)) {
            return nb;
        }
        return enterChecked(c, depth, base, regs, calleeRegs);
    }

    /**
     * {@link #enterDirect}'s checks in the interpreter's order: the depth limit, then the register
     * mark (growing the register files, or trapping {@code heap_limit_exceeded}), then room for the
     * caller's frame record.
     *
     * @return the callee's register base
     * @throws VmTrap {@code call_depth_exceeded} or {@code heap_limit_exceeded}
     */
    private static int enterChecked(ExecutionContext c, int depth, int base, int regs, int calleeRegs) {
        checkDepth(c, depth);
        int nb = base + regs;
        int need = nb + calleeRegs;
        if (need + (long) ExecutionContext.FRAME_REGISTERS * depth > c.regHigh) {
            c.ensureRegisters(need, depth);
        }
        if (depth * ExecutionContext.FRAME > c.frames.length) {
            c.growFrames();
        }
        return nb;
    }

    /**
     * Whether a direct call from a frame at {@code depth}, whose callee's registers end at
     * {@code need}, would pass {@link #enterDirect} without changing anything: the depth is under
     * the call-depth limit, the callee's registers and the pending frame records are within the
     * register high-water mark (no growth, no {@code heap_limit_exceeded}) and the frame records
     * have room for the caller's. Compiled code runs an inlined leaf callee only then (else it makes
     * the real call, which traps or grows exactly there). The first and last conditions are one
     * compare with {@link ExecutionContext#jitDepth}. Bounded: two compares, no allocation.
     */
    static boolean leafRoom(ExecutionContext c, int depth, int need) {
        return depth < c.jitDepth && need + (long) ExecutionContext.FRAME_REGISTERS * depth <= c.regHigh;
    }

    /**
     * What compiled code keeps as "no closure checked yet" where it keeps the closure an inlined
     * {@code call.indirect} checked last: an object no register ever holds.
     */
    static final Object NO_CLOSURE = new Object();

    /**
     * The room {@link #leafRoom} tests, as a number compiled code keeps in a local: the registers
     * an inlined leaf of a frame at {@code depth} whose caller needs {@code need} (its base plus
     * register count) may have, {@code regHigh - FRAME_REGISTERS * depth - need}, or -1 when
     * {@code depth} is not under {@code jitDepth}. {@code leafRoom(c, depth, need + regs)} holds
     * exactly when this is at least {@code regs} (0 or more). Bounded: two reads and arithmetic.
     */
    static long leafRoomLeft(ExecutionContext c, int depth, int need) {
        return depth < c.jitDepth ? c.regHigh - (long) ExecutionContext.FRAME_REGISTERS * depth - need : -1;
    }

    /**
     * An inlined leaf's room, made when it is short the way the real call would make it: returns
     * {@code room} when it covers {@code regs} (the leaf's registers, 0 or more); else, when the
     * real call from a frame at {@code depth} whose caller needs {@code need} (its base plus
     * register count) would pass {@link #enterChecked} without trapping or growing anything (the
     * depth under {@code jitDepth}, so under the call-depth limit with room for the caller's frame
     * record, and {@code need + regs + FRAME_REGISTERS * depth} within both the register limit
     * and the register files), raises the register mark to that charge as the real call's
     * {@link ExecutionContext#ensureRegisters(int, int)} would, and returns the room
     * {@link #leafRoomLeft} gives then (at least {@code regs}); else returns {@code room} (the
     * call then takes its real path, which grows the files or traps there). Compiled code calls it
     * only where the inlined body runs when it returns at least {@code regs}, so the mark is
     * raised exactly where the real call would raise it. Bounded: a few reads and compares, no
     * allocation, never throws.
     *
     * @param room the room the caller's local holds ({@link #leafRoomLeft}, possibly read earlier)
     * @return the room, registers, or -1 or less when none
     */
    static long leafMakeRoom(long room, ExecutionContext c, int depth, int need, int regs) {
        if (room >= regs) {
            return room;
        }
        long charged = need + (long) regs + (long) ExecutionContext.FRAME_REGISTERS * depth;
        if (depth >= c.jitDepth || charged > c.w.length || charged > c.limits.maxRegisters()) {
            return room;
        }
        if (charged > c.regHigh) {
            c.regHigh = (int) charged;
        }
        return c.regHigh - (long) ExecutionContext.FRAME_REGISTERS * depth - need;
    }

    /**
     * An inlined leaf's room test on the room {@link #leafRoomLeft} gave: whether it covers
     * {@code regs} (the leaf's registers, 0 or more). Bounded: one compare.
     */
    static boolean leafFits(long room, int regs) {
        return room >= regs;
    }

    /**
     * Whether {@link #getW} reads element {@code index} of {@code o} on its fast path: {@code o} is
     * an aggregate of kind {@code kind} with such an element of tag {@code tag}. The verifier types
     * the element by the argument's declared shape, which a call does not check, so an argument can
     * be another aggregate, on which the read traps. Compiled code runs an inlined leaf callee that
     * reads its aggregate arguments only when every read it may make passes this (else it makes the
     * real call, whose read traps in the callee's frame). Bounded: a type test and three compares.
     */
    static boolean leafGets(Object o, long index, Aggregate.Kind kind, int tag) {
        if (o instanceof Aggregate a && a.aggKind() == kind) {
            int i = (int) index;
            return i == index && i >= 0 && i < a.size() && a.tag(i) == tag;
        }
        return false;
    }

    /**
     * Element {@code index} of {@code o}, a word, with no check: an inlined leaf's
     * {@code tuple.get}/{@code struct.get} of an argument after {@link #leafGets} passed for that
     * very read on that argument (which the leaf never writes), so {@code o} is an aggregate with a
     * word element of the read's tag at {@code index} (0 or more, under its size). Bounded: two
     * loads.
     */
    static long leafWord(Object o, int index) {
        return ((Aggregate) o).word(index);
    }

    /**
     * In the hand-over handler of a compiled frame at {@code depth} (function entry {@code entry},
     * {@code regs} registers at {@code base}, last instruction started at code index {@code ip}):
     * when the run unwinding through it stopped deeper ({@link ExecutionContext#depth} above
     * {@code depth}), the frame is the caller of a pending {@code call} or {@code call.indirect}
     * at {@code ip}, and its frame record is written as {@link #enter} writes it. The record's room
     * was made by {@link #enterDirect} or {@link #enter}. Bounded: four stores.
     */
    static void pending(ExecutionContext c, int[] code, int depth, int base, int regs, int entry, int ip) {
        if (c.depth <= depth) {
            return;
        }
        int g = entry + ip;
        int op = code[g];
        int pos;
        if (op == dev.tape.format.Op.CALL) {
            pos = g + 3 + code[g + 2];
        } else if (op == LOp.CALL_INDIRECT_FUNC || op == LOp.CALL_INDIRECT_CLOSURE) {
            pos = g + 4 + code[g + 3];
        } else {
            return;
        }
        record(c, depth, regs, base, g, pos);
    }

    /**
     * Counts a call's arguments and results ({@code values}, more than
     * {@link ExecutionContext#FREE_VALUES}) against the copy budget, right after {@link #enter}, as
     * the interpreter does (see {@link ExecutionContext#copied(int, int)}).
     */
    static void copied(ExecutionContext c, int values) {
        c.copied(values, ExecutionContext.CALL_VALUE_UNITS);
    }

    /** Traps {@code call_depth_exceeded} when a call from a frame at {@code depth} would exceed the limit. */
    static void checkDepth(ExecutionContext c, int depth) {
        int max = c.maxDepth;
        if (depth >= max) {
            throw Calls.depthTrap(depth, max);
        }
    }

    /**
     * The callee of a {@code call.indirect} through a func value, checked against call signature
     * {@code callSig} as {@link Calls#indirectCallee} checks it (from the value rather than the
     * register file).
     *
     * @throws VmTrap {@code type_mismatch} or {@code arity_mismatch}, as the interpreter's
     */
    static int funcCallee(Vm vm, long value, int callSig) {
        int callee = (int) value;
        Calls.checkIndirect(vm, callSig, callee, false);
        return callee;
    }

    /**
     * {@link #funcCallee} through a closure (the verifier guarantees the register holds one).
     *
     * @throws VmTrap {@code type_mismatch} or {@code arity_mismatch}, as the interpreter's
     */
    static int closureCallee(Vm vm, Object closure, int callSig) {
        int callee = ((Value.Closure) closure).func();
        Calls.checkIndirect(vm, callSig, callee, true);
        return callee;
    }

    /** {@link #enter} for a callee known only at run time. */
    static int enterIndirect(Vm vm, ExecutionContext c, int depth, int base, int regs, int callee, int callIp,
                             int pos) {
        return enter(c, depth, base, regs, vm.image.regCount(callee), callIp, pos);
    }

    /**
     * The function id a closure holds, unchecked: compiled code compares it with the id of a leaf
     * it runs inline and, only when they differ or the inlined body's guard fails, makes the
     * checks of {@link #checkDepth} and {@link #closureCallee} (the verifier guarantees the
     * register holds a closure). Bounded: one field read.
     */
    static int closureFunc(Object closure) {
        return ((Value.Closure) closure).func();
    }

    /** @return a closure's environment (the verifier guarantees the register holds a closure) */
    static Object env(Object closure) {
        return ((Value.Closure) closure).env();
    }

    /**
     * Calls {@code callee} (frame at {@code nb}, the caller at {@code depth}, {@code stack} words
     * of Java stack left) through its compiled method, or hands over to the interpreter when it has
     * none or the Java stack is deep enough.
     */
    static long invoke(Vm vm, ExecutionContext c, int callee, int nb, int depth, int stack) {
        JitTier tier = (JitTier) vm.tier;
        // this helper's frame and the method handle's own frames count too
        int cost = tier.cost(callee) + CACHE_WORDS;
        if (depth >= MAX_NESTING || stack < cost) {
            throw handover(c, callee, 0, nb, depth + 1);
        }
        MethodHandle h = tier.handle(callee, stack - CACHE_WORDS, c);
        if (h == null) {
            throw handover(c, callee, 0, nb, depth + 1);
        }
        try {
            return (long) h.invokeExact(vm, c, nb, depth + 1, stack - cost, callee, JitTier.FRESH);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The target of a function's call site while it has no method (see {@link JitTier#site}):
     * compiles it when it may ({@link JitTier#handle}) and calls the method, or hands the run to
     * the interpreter at the callee's first instruction. The caller has checked the nesting and
     * the stack for the callee's frame and passes the callee's {@code depth} and {@code stack}.
     */
    static long lazy(JitTier tier, int callee, Vm vm, ExecutionContext c, int nb, int depth, int stack, int func,
                     int resume) throws Throwable {
        MethodHandle h = tier.handle(callee, stack, c);
        if (h == null) {
            throw handover(c, callee, 0, nb, depth);
        }
        return (long) h.invokeExact(vm, c, nb, depth, stack, func, resume);
    }

    /** Applies a host's extra fuel charge, saturating at 0 as {@link ExecutionContext#consume} does. */
    static void charge(ExecutionContext c, long charged) {
        c.chargeExtra(c.absorb(charged));
    }

    /** The {@code trap} instruction's trap. */
    static VmTrap trapInstruction(int code) {
        return new VmTrap(TrapKind.TRAP_CODE, code & 0xFFFFFFFFL, "trap instruction", null, 0);
    }

    /** {@code tuple.new} of word elements: the same heap charge and aggregate as {@code Ops.tupleOfWords}. */
    static Aggregate tuple(ExecutionContext c, byte[] tags, long[] bits) {
        c.allocate(Ops.aggregateBytes(bits.length));
        return tupleCharged(tags, bits);
    }

    /**
     * {@code tuple.new} of two word elements: the heap charge of {@link #tuple} (50 bytes) and the
     * word pair {@code Ops.tupleOfWords} makes, one allocation.
     */
    static Aggregate pair(ExecutionContext c, byte[] tags, long a, long b) {
        c.allocate(Ops.aggregateBytes(2));
        return pairCharged(tags, a, b);
    }

    /**
     * The heap threshold of a compiled method that keeps the heap room in a local ({@code HeapLocal}
     * in tape-jit): a block that allocates runs only while the fuel left after it is at least the
     * threshold. That is the fuel less the fuel within which the room is sure to cover every charge
     * (at {@code rate} bytes at most per unit of fuel), and at least 0, so the test also covers the
     * block's fuel; the fuel itself when either local is not current (negative), so that every such
     * block hands over.
     *
     * @param fuel the fuel local, 0 or more, or -1
     * @param room the heap room local (the limit less the heap bytes), 0 or more, or negative
     * @param rate the method's largest single charge, at least 1
     * @return the threshold, 0 to {@code fuel}, or {@code fuel} when it is negative
     */
    static long heapThreshold(long fuel, long room, long rate) {
        return fuel < 0 || room < 0 ? fuel : Math.max(0, fuel - room / rate);
    }

    /**
     * {@link #pair} without its heap charge, which a compiled method that keeps the heap count in
     * a local ({@code HeapLocal} in tape-jit) has made on it.
     */
    static Aggregate pairCharged(byte[] tags, long a, long b) {
        return Texts.V.pair(Aggregate.Kind.TUPLE, 0, tags, a, b);
    }

    /** {@link #tuple} without its heap charge (see {@link #pairCharged}). */
    static Aggregate tupleCharged(byte[] tags, long[] bits) {
        return aggregateCharged(Aggregate.Kind.TUPLE, 0, tags, bits, null);
    }

    /** {@link #aggregate} without its heap charges (see {@link #pairCharged}). */
    static Aggregate aggregateCharged(Aggregate.Kind kind, int typeId, byte[] tags, long[] bits, Object[] refs) {
        return Texts.V.aggregate(kind, typeId, tags, bits, refs);
    }

    /**
     * {@code tuple.new}, {@code struct.new} or {@code array.new} of {@code bits.length} elements:
     * the heap charges and the aggregate of the interpreter's {@code Ops.build} (32 bytes plus 9
     * per element, then 8 per element when an element is a reference), from the elements' words
     * ({@code bits}, 0 where an element is not a word) and references ({@code refs}, null when no
     * element is one).
     *
     * @param kind the kind (compiled code passes its enum constant)
     * @param typeId the struct or array type, 0 for a tuple
     * @throws VmTrap {@code heap_limit_exceeded}, as the interpreter's
     */
    static Aggregate aggregate(ExecutionContext c, Aggregate.Kind kind, int typeId, byte[] tags, long[] bits,
                               Object[] refs) {
        int n = bits.length;
        chargeAggregate(c, n);
        if (refs != null) {
            c.allocate(Ops.referenceBytes(n));
        }
        return aggregateCharged(kind, typeId, tags, bits, refs);
    }

    /**
     * The heap charge of a {@code struct.new} of {@code n} word fields that compiled code keeps in
     * locals (no object): the bytes {@link #aggregate} charges for it, at the same point.
     *
     * @throws VmTrap {@code heap_limit_exceeded}, as the interpreter's
     */
    static void chargeAggregate(ExecutionContext c, int n) {
        c.allocate(Ops.aggregateBytes(n));
    }

    /**
     * A struct compiled code keeps in locals, as an object: {@code obj} (the register's local)
     * when it is not null or the struct is not in locals ({@code flag} 0); otherwise the aggregate
     * the interpreter's {@code struct.new} makes, of struct type {@code type}, the image's tag list
     * {@code tagList} and the first {@code n} (1 to 8) of the words {@code a0} to {@code a7}, with
     * no heap charge (made at the {@code struct.new}, {@link #chargeAggregate}). Bounded: one
     * aggregate of at most 8 words.
     */
    static Object virtualStruct(Object obj, int flag, Vm vm, int type, int tagList, int n, long a0, long a1, long a2,
                                long a3, long a4, long a5, long a6, long a7) {
        if (obj != null || flag == 0) {
            return obj;
        }
        long[] all = {a0, a1, a2, a3, a4, a5, a6, a7};
        return Texts.V.aggregate(Aggregate.Kind.STRUCT, type, vm.image.tags()[tagList], java.util.Arrays.copyOf(all, n),
                null);
    }

    /**
     * A word tuple compiled code keeps in locals ({@code VirtualStructs} in tape-jit), as an
     * object: {@code obj} (the register's local) when it is not null or the tuple is not in locals
     * ({@code flag} 0); otherwise the aggregate compiled code's {@code tuple.new} makes (as
     * {@link #pairCharged} or {@link #tupleCharged}, the interpreter's), of the image's tag list
     * {@code tagList} and the first {@code n} (1 to 8) of the words {@code a0} to {@code a7}, with
     * no heap charge (made at the {@code tuple.new}). Bounded: one aggregate of at most 8 words.
     */
    static Object virtualTuple(Object obj, int flag, Vm vm, int tagList, int n, long a0, long a1, long a2, long a3,
                               long a4, long a5, long a6, long a7) {
        if (obj != null || flag == 0) {
            return obj;
        }
        byte[] tags = vm.image.tags()[tagList];
        if (n == 2) {
            return pairCharged(tags, a0, a1);
        }
        long[] all = {a0, a1, a2, a3, a4, a5, a6, a7};
        return tupleCharged(tags, java.util.Arrays.copyOf(all, n));
    }

    /**
     * An array compiled code keeps in locals ({@code VirtualArrays} in tape-jit), as an object:
     * {@code obj} (the register's local) when it is not null or the array is not in locals
     * ({@code flag} 0); otherwise the aggregate the interpreter's {@code array.new} makes, of array
     * type {@code type}, the image's tag list {@code tagList} and the first {@code n} (1 to 16) of
     * the words {@code a0} to {@code a15}, with no heap charge (made at the {@code array.new},
     * {@link #chargeAggregate} or the method's heap room local). Bounded: one aggregate of at most
     * 16 words.
     */
    static Object virtualArray(Object obj, int flag, Vm vm, int type, int tagList, long[] elements) {
        if (obj != null || flag == 0) {
            return obj;
        }
        return Texts.V.aggregate(Aggregate.Kind.ARRAY, type, vm.image.tags()[tagList], elements.clone(), null);
    }

    /**
     * {@code tuple.get}, {@code struct.get} or {@code array.get} (immediate or register index,
     * lowered: [op, dst, agg, index, tag] at {@code ip}) into a word register: element
     * {@code index} of {@code o} when it is an aggregate of kind {@code kind} with that element of
     * tag {@code tag} (the instruction's, {@code code[ip + 4]}, which compiled code passes as a
     * constant); otherwise the interpreter's projection runs on the register files and traps as it
     * does. (Compiled code passes the kind as its enum constant, which C2 sees as a constant: the
     * kind check folds away on an aggregate whose allocation it sees.)
     */
    static long getW(ExecutionContext c, Object o, long index, Aggregate.Kind kind, int tag, int[] code, int ip,
                     int base) {
        if (o instanceof Aggregate a && a.aggKind() == kind) {
            int i = (int) index;
            // i == index and 0 <= i < size: index < size unsigned (the size is an int)
            if (i == index && i >= 0 && i < a.size() && a.tag(i) == tag) {
                return a.word(i);
            }
        }
        project(c, o, index, kind, code, ip, base, true);
        return c.w[base + code[ip + 1]];
    }

    /** {@link #getW} into a reference register. */
    static Object getR(ExecutionContext c, Object o, long index, Aggregate.Kind kind, int tag, int[] code, int ip,
                       int base) {
        if (o instanceof Aggregate a && a.aggKind() == kind) {
            int i = (int) index;
            if (i == index && i >= 0 && i < a.size() && a.tag(i) == tag) {
                return a.ref(i);
            }
        }
        project(c, o, index, kind, code, ip, base, false);
        return c.r[base + code[ip + 1]];
    }

    /**
     * A read that fails the fast checks: the interpreter's projection ({@code Ops.project}) on the
     * register files, which traps (its result, were it to return, is in the files).
     */
    private static void project(ExecutionContext c, Object o, long index, Aggregate.Kind k, int[] code, int ip,
                                int base, boolean word) {
        c.r[base + code[ip + 2]] = o;
        Ops.project(c, code, ip, base, k, index, word);
    }

    /** {@code array.len}: the element count, or the interpreter's {@code agg_error} trap. */
    static long arrayLen(Object o) {
        return Ops.agg(o, Aggregate.Kind.ARRAY).size();
    }

    /**
     * Result {@code j} of a host call whose declared type is a word type (bool, i64, u64, f64,
     * func), for register {@code reg} (absolute): the value's word when the host returned a value
     * of exactly that type (word types are interned constants, so one identity test decides), else
     * the interpreter's check, which traps {@code type_mismatch}.
     */
    static long resultWord(Vm vm, ExecutionContext c, Calls.Site site, int sig, Value[] res, int j, int reg) {
        Value v = res[j];
        if (v != null && v.type() == vm.hostRetTypes[sig][j]) {
            res[j] = null;
            return Aggregate.wordOf(v);
        }
        Calls.result(vm, c, site, sig, res, j, c.w, c.r, reg);
        return c.w[reg];
    }
}
