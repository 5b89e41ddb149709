package dev.tape.vm;

import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.Program;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Corner cases found by a review of the compiled tier: runs nested from host functions (a bug,
 * fixed), host arguments of every kind, registers that alias, self-targets, indirect calls with the
 * wrong signature, hosts that drain fuel, wide frames. Each compares both tiers field by field.
 */
class JitCornerCasesTest {
    static Program asm(String text) {
        try {
            return Assembler.assemble(text, "review.tasm");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Runs fuel limits 0..used+3 and the default on both tiers, comparing every field. */
    static void sweep(Tiers t, int entry, List<Value> args, String what) {
        Tiers.Outcome full = t.check(entry, args, Limits.DEFAULT, what);
        long used = full.used(Limits.DEFAULT);
        for (long fuel = 0; fuel <= Math.min(used + 3, 400); fuel++) {
            t.check(entry, args, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Nested runs: a host that runs a program in a context of its own. Each such run used to get
    // a fresh 64 KiB compiled-stack budget, so compiled frames piled up per nesting level and
    // overflowed a thread stack that the interpreter handles easily (JitTier.STACK_LEFT).
    // ---------------------------------------------------------------------------------------

    static final String NEST = """
            program nest
            host nest = "t.nest" () -> ()
            func down(n: i64) -> (i64) {
                const.i64 r2, 0
                i64.eq r3, r1, r2
                br r3, bottom, more
            bottom:
                host_call r0, nest, r0, [] -> []
                ret r0, [r1]
            more:
                const.i64 r4, 1
                i64.sub r5, r1, r4
                call r0, down, r0, [r5] -> [r6]
                i64.add r7, r6, r4
                ret r0, [r7]
            }
            """;

    /** A host whose t.nest runs down(depth) again on vm[0] in a fresh context, up to `levels` deep. */
    static Host nestingHost(Vm[] vm, int levels, long depth, List<String> seen) {
        return nestingHost(vm, levels, depth, seen, new ArrayList<>());
    }

    /** The same, also noting the compiled frames on the stack at each host call, outermost first. */
    static Host nestingHost(Vm[] vm, int levels, long depth, List<String> seen, List<Long> compiledFrames) {
        int[] level = {0};
        return new HostRegistry().register("t.nest", Signature.of(List.of(), List.of()),
                (HostFunction) (a, out, ctx) -> {
                    compiledFrames.add(Tiers.compiledFramesOnStack());
                    if (level[0] >= levels) {
                        return;
                    }
                    level[0]++;
                    try {
                        List<Value> r = vm[0].run(new ExecutionContext(), 0, List.<Value>of(Value.i64(depth)),
                                Limits.DEFAULT, null);
                        seen.add(level[0] + ": " + r);
                    } catch (Trap t) {
                        seen.add(level[0] + ": " + t.getMessage());
                        throw new IllegalStateException("nested run trapped: " + t.getMessage());
                    } finally {
                        level[0]--;
                    }
                });
    }

    /** Runs down(depth) on a thread with a stack of {@code stackBytes}: the results, or the trap as text. */
    static Object onSmallThread(Vm vm, long depth, int stackBytes) throws Exception {
        return Tiers.onThread(stackBytes, () -> {
            try {
                return vm.run(new ExecutionContext(), 0, List.<Value>of(Value.i64(depth)), Limits.DEFAULT, null);
            } catch (Trap t) {
                return t.label() + " " + t.getMessage();
            }
        });
    }

    /**
     * down(n) whose bottom host call runs down(n) again in a fresh context, some levels deep, on a
     * small thread. Interpreted, every level returns n. Compiled, each nested run starts with what
     * the host call's frame had left of the stack budget, less {@link JitRuntime#NEST_WORDS}, so
     * the compiled frames of all levels together stay within {@link JitRuntime#STACK_WORDS}: the
     * same results, no {@code StackOverflowError} (which came around level 10 with n = 40 on
     * 256 KiB when every nested run got the whole budget), and never more compiled frames on the
     * stack than one budget holds. With n = 24 the accounting is exact: the nested run does not
     * fit in what is left and is interpreted (when each nested run got half its outer run's
     * budget, whatever the outer run had used, it was compiled, with no room set aside for the
     * frames between the two runs). With n = 10 the first nested runs are compiled
     * whole: their frames pile up on the outer run's until the budget is spent. (Compiled frames take more Java stack than the
     * interpreter's heap frames, so a thread needs up to the budget beyond what interpreted runs
     * need: 8 levels of n = 49 fit a 128 KiB thread interpreted, and need more compiled.)
     */
    @Test
    void nestedRunsFromHostCallsShareOneStackBudget() throws Exception {
        VerifiedProgram p = Tiers.verified(asm(NEST));
        int cost = JitTestAccess.stackCost(p.registerCount(0));
        // down calls itself with a word argument: its entry's trampoline (WordParams) takes its share
        long most = (JitRuntime.STACK_WORDS - JitTestAccess.trampolineWords()) / cost;
        // levels, n, thread KiB: with n = most - 1 the outer run spends the whole budget
        long[][] cases = {{40, 40, 256}, {8, most - 1, 192}, {40, 10, 256}, {8, 24, 256}};
        for (long[] k : cases) {
            int levels = (int) k[0];
            long depth = k[1];
            List<Long> frames = nestedRuns(p, levels, depth, (int) k[2] * 1024);
            String what = levels + " levels of down(" + depth + ") on " + k[2] + " KiB: " + frames;
            assertEquals(depth + 1, frames.get(0), "the outer run's frames are all compiled, " + what);
            assertTrue(frames.stream().allMatch(f -> f <= most), "at most " + most + " compiled frames, " + what);
            if (depth == 24) {
                // 25 frames fit in one budget; what the outer run left (the budget less its 25
                // frames and the nested run's allowance) does not hold 25 more, so the nested run
                // hands over and none of its frames stay compiled
                assertTrue(25 * cost + 25 * cost + JitRuntime.NEST_WORDS > JitRuntime.STACK_WORDS, what);
                assertEquals(depth + 1, frames.get(1), "the nested run is interpreted, " + what);
            }
            if (depth == 10) {
                assertEquals(2 * (depth + 1), frames.get(1), "the first nested run is compiled whole, " + what);
                assertEquals(3 * (depth + 1), frames.get(2), "so is the second, " + what);
            }
        }
    }

    /**
     * Runs the nesting on both tiers, asserts the same outcomes, and returns the compiled frames on
     * the stack at each level's host call, outermost first.
     */
    private static List<Long> nestedRuns(VerifiedProgram p, int levels, long depth, int stack) throws Exception {
        List<String> seenI = new ArrayList<>();
        List<String> seenC = new ArrayList<>();
        List<Long> framesI = new ArrayList<>();
        List<Long> framesC = new ArrayList<>();
        Vm[] vi = new Vm[1];
        Vm[] vc = new Vm[1];
        vi[0] = new Vm(p, nestingHost(vi, levels, depth, seenI, framesI));
        vc[0] = Jit.compile(p, nestingHost(vc, levels, depth, seenC, framesC));
        assertEquals(0, Jit.compiledFunctions(vc[0]), "nothing is compiled before it runs");
        Object i = onSmallThread(vi[0], depth, stack);
        assertEquals(List.of(Value.i64(depth)), i, "the interpreter, " + levels + " nested runs on a "
                + stack / 1024 + " KiB thread");
        Object c = onSmallThread(vc[0], depth, stack);
        assertEquals(i, c, "the compiled tier, same nested runs on the same thread stack; nested runs saw "
                + seenC.subList(0, Math.min(3, seenC.size())));
        assertEquals(seenI, seenC, "the nested runs' outcomes");
        assertEquals(1, Jit.compiledFunctions(vc[0]), "compiled at its first run");
        assertEquals(levels + 1, framesC.size(), "one host call per level");
        assertTrue(framesI.stream().allMatch(f -> f == 0), "the interpreter has no compiled frames");
        return framesC;
    }

    // ---------------------------------------------------------------------------------------
    // COVERAGE (passes): corner cases checked during the review that held up.
    // ---------------------------------------------------------------------------------------

    /**
     * COVERAGE: a host call passing an argument of every kind (each boxed by its own path in the
     * compiled code: i64, u64, f64, bool, func, unit, str, bytes, dec, agg, closure), the host
     * seeing them exactly as from the interpreter, at every fuel limit.
     */
    @Test
    void hostArgumentsOfEveryKind() {
        String text = """
                program args
                host see = "t.see" (i64, u64, f64, bool, func, unit, str, bytes, dec, agg, closure) -> (bool, func)
                func main(a: i64, s: str) -> (bool, func, i64) {
                    const.u64 r3, 18446744073709551615
                    const.f64 r4, -0.0
                    const.bool r5, true
                    const.func r6, other
                    const.unit r7
                    const.pool r8, bytes:0102ff
                    const.pool r9, dec:-123.45
                    tuple.new r10, [r1, r2]
                    closure.new r11, r6, r10
                    host_call r0, see, r0, [r1, r3, r4, r5, r6, r7, r2, r8, r9, r10, r11] -> [r12, r13]
                    ret r0, [r12, r13, r1]
                }
                func other(env: agg, x: i64) -> (i64) {
                    ret r0, [r2]
                }
                """;
        HostRegistry host = new HostRegistry().register("t.see",
                Signature.of(List.of(ValueType.I64, ValueType.U64, ValueType.F64, ValueType.BOOL, ValueType.FUNC,
                        ValueType.UNIT, ValueType.STR, ValueType.BYTES, ValueType.DECIMAL, ValueType.AGG,
                        ValueType.CLOSURE), List.of(ValueType.BOOL, ValueType.FUNC)),
                (HostFunction) (a, out, ctx) -> {
                    ctx.chargeFuel(2);
                    out[0] = a[3];
                    out[1] = a[4];
                });
        Tiers t = Tiers.of(asm(text), host);
        sweep(t, 0, List.of(Value.i64(-7), Value.str("é")), "every kind");
        assertTrue(t.compiledHost.fromCompiledCode > 0);
    }

    /**
     * COVERAGE: registers that alias: call results into the argument register, ret of one
     * register twice, mov of a register to itself, a br whose targets are the same block, a
     * block that branches to itself, a select whose destination is its condition's source, and
     * multiple results into the same register; at every fuel limit.
     */
    @Test
    void aliasingRegistersAndSelfTargets() {
        String text = """
                program alias
                func main(n: i64) -> (i64, i64, i64) {
                    const.i64 r2, 0
                    const.i64 r3, 1
                    mov r1, r1
                    call r0, twice, r0, [r1] -> [r1, r1]
                    call r0, inc, r0, [r1] -> [r1]
                    jmp loop
                loop:
                    i64.sub r1, r1, r3
                    i64.lt r4, r2, r1
                    br r4, loop, out
                out:
                    i64.eq r5, r1, r2
                    br r5, same, same
                same:
                    select r6, r5, r3, r2
                    call r0, twice, r0, [r6] -> [r7, r8]
                    ret r0, [r7, r7, r8]
                }
                func twice(x: i64) -> (i64, i64) {
                    i64.add r2, r1, r1
                    ret r0, [r1, r2]
                }
                func inc(x: i64) -> (i64) {
                    const.i64 r2, 1
                    i64.add r1, r1, r2
                    ret r0, [r1]
                }
                """;
        Tiers t = Tiers.of(asm(text), Host.NONE);
        for (long n : new long[] {0, 3, 10}) {
            sweep(t, 0, List.of(Value.i64(n)), "alias(" + n + ")");
        }
    }

    /**
     * COVERAGE: call.indirect through func values and closures whose target does not fit the call
     * signature (argument count, argument type, result type, a closure target without the agg
     * environment), from a compiled callee two frames deep: the same trap, stack and fuel.
     */
    @Test
    void indirectCallsWithTheWrongSignature() {
        String text = """
                program wrong
                callsig unary = (i64) -> (i64)
                func main(k: i64) -> (i64) {
                    const.i64 r2, 5
                    call r0, mid, r0, [r1, r2] -> [r3]
                    ret r0, [r3]
                }
                func mid(k: i64, x: i64) -> (i64) {
                    const.i64 r3, 0
                    const.i64 r4, 1
                    const.i64 r5, 2
                    const.i64 r6, 3
                    const.i64 r7, 4
                    tuple.new r8, [r2]
                    i64.eq r9, r1, r3
                    br r9, k0, n0
                k0:
                    const.func r10, square
                    call.indirect r0, unary, r10, r0, [r2] -> [r11]
                    ret r0, [r11]
                n0:
                    i64.eq r9, r1, r4
                    br r9, k1, n1
                k1:
                    const.func r10, two
                    call.indirect r0, unary, r10, r0, [r2] -> [r11]
                    ret r0, [r11]
                n1:
                    i64.eq r9, r1, r5
                    br r9, k2, n2
                k2:
                    const.func r10, tof
                    call.indirect r0, unary, r10, r0, [r2] -> [r11]
                    ret r0, [r11]
                n2:
                    i64.eq r9, r1, r6
                    br r9, k3, n3
                k3:
                    const.func r10, square
                    closure.new r12, r10, r8
                    call.indirect r0, unary, r12, r0, [r2] -> [r11]
                    ret r0, [r11]
                n3:
                    const.func r10, withenv
                    closure.new r12, r10, r8
                    call.indirect r0, unary, r12, r0, [r2] -> [r11]
                    ret r0, [r11]
                }
                func square(x: i64) -> (i64) {
                    i64.mul r2, r1, r1
                    ret r0, [r2]
                }
                func two(x: i64, y: i64) -> (i64) {
                    ret r0, [r1]
                }
                func tof(x: i64) -> (f64) {
                    i64.to_f64 r2, r1
                    ret r0, [r2]
                }
                func withenv(e: agg, x: i64) -> (i64) {
                    ret r0, [r2]
                }
                """;
        Tiers t = Tiers.of(asm(text), Host.NONE);
        for (long k = 0; k <= 4; k++) {
            sweep(t, 0, List.of(Value.i64(k)), "wrong(" + k + ")");
        }
    }

    /**
     * COVERAGE: a host two frames deep that charges all the fuel there is (the next block, a ret
     * in a compiled callee, hands over and traps fuel_exceeded), that charges and throws, or that
     * returns; each at every fuel limit.
     */
    @Test
    void hostsDrainingFuelOrThrowingInACallee() {
        String text = """
                program drain
                host h = "t.h" (i64) -> (i64)
                func main(k: i64) -> (i64) {
                    call r0, mid, r0, [r1] -> [r2]
                    const.i64 r3, 1
                    i64.add r4, r2, r3
                    ret r0, [r4]
                }
                func mid(k: i64) -> (i64) {
                    const.i64 r2, 1
                    i64.add r3, r1, r2
                    host_call r0, h, r0, [r1] -> [r4]
                    i64.add r5, r4, r3
                    ret r0, [r5]
                }
                """;
        HostRegistry host = new HostRegistry().register("t.h",
                Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)),
                (HostFunction) (a, out, ctx) -> {
                    long k = ((Value.I64) a[0]).value();
                    if (k == 0) {
                        ctx.chargeFuel(ctx.fuelRemaining());
                    } else if (k == 1) {
                        ctx.chargeFuel(Long.MAX_VALUE);
                    } else if (k == 2) {
                        ctx.chargeFuel(3);
                        throw new IllegalStateException("boom");
                    } else if (k == 3) {
                        ctx.chargeFuel(ctx.fuelRemaining() - 1);
                    }
                    out[0] = Value.i64(k);
                });
        Tiers t = Tiers.of(asm(text), host);
        for (long k = 0; k <= 4; k++) {
            sweep(t, 0, List.of(Value.i64(k)), "drain(" + k + ")");
        }
    }

    /**
     * COVERAGE: functions with 150 word arguments (local slots past 255, so wide loads and stores,
     * and register numbers past 127) calling each other with the arguments reversed and results
     * aliasing arguments; both functions are compiled; at every fuel limit.
     */
    @Test
    void wideFramesWithManyArguments() {
        int n = 150;
        StringBuilder params = new StringBuilder();
        StringBuilder fwd = new StringBuilder();
        StringBuilder rev = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            params.append(i > 1 ? ", " : "").append("a").append(i).append(": i64");
            fwd.append(i > 1 ? ", " : "").append("r").append(i);
            rev.append(i > 1 ? ", " : "").append("r").append(n + 1 - i);
        }
        StringBuilder b = new StringBuilder("program wide\n");
        b.append("func main(").append(params).append(") -> (i64, i64) {\n");
        b.append("    call r0, weigh, r0, [").append(rev).append("] -> [r1]\n");
        b.append("    call r0, weigh, r0, [").append(fwd).append("] -> [r150]\n");
        b.append("    ret r0, [r1, r150]\n}\n");
        b.append("func weigh(").append(params).append(") -> (i64) {\n");
        b.append("    const.i64 r151, 0\n    const.i64 r152, 3\n");
        for (int i = 1; i <= n; i++) {
            b.append("    i64.mul r151, r151, r152\n    i64.add r151, r151, r").append(i).append("\n");
        }
        b.append("    ret r0, [r151]\n}\n");
        Tiers t = Tiers.of(asm(b.toString()), Host.NONE);
        List<Value> args = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            args.add(Value.i64(i * 7919L - 5));
        }
        Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, "wide");
        assertEquals(2, Jit.compiledFunctions(t.compiled), "both compiled in the first run");
        long used = full.used(Limits.DEFAULT);
        for (long fuel = used - 3; fuel <= used; fuel++) {
            t.check(0, args, Limits.DEFAULT.withFuel(fuel), "wide fuel " + fuel);
        }
        for (long fuel = 0; fuel < 12; fuel++) {
            t.check(0, args, Limits.DEFAULT.withFuel(fuel), "wide fuel " + fuel);
        }
        t.check(0, args, Limits.DEFAULT.withFuel(used / 2), "wide fuel " + used / 2);
    }
}
