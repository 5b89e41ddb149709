package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Deep results on both tiers: the same value, the same whole literal and deep equality, with no
 * depth bound but the heap (the reference returns tuples 1,500 deep; the literal and equality walks
 * use heap stacks, so 100,000 deep works on a 256 KiB thread stack).
 */
class DeepResultsTiersTest {
    private static String nested(int depth) {
        return "tuple(".repeat(depth) + "tuple()" + ")".repeat(depth);
    }

    /** Function 0, {@code (n: i64) -> agg}: n times {@code t = (t)} from {@code t = ()}; function 1 returns its argument. */
    private static Tiers program() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(ValueType.I64), List.of(ValueType.AGG));
        FunctionBuilder.Label head = f.newLabel();
        FunctionBuilder.Label body = f.newLabel();
        FunctionBuilder.Label done = f.newLabel();
        f.tupleNew(2).constI64(3, 0).constI64(4, 1).jmp(head);
        f.place(head).i64Gt(5, 1, 3).br(5, body, done);
        f.place(body).tupleNew(2, 2).i64Sub(1, 1, 4).jmp(head);
        f.place(done).ret(0, 2);
        pb.addFunction(List.of(ValueType.AGG), List.of(ValueType.AGG)).ret(0, 1);
        return Tiers.of(pb.build(), Host.NONE);
    }

    @Test
    void aFifteenHundredDeepTupleIsTheSameOnBothTiers() {
        Tiers.Outcome o = program().check(0, List.of(Value.i64(1500)), Limits.DEFAULT, "a 1,500-deep tuple");
        assertFalse(o.trapped());
        assertEquals(List.of(nested(1500)), o.literals());
        assertEquals(ValueLiteral.parse(nested(1500)), o.results().get(0));
        assertNotEquals(ValueLiteral.parse(nested(1501)), o.results().get(0));
    }

    @Test
    void aHundredThousandDeepTupleIsBuiltComparedAndShownOnASmallStack() throws Exception {
        Tiers t = program();
        Object got = Tiers.onThread(256 * 1024, () -> {
            Tiers.Outcome built = t.check(0, List.of(Value.i64(100_000)), Limits.DEFAULT, "a 100,000-deep tuple");
            Tiers.Outcome echoed = t.check(1, List.of(ValueLiteral.parse(nested(100_000))), Limits.DEFAULT,
                    "a 100,000-deep argument returned");
            assertEquals(built.results(), echoed.results());
            return built.literals();
        });
        if (got instanceof Throwable e) {
            throw new AssertionError("failed on a 256 KiB stack", e);
        }
        assertEquals(List.of(nested(100_000)), got);
    }
}
