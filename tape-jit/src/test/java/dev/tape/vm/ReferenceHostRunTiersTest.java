package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a {@code host_call} does with what the host gives back, and how entry arguments are
 * checked, read off the reference's interpreter ({@code vm.rs} 1a6ef94, {@code ExecInstr::HostCall}
 * and {@code run_body}'s start), on both tiers:
 * <ul>
 *   <li>the host fills result slots the VM pre-sized and pre-filled with {@code Value::Unit}; after
 *   the call the VM takes the host's extra fuel ({@code saturating_sub}), then checks each slot
 *   with {@code check_type} against the signature's result type ({@code ValueType::Obj} carries
 *   the host type id, so an object of another host type does not match): a mismatch traps
 *   {@code type_mismatch} at the host_call, with the charge already taken, before any fuel check
 *   of the next instruction; a slot left unwritten is {@code Unit}, which matches a {@code unit}
 *   result only;</li>
 *   <li>a host error traps {@code host_call_failed} at the host_call, with no charge;</li>
 *   <li>{@code validate_entry_args} checks each entry argument with {@code check_type} before any
 *   fuel is taken: {@code type_mismatch} at pc 0 with nothing used.</li>
 * </ul>
 */
class ReferenceHostRunTiersTest {
    private static final String PROGRAM = """
            host none = "h.none" (i64) -> (i64)
            host noneUnit = "h.none_unit" () -> (unit)
            host obj = "h.obj" (i64) -> (obj<7>)
            host chargeWrong = "h.charge_wrong" (u64) -> (i64)
            host chargeRight = "h.charge_right" (u64) -> (i64)
            host fails = "h.fails" () -> ()
            func noResult(x: i64) -> (i64) {
                host_call r0, none, r0, [r1] -> [r2]
                ret r0, [r2]
            }
            func unitResult() -> (unit) {
                host_call r0, noneUnit, r0, [] -> [r1]
                ret r0, [r1]
            }
            func objResult(t: i64) -> (obj<7>) {
                host_call r0, obj, r0, [r1] -> [r2]
                ret r0, [r2]
            }
            func charged(n: u64) -> (i64) {
                host_call r0, chargeWrong, r0, [r1] -> [r2]
                ret r0, [r2]
            }
            func chargedRight(n: u64) -> (i64) {
                host_call r0, chargeRight, r0, [r1] -> [r2]
                ret r0, [r2]
            }
            func failing() -> () {
                host_call r0, fails, r0, [] -> []
                ret r0, []
            }
            func entryObj(o: obj<7>) -> (obj<7>) {
                ret r0, [r1]
            }
            """;
    private static final int NO_RESULT = 0;
    private static final int UNIT_RESULT = 1;
    private static final int OBJ_RESULT = 2;
    private static final int CHARGED = 3;
    private static final int CHARGED_RIGHT = 4;
    private static final int FAILING = 5;
    private static final int ENTRY_OBJ = 6;

    /** The test host: each function does one thing wrong (or right) with its results. */
    private static final Host HOST = (symbol, sigHash, args, rets) -> switch (symbol) {
        case "h.none", "h.none_unit" -> (HostFunction) (a, r, ctx) -> { };
        case "h.obj" -> (a, r, ctx) -> r[0] = new Value.Obj(((Value.I64) a[0]).value(), 1);
        case "h.charge_wrong" -> (a, r, ctx) -> {
            ctx.chargeFuel(((Value.U64) a[0]).value());
            r[0] = new Value.Bool(true);
        };
        case "h.charge_right" -> (a, r, ctx) -> {
            ctx.chargeFuel(((Value.U64) a[0]).value());
            r[0] = new Value.I64(9);
        };
        case "h.fails" -> (a, r, ctx) -> {
            throw new IllegalStateException("fails");
        };
        default -> null;
    };

    private static String outcome(Tiers t, int entry, long fuel, String... args) {
        List<Value> values = new ArrayList<>();
        for (String a : args) {
            values.add(ValueLiteral.parse(a));
        }
        Limits limits = Limits.of(fuel, 256, 1_000_000);
        Tiers.Outcome o = t.check(entry, values, limits, "f" + entry + " " + List.of(args));
        if (!o.trapped()) {
            return String.join(", ", o.literals()) + " used " + o.used(limits);
        }
        return o.trap().label() + " at f" + o.trap().func() + " pc " + o.trap().pc() + " used " + o.used(limits);
    }

    @Test
    void hostResultsAreCheckedAfterTheCharge() {
        Tiers t = Tiers.of(Assembler.assemble(PROGRAM, "hostrun.tasm"), HOST);
        // an unwritten slot is Unit: a type mismatch for i64, the value for unit
        assertEquals("type_mismatch at f0 pc 0 used 1", outcome(t, NO_RESULT, 100, "i64:1"));
        assertEquals("unit used 2", outcome(t, UNIT_RESULT, 100));
        // ValueType::Obj(host_type): type 7 matches, type 8 does not
        assertEquals("obj:7/1 used 2", outcome(t, OBJ_RESULT, 100, "i64:7"));
        assertEquals("type_mismatch at f2 pc 0 used 1", outcome(t, OBJ_RESULT, 100, "i64:8"));
        // the charge is taken first, then the type checked: used 1 + 5
        assertEquals("type_mismatch at f3 pc 0 used 6", outcome(t, CHARGED, 100, "u64:5"));
        // a charge past the budget saturates at 0, and the type check still comes first
        assertEquals("type_mismatch at f3 pc 0 used 3", outcome(t, CHARGED, 3, "u64:5"));
        // with the right type, the next instruction (ret, after the 8-byte host_call) finds no fuel
        assertEquals("fuel_exceeded at f4 pc 8 used 3", outcome(t, CHARGED_RIGHT, 3, "u64:5"));
        assertEquals("i64:9 used 7", outcome(t, CHARGED_RIGHT, 7, "u64:5"));
        assertEquals("host_call_failed at f5 pc 0 used 1", outcome(t, FAILING, 100));
    }

    @Test
    void entryArgumentsAreCheckedBeforeAnyFuel() {
        Tiers t = Tiers.of(Assembler.assemble(PROGRAM, "hostrun.tasm"), HOST);
        assertEquals("obj:7/3 used 1", outcome(t, ENTRY_OBJ, 100, "obj:7/3"));
        assertEquals("type_mismatch at f6 pc 0 used 0", outcome(t, ENTRY_OBJ, 100, "obj:8/3"));
        assertEquals("type_mismatch at f6 pc 0 used 0", outcome(t, ENTRY_OBJ, 0, "obj:8/3"));
        assertEquals("type_mismatch at f0 pc 0 used 0", outcome(t, NO_RESULT, 100, "u64:1"));
    }
}
