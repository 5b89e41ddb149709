package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An {@code OutOfMemoryError} while the interpreter holds unboxed decimals ({@link DecScale}):
 * the heap is full of live values, so boxing the listed decimals when the loop saves its state
 * needs memory there is none of. The run must still trap {@code heap_limit_exceeded} at the
 * allocating instruction with the fuel it used, as the compiled tier does (and as the interpreter
 * did before it held decimals unboxed). Before the fix, the boxing's own {@code OutOfMemoryError}
 * left the loop before its state was saved, and the interpreter reported the trap at pc 0 with no
 * fuel used.
 */
class DecimalOutOfMemoryTest {
    /** the decimal registers written (unboxed, listed) before the loop: fewer than DEC_SLOTS */
    private static final int DECIMALS = 40;
    /** the instructions before the loop's first: const, i64.to_dec, the adds, 4 set-up, jmp */
    private static final int SETUP = 2 + (DECIMALS - 1) + 4 + 1;

    /**
     * main(): DECIMALS decimal registers, then a loop that chains closures through their
     * environments (tuple.new, closure.new, jmp), every one kept alive, until the JVM's heap is full.
     */
    static String program() {
        StringBuilder s = new StringBuilder("""
                program oomdec
                func main() -> (i64) {
                    const.i64 r1, 1
                    i64.to_dec r2, r1, 2
                """);
        for (int k = 3; k < 2 + DECIMALS; k++) {
            s.append("    dec.add r").append(k).append(", r").append(k - 1).append(", r2\n");
        }
        s.append("""
                    const.func r50, id
                    const.i64 r51, 0
                    tuple.new r52, [r51]
                    closure.new r53, r50, r52
                    jmp head
                head:
                    tuple.new r52, [r53]
                    closure.new r53, r50, r52
                    jmp head
                }
                func id(x: i64) -> (i64) {
                    ret r0, [r1]
                }
                """);
        return s.toString();
    }

    private static String ended(Vm vm, long fuel, long heap) {
        try {
            vm.run(new ExecutionContext(), 0, List.of(), Limits.DEFAULT.withFuel(fuel).withMaxHeapBytes(heap), null);
            return "returned";
        } catch (Trap t) {
            return t.label() + " " + t.pc() + " " + t.fuelRemaining();
        }
    }

    /**
     * Run in a JVM with a 64 MiB heap by {@link #outOfMemoryWithUnboxedDecimalsTrapsAtTheInstruction}:
     * runs the program with all the fuel and no heap limit, then prints the pcs of the loop's
     * tuple.new and closure.new (where runs of SETUP and SETUP + 1 fuel stop) and how that run ended.
     */
    public static void main(String[] args) throws Exception {
        VerifiedProgram p = Verifier.verify(Assembler.assemble(program(), "oomdec.tasm"));
        Vm vm = args[0].equals("jit") ? Jit.compile(p, Host.NONE) : new Vm(p, Host.NONE);
        if (args[0].equals("jit") && Jit.precompile(vm) != 2) {
            throw new AssertionError("not compiled");
        }
        // the run out of memory first, in a JVM that has run nothing else
        String oom = ended(vm, 100_000_000, Long.MAX_VALUE);
        System.out.println(ended(vm, SETUP, Limits.DEFAULT_HEAP_BYTES));
        System.out.println(ended(vm, SETUP + 1, Limits.DEFAULT_HEAP_BYTES));
        System.out.println(oom);
    }

    private static String child(String tier) throws Exception {
        return RunBoundsTest.child(DecimalOutOfMemoryTest.class, tier);
    }

    /**
     * On each tier: the trap is heap_limit_exceeded at the loop's tuple.new or closure.new, the
     * one the fuel used says (SETUP instructions, 3 per trip, then the trapping one), after many trips.
     */
    @Test
    void outOfMemoryWithUnboxedDecimalsTrapsAtTheInstruction() throws Exception {
        for (String tier : new String[] {"interpret", "jit"}) {
            String out = child(tier);
            String[] lines = out.split("\n");
            assertEquals(3, lines.length, tier + ": " + out);
            String[] tuple = lines[0].split(" ");
            String[] closure = lines[1].split(" ");
            assertEquals("fuel_exceeded", tuple[0], tier + ": " + out);
            assertEquals("fuel_exceeded", closure[0], tier + ": " + out);
            String[] oom = lines[2].split(" ");
            assertEquals("heap_limit_exceeded", oom[0], tier + ": " + out);
            long used = 100_000_000 - Long.parseLong(oom[2]);
            assertTrue(used > SETUP + 3 * 10_000, tier + ": many trips before the heap is full: " + out);
            long at = (used - SETUP - 1) % 3;
            assertTrue(at < 2, tier + ": the trap is at an allocation (not the jmp): " + out);
            assertEquals(at == 0 ? tuple[1] : closure[1], oom[1], tier + ": the pc of the instruction the fuel says: "
                    + out);
        }
    }
}
