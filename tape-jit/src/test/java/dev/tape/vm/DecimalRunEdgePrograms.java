package dev.tape.vm;

import dev.tape.format.Opcode;
import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static dev.tape.program.ValueType.DECIMAL;
import static dev.tape.program.ValueType.I64;

/**
 * Random decimal loops at the edges of {@link DecimalRun}'s shapes, for {@link DecimalRunEdgeTiersTest}:
 * i64 operands at {@code Long.MIN_VALUE}, {@code Long.MAX_VALUE} and the like (i64 and u64
 * add/sub/mul wrap), decimal mantissas up to the largest, scales from 0 to 255 (mismatch, scale out
 * of range, overflow of {@code dec.mul} at the largest mantissas and scales, {@code i64.to_dec} of
 * the extreme values at every scale), each decimal instruction right before a word shape the run
 * handles or one it leaves, and fused compare-and-branches whose two edges meet.
 *
 * <p>Needs only tape-core, so that {@link #main} runs on the classes of the build before
 * {@code DecimalRun} (6a4249e) and of this one: the digest of every program's outcome under every
 * fuel budget, untraced interpreter, is the same on both ({@link DecimalRunEdgeTiersTest#BEFORE}).
 */
final class DecimalRunEdgePrograms {
    private DecimalRunEdgePrograms() {}

    /** the programs the digest covers: seeds 1 to this */
    static final int PROGRAMS = 400;

    private static final long[] EDGES = {0, 1, -1, 2, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1,
        Long.MAX_VALUE - 1, 1_000_000_000_000_000_000L, -1_000_000_000_000_000_000L, 3_037_000_499L,
        3_037_000_500L, 1L << 32, 922_337_203_685_477_580L, 99};
    private static final int[] SCALES = {0, 1, 2, 9, 18, 19, 127, 128, 254, 255};

    /** one program in two draws edge values often, the others seldom (so their loops run longer) */
    private static int edgeOdds;

    private static long value(Random rnd) {
        return rnd.nextInt(edgeOdds) != 0 ? rnd.nextInt(21) - 10 : EDGES[rnd.nextInt(EDGES.length)];
    }

    // registers: r1 = n; r2..r7 i64; r8 bool; r9 = i, r10 = 1, r11/r12 an inner loop's counter and
    // bound; r13..r16 decimals of the program's scale; r17, r18 decimals of any scale; r19, r20 u64
    private static int ireg(Random rnd) {
        return 2 + rnd.nextInt(6);
    }

    private static int dsame(Random rnd) {
        return 13 + rnd.nextInt(4);
    }

    private static int dany(Random rnd) {
        return edgeOdds == 2 ? 13 + rnd.nextInt(6) : dsame(rnd);
    }

    private static void decimal(FunctionBuilder f, Random rnd, int scale) {
        switch (rnd.nextInt(6)) {
            case 0 -> f.binary(Opcode.DEC_SUB, dsame(rnd), dsame(rnd), dsame(rnd));
            case 1 -> f.binary(Opcode.DEC_MUL, 17 + rnd.nextInt(2), dany(rnd), dany(rnd));
            case 2 -> f.emit(Opcode.I64_TO_DEC, rnd.nextBoolean() ? dsame(rnd) : 17 + rnd.nextInt(2), ireg(rnd),
                    rnd.nextInt(edgeOdds + 1) == 0 ? SCALES[rnd.nextInt(SCALES.length)] : scale);
            case 3 -> f.binary(Opcode.DEC_ADD, dany(rnd), dany(rnd), dany(rnd));
            default -> f.binary(Opcode.DEC_ADD, dsame(rnd), dsame(rnd), dsame(rnd));
        }
    }

    /** (n: i64) -> (i64, i64, dec, dec): a counted loop of random items. */
    static Program program(long seed) {
        Random rnd = new Random(seed);
        edgeOdds = seed % 2 == 0 ? 2 : 12;
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64, I64, DECIMAL, DECIMAL));
        int scale = rnd.nextInt(edgeOdds + 1) == 0 ? SCALES[rnd.nextInt(SCALES.length)] : 2;
        for (int r = 2; r <= 7; r++) {
            f.constI64(r, value(rnd));
        }
        for (int r = 13; r <= 16; r++) {
            f.constDecimal(r, value(rnd), scale);
        }
        f.constDecimal(17, value(rnd), rnd.nextInt(edgeOdds) == 0 ? SCALES[rnd.nextInt(SCALES.length)] : 1);
        f.constDecimal(18, value(rnd), rnd.nextInt(3));
        f.constU64(19, value(rnd)).constU64(20, value(rnd));
        f.constI64(9, 0).constI64(10, 1);
        Label top = f.newLabel();
        Label exit = f.newLabel();
        f.i64Lt(8, 9, 1).br(8, top, exit);
        f.place(top);
        int items = 2 + rnd.nextInt(7);
        for (int k = 0; k < items; k++) {
            decimal(f, rnd, scale);
            switch (rnd.nextInt(14)) {
                case 0 -> f.constI64(ireg(rnd), value(rnd)).i64Add(ireg(rnd), ireg(rnd), ireg(rnd));
                case 1 -> f.binary(Opcode.I64_SUB, ireg(rnd), ireg(rnd), ireg(rnd));
                case 2 -> f.i64Mul(ireg(rnd), ireg(rnd), ireg(rnd));
                case 3 -> f.binary(new Opcode[] {Opcode.U64_ADD, Opcode.U64_SUB, Opcode.U64_MUL}[rnd.nextInt(3)],
                        19 + rnd.nextInt(2), 19 + rnd.nextInt(2), 19 + rnd.nextInt(2));
                case 4 -> f.mov(ireg(rnd), ireg(rnd)).constI64(ireg(rnd), value(rnd));
                case 5 -> {
                    // i64.lt+br, a decimal on one side
                    Label a = f.newLabel();
                    Label join = f.newLabel();
                    f.i64Lt(8, ireg(rnd), ireg(rnd)).br(8, a, join);
                    f.place(a);
                    decimal(f, rnd, scale);
                    f.jmp(join);
                    f.place(join);
                }
                case 6 -> {
                    // constant + i64.lt+br
                    Label a = f.newLabel();
                    Label join = f.newLabel();
                    f.constI64(ireg(rnd), value(rnd)).i64Lt(8, ireg(rnd), ireg(rnd)).br(8, a, join);
                    f.place(a);
                    decimal(f, rnd, scale);
                    f.jmp(join);
                    f.place(join);
                }
                case 7 -> {
                    // an inner loop: decimal, then i64.add + i64.lt+br back to it
                    Label inner = f.newLabel();
                    Label out = f.newLabel();
                    f.constI64(11, 0).constI64(12, 1 + rnd.nextInt(4)).jmp(inner);
                    f.place(inner);
                    decimal(f, rnd, scale);
                    f.i64Add(11, 11, 10).i64Lt(8, 11, 12).br(8, inner, out);
                    f.place(out);
                }
                case 8 -> {
                    // i64.add + i64.lt+br to the join on both edges
                    Label join = f.newLabel();
                    f.i64Add(ireg(rnd), ireg(rnd), ireg(rnd)).i64Lt(8, ireg(rnd), ireg(rnd)).br(8, join, join);
                    f.place(join);
                }
                // ops the run leaves to execute
                case 9 -> f.binary(Opcode.I64_XOR, ireg(rnd), ireg(rnd), ireg(rnd));
                case 10 -> f.unary(Opcode.DEC_TO_I64, ireg(rnd), dany(rnd));
                case 11 -> f.u64Lt(8, 19 + rnd.nextInt(2), 19 + rnd.nextInt(2));
                case 12 -> f.mov(dany(rnd), dany(rnd));
                default -> f.constI64(ireg(rnd), value(rnd)).binary(Opcode.I64_SUB, ireg(rnd), ireg(rnd), ireg(rnd));
            }
        }
        f.i64Add(9, 9, 10).i64Lt(8, 9, 1).br(8, top, exit);
        f.place(exit).ret(0, 2, 3, 13, 17);
        return pb.build();
    }

    /** the entry's argument: trips of the loop */
    static final List<Value> ARGS = List.of(Value.i64(4));

    /** An outcome without messages: the results and fuel left, or the trap's kind, function, pc and fuel left. */
    static String outcome(Vm vm, long fuel) {
        ExecutionContext ctx = new ExecutionContext();
        try {
            List<Value> out = vm.run(ctx, 0, ARGS, Limits.DEFAULT.withFuel(fuel), null);
            return "ok " + out + " " + ctx.fuelRemaining();
        } catch (Trap t) {
            return t.kind() + " " + t.func() + " " + t.pc() + " " + t.fuelRemaining();
        }
    }

    /** The outcomes of every program at every fuel from 0 to two past its whole run, and the digest of them all. */
    static String digest(StringBuilder log) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (long seed = 1; seed <= PROGRAMS; seed++) {
            Vm vm = new Vm(Verifier.verify(program(seed)), new HostRegistry());
            String whole = outcome(vm, 1_000_000);
            long left = Long.parseLong(whole.substring(whole.lastIndexOf(' ') + 1));
            for (long fuel = 0; fuel <= 1_000_000 - left + 2; fuel++) {
                String o = seed + " " + fuel + ": " + outcome(vm, fuel) + "\n";
                md.update(o.getBytes(StandardCharsets.UTF_8));
                if (log != null && fuel == 1_000_000 - left + 2) {
                    log.append(o);
                }
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * Prints the digest and each program's whole-run outcome.
     *
     * @param args none
     * @throws Exception when a program does not verify
     */
    public static void main(String[] args) throws Exception {
        StringBuilder log = new StringBuilder();
        String d = digest(log);
        System.out.print(log);
        System.out.println(d);
    }
}
