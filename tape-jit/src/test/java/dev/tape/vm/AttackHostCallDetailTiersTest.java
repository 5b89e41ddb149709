package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.host.HostFailedException;
import dev.tape.jit.Jit;
import dev.tape.testing.NextHost;
import dev.tape.testing.NextHost.BadMessage;
import dev.tape.testing.NextHost.Override;
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
    static final String SOURCE = NextHost.SOURCE;

    private static List<Throwable> thrown() {
        List<Throwable> out = new ArrayList<>();
        // null, an exception, an Error, itself
        for (int how : new int[] {0, 1, 2, 4}) {
            out.add(new Override(how));
        }
        out.add(new BadMessage(true));
        out.add(new HostFailedException(null));
        out.add(new IllegalStateException("half a pair \uD800"));
        out.add(new AssertionError());
        return out;
    }

    /** A host whose {@code env.next} answers its argument, and throws {@code e} when it is 4. */
    private static Host throwingAt4(Throwable e) {
        return NextHost.throwing(e, 4);
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
