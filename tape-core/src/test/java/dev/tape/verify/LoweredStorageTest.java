package dev.tape.verify;

import dev.tape.format.Instruction;
import dev.tape.format.InstructionCodec;
import dev.tape.program.Constant;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.format.Opcode;
import dev.tape.verify.internal.CodeImage;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.Lowered;
import dev.tape.verify.internal.LoweredFunction;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A verified program keeps its lowered code once, in the code image, and a pc per instruction
 * and no per-instruction table: {@link LoweredFunction#code()} and {@link LoweredFunction#pcOf()}
 * are made again (by lowering the function again) on first use and must equal what the function
 * had before (its code does not depend on where the image put it; its pcs are the decoded
 * instructions').
 */
class LoweredStorageTest {
    /** Makes every body's string constants differ from every other's. */
    private static final java.util.concurrent.atomic.AtomicInteger BODIES = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * A function with branch targets, reference constants (two strings no other body has, so that
     * a reference constant relocated to the wrong place shows) and aggregate tag lists.
     */
    private static void body(ProgramBuilder pb, FunctionBuilder f) {
        int n = BODIES.incrementAndGet();
        int s = pb.constant(new Constant.Str("hello " + n));
        int t = pb.constant(new Constant.Str("world " + n));
        Label loop = f.newLabel();
        Label done = f.newLabel();
        f.constI64(2, 0).constI64(3, 1).constPool(4, s).i64Lt(5, 2, 1).br(5, loop, done);
        f.place(loop).tupleNew(6, 2, 3).tupleGet(7, 6, 0).i64Add(2, 7, 3).constPool(8, t)
                .i64Lt(5, 2, 1).br(5, loop, done);
        f.place(done).ret(0, 2);
    }

    /**
     * A verified program keeps no function's own code or tables: each function's first
     * {@code pcOf()} (or {@code code()}) lowers it again, exactly once, and gets what verification
     * made. A placement that read a function's constants after dropping them would have lowered
     * every function again while loading, and kept the tables.
     */
    @Test
    void placedFunctionsKeepNoTablesAndAreLoweredAgainOnce() {
        VerifiedProgram vp = Verifier.verify(program(true));
        VerifiedProgram reference = Verifier.verify(program(true));
        for (int f = 0; f < 2; f++) {
            LoweredFunction lf = Lowered.function(vp, f);
            int[] count = new int[1];
            VerifiedProgram again = Verifier.verify(program(true));
            int id = f;
            lf.relowering(func -> {
                count[0]++;
                assertEquals(id, func);
                // the same function of an equal program (placed: it lowers itself again when asked)
                return Lowered.function(again, func);
            });
            assertEquals(Lowered.function(reference, f).instructionCount(), lf.instructionCount());
            assertEquals(0, count[0], "instructionCount() decodes the bytecode, it does not lower");
            int[] pcs = lf.pcOf();
            assertEquals(1, count[0], "the first pcOf() lowers the function again");
            assertArrayEquals(Lowered.function(reference, f).pcOf(), pcs);
            assertArrayEquals(Lowered.function(reference, f).code(), lf.code());
            assertSame(pcs, lf.pcOf());
            assertEquals(1, count[0], "then keeps it");
        }
    }

    /**
     * The image keeps equal tag lists once: two bodies that build a tuple of two i64 share one
     * array; a body that builds a tuple of three i64 has its own. Every image entry equals its
     * function's own list (checked by {@link #imageAgrees}).
     */
    @Test
    void equalTagListsAreKeptOnce() {
        ProgramBuilder pb = new ProgramBuilder();
        body(pb, pb.addFunction(List.of(I64), List.of(I64)));
        body(pb, pb.addFunction(List.of(I64), List.of(I64)));
        pb.addFunction(List.of(I64), List.of(I64)).constI64(2, 3).tupleNew(3, 1, 2, 2).tupleGet(4, 3, 2).ret(0, 4);
        VerifiedProgram vp = Verifier.verify(pb.build());
        byte[][] tags = Lowered.image(vp).tags();
        assertEquals(3, tags.length, "one tag list a tuple.new");
        assertSame(tags[0], tags[1]);
        assertArrayEquals(new byte[] {tags[0][0], tags[0][1], tags[0][0]}, tags[2]);
        assertNotEquals(tags[0].length, tags[2].length);
        imageAgrees(vp, 0);
        imageAgrees(vp, 1);
        assertArrayEquals(Lowered.function(vp, 2).tags()[0], tags[2]);
    }

    /**
     * A function's closure key is -2 unless it takes an aggregate first, whether or not another
     * function of the program does (the program keeps no closure keys when none does); an id out
     * of range throws as the key array would.
     */
    @Test
    void closureKeysWithAndWithoutClosures() {
        for (boolean withClosure : new boolean[] {false, true}) {
            ProgramBuilder pb = new ProgramBuilder();
            pb.addFunction(List.of(I64), List.of(I64)).ret(0, 1);
            if (withClosure) {
                pb.addFunction(List.of(dev.tape.program.ValueType.AGG, I64), List.of(I64)).ret(0, 2);
            }
            VerifiedProgram vp = Verifier.verify(pb.build());
            assertEquals(-2, vp.closureSigKey(0));
            if (withClosure) {
                // the rest of its signature, (i64) -> (i64), is function 0's
                assertEquals(vp.funcSigKey(0), vp.closureSigKey(1));
            }
            int n = vp.functionCount();
            org.junit.jupiter.api.Assertions.assertThrows(ArrayIndexOutOfBoundsException.class, () -> vp.closureSigKey(n));
            org.junit.jupiter.api.Assertions.assertThrows(ArrayIndexOutOfBoundsException.class, () -> vp.closureSigKey(-1));
        }
    }

    /** The same kinds of code, so that the second function's image position and bases are not 0. */
    private static Program program(boolean withFirst) {
        ProgramBuilder pb = new ProgramBuilder();
        if (withFirst) {
            body(pb, pb.addFunction(List.of(I64), List.of(I64)));
        }
        body(pb, pb.addFunction(List.of(I64), List.of(I64)));
        return pb.build();
    }

    @Test
    void codeRebuiltFromTheImageDoesNotDependOnThePlace() {
        VerifiedProgram alone = Verifier.verify(program(false));
        VerifiedProgram second = Verifier.verify(program(true));
        LoweredFunction a = Lowered.function(alone, 0);
        LoweredFunction b = Lowered.function(second, 1);
        assertNotEquals(0, Lowered.image(second).entry(1));
        assertEquals(a.codeLength(), b.codeLength());
        assertArrayEquals(a.code(), b.code());
        // with its entry at 0 and no function before it, the image holds the function's code as is
        int[] image = Lowered.image(alone).code();
        assertArrayEquals(java.util.Arrays.copyOf(image, a.codeLength()), a.code());
        assertSame(b.code(), b.code(), "made once, then kept");
        // both functions point at the same reference constants and tag lists through the image
        int[] whole = Lowered.image(second).code();
        assertEquals(Lowered.image(second).refs().length, 2 * a.refs().length);
        assertEquals(whole.length, Lowered.function(second, 0).codeLength() + b.codeLength());
        imageAgrees(second, 0);
        imageAgrees(second, 1);
    }

    /**
     * A function of over 65,535 lowered ints keeps its instruction starts and relocated positions
     * as ints: with branch targets, reference constants and tag lists past index 65,535, its code
     * rebuilt from the image equals the same function's placed at entry 0.
     */
    @Test
    void wideCodeRebuiltFromTheImageDoesNotDependOnThePlace() {
        VerifiedProgram alone = Verifier.verify(wideProgram(false));
        VerifiedProgram second = Verifier.verify(wideProgram(true));
        LoweredFunction a = Lowered.function(alone, 0);
        LoweredFunction b = Lowered.function(second, 1);
        assertEquals(true, a.codeLength() > 70_000, "code length " + a.codeLength());
        assertNotEquals(0, Lowered.image(second).entry(1));
        assertNotEquals(0, Lowered.image(second).refs().length - b.refs().length, "a reference base past 0");
        int[] image = Lowered.image(alone).code();
        assertArrayEquals(java.util.Arrays.copyOf(image, a.codeLength()), a.code());
        assertArrayEquals(a.code(), b.code());
        pcsAreTheDecodedInstructions(second);
        imageAgrees(second, 0);
        imageAgrees(second, 1);
        imageAgrees(alone, 0);
    }

    /**
     * The image's relocated positions point where the function's own code does: branch targets
     * at the function's entry plus the target, reference constants and tag lists at the same
     * objects. Checked on {@code br}, {@code jmp}, reference constants and {@code tuple.new}.
     */
    private static void imageAgrees(VerifiedProgram vp, int f) {
        LoweredFunction lf = Lowered.function(vp, f);
        CodeImage image = Lowered.image(vp);
        int entry = image.entry(f);
        int[] whole = image.code();
        int[] own = lf.code();
        int checked = 0;
        for (int i = 0; i < lf.instructionCount(); i++) {
            int at = lf.instructionStart(i);
            int op = own[at];
            if (op == Opcode.BR.toByte()) {
                assertEquals(entry + own[at + 2], whole[entry + at + 2]);
                assertEquals(entry + own[at + 3], whole[entry + at + 3]);
                checked++;
            } else if (op == Opcode.JMP.toByte()) {
                assertEquals(entry + own[at + 1], whole[entry + at + 1]);
                checked++;
            } else if (op == LOp.CONST_R) {
                // once placed, the function's refs are made again: equal strings, not the same objects
                assertEquals(String.valueOf(lf.refs()[own[at + 2]]), String.valueOf(image.refs()[whole[entry + at + 2]]));
                checked++;
            } else if (op == Opcode.TUPLE_NEW.toByte() || op == LOp.TUPLE_NEW_W) {
                assertArrayEquals(lf.tags()[own[at + 2]], image.tags()[whole[entry + at + 2]]);
                checked++;
            }
        }
        assertEquals(5, checked, "the body's two br, two string constants and one tuple.new");
    }

    /** 20,000 adds, then {@link #body}: its targets, refs and tags sit past code index 65,535. */
    private static Program wideProgram(boolean withFirst) {
        ProgramBuilder pb = new ProgramBuilder();
        if (withFirst) {
            body(pb, pb.addFunction(List.of(I64), List.of(I64)));
        }
        FunctionBuilder big = pb.addFunction(List.of(I64), List.of(I64));
        big.constI64(9, 1);
        for (int i = 0; i < 20_000; i++) {
            big.i64Add(1, 1, 9);
        }
        body(pb, big);
        return pb.build();
    }

    @Test
    void pcsAreTheDecodedInstructions() {
        pcsAreTheDecodedInstructions(Verifier.verify(program(true)));
    }

    /**
     * A function of over 65,535 lowered ints keeps its instruction starts as ints, not 2-byte
     * entries: a start past 65,535 must come back as it was (a {@code char} would wrap it).
     */
    @Test
    void pcsOfAFunctionPast65535CodeIndices() {
        ProgramBuilder pb = new ProgramBuilder();
        body(pb, pb.addFunction(List.of(I64), List.of(I64)));
        FunctionBuilder big = pb.addFunction(List.of(I64), List.of(I64));
        big.constI64(2, 1);
        for (int i = 0; i < 20_000; i++) {
            big.i64Add(1, 1, 2);
        }
        big.ret(0, 1);
        VerifiedProgram vp = Verifier.verify(pb.build());
        LoweredFunction lf = Lowered.function(vp, 1);
        assertEquals(true, lf.codeLength() > 70_000, "code length " + lf.codeLength());
        assertEquals(true, lf.instructionStart(lf.instructionCount() - 1) > 65_535);
        pcsAreTheDecodedInstructions(vp);
    }

    /** An empty body's one synthetic instruction is a trap at pc 0 (no bytecode to decode). */
    @Test
    void emptyBodyIsATrapAtPc0() {
        VerifiedProgram vp = Verifier.verify(dev.tape.testing.EmptyBodyPrograms.uncalled());
        int empty = -1;
        for (int f = 0; f < vp.program().functions().size(); f++) {
            if (vp.program().functions().get(f).codeLength() == 0) {
                empty = f;
            }
        }
        LoweredFunction lf = Lowered.function(vp, empty);
        assertArrayEquals(new int[] {0, -1}, lf.pcOf());
        assertEquals(dev.tape.format.Opcode.TRAP.toByte(), lf.opcodeAt(0));
        assertEquals(0, lf.instructionStart(0));
        assertEquals(0, lf.instructionCount());
    }

    /**
     * Functions whose registers have the same types may share one type array; a function whose
     * types differ keeps its own.
     */
    @Test
    void registerTypesStayEachFunctionsOwn() {
        ProgramBuilder pb = new ProgramBuilder();
        pb.addFunction(List.of(I64), List.of(I64)).constI64(2, 1).i64Add(1, 1, 2).ret(0, 1);
        pb.addFunction(List.of(I64), List.of(I64)).constBool(2, true).ret(0, 1);
        pb.addFunction(List.of(I64), List.of(I64)).constI64(2, 7).i64Add(1, 2, 2).ret(0, 1);
        VerifiedProgram vp = Verifier.verify(pb.build());
        assertEquals(I64, Lowered.function(vp, 0).regType(2));
        assertEquals(dev.tape.program.ValueType.BOOL, Lowered.function(vp, 1).regType(2));
        assertEquals(I64, Lowered.function(vp, 2).regType(2));
        assertEquals(I64, Lowered.function(vp, 1).regType(1));
    }

    private static void pcsAreTheDecodedInstructions(VerifiedProgram vp) {
        for (int f = 0; f < vp.program().functions().size(); f++) {
            LoweredFunction lf = Lowered.function(vp, f);
            List<Instruction> ins = InstructionCodec.decodeAll(vp.program().functions().get(f).code());
            int[] pcOf = lf.pcOf();
            assertEquals(lf.codeLength(), pcOf.length);
            int starts = 0;
            for (int ip = 0; ip < pcOf.length; ip++) {
                if (pcOf[ip] >= 0) {
                    assertEquals(ins.get(starts).pc(), pcOf[ip]);
                    assertEquals(ip, lf.instructionStart(starts));
                    // the opcode as written (lowering fuses the i64.lt with its br, the opcode stays)
                    assertEquals(ins.get(starts).opcode().toByte(), lf.opcodeAt(ip));
                    starts++;
                }
            }
            assertEquals(ins.size(), starts);
            assertEquals(ins.size(), lf.instructionCount());
        }
    }
}
