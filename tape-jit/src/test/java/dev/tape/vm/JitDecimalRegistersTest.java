package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiled code holds a register the verifier types as decimal unboxed (a long mantissa and an int
 * scale local) and boxes it only where the value leaves its locals. Against the interpreter, with
 * every fuel limit of the run and a trap in the middle of the loop: decimals passed to and returned
 * from a compiled call, through a host call, into and out of a tuple, through select and mov, a
 * decimal register not yet written when the run is handed over or paused (its register-file slot
 * stays null), and runs paused, stepped and resumed compiled at every point, and snapshots of
 * compiled runs, which restore on either tier.
 */
class JitDecimalRegistersTest {
    /**
     * main(n, price): for i in 0..n: line = price * to_dec(i) + fee, total += line, through a call
     * (which also returns a decimal it got), a host call that adds 0.01, a tuple's element and a
     * select; r20 is written only after the loop. Past a large n, dec.mul overflows in the loop.
     */
    static final String PROGRAM = """
            program decs
            host bump = "t.bump" (dec) -> (dec)
            func main(n: i64, price: dec) -> (dec, dec, i64) {
                const.decimal r3, 0, 2
                const.decimal r4, 50, 2
                const.i64 r5, 0
                const.i64 r6, 1
                jmp head
            head:
                i64.lt r7, r5, r1
                br r7, body, done
            body:
                i64.to_dec r8, r5, 0
                dec.mul r9, r2, r8
                dec.add r10, r9, r4
                call r0, add2, r0, [r3, r10] -> [r3, r11]
                host_call r0, bump, r0, [r11] -> [r12]
                tuple.new r13, [r12, r5]
                tuple.get r14, r13, 0
                dec.sub r15, r14, r11
                i64.and r23, r5, r6
                i64.eq r16, r23, r6
                select r17, r16, r15, r4
                mov r18, r17
                dec.add r3, r3, r18
                i64.add r5, r5, r6
                jmp head
            done:
                const.decimal r20, 7, 1
                dec.mul r21, r20, r3
                i64.to_dec r19, r5, 0
                dec.to_i64 r22, r19
                ret r0, [r3, r21, r22]
            }
            func add2(a: dec, b: dec) -> (dec, dec) {
                dec.add r3, r1, r2
                ret r0, [r3, r2]
            }
            """;

    /** t.bump(d) = d + 0.01 (at d's scale, 2 in the program), charging 2 fuel. */
    static Host bumpHost() {
        return new HostRegistry().register("t.bump", Signature.of(List.of(ValueType.DECIMAL),
                List.of(ValueType.DECIMAL)), (HostFunction) (a, out, ctx) -> {
                    Value.Decimal d = (Value.Decimal) a[0];
                    ctx.chargeFuel(2);
                    out[0] = Value.decimal(d.mantissa() + 1, d.scale());
                });
    }

    private static Tiers tiers() {
        return Tiers.of(JitResumeTest.asm(PROGRAM), bumpHost());
    }

    private static List<Value> args(long n, long priceMantissa) {
        return List.of(Value.i64(n), Value.decimal(priceMantissa, 2));
    }

    @Test
    void decimalsThroughCallsHostCallsTuplesAndSelectAtEveryFuelLimit() {
        Tiers t = tiers();
        assertEquals(2, Jit.precompile(t.compiled), "both functions compiled");
        // n = 4, price 1.25: lines 0.50, 1.75, 3.00, 4.25 (9.50); plus 0.50 on even i, 0.01 on odd
        // (the host's bump): 10.52; times 0.7: 7.364
        Tiers.Outcome full = t.check(0, args(4, 125), Limits.DEFAULT, "n 4");
        assertEquals(List.of(Value.decimal(1052, 2), Value.decimal(7364, 3), Value.i64(4)), full.results());
        long used = full.used(Limits.DEFAULT);
        for (long fuel = 0; fuel <= used + 1; fuel++) {
            Tiers.Outcome o = t.check(0, args(4, 125), Limits.DEFAULT.withFuel(fuel), "fuel " + fuel);
            assertEquals(fuel >= used, o.results() != null, "fuel " + fuel);
        }
        assertTrue(t.compiledHost.fromCompiledCode > 0, "compiled code made host calls");
    }

    @Test
    void aDecimalOverflowInTheMiddleOfTheLoopTrapsAsTheInterpreterDoes() {
        Tiers t = tiers();
        // price * i overflows i64 at i = 3: dec.mul traps with its pc, the block's fuel given back
        long price = Long.MAX_VALUE / 3 + 1;
        Tiers.Outcome o = t.check(0, args(10, price), Limits.DEFAULT, "mul overflow");
        assertNull(o.results());
        assertEquals(TrapKind.DECIMAL_OVERFLOW, o.trap().kind());
        // the sum overflows on the add of a later line, then the scale of a mul passes 255
        Tiers.Outcome add = t.check(0, args(3, Long.MAX_VALUE / 4), Limits.DEFAULT, "add overflow");
        assertEquals(TrapKind.DECIMAL_OVERFLOW, add.trap().kind());
        Tiers.Outcome ok = t.check(0, List.of(Value.i64(3), Value.decimal(1, 255)), Limits.DEFAULT, "scale 255");
        assertEquals(TrapKind.DECIMAL_SCALE_MISMATCH, ok.trap().kind(), "1e-255 * i has scale 255, the fee 2");
        for (long fuel = 0; fuel < 60; fuel += 3) {
            t.check(0, args(10, price), Limits.DEFAULT.withFuel(fuel), "mul overflow, fuel " + fuel);
        }
    }

    @Test
    void pausedSteppedAndResumedCompiledAtEveryPoint() {
        Tiers t = tiers();
        long resumes = JitResumeTest.sweep(t, 0, args(3, 125), Limits.DEFAULT, "decimals");
        assertTrue(resumes > 0, "compiled code was resumed");
        JitResumeTest.sweep(t, 0, args(5, Long.MAX_VALUE / 4), Limits.DEFAULT, "decimals, trapping");
    }

    /**
     * b's decimal r2 is written only after its loop, and its register-file slot holds the str that
     * a's r2 left there: a frame resumed compiled inside the loop reads r2 from the file (as every
     * register an instruction may read) and takes the str for no value, as the interpreter, which
     * never reads it, runs on.
     */
    static final String STALE = """
            program stale
            func main(n: i64) -> (str, dec) {
                call r0, a, r0, [] -> [r2]
                call r0, b, r0, [r1] -> [r3]
                ret r0, [r2, r3]
            }
            func a() -> (str) {
                const.i64 r1, 0
                const.pool r2, str:"left here"
                ret r0, [r2]
            }
            func b(n: i64) -> (dec) {
                const.i64 r3, 0
                const.i64 r4, 1
                jmp head
            head:
                i64.lt r5, r3, r1
                br r5, body, done
            body:
                i64.add r3, r3, r4
                jmp head
            done:
                i64.to_dec r2, r3, 1
                dec.add r2, r2, r2
                ret r0, [r2]
            }
            """;

    @Test
    void aResumedFrameTakesAnEarlierFramesValueInADecimalSlotForNoValue() {
        Tiers t = Tiers.of(JitResumeTest.asm(STALE), new HostRegistry());
        List<Value> args = List.of(Value.i64(6));
        Tiers.Outcome one = t.check(0, args, Limits.DEFAULT, "stale");
        assertEquals(List.of(Value.str("left here"), Value.decimal(120, 1)), one.results());
        assertTrue(JitResumeTest.sweep(t, 0, args, Limits.DEFAULT, "stale") > 0, "compiled code was resumed");
    }

    /**
     * Every hand-over of a compiled run for short fuel writes the entry frame's registers back
     * (boxing each decimal register) as the interpreter's register files hold them at the same
     * point: equal values, and null for a decimal register not written yet (r20 in the loop).
     */
    @Test
    void aHandOverWritesBackTheInterpretersRegisters() {
        Tiers t = tiers();
        List<Value> args = args(4, 125);
        long used = t.interpret(0, args, Limits.DEFAULT).used(Limits.DEFAULT);
        JitTier tier = (JitTier) t.compiled.tier;
        int handovers = 0;
        int cleared = 0;
        for (long fuel = 0; fuel < used; fuel++) {
            ExecutionContext c = new ExecutionContext();
            Paused.start(t.compiled, c, 0, args, Limits.DEFAULT.withFuel(fuel));
            int status = tier.run(t.compiled, c, 0);
            if (status == Interpreter.DONE || status == Interpreter.TRAPPED) {
                continue;
            }
            ExecutionContext i = new ExecutionContext();
            Paused.start(t.interpreted, i, 0, args, Limits.DEFAULT.withFuel(fuel));
            Interpreter.execute(t.interpreted, i, fuel - c.fuel);
            assertEquals(List.of(i.func, i.ip, i.base), List.of(c.func, c.ip, c.base), "where, fuel " + fuel);
            // the entry frame's registers (a callee frame's registers it has not written yet hold
            // whatever an earlier call left on the interpreter, null on the compiled tier); a
            // tuple register not written on every path to the frame's point (r13 outside the loop
            // body's last block) may be null on the compiled tier, which clears such registers
            // (DeadAggregates): nothing reads them there, not even a snapshot
            int[] entryFrame = t.compiled.frameAt(c, c.depth - 1);
            long[] written = t.compiled.verified.initFacts(0).writtenBefore(new int[] {entryFrame[1]})[0];
            for (int reg = 0; reg < t.compiled.funcs[0].regCount(); reg++) {
                if (reg == 13 && c.r[reg] == null && (written[0] & (1L << reg)) == 0) {
                    cleared++;
                    continue;
                }
                assertEquals(i.r[reg], c.r[reg], "main's r" + reg + ", fuel " + fuel);
            }
            if (c.func == 0 && c.ip > 0 && c.ip < 60) {
                assertNull(c.r[c.base + 20], "r20 is not written in the loop");
            }
            handovers++;
            c.release();
            i.release();
        }
        assertTrue(handovers > 20, "hand-overs: " + handovers);
        assertTrue(cleared > 0, "r13 cleared at a hand-over: " + cleared);
    }

    @Test
    void snapshotsOfCompiledRunsRestoreOnEitherTier() throws Exception {
        VerifiedProgram p = Tiers.verified(JitResumeTest.asm(PROGRAM));
        List<Value> args = args(6, 125);
        ExecutionContext one = new ExecutionContext();
        List<Value> expected = new Vm(p, bumpHost()).run(one, 0, args, Limits.DEFAULT, null);
        long used = Limits.DEFAULT.fuel() - one.fuelRemaining();
        Vm jit = Jit.compile(p, bumpHost());
        Vm interp = new Vm(p, bumpHost());
        int paused = 0;
        for (long at = 1; at < used; at += 5) {
            Run run = jit.start(0, args, Limits.DEFAULT.withFuel(at));
            Run same = interp.start(0, args, Limits.DEFAULT.withFuel(at));
            Outcome o = run.resume();
            assertEquals(same.resume().getClass(), o.getClass(), "at " + at);
            if (!(o instanceof Outcome.Paused)) {
                continue;
            }
            paused++;
            assertEquals(same.frames(), run.frames(), "the frames at " + at);
            for (int f = 0; f < run.frames().size(); f++) {
                // an unwritten decimal register (r20 until the loop ends) is null on both tiers
                assertEquals(same.registers(f), run.registers(f), "the registers of frame " + f + " at " + at);
            }
            byte[] snap = run.snapshot();
            byte[] interpreted = same.snapshot();
            // a decimal a compiled frame held unboxed is a new object when it is written back; the
            // snapshot shares decimals by value, so it is the interpreter's, byte for byte
            assertArrayEquals(interpreted, snap, "the snapshots at " + at);
            Run fromInterpreted = Jit.compile(p, bumpHost()).restore(interpreted);
            fromInterpreted.addFuel(Limits.DEFAULT.fuel() - at);
            assertEquals(new Outcome.Done(expected), fromInterpreted.resume(), "the interpreter's snapshot at " + at);
            for (Vm vm : new Vm[] {new Vm(p, bumpHost()), Jit.compile(p, bumpHost())}) {
                Run restored = vm.restore(snap);
                restored.addFuel(Limits.DEFAULT.fuel() - at);
                assertEquals(new Outcome.Done(expected), restored.resume(), "at " + at);
                assertEquals(one.fuelRemaining(), restored.fuelRemaining(), "at " + at);
            }
        }
        assertTrue(paused > 10, "paused runs: " + paused);
        // and the unwritten r20 is null in a paused frame (a loop iteration) on the compiled tier
        Run mid = jit.start(0, args, Limits.DEFAULT.withFuel(40));
        assertInstanceOf(Outcome.Paused.class, mid.resume());
        assertNull(mid.registers(mid.frames().size() - 1).get(20));
        assertNotNull(expected);
        assertInstanceOf(Value.Decimal.class, expected.get(0));
    }
}
