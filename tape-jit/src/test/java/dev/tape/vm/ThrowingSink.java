package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.program.Program;
import dev.tape.testing.NextHost;
import dev.tape.trace.TraceSink;
import dev.tape.verify.VerifiedProgram;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The fixture of the trace-sink failure tests ({@link AttackSinkErrorTest},
 * {@link AttackSinkErrorReuseTest}, {@link AttackRunEndTest}): a sink that asks for a mask, throws
 * a given {@code Error} or {@code RuntimeException} at the callbacks it is told and counts every
 * callback's calls; the program they run and its two tiers.
 */
final class ThrowingSink implements TraceSink {
    /** main calls f, which calls the host {@code env.next} (see {@link #tiers}): a call, a host call, a result */
    static final String SOURCE = """
            program sk
            host next = "env.next" (i64) -> (i64)
            func main(n: i64) -> (r: i64) {
                call r0, f, r0, [r1] -> [r2]
                ret r0, [r2]
            }
            func f(n: i64) -> (r: i64) {
                host_call r0, next, r0, [r1] -> [r2]
                ret r0, [r2]
            }
            """;

    private final int mask;
    /** callback name -> what it throws */
    private final Map<String, Supplier<? extends Throwable>> throwing = new HashMap<>();
    /** callback name -> its calls so far */
    private final Map<String, Integer> calls = new HashMap<>();

    private ThrowingSink(int mask) {
        this.mask = mask;
    }

    /**
     * A sink asking for {@code mask} that throws {@code e.get()} (an {@code Error} or a
     * {@code RuntimeException}) at its callback {@code at} (a method name of {@link TraceSink}).
     */
    static ThrowingSink at(String at, int mask, Supplier<? extends Throwable> e) {
        return new ThrowingSink(mask).and(at, e);
    }

    /** @return this sink, throwing {@code e.get()} at its callback {@code at} too */
    ThrowingSink and(String at, Supplier<? extends Throwable> e) {
        throwing.put(at, e);
        return this;
    }

    /** @return the calls of the callback {@code name} so far, the throwing ones included */
    int calls(String name) {
        return calls.getOrDefault(name, 0);
    }

    /**
     * The interpreter and the compiled tier (precompiled) on an assembled program whose host
     * {@code env.next} returns its argument.
     */
    static Vm[] tiers(String source) {
        VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(source));
        Host h = NextHost.of((args, results, ctx) -> results[0] = args[0]);
        Vm jit = Jit.compile(vp, h);
        Jit.precompile(jit);
        return new Vm[] {new Vm(vp, h), jit};
    }

    private void maybe(String name) {
        calls.merge(name, 1, Integer::sum);
        Supplier<? extends Throwable> e = throwing.get(name);
        if (e != null) {
            Throwable t = e.get();
            if (t instanceof Error err) {
                throw err;
            }
            throw (RuntimeException) t;
        }
    }

    @Override
    public int mask() {
        maybe("mask");
        return mask;
    }

    @Override
    public void runStart(Program program, int entry, int argCount) {
        maybe("runStart");
    }

    @Override
    public void runEnd(Program program, boolean trapped, long fuelUsed) {
        maybe("runEnd");
    }

    @Override
    public void instr(int func, int pc, long span, int opcode) {
        maybe("instr");
    }

    @Override
    public void callEnter(int func, int depth) {
        maybe("callEnter");
    }

    @Override
    public void callExit(int func, int depth) {
        maybe("callExit");
    }

    @Override
    public void hostEnter(int hostSig, String symbol, int func, int pc) {
        maybe("hostEnter");
    }

    @Override
    public void hostExit(int hostSig, String symbol) {
        maybe("hostExit");
    }
}
