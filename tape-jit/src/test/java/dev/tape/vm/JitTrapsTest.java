package dev.tape.vm;

import dev.tape.jit.Jit;
import dev.tape.host.Host;
import dev.tape.testing.TrapPrograms;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Traps at span ids 2^63 and 2^64-1 and with no span, at depths either side of the trap's frame
 * bound, built alike by both tiers (compiled code hands the interpreter its frame records, from
 * which {@link Vm} builds every trap); and a context reused across tiers and depths.
 */
class JitTrapsTest {
    @Test
    void bothTiersReportTheSameSpansAndStackEnds() {
        TrapPrograms.Deep deep = TrapPrograms.deep(true);
        Tiers t = Tiers.of(deep.program(), Host.NONE);
        assertEquals(2, Jit.precompile(t.compiled), "both functions are compiled before the runs");
        // 0 to 100,000 levels: whole stacks, the bound, and far past the 200 compiled frames that
        // nest on the Java stack
        for (int n : new int[] {0, 1, 3, 126, 127, 199, 200, 201, 1_000, 100_000}) {
            Limits limits = Limits.DEFAULT.withMaxCallDepth(n + 2);
            Tiers.Outcome o = t.check(0, List.of(Value.i64(n)), limits, "down(" + n + ")");
            assertTrue(o.trapped());
            assertEquals(TrapKind.DIV_BY_ZERO, o.kind());
            assertEquals(TrapPrograms.SPAN_2_63, o.trap().span(), "n " + n);
            assertEquals(deep.keptStack(n), o.trap().stack(), "n " + n);
            assertEquals(Math.max(0, n + 2 - 2 * Trap.STACK_EDGE), o.trap().elidedFrames(), "n " + n);
            assertTrue(o.trap().message().contains(" span 9223372036854775808: "), o.trap().message());
        }
        // the depth limit: the trap is at the call, under 2^64-1
        Limits tight = Limits.DEFAULT.withMaxCallDepth(500);
        Tiers.Outcome o = t.check(0, List.of(Value.i64(1_000)), tight, "depth limit");
        assertEquals(TrapKind.CALL_DEPTH_EXCEEDED, o.kind());
        assertEquals(TrapPrograms.SPAN_MAX, o.trap().span());
        assertEquals(500 - 2 * Trap.STACK_EDGE, o.trap().elidedFrames());
    }

    @Test
    void compiledRunsLeaveReusedContextsSmallAndEmpty() {
        ContextReuseTest.check(Jit.compile(Tiers.verified(TrapPrograms.deep(false).program()), Host.NONE),
                Jit.compile(Tiers.verified(TrapPrograms.deep(true).program()), Host.NONE));
    }
}
