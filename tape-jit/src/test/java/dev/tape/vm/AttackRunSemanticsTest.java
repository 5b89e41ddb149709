package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Run-time semantics that conf16's reference tests did not pin down, found by planting bugs
 * (attack-a16): a host that gives a value for a {@code unit} result. The reference's interpreter
 * ({@code vm.rs}, {@code Vm::run}: "host calls are a trust boundary, so the VM validates host ABI
 * conformance (return arity and return types) at runtime"; {@code ExecInstr::HostCall} checks each
 * result slot with {@code check_type} against the signature's result type) traps
 * {@code type_mismatch} at the host_call, after its one unit of fuel; on both tiers.
 */
class AttackRunSemanticsTest {
    private static final String PROGRAM = """
            host unitGivesI64 = "h.unit_i64" () -> (unit)
            host unitGivesUnit = "h.unit_unit" () -> (unit)
            host secondGivesI64 = "h.i64_unit_i64" () -> (i64, unit)
            func a() -> (unit) {
                host_call r0, unitGivesI64, r0, [] -> [r1]
                ret r0, [r1]
            }
            func b() -> (unit) {
                host_call r0, unitGivesUnit, r0, [] -> [r1]
                ret r0, [r1]
            }
            func c() -> (i64) {
                host_call r0, secondGivesI64, r0, [] -> [r1, r2]
                ret r0, [r1]
            }
            """;

    private static final Host HOST = (symbol, sigHash, args, rets) -> switch (symbol) {
        case "h.unit_i64" -> (HostFunction) (a, r, ctx) -> r[0] = new Value.I64(5);
        case "h.unit_unit" -> (a, r, ctx) -> r[0] = Value.UNIT;
        case "h.i64_unit_i64" -> (a, r, ctx) -> {
            r[0] = new Value.I64(1);
            r[1] = new Value.I64(2);
        };
        default -> null;
    };

    private static String outcome(Tiers t, int entry) {
        Limits limits = Limits.of(100, 256, 1_000_000);
        Tiers.Outcome o = t.check(entry, List.of(), limits, "f" + entry);
        if (!o.trapped()) {
            return String.join(", ", o.literals()) + " used " + o.used(limits);
        }
        return o.trap().label() + " at f" + o.trap().func() + " pc " + o.trap().pc() + " used " + o.used(limits);
    }

    @Test
    void aValueForAUnitHostResultIsATypeMismatch() {
        Tiers t = Tiers.of(Assembler.assemble(PROGRAM, "attack-a16.tasm"), HOST);
        assertEquals("type_mismatch at f0 pc 0 used 1", outcome(t, 0));
        assertEquals("unit used 2", outcome(t, 1));
        assertEquals("type_mismatch at f2 pc 0 used 1", outcome(t, 2));
    }
}
