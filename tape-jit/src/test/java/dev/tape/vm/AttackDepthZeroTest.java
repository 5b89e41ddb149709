package dev.tape.vm;

import dev.tape.host.ConformanceHost;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Attack on the u64 limits: {@code max_call_depth} is a {@code usize} in the reference and 0 is a
 * legal value. The reference's {@code run_body} (vm.rs) pushes the entry frame WITHOUT a depth
 * check and only {@code call} checks {@code if ctx.frames.len() >= max_call_depth} (then traps
 * {@code CallDepthExceeded} at the call). So with a depth of 0 a program that makes no call runs to
 * its result, and one that calls traps at the call exactly as with a depth of 1. This is the "one
 * below the exact need" case for every call-free program. Here {@code new Limits(...)} throws
 * {@code IllegalArgumentException} for a depth of 0 (and the CLI and the conformance runner refuse
 * it as an error), so these runs never happen.
 */
class AttackDepthZeroTest {
    static final String NOCALL = """
            program nocall
            func main() -> (i64) {
                const.i64 r1, 7
                ret r0, [r1]
            }
            """;

    @Test
    void aDepthOfZeroRunsACallFreeProgramOnBothTiers() {
        Tiers t = Tiers.of(UnsignedLimitsTest.asm(NOCALL), new ConformanceHost());
        Tiers.Outcome o = t.check(0, List.of(), Limits.DEFAULT.withMaxCallDepth(0), "depth 0");
        assertNull(o.trap(), o.toString());
        assertEquals(List.of(Value.i64(7)), o.results());
    }

    @Test
    void aDepthOfZeroTrapsAtTheFirstCallLikeADepthOfOne() {
        Tiers t = Tiers.of(UnsignedLimitsTest.asm(UnsignedLimitsTest.DOWN), new ConformanceHost());
        Tiers.Outcome one = t.check(0, List.of(Value.i64(3)), Limits.DEFAULT.withMaxCallDepth(1), "depth 1");
        assertEquals(TrapKind.CALL_DEPTH_EXCEEDED, one.kind(), one.toString());
        Tiers.Outcome zero = t.check(0, List.of(Value.i64(3)), Limits.DEFAULT.withMaxCallDepth(0), "depth 0");
        // the same trap, place, stack and fuel; only the detail names the limit (1 or 0)
        assertEquals(one.toString().replace("the limit is 1", "the limit is 0"), zero.toString());
    }
}
