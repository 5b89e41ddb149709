package dev.tape.vm;

import dev.tape.TapeException;
import dev.tape.host.Host;
import dev.tape.host.HostFailedException;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Attack on the one host-call detail rule on both tiers: a host function that throws what the
 * rule finds hard (an embedder's {@code hostCallDetail} override returning null or throwing an
 * exception or an {@code Error}, a {@code getMessage} that throws, a null
 * {@code HostFailedException} detail, an unpaired surrogate) traps {@code host_call_failed} with
 * the same detail, function, pc and fuel in the interpreter and in compiled code, in a loop's
 * fifth call, and no Java exception escapes either tier.
 */
class AttackHostCallDetailTiersTest {
    static final String SOURCE = """
            program rr
            host next = "env.next" (i64) -> (i64)
            func main(n: i64) -> (sum: i64) {
                const.i64 r2, 0
                const.i64 r3, 0
                const.i64 r4, 1
                jmp loop
            loop:
                i64.lt r5, r3, r1
                br r5, body, done
            body:
                host_call r0, next, r0, [r3] -> [r6]
                i64.add r2, r2, r6
                i64.add r3, r3, r4
                jmp loop
            done:
                ret r0, [r2]
            }
            """;

    private static final class Override extends TapeException {
        private static final long serialVersionUID = 1L;
        private final int how;

        Override(int how) {
            super("override " + how);
            this.how = how;
        }

        @java.lang.Override
        public String hostCallDetail() {
            switch (how) {
                case 0:
                    return null;
                case 1:
                    throw new IllegalStateException("the override failed");
                case 2:
                    throw new AssertionError("an error of the override");
                default:
                    throw this;
            }
        }
    }

    private static final class BadMessage extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @java.lang.Override
        public String getMessage() {
            throw this;
        }
    }

    private static List<Throwable> thrown() {
        List<Throwable> out = new ArrayList<>();
        for (int how = 0; how <= 3; how++) {
            out.add(new Override(how));
        }
        out.add(new BadMessage());
        out.add(new HostFailedException(null));
        out.add(new IllegalStateException("half a pair \uD800"));
        out.add(new AssertionError());
        return out;
    }

    /** A host whose {@code env.next} answers its argument, and throws {@code e} when it is 4. */
    private static Host throwingAt4(Throwable e) {
        HostFunction fn = (args, results, ctx) -> {
            long i = ((Value.I64) args[0]).value();
            if (i == 4) {
                if (e instanceof Error err) {
                    throw err;
                }
                if (e instanceof RuntimeException r) {
                    throw r;
                }
                throw (Exception) e;
            }
            results[0] = Value.i64(i);
        };
        return new HostRegistry().register("env.next", Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)), fn);
    }

    private static String outcome(Vm vm) {
        ExecutionContext ctx = new ExecutionContext();
        try {
            return "ok " + vm.run(ctx, 0, List.of(Value.i64(8)), Limits.DEFAULT, null);
        } catch (Trap t) {
            return t.kind().label() + " " + t.detail() + " func " + t.func() + " pc " + t.pc() + " fuel "
                    + t.fuelRemaining();
        } catch (Throwable escaped) {
            return "escaped " + escaped.getClass().getName();
        }
    }

    @Test
    void bothTiersGiveOneHostCallFailed() {
        VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(SOURCE));
        List<String> wrong = new ArrayList<>();
        for (Throwable e : thrown()) {
            Host h = throwingAt4(e);
            Vm interp = new Vm(vp, h);
            Vm jit = Jit.compile(vp, h);
            assertEquals(1, Jit.precompile(jit));
            String a = outcome(interp);
            String b = outcome(jit);
            if (!a.equals(b) || !a.startsWith("host_call_failed ") || a.startsWith("host_call_failed null ")) {
                wrong.add(e.getClass().getSimpleName() + ": interpreter " + a + " / compiled " + b);
            }
        }
        assertEquals(List.of(), wrong);
    }
}
