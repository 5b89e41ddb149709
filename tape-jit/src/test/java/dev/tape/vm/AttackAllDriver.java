package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.host.WordFunction;
import dev.tape.jit.Jit;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.program.ValueType;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * Runs one program through the public API only, so that {@link AttackAllTogetherTest} can load
 * this class a second time against an older build (in a class loader of its own) and compare the
 * transcripts it writes line by line. Nothing here may name a test class or anything that is not
 * public in both builds.
 *
 * <p>A transcript of one way to run (the interpreter, the compiled tier, the interpreter stepped
 * with an INSTR trace sink) holds: the run under the default limits; every fuel limit from 0 to
 * one past what the run uses, each pause described (frames, depth, position, fuel, host calls, a
 * digest of the snapshot bytes) and then restored on the other way and run to its end; every
 * heap limit from 0 to one past what the run allocates; every call-depth limit up to
 * {@code depthTo}; every host-call limit; fuel and host-call limits as large as the format allows
 * (2^64-1, 2^63, 2^63-1) against the run's host calls; runs on one context shared by both ways in turn, under
 * call-depth, fuel and heap limits that go up and down; and runs in slices of 1, 3 and 7 fuel
 * (of a fortieth and a seventeenth of the run's fuel past 2,000; others with
 * {@code -Dattack.driver.slices}, {@link #slices}) with every fourth pause restored
 * on the other way and the run forked at some others (the fork goes on), a host call that suspends
 * described at its pause and completed with {@link #wResults}. Past 600 values a limit is sampled
 * ({@link #points}; fewer with {@code -Dattack.driver.points}). Runs alternate between
 * one context reused across limits and fresh contexts. Each run's end is written with its results
 * or its trap (kind, code, function, pc, span, host symbol, detail, message, stack, fuel left)
 * and the context's fuel, host calls and heap bytes. Registers are left out: where a register is
 * dead the tiers may show different values, and a snapshot holds only the live ones.
 */
public final class AttackAllDriver {
    private AttackAllDriver() {}

    /** w.f(a) = 3a + 1, throwing for a mod 61 = 17. */
    static long f(long a) {
        if (Math.floorMod(a, 61) == 17) {
            throw new IllegalStateException("f refuses " + a);
        }
        return 3 * a + 1;
    }

    /** The results of w.w for its arguments (a + b, a - b), also given to a suspended call. */
    static List<Value> wResults(List<Value> args) {
        long a = ((Value.I64) args.get(0)).value();
        long b = ((Value.I64) args.get(1)).value();
        return List.of(Value.i64(a + b), Value.i64(a - b));
    }

    /**
     * w.f ({@link #f}); w.g(a, b) = a ^ (b - 7); w.h(a, b, c) = a + 2b - c; w.p(a) = a is odd;
     * w.w(a, b) = (a + b, a - b), a {@code Words} function that charges a mod 3 fuel and, where it
     * can, suspends for a mod 9 = 4; w.x(a) = 5a - 2 (boxed, charging a mod 2 fuel), plus for
     * a mod 13 = 5 the result of a nested run of function 1 with (a) on the same VM (or a when that
     * run traps or function 1 takes other arguments).
     *
     * @param self the VM the functions run in, set once it is made
     */
    static HostRegistry host(Vm[] self) {
        Signature ii = Signature.of(List.of(ValueType.I64, ValueType.I64), List.of(ValueType.I64));
        return new HostRegistry().registerWords("w.f",
                Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)), (WordFunction.Of1) AttackAllDriver::f)
                .registerWords("w.g", ii, (a, b) -> a ^ (b - 7))
                .registerWords("w.h", Signature.of(List.of(ValueType.I64, ValueType.I64, ValueType.I64),
                        List.of(ValueType.I64)), (a, b, c) -> a + 2 * b - c)
                .registerWords("w.p", Signature.of(List.of(ValueType.I64), List.of(ValueType.BOOL)), a -> a & 1)
                .registerWordArrays("w.w", Signature.of(List.of(ValueType.I64, ValueType.I64),
                        List.of(ValueType.I64, ValueType.I64)), (a, out, ctx) -> {
                            ctx.chargeFuel(Math.floorMod(a[0], 3));
                            if (ctx.canSuspend() && Math.floorMod(a[0], 9) == 4) {
                                ctx.suspend();
                                return;
                            }
                            out[0] = a[0] + a[1];
                            out[1] = a[0] - a[1];
                        })
                .register("w.x", Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)), (a, out, ctx) -> {
                    long v = ((Value.I64) a[0]).value();
                    ctx.chargeFuel(Math.floorMod(v, 2));
                    long r = v * 5 - 2;
                    if (Math.floorMod(v, 13) == 5) {
                        try {
                            r += ((Value.I64) self[0].run(new ExecutionContext(), 1, List.of(Value.i64(v)),
                                    Limits.DEFAULT, null).get(0)).value();
                        } catch (Trap | IllegalArgumentException t) {
                            r += v;
                        }
                    }
                    out[0] = Value.i64(r);
                });
    }

    /**
     * @param r a run
     * @param o its outcome
     * @return the outcome once every host call the run suspends in is completed with
     *     {@link #wResults}
     */
    private static Outcome settle(Run r, Outcome o) {
        while (o instanceof Outcome.Paused p && p.reason() instanceof PauseReason.HostSuspended h) {
            o = r.resumeWith(wResults(h.args()));
        }
        return o;
    }

    private static VerifiedProgram load(String source) {
        return Verifier.verifyWithShapesAcrossBlocks(ProgramDecoder.decode(ProgramEncoder.encode(Assembler.assemble(source, "all.tasm"))));
    }

    /**
     * @param source an assembly program whose function 0 takes i64 arguments
     * @param argv the entry's arguments
     * @param depthTo the largest call-depth limit to try
     * @param precompile whether the compiled tier compiles every function first (else each as it
     *     first runs)
     * @return the transcripts of the interpreter, the compiled tier and the stepped interpreter, and
     *     then how many functions the compiled tier compiled (in decimal)
     */
    public static String[] transcripts(String source, long[] argv, long depthTo, boolean precompile) {
        return transcripts(source, argv, depthTo, precompile, 0);
    }

    /**
     * As {@link #transcripts(String, long[], long, boolean)}, each transcript also holding the run
     * under every register limit from 1 to {@code regsTo} (sampled past 600, {@link #points}).
     *
     * @param source an assembly program whose function 0 takes i64 arguments
     * @param argv the entry's arguments
     * @param depthTo the largest call-depth limit to try
     * @param precompile whether the compiled tier compiles every function first
     * @param regsTo the largest register limit to try; 0 for none
     * @return the three transcripts and how many functions the compiled tier compiled
     */
    public static String[] transcripts(String source, long[] argv, long depthTo, boolean precompile, int regsTo) {
        return transcripts(source, argv, depthTo, precompile, regsTo, false);
    }

    /**
     * As {@link #transcripts(String, long[], long, boolean, int)}; with {@code framed}, a fourth
     * transcript of a VM from {@link Jit#compileFramed} (one JVM frame per VM frame, nothing
     * inlined) follows the stepped one, and the ways' pauses are restored in a ring: the
     * interpreter's on the framed VM, the compiled tier's on the interpreter, the framed VM's on
     * the compiled tier.
     *
     * @param source an assembly program whose function 0 takes i64 arguments
     * @param argv the entry's arguments
     * @param depthTo the largest call-depth limit to try
     * @param precompile whether the compiled VMs compile every function first
     * @param regsTo the largest register limit to try; 0 for none
     * @param framed whether to add the framed VM's transcript (else as without it)
     * @return the interpreter's, the compiled tier's and the stepped transcripts, with
     *     {@code framed} the framed VM's, and last how many functions the compiled tier compiled
     */
    public static String[] transcripts(String source, long[] argv, long depthTo, boolean precompile, int regsTo,
            boolean framed) {
        if (framed) {
            return framedTranscripts(source, argv, depthTo, precompile, regsTo);
        }
        VmOptions lazy = VmOptions.DEFAULT.withLazyLinking(true);
        Vm[] inSelf = new Vm[1];
        Vm[] jitSelf = new Vm[1];
        Vm[] stepped = new Vm[1];
        Vm in = new Vm(load(source), host(inSelf), lazy);
        Vm jit = Jit.compile(load(source), host(jitSelf), lazy);
        inSelf[0] = in;
        jitSelf[0] = jit;
        if (precompile) {
            Jit.precompile(jit);
        }
        stepped[0] = new Vm(load(source), host(stepped), lazy);
        List<Value> args = java.util.Arrays.stream(argv).mapToObj(v -> (Value) Value.i64(v)).toList();
        String[] t = {transcript(in, null, jit, null, args, depthTo, regsTo),
            transcript(jit, null, in, null, args, depthTo, regsTo),
            transcript(stepped[0], new Instr(), stepped[0], new Instr(), args, depthTo, regsTo), null};
        t[3] = Integer.toString(Jit.compiledFunctions(jit));
        return t;
    }

    private static String[] framedTranscripts(String source, long[] argv, long depthTo, boolean precompile,
            int regsTo) {
        VmOptions lazy = VmOptions.DEFAULT.withLazyLinking(true);
        Vm[][] self = {new Vm[1], new Vm[1], new Vm[1], new Vm[1]};
        Vm in = new Vm(load(source), host(self[0]), lazy);
        Vm jit = Jit.compile(load(source), host(self[1]), lazy);
        Vm fr = Jit.compileFramed(load(source), host(self[2]), lazy);
        Vm st = new Vm(load(source), host(self[3]), lazy);
        self[0][0] = in;
        self[1][0] = jit;
        self[2][0] = fr;
        self[3][0] = st;
        if (precompile) {
            Jit.precompile(jit);
            Jit.precompile(fr);
        }
        List<Value> args = java.util.Arrays.stream(argv).mapToObj(v -> (Value) Value.i64(v)).toList();
        String[] t = {transcript(in, null, fr, null, args, depthTo, regsTo),
            transcript(jit, null, in, null, args, depthTo, regsTo),
            transcript(st, new Instr(), st, new Instr(), args, depthTo, regsTo),
            transcript(fr, null, jit, null, args, depthTo, regsTo), null};
        t[4] = Integer.toString(Jit.compiledFunctions(jit));
        return t;
    }

    private static String transcript(Vm vm, TraceSink sink, Vm other, TraceSink otherSink, List<Value> args,
            long depthTo, int regsTo) {
        StringBuilder t = new StringBuilder();
        ExecutionContext shared = new ExecutionContext();
        ExecutionContext first = new ExecutionContext();
        Run r0 = vm.start(first, 0, args, Limits.DEFAULT, sink);
        t.append("full ").append(end(r0, first, settle(r0, r0.resume()))).append('\n');
        long used = Limits.DEFAULT.fuel() - first.fuelRemaining();
        long heap = first.heapBytesAllocated();
        long hosts = first.hostCallsMade();
        for (long fuel : points(used + 1)) {
            ExecutionContext c = fuel % 2 == 0 ? shared : new ExecutionContext();
            Run r = vm.start(c, 0, args, Limits.DEFAULT.withFuel(fuel), sink);
            Outcome o = settle(r, r.resume());
            t.append("fuel ").append(fuel).append(' ').append(end(r, c, o)).append('\n');
            if (o instanceof Outcome.Paused) {
                t.append("  ").append(pause(r)).append('\n');
                ExecutionContext c2 = fuel % 3 == 0 ? shared : new ExecutionContext();
                Run back = other.restore(c2, r.snapshot(), Limits.DEFAULT, otherSink);
                back.addFuel(used + 2);
                t.append("  restored ").append(end(back, c2, settle(back, back.resume()))).append('\n');
            }
        }
        for (long h : points(heap + 1)) {
            ExecutionContext c = h % 2 == 0 ? shared : new ExecutionContext();
            Run r = vm.start(c, 0, args, Limits.DEFAULT.withMaxHeapBytes(h), sink);
            t.append("heap ").append(h).append(' ').append(end(r, c, settle(r, r.resume()))).append('\n');
        }
        for (long d : points(depthTo)) {
            ExecutionContext c = d % 2 == 0 ? shared : new ExecutionContext();
            Run r = vm.start(c, 0, args, Limits.DEFAULT.withMaxCallDepth(d), sink);
            t.append("depth ").append(d).append(' ').append(end(r, c, settle(r, r.resume()))).append('\n');
        }
        for (long h : points(hosts + 1)) {
            ExecutionContext c = h % 2 == 0 ? shared : new ExecutionContext();
            Run r = vm.start(c, 0, args, Limits.DEFAULT.withMaxHostCalls(h), sink);
            t.append("hosts ").append(h).append(' ').append(end(r, c, settle(r, r.resume()))).append('\n');
        }
        for (long g : regsTo > 0 ? points(regsTo - 1) : new long[0]) {
            ExecutionContext c = g % 2 == 0 ? shared : new ExecutionContext();
            Run r = vm.start(c, 0, args, Limits.DEFAULT.withMaxRegisters((int) g + 1), sink);
            t.append("regs ").append(g + 1).append(' ').append(end(r, c, settle(r, r.resume()))).append('\n');
        }
        // limits as large as the format allows (unsigned fuel and host calls) against the run's counts
        for (long fuel : new long[] {-1L, Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE - 1}) {
            for (long h : new long[] {-1L, Long.MIN_VALUE, Long.MAX_VALUE, hosts, Math.max(0, hosts - 1)}) {
                ExecutionContext c = (fuel ^ h) % 2 == 0 ? shared : new ExecutionContext();
                Run r = vm.start(c, 0, args, Limits.DEFAULT.withFuel(fuel).withMaxHostCalls(h)
                        .withMaxHeapBytes(h == hosts ? heap : Long.MAX_VALUE), sink);
                t.append("large ").append(fuel).append(' ').append(h).append(' ')
                        .append(end(r, c, settle(r, r.resume()))).append('\n');
            }
        }
        // one context shared by both ways in turn, under limits that go up and down (deterministic)
        ExecutionContext both = new ExecutionContext();
        Vm[] turn = {vm, other};
        TraceSink[] turnSinks = {sink, otherSink};
        for (int k = 0; k < 24; k++) {
            Limits limits = switch (k % 4) {
                case 0 -> Limits.DEFAULT.withMaxCallDepth((k * 7L) % (depthTo + 2));
                case 1 -> Limits.DEFAULT.withFuel(used - (k * 13L) % (used + 1));
                case 2 -> Limits.DEFAULT.withMaxHeapBytes(heap - (k * 29L) % (heap + 1));
                default -> Limits.DEFAULT;
            };
            Run r = turn[k % 2].start(both, 0, args, limits, turnSinks[k % 2]);
            t.append("turn ").append(k).append(' ').append(end(r, both, settle(r, r.resume()))).append('\n');
        }
        for (long slice : slices(used)) {
            Vm[] vms = {vm, other};
            TraceSink[] sinks = {sink, otherSink};
            ExecutionContext c = shared;
            Run r = vm.start(c, 0, args, Limits.DEFAULT.withFuel(slice), sink);
            int pause = 0;
            Outcome o = r.resume();
            while (o instanceof Outcome.Paused paused) {
                t.append("slice ").append(slice).append(' ').append(paused.reason().getClass().getSimpleName())
                        .append(' ').append(pause(r)).append('\n');
                if (++pause % 4 == 0) {
                    int k = (pause / 4) % 2;
                    c = new ExecutionContext();
                    r = vms[k].restore(c, r.snapshot(), Limits.DEFAULT, sinks[k]);
                } else if (pause % 6 == 1) {
                    // a fork goes on, on a copy of the context; the original is left paused
                    r = r.fork();
                    c = null;
                }
                if (paused.reason() instanceof PauseReason.HostSuspended h) {
                    // a suspended call (snapshotted, restored or forked as such) is completed
                    o = r.resumeWith(wResults(h.args()));
                } else {
                    r.addFuel(slice);
                    o = r.resume();
                }
            }
            t.append("slice ").append(slice).append(" end ").append(c == null ? end(r, o) : end(r, c, o)).append('\n');
        }
        return t.toString();
    }

    /**
     * @param used the fuel the run uses
     * @return the slice sizes to run it in: 1, 3 and 7 up to 2,000 fuel, else a fortieth and a
     *     seventeenth of it; or the sizes the system property {@code attack.driver.slices} lists
     *     (comma-separated, for a lighter sweep of many programs)
     */
    static long[] slices(long used) {
        String named = System.getProperty("attack.driver.slices");
        if (named != null && !named.isEmpty()) {
            return java.util.Arrays.stream(named.split(",")).mapToLong(x -> Long.parseLong(x.trim())).toArray();
        }
        return used <= 2000 ? new long[] {1, 3, 7} : new long[] {used / 40 + 1, used / 17 + 1};
    }

    /**
     * @param max the largest value
     * @return every value from 0 to {@code max} when that is fewer than 3k of them; else the first
     *     and last k and k spread evenly between, k being 200 or the system property
     *     {@code attack.driver.points} (a lighter sweep of many programs)
     */
    static long[] points(long max) {
        int k = Math.max(2, Integer.getInteger("attack.driver.points", 200));
        if (max < 3L * k) {
            return java.util.stream.LongStream.rangeClosed(0, max).toArray();
        }
        java.util.stream.LongStream mid = java.util.stream.LongStream.range(0, k)
                .map(i -> k + i * (max - 2L * k) / k);
        java.util.stream.LongStream ends = java.util.stream.LongStream.concat(
                java.util.stream.LongStream.range(0, k), java.util.stream.LongStream.rangeClosed(max - k + 1, max));
        return java.util.stream.LongStream.concat(ends, mid).sorted().distinct().toArray();
    }

    private static String pause(Run r) {
        StringBuilder s = new StringBuilder();
        s.append("frames ").append(r.frames()).append(" depth ").append(r.depth()).append(" position ")
                .append(r.position()).append(" fuel ").append(r.fuelRemaining()).append(" hosts ")
                .append(r.hostCallsMade());
        try {
            byte[] snap = r.snapshot();
            s.append(" snapshot ").append(snap.length).append(' ')
                    .append(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(snap)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return s.toString();
    }

    private static String end(Run r, ExecutionContext c, Outcome o) {
        return end(r, o) + " | ctx fuel " + c.fuelRemaining() + " hosts " + c.hostCallsMade() + " heap "
                + c.heapBytesAllocated();
    }

    private static String end(Run r, Outcome o) {
        String what;
        if (o instanceof Outcome.Done d) {
            what = "done " + d.values();
        } else if (o instanceof Outcome.Trapped tr) {
            Trap x = tr.trap();
            what = "trap " + x.kind() + " code " + x.code() + " func " + x.func() + " " + x.funcName() + " pc "
                    + x.pc() + " span " + x.span() + " host " + x.hostSymbol() + " detail " + x.detail()
                    + " message " + x.getMessage() + " stack " + x.stack() + " fuel " + x.fuelRemaining();
        } else {
            what = "paused " + ((Outcome.Paused) o).reason();
        }
        return what + " | run fuel " + r.fuelRemaining() + " hosts " + r.hostCallsMade();
    }

    /** An INSTR trace sink: a run with it is interpreted one instruction at a time. */
    private static final class Instr implements TraceSink {
        @Override
        public int mask() {
            return TraceMask.INSTR;
        }

        @Override
        public void instr(int func, int pc, long span, int opcode) {
            // nothing: its presence is what matters
        }
    }
}
