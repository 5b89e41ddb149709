package dev.tape.jit;

import dev.tape.host.Host;
import dev.tape.program.ProgramDecoder;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.vm.Limits;
import dev.tape.vm.Vm;
import dev.tape.vm.VmOptions;
import dev.tape.vm.internal.CompilerAccess;

import jdk.jfr.FlightRecorder;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The compiled tier's one-time warm-up (issue 14, first runs): a daemon thread that compiles and
 * runs a tiny fixed program on a throwaway VM, so that the JVM loads, verifies and initialises ASM
 * (about 10 ms of CPU: its classes are class-file version 49, which HotSpot checks with its old
 * type-inferring verifier), the generator's classes and the compiled tier's runtime, defines a
 * first hidden class, and spins the method-handle forms that a first compile and a first compiled
 * run use, while the embedder's thread does other work (decoding, verifying, binding, its own
 * start-up). A first compile that comes later finds them ready; one that comes while the thread
 * works loads what it needs itself (the JVM loads each class once, whichever thread asks first).
 *
 * <p>Started at most once per JVM ({@link #start()}, from {@link Jit#warmUp()} and every
 * {@link Jit#compile}); a daemon, so it never keeps a JVM alive. Nothing depends on it: it shares no
 * state with any other VM (its VM, program, context and thread-locals are its own, and neither
 * tape-core nor tape-jit keeps mutable static state), so a VM's outcomes are the same whether it
 * has finished, is running, or never ran. Bounded: one fixed 233-byte program of two functions,
 * compiled once (two small classes), one run of at most a few thousand instructions under
 * {@link Limits#DEFAULT}. Failure-free: every {@link Throwable} it meets (no thread to be had, an
 * {@code OutOfMemoryError}, a class the JVM refuses) ends it quietly. When a JFR recording has been
 * started in the JVM ({@link FlightRecorder#isInitialized()}) it does nothing, so that a recording
 * holds no {@code dev.tape.Compile} or {@code dev.tape.Run} event of its program (named
 * {@code tape-jit-warmup}) unless one starts during its few milliseconds.
 */
final class Warmup {
    private Warmup() {}

    /** the thread's name */
    static final String THREAD_NAME = "tape-jit-warmup";

    /**
     * The program the warm-up compiles and runs, in the v1 container: {@code fib} (recursive calls)
     * and {@code sum} (a loop that calls {@code fib}); {@code WarmupTest} checks that it is the
     * encoding of that test's assembly source.
     */
    static final byte[] PROGRAM = {
        69, 88, 84, 65, 80, 69, 0, 0, 0, 0, 1, 0, 1, 41, 7, 0, 15, 116, 97, 112,
        101, 45, 106, 105, 116, 45, 119, 97, 114, 109, 117, 112, 3, 102, 105, 98, 1, 110, 6, 114,
        101, 115, 117, 108, 116, 3, 115, 117, 109, 5, 116, 111, 116, 97, 108, 2, 1, 0, 3, 3,
        0, 0, 0, 5, 118, 2, 58, 18, 2, 2, 41, 3, 1, 2, 64, 3, -109, -128, -128, -128,
        0, -105, -128, -128, -128, 0, 81, 0, 1, 1, 18, 4, 1, 33, 5, 1, 4, 80, 0, 0,
        0, 1, 5, 1, 6, 33, 7, 1, 2, 80, 0, 0, 0, 1, 7, 1, 8, 32, 9, 6,
        8, 81, 0, 1, 9, 57, 18, 2, 0, 18, 3, 0, 18, 4, 1, 65, -113, -128, -128, -128,
        0, 41, 5, 2, 1, 64, 5, -97, -128, -128, -128, 0, -75, -128, -128, -128, 0, 80, 0, 0,
        0, 1, 2, 1, 6, 32, 3, 3, 6, 32, 2, 2, 4, 65, -113, -128, -128, -128, 0, 81,
        0, 1, 3, 6, 3, 2, 0, 0, 4, 11, 2, 1, 1, 10, 0, 0, 1, 1, 7, 1,
        1, 7, 17, 2, 1, 2, 1, 3, 1, 2, 1, 4, 1, 2, 1, 3, 1, 2, 1, 6,
        8, 1, 0, 9, 8, 1, 1, 2, 0, 2, 1, 5, 0,
    };

    /** {@code sum}'s function id in {@link #PROGRAM} */
    static final int SUM = 1;

    /** {@code sum}'s argument in the warm-up run: {@code sum(12)} = fib(0) + ... + fib(11) = 232 */
    static final long N = 12;

    /** set once the thread has been started (or its start attempted) */
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    /**
     * Starts the warm-up thread the first time it is called in this JVM; later calls do nothing.
     * Returns at once. Never throws.
     *
     * @return the thread it started, or null when it started none (a later call, or no thread to be
     *     had)
     */
    static Thread start() {
        if (STARTED.get() || !STARTED.compareAndSet(false, true)) {
            return null;
        }
        try {
            // an anonymous class, not a lambda: no invokedynamic call site to link on the caller's thread
            Thread t = new Thread(new Runnable() {
                @Override
                public void run() {
                    Warmup.run();
                }
            }, THREAD_NAME);
            t.setDaemon(true);
            t.start();
            return t;
        } catch (Throwable e) {
            // no thread: the first compile loads what it needs itself
            return null;
        }
    }

    /**
     * The thread's work, also callable on any thread (tests): compiles and runs {@link #PROGRAM} on
     * a VM of its own, then spins the invoker form of the compiled tier's entry call. Never throws.
     *
     * @return true when all of it ran, false when it stopped early (a JFR recording started, or any
     *     failure)
     */
    static boolean run() {
        try {
            if (FlightRecorder.isInitialized()) {
                return false;
            }
            VerifiedProgram program = Verifier.verify(ProgramDecoder.decode(PROGRAM));
            Vm vm = CompilerAccess.get().compile(program, Host.NONE, VmOptions.DEFAULT, JitCompiler.INSTANCE);
            if (FlightRecorder.isInitialized()) {
                return false;
            }
            List<Value> r = vm.run(SUM, List.of(Value.i64(N)), Limits.DEFAULT);
            // JitTier.run's invokeExact of a (Vm, ExecutionContext, int x 5)long handle: the form is
            // made per erased type, so a handle of the same erasure spins the one the first run uses
            MethodHandle h = MethodHandles.lookup().findStatic(Warmup.class, "entryShape",
                    MethodType.methodType(long.class, Object.class, Object.class, int.class, int.class, int.class,
                            int.class, int.class));
            long shape = (long) h.invokeExact((Object) null, (Object) null, 0, 0, 0, 0, 0);
            return shape == 0 && r.size() == 1 && r.get(0).equals(Value.i64(232));
        } catch (Throwable e) {
            // a failure here must never surface: the first compile does the same work itself
            return false;
        }
    }

    /** the target of {@link #run()}'s handle: the erased shape of a compiled method's entry */
    @SuppressWarnings("unused") // called through a method handle
    private static long entryShape(Object vm, Object context, int base, int depth, int stack, int func, int resume) {
        return base + depth + stack + func + resume;
    }
}
