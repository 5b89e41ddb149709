package dev.tape.vm;

import dev.tape.jit.Jit;
import dev.tape.host.Host;
import dev.tape.program.Program;
import dev.tape.testing.EmptyBodyPrograms;
import dev.tape.testing.RegClassVectors;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Both tiers on functions with empty bodies (the same trap in every field, at every fuel limit
 * around the run's need) and on programs with unreachable code that the stricter register-class
 * check accepts.
 */
class JitEmptyBodyTest {
    private static Tiers compiledAll(Program p) {
        Tiers t = Tiers.of(p, Host.NONE);
        assertEquals(p.functions().size(), Jit.precompile(t.compiled), "every function is compiled");
        return t;
    }

    @Test
    void emptyBodiesTrapTheSameOnBothTiers() {
        record Case(String name, Program p, int entry) {}
        List<Case> cases = List.of(new Case("uncalled, entry 0", EmptyBodyPrograms.uncalled(), 0),
                new Case("uncalled, entry 1", EmptyBodyPrograms.uncalled(), 1),
                new Case("direct", EmptyBodyPrograms.direct(), 0),
                new Case("indirect", EmptyBodyPrograms.indirect(), 0),
                new Case("closure", EmptyBodyPrograms.closure(), 0));
        for (Case c : cases) {
            Tiers t = compiledAll(c.p());
            Tiers.Outcome full = t.check(c.entry(), List.of(), Limits.DEFAULT, c.name());
            if (!c.name().equals("uncalled, entry 0")) {
                assertEquals(TrapKind.INVALID_ENTRY, full.kind(), c.name());
                assertEquals(1, full.trap().func(), c.name());
                assertEquals(0, full.trap().pc(), c.name());
            }
            long used = full.used(Limits.DEFAULT);
            for (long fuel = 0; fuel <= used + 2; fuel++) {
                t.check(c.entry(), List.of(), Limits.DEFAULT.withFuel(fuel), c.name() + " fuel " + fuel);
            }
            for (int depth = 1; depth <= 3; depth++) {
                t.check(c.entry(), List.of(), Limits.DEFAULT.withMaxCallDepth(depth), c.name() + " depth " + depth);
            }
        }
    }

    @Test
    void unreachableCodeThatFitsRunsTheSameOnBothTiers() {
        int n = 0;
        for (RegClassVectors.Vector v : RegClassVectors.all()) {
            if (v.refusal() != null) {
                continue;
            }
            Tiers t = compiledAll(v.program());
            Tiers.Outcome o = t.check(0, List.of(new Value.Obj(7, 1)), Limits.DEFAULT, v.name());
            assertEquals(List.of(Value.i64(7)), o.results(), v.name());
            n++;
        }
        assertEquals(true, n > 100, "accepted vectors: " + n);
    }
}
