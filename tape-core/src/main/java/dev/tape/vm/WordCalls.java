package dev.tape.vm;

import dev.tape.host.WordFunction;
import dev.tape.jfr.TapeEvents;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.trace.TraceMask;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * {@code host_call}s of {@link WordFunction}s bound to their own signature
 * ({@link Vm#hostWords}): the steps of {@link Calls#host} ({@link Calls#begin}, {@code invoke},
 * {@code result}) with words instead of boxed values. Both tiers go through these: the
 * interpreter through {@link #quick} when the call is neither traced nor possibly recorded and
 * under its limit, else through {@link #host}; compiled code through {@link #call1}, {@link #call2},
 * {@link #call3} (with the function as a constant handle of the calling class, {@link #handle}), or
 * {@link #words}, {@link #callWords} and {@link #result}.
 *
 * <p>Observables are those of a boxed call of the same function: the host-call count and limit,
 * the copy budget, trace events, the fuel the context shows and the charges it takes, suspension,
 * and the trap of a function that throws ({@link Calls#failed}). When a recording wants
 * {@code dev.tape.HostCall} events the call goes through the function's boxed view inside the
 * event, as any host function's does. A word function's results need no type check: its shape
 * and signature were checked against each other when it was made, and {@link Vm} binds it only to
 * that signature. A {@code bool} result is stored as 1 when its word is not 0.
 */
final class WordCalls {
    private WordCalls() {}

    /**
     * The interpreter's {@code host_call} ([op, sig, argc, args..., retc, rets...] at {@code ip})
     * of a word function.
     *
     * @param fuelLeft the fuel left once the host_call itself is paid for (0 when negative)
     * @return the extra fuel the host charged, as {@link Calls#host} returns it
     */
    static long host(Vm vm, ExecutionContext c, int[] code, int ip, int base, long fuelLeft, WordFunction fn) {
        int sigId = code[ip + 1];
        long[] w = c.w;
        int argc = code[ip + 2];
        int at = ip + 4 + argc;
        int shape = fn.shape();
        if (shape != WordFunction.WORDS) {
            Calls.count(vm, c, sigId);
            long a = w[base + code[ip + 3]];
            long b = shape >= WordFunction.OF2 ? w[base + code[ip + 4]] : 0;
            long d = shape == WordFunction.OF3 ? w[base + code[ip + 5]] : 0;
            c.w[base + code[at]] = stored(vm, sigId, 0, apply(vm, c, sigId, ip, fuelLeft, fn, a, b, d));
            return 0;
        } else {
            Calls.Site site = Calls.begin(vm, c, sigId);
            long[] args = words(site);
            for (int i = 0; i < argc; i++) {
                args[i] = w[base + code[ip + 3 + i]];
            }
            callWords(vm, c, site, sigId, ip, fuelLeft);
            if (c.hostSuspended) {
                throw Calls.SUSPENDED;
            }
            int retc = code[at - 1];
            for (int i = 0; i < retc; i++) {
                c.w[base + code[at + i]] = result(vm, site, sigId, i);
            }
            return c.absorb(site.charged);
        }
    }

    /** The bit of {@link Vm#hostQuick} for a function whose result is a {@code bool}. */
    static final int QUICK_BOOL = 8;

    /**
     * @param fn a signature's word function, or null
     * @param rets the signature's result types
     * @return its {@link Vm#hostQuick} entry: the shape of a one-to-three-word function (one
     *     result, which {@link WordFunction#fits} checked), with {@link #QUICK_BOOL} for a
     *     {@code bool} result; 0 for null or a {@link WordFunction#WORDS} function
     */
    static byte quickShape(WordFunction fn, ValueType[] rets) {
        if (fn == null || fn.shape() == WordFunction.WORDS) {
            return 0;
        }
        return (byte) (fn.shape() | (rets[0].kind() == ValueKind.BOOL ? QUICK_BOOL : 0));
    }

    /**
     * The interpreter's {@code host_call} ([op, sig, argc, args..., retc, rets...] at {@code ip})
     * of a one-to-three-word function in the common case: the call is not traced, no recording
     * wanted {@code dev.tape.HostCall} events at the run's last look
     * ({@link ExecutionContext#hostCallsWanted}) and the run is under its host-call limit. Otherwise it does
     * nothing and returns -1, and the caller takes {@link Calls#host}, which handles every case
     * (it would do here what this method does, through more calls and lookups). The observables
     * are those of {@link #host}: the call is counted before the function runs; its argument and
     * result are within the copy budget's free values (at most 4 against
     * {@link ExecutionContext#FREE_VALUES}); no fuel is charged; a throwing function traps
     * {@code host_call_failed} at the call ({@link Calls#failed}). The function sees no context,
     * so unboxed decimals ({@link DecScale}) stay as they are: {@link Calls#host} boxes them only
     * for a host that may inspect or suspend the context, and a trap boxes them when it saves.
     *
     * <p>Kept small: C2 compiles it on its own with the function's call inlined when the site sees
     * one function (in the general mode of a JVM that has run many programs, {@code execute} has no
     * inlining budget left for it), and the interpreter's one call here replaces {@link Calls#host}'s
     * larger one with its lookups, decimal boxing, fuel argument and register-file reloads
     * (docs/PERFORMANCE-LOG.md, "Host calls in the general mode").
     *
     * @param w the word register file
     * @return the global ip after the call, or -1 when the caller must take {@link Calls#host}
     */
    static int quick(Vm vm, ExecutionContext c, int[] code, int ip, int base, long[] w) {
        int sigId = code[ip + 1];
        int quick = vm.hostQuick[sigId];
        if (quick == 0 || (c.mask & TraceMask.HOST) != 0 || c.hostCallsWanted
                || Long.compareUnsigned(c.hostCalls, c.limits.maxHostCalls()) >= 0) {
            return -1;
        }
        c.hostCalls++;
        Object f = vm.hostQuickFns[sigId];
        long a = w[base + code[ip + 3]];
        long result;
        try {
            int shape = quick & 3;
            if (shape == WordFunction.OF1) {
                result = ((WordFunction.Of1) f).apply(a);
            } else if (shape == WordFunction.OF2) {
                result = ((WordFunction.Of2) f).apply(a, w[base + code[ip + 4]]);
            } else {
                result = ((WordFunction.Of3) f).apply(a, w[base + code[ip + 4]], w[base + code[ip + 5]]);
            }
        } catch (Throwable e) {
            throw Calls.failed(e, c.site(vm, sigId));
        }
        int at = ip + 4 + code[ip + 2];
        w[base + code[at]] = (quick & QUICK_BOOL) == 0 ? result : result != 0 ? 1 : 0;
        return at + 1;
    }

    /**
     * Whether a recording wants a {@code dev.tape.HostCall} event for a one-to-three-word call:
     * {@link TapeEvents#hostCallsRecorded}, asked only when a recording wanted them when the run
     * last looked ({@link ExecutionContext#hostCallsWanted}: at its start and at each
     * {@code Run.resume}, {@code step} or {@code resumeWith}). {@code FlightRecorder.isInitialized()}
     * is a volatile read: at every call it kept C2 from keeping any of the context's fields of a
     * compiled loop in registers (host_loop took twice the time); the context's plain field is
     * read once per loop. So, on both tiers alike (the interpreter's quick call is off exactly when
     * the field is set, and its other word calls come here, as compiled code's do): when no
     * recording wanted the events at the run's last look, a recording that starts wanting them
     * while a run is going (the JVM's first or a later one, or a running one whose settings turn
     * {@code dev.tape.HostCall} on) records that run's word calls from the run's next resume (a
     * one-shot {@link Vm#run}: none of them); when one did (even one stopped since), every call
     * asks, so each recording gets the calls of its own time; one that stops wanting them
     * mid-stretch gets none from its next call on. The driver's polls between stretches do not
     * look: they come at other points on each tier.
     */
    static boolean recorded(ExecutionContext c) {
        return c.hostCallsWanted && TapeEvents.hostCallsRecorded();
    }

    /** Sets the site up for one call and reports its start to a tracing sink. */
    private static void enter(Vm vm, ExecutionContext c, Calls.Site site, int sigId, int ip, long fuelLeft) {
        site.open(vm, c, ip, fuelLeft);
        if ((c.mask & TraceMask.HOST) != 0) {
            c.sink.hostEnter(sigId, site.symbol, site.callerFunction(), site.callerPc());
        }
    }

    /** Reports the call's end to a tracing sink, and marks the run suspended when the function asked. */
    private static void exit(ExecutionContext c, Calls.Site site, int sigId) {
        if ((c.mask & TraceMask.HOST) != 0) {
            c.sink.hostExit(sigId, site.symbol);
        }
        if (site.suspend) {
            site.suspend = false;
            c.defer(c.absorb(site.charged));
            site.charged = 0;
            c.hostSuspended = true;
        }
    }

    /** A {@code bool} result as the registers hold it (0 or 1); other words as they are. */
    private static long stored(Vm vm, int sigId, int j, long word) {
        return vm.hostRetTypes[sigId][j].kind() == ValueKind.BOOL ? (word != 0 ? 1 : 0) : word;
    }

    /**
     * The interpreter's call of a one-to-three-word function: through its object, or
     * {@link #slow} when the call is traced or recorded by JFR.
     *
     * @return the result's word as the function returned it
     */
    private static long apply(Vm vm, ExecutionContext c, int sigId, int ip, long fuelLeft, WordFunction fn, long a,
                              long b, long d) {
        if ((c.mask & TraceMask.HOST) != 0 || recorded(c)) {
            return slow(vm, c, c.site(vm, sigId), sigId, ip, fuelLeft, fn.shape(), a, b, d);
        }
        try {
            return switch (fn.shape()) {
                case WordFunction.OF1 -> ((WordFunction.Of1) fn.function()).apply(a);
                case WordFunction.OF2 -> ((WordFunction.Of2) fn.function()).apply(a, b);
                default -> ((WordFunction.Of3) fn.function()).apply(a, b, d);
            };
        } catch (Throwable e) {
            throw Calls.failed(e, c.site(vm, sigId));
        }
    }

    /**
     * Compiled code's call of an {@link WordFunction#OF1} function of host signature {@code sigId},
     * counted by the calling method ({@link #threshold}; the call's site is looked up only when
     * the call is traced, recorded or fails). A one-to-three-word function sees no context: it cannot charge
     * fuel or suspend, and what a context would tell it is set up only for a trace sink
     * ({@link #slow}).
     *
     * @param ip the host_call's global ip
     * @param fuelLeft the fuel left once the host_call itself is paid for (0 when negative)
     * @param h the function as a handle ({@link #handle}): a constant of the calling class
     * @param a the argument's word
     * @return the result's word as the function returned it (a bool result goes through {@link #bool})
     * @throws VmTrap {@code host_call_failed} when the function throws
     */
    static long call1(Vm vm, ExecutionContext c, int sigId, int ip, long fuelLeft, MethodHandle h, long a) {
        if ((c.mask & TraceMask.HOST) != 0 || recorded(c)) {
            return slow(vm, c, c.site(vm, sigId), sigId, ip, fuelLeft, WordFunction.OF1, a, 0, 0);
        }
        try {
            return (long) h.invokeExact(a);
        } catch (Throwable e) {
            throw Calls.failed(e, c.site(vm, sigId));
        }
    }

    /** {@link #call1} of an {@link WordFunction#OF2} function. */
    static long call2(Vm vm, ExecutionContext c, int sigId, int ip, long fuelLeft, MethodHandle h, long a, long b) {
        if ((c.mask & TraceMask.HOST) != 0 || recorded(c)) {
            return slow(vm, c, c.site(vm, sigId), sigId, ip, fuelLeft, WordFunction.OF2, a, b, 0);
        }
        try {
            return (long) h.invokeExact(a, b);
        } catch (Throwable e) {
            throw Calls.failed(e, c.site(vm, sigId));
        }
    }

    /** {@link #call1} of an {@link WordFunction#OF3} function. */
    static long call3(Vm vm, ExecutionContext c, int sigId, int ip, long fuelLeft, MethodHandle h, long a, long b,
                      long d) {
        if ((c.mask & TraceMask.HOST) != 0 || recorded(c)) {
            return slow(vm, c, c.site(vm, sigId), sigId, ip, fuelLeft, WordFunction.OF3, a, b, d);
        }
        try {
            return (long) h.invokeExact(a, b, d);
        } catch (Throwable e) {
            throw Calls.failed(e, c.site(vm, sigId));
        }
    }

    /**
     * The host-call threshold of a compiled method that keeps the count of its one-to-three-word
     * host calls in a local ({@code HostCount} in tape-jit): a block with such calls runs only
     * while the fuel left after it is at least the threshold. That is the fuel less the room left
     * under the host-call limit (each such call is an instruction, so the fuel goes down at least
     * as fast as the room), and at least 0, so the test also covers the block's fuel; the fuel
     * itself when it is not current (negative), so that every such block hands over.
     *
     * @param c the run's context
     * @param fuel the fuel local, 0 or more, or -1
     * @param pending the method's calls not yet added to {@link ExecutionContext#hostCalls}
     * @return the threshold, 0 to {@code fuel}, or {@code fuel} when it is negative
     */
    static long threshold(ExecutionContext c, long fuel, long pending) {
        // the count never passes the limit: the room, read as unsigned, is 0 or more
        long room = c.limits.maxHostCalls() - c.hostCalls - pending;
        return fuel < 0 ? fuel : Long.compareUnsigned(room, fuel) >= 0 ? 0 : fuel - room;
    }

    /** @return a bool result's word as its register holds it: 1 when {@code word} is not 0, else 0 */
    static long bool(long word) {
        return word != 0 ? 1 : 0;
    }

    /**
     * A call of a one-to-three-word function that is traced or recorded by JFR: the site is set
     * up as for any host call (the trace sink asks for the caller), and a JFR recording gets the
     * call through the function's boxed view inside its event.
     */
    private static long slow(Vm vm, ExecutionContext c, Calls.Site site, int sigId, int ip, long fuelLeft, int shape,
                             long a, long b, long d) {
        enter(vm, c, site, sigId, ip, fuelLeft);
        long r;
        if (TapeEvents.hostCallsRecorded()) {
            long[] words = shape == WordFunction.OF1 ? new long[] {a}
                    : shape == WordFunction.OF2 ? new long[] {a, b} : new long[] {a, b, d};
            r = recorded(vm, site, sigId, words)[0];
        } else {
            WordFunction fn = vm.hostWords[sigId];
            try {
                r = switch (shape) {
                    case WordFunction.OF1 -> ((WordFunction.Of1) fn.function()).apply(a);
                    case WordFunction.OF2 -> ((WordFunction.Of2) fn.function()).apply(a, b);
                    default -> ((WordFunction.Of3) fn.function()).apply(a, b, d);
                };
            } catch (Throwable e) {
                throw Calls.failed(e, site);
            }
        }
        exit(c, site, sigId);
        return r;
    }

    /**
     * @param fn a word function of one to three words
     * @return it as a handle of type {@code (long...) -> long}, bound to it
     * @throws IllegalArgumentException when it is null or a {@link WordFunction#WORDS} function
     */
    static MethodHandle handle(WordFunction fn) {
        if (fn == null || fn.shape() == WordFunction.WORDS) {
            throw new IllegalArgumentException("no word function of one to three words: " + fn);
        }
        int n = fn.shape();
        Class<?> type = n == WordFunction.OF1 ? WordFunction.Of1.class
                : n == WordFunction.OF2 ? WordFunction.Of2.class : WordFunction.Of3.class;
        Class<?>[] params = new Class<?>[n];
        java.util.Arrays.fill(params, long.class);
        try {
            return MethodHandles.publicLookup().findVirtual(type, "apply", MethodType.methodType(long.class, params))
                    .bindTo(fn.function());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @return the site's reusable argument words of a {@link WordFunction#WORDS} call, for the
     *     caller to fill before {@link #callWords}
     */
    static long[] words(Calls.Site site) {
        return site.wordArgs;
    }

    /**
     * Calls a {@link WordFunction#WORDS} function with the words in {@link #words}; its results
     * are then {@link #result}s, unless it suspended the run ({@link ExecutionContext#hostSuspended}).
     *
     * @throws VmTrap {@code host_call_failed} when the function throws
     */
    static void callWords(Vm vm, ExecutionContext c, Calls.Site site, int sigId, int ip, long fuelLeft) {
        long[] results = site.wordResults;
        java.util.Arrays.fill(results, 0);
        enter(vm, c, site, sigId, ip, fuelLeft);
        if (TapeEvents.hostCallsRecorded()) {
            long[] r = recorded(vm, site, sigId, site.wordArgs.clone());
            System.arraycopy(r, 0, results, 0, results.length);
        } else {
            try {
                ((WordFunction.Words) vm.hostWords[sigId].function()).call(site.wordArgs, results, site);
            } catch (Throwable e) {
                throw Calls.failed(e, site);
            }
        }
        exit(c, site, sigId);
    }

    /** @return result {@code j} of the last {@link #callWords}, as its register holds it */
    static long result(Vm vm, Calls.Site site, int sigId, int j) {
        return stored(vm, sigId, j, site.wordResults[j]);
    }

    /**
     * A call while a recording wants {@code dev.tape.HostCall} events: through the function's
     * boxed view inside the event, as {@link Calls} makes any host call then.
     *
     * @return the results' words
     */
    private static long[] recorded(Vm vm, Calls.Site site, int sigId, long[] words) {
        ValueKind[] kinds = vm.hostArgKinds[sigId];
        Value[] args = new Value[words.length];
        for (int i = 0; i < args.length; i++) {
            args[i] = Aggregate.fromWord(kinds[i], words[i]);
        }
        Value[] results = new Value[vm.hostRetTypes[sigId].length];
        java.util.Arrays.fill(results, Value.UNIT);
        try {
            TapeEvents.hostCall(vm.hostWords[sigId], args, results, site, site.symbol, site.sigHash);
        } catch (Throwable e) {
            throw Calls.failed(e, site);
        }
        long[] out = new long[results.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Aggregate.wordOf(results[i]);
        }
        return out;
    }
}
