package dev.tape.verify;

import dev.tape.format.Opcode;
import dev.tape.format.Operand;
import dev.tape.format.OperandClass;
import dev.tape.format.OperandKind;
import dev.tape.program.Program;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.testing.MiniAsm;
import dev.tape.testing.RegClassVectors;
import dev.tape.testing.RegClassVectors.Vector;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Register classes in unreachable code: every instruction, reachable or not, must fit the one
 * class of each of its registers, as the reference's lowering demands ({@code UnstableRegTypeAt});
 * the order in which range and class are checked; and that a register's class comes from the writes
 * of reachable code and the signature only.
 */
class RegClassesTest {
    private static String verdict(Program p) {
        try {
            Verifier.verify(p);
            return null;
        } catch (VerifyException e) {
            return e.kind() + " at pc " + e.pc() + ": " + e.getMessage();
        }
    }

    private static VerifyException reject(Program p) {
        try {
            Verifier.verify(p);
        } catch (VerifyException e) {
            return e;
        }
        throw new AssertionError("the program verifies");
    }

    @Test
    void theSpecTableHasTheReferencesClasses() {
        assertEquals(Opcode.COUNT, RegClassVectors.CLASSES.size(), "every opcode has a hand-written entry");
        for (Opcode op : Opcode.values()) {
            List<String> got = new ArrayList<>();
            for (Operand o : op.operands()) {
                if (o.kind() == OperandKind.REG || o.kind() == OperandKind.REG_LIST) {
                    got.add(o.regClass().name().toLowerCase(Locale.ROOT));
                } else {
                    assertEquals(OperandClass.NONE, o.regClass(), op.mnemonic() + "." + o.name());
                }
            }
            assertEquals(RegClassVectors.CLASSES.get(op.mnemonic()), String.join(" ", got), op.mnemonic());
        }
    }

    @Test
    void theFixedClassesAreTheValueKindsInTagOrder() {
        for (ValueKind k : ValueKind.values()) {
            OperandClass c = OperandClass.values()[k.tag()];
            assertTrue(c.isFixed(), c.name());
            assertEquals(k.keyword(), c.name().toLowerCase(Locale.ROOT));
            assertEquals(c, RegClassCheck.classOf(k == ValueKind.OBJ ? ValueType.obj(3) : ValueType.of(k)));
        }
        assertEquals(ValueKind.values().length, OperandClass.ANY.ordinal());
    }

    @Test
    void everyOpcodeInUnreachableCodeFitsOrIsRefused() {
        List<Vector> all = RegClassVectors.all();
        assertTrue(all.size() > 250, "vectors: " + all.size());
        List<String> wrong = new ArrayList<>();
        for (Vector v : all) {
            String got = verdict(v.program());
            if (v.refusal() == null ? got != null : got == null || !got.startsWith(v.refusal() + " at pc " + v.pc())) {
                wrong.add(v.name() + ": expected " + (v.refusal() == null ? "acceptance" : v.refusal() + " at pc "
                        + v.pc()) + ", got " + (got == null ? "acceptance" : got));
            }
        }
        if (!wrong.isEmpty()) {
            fail(wrong.size() + " vectors disagree with the reference's rule:\n" + String.join("\n", wrong));
        }
    }

    /** The examples the reference refuses and this verifier used to accept. */
    @Test
    void theReportedExamples() {
        // const.i64 into a u64 register
        assertEquals("UnstableRegTypeAt", reject(RegClassVectors.withDead(Opcode.CONST_I64, 4, 1L)).kind());
        // u64.add on i64 registers
        assertEquals("UnstableRegTypeAt", reject(RegClassVectors.withDead(Opcode.U64_ADD, 4, 3, 3)).kind());
        // str.len on a bytes register
        assertEquals("UnstableRegTypeAt", reject(RegClassVectors.withDead(Opcode.STR_LEN, 4, 7)).kind());
        // br on an i64
        assertEquals("UnstableRegTypeAt", reject(RegClassVectors.withDead(Opcode.BR, 3, 0, 0)).kind());
        // aggregate results into a register reachable code never writes (class unit)
        assertEquals("UnstableRegTypeAt", reject(RegClassVectors.withDead(Opcode.TUPLE_NEW, 13, new int[0])).kind());
        assertEquals("UnstableRegTypeAt", reject(RegClassVectors.withDead(Opcode.STRUCT_NEW, 13, 0,
                new int[] {3})).kind());
        assertEquals("UnstableRegTypeAt", reject(RegClassVectors.withDead(Opcode.ARRAY_NEW, 13, 0,
                new int[] {3})).kind());
        assertEquals("UnstableRegTypeAt", reject(RegClassVectors.withDead(Opcode.CLOSURE_NEW, 13, 10, 9)).kind());
        assertEquals("UnstableRegTypeAt", reject(RegClassVectors.withDead(Opcode.TUPLE_LEN, 13, 9)).kind());
        assertEquals("UnstableRegTypeAt", reject(RegClassVectors.withDead(Opcode.STRUCT_FIELD_COUNT, 13, 9)).kind());
        assertEquals("UnstableRegTypeAt", reject(RegClassVectors.withDead(Opcode.ARRAY_LEN, 13, 9)).kind());
    }

    @Test
    void whatTheReferenceDoesNotCheckInUnreachableCode() {
        // effect registers other than r0 (of class unit), arities, a call's argument types
        assertEquals(null, verdict(RegClassVectors.withDead(Opcode.CALL, 12, 0, 13, new int[] {3, 4, 5},
                new int[0])));
        assertEquals(null, verdict(RegClassVectors.withDead(Opcode.RET, 12, new int[] {2, 7, 9})));
        assertEquals(null, verdict(RegClassVectors.withDead(Opcode.HOST_CALL, 0, 0, 0, new int[0],
                new int[] {1, 2})));
        // a projection's result register may be of any class, and its index out of range
        assertEquals(null, verdict(RegClassVectors.withDead(Opcode.TUPLE_GET, 1, 9, 99)));
        assertEquals(null, verdict(RegClassVectors.withDead(Opcode.STRUCT_NEW, 9, 0, new int[] {7, 8})));
        // uninitialised registers are of class unit, and may be read there
        assertEquals(null, verdict(RegClassVectors.withDead(Opcode.MOV, 13, 12)));
        // host objects of any host type are one class
        MiniAsm a = new MiniAsm();
        a.function(List.of(ValueType.obj(1), ValueType.obj(2)), List.of(), 3, MiniAsm.body()
                .op(Opcode.RET, 0, new int[0]).op(Opcode.MOV, 1, 2).op(Opcode.TRAP, 0));
        assertEquals(null, verdict(a.build()));
    }

    @Test
    void anArgumentKeepsItsSignatureClass() {
        // r1 is obj(7) by the signature; unreachable code cannot give it another class
        assertEquals("UnstableRegTypeAt", reject(RegClassVectors.withDead(Opcode.CONST_I64, 1, 1L)).kind());
        assertEquals(null, verdict(RegClassVectors.withDead(Opcode.MOV, 1, 1)));
    }

    @Test
    void rangeAndClassAreCheckedInTheReferencesOrder() {
        // encoding order, range then class per register
        assertEquals("UnstableRegTypeAt", reject(RegClassVectors.withDead(Opcode.I64_ADD, 4, 99, 3)).kind());
        assertEquals("RegOutOfBounds", reject(RegClassVectors.withDead(Opcode.I64_ADD, 3, 99, 4)).kind());
        // select: its same-class operands first, then the condition
        assertEquals("UnstableRegTypeAt", reject(RegClassVectors.withDead(Opcode.SELECT, 3, 99, 3, 4)).kind());
        assertEquals("RegOutOfBounds", reject(RegClassVectors.withDead(Opcode.SELECT, 3, 99, 3, 3)).kind());
        // call.indirect: callee and lists in range, then the callee's class, then the effects
        assertEquals("RegOutOfBounds", reject(RegClassVectors.withDead(Opcode.CALL_INDIRECT, 0, 0, 3, 0,
                new int[] {99}, new int[0])).kind());
        assertEquals("UnstableRegTypeAt", reject(RegClassVectors.withDead(Opcode.CALL_INDIRECT, 0, 0, 3, 99,
                new int[0], new int[0])).kind());
        assertEquals("RegOutOfBounds", reject(RegClassVectors.withDead(Opcode.CALL_INDIRECT, 0, 0, 10, 99,
                new int[0], new int[0])).kind());
        // call: the effects before the lists
        assertEquals("UnstableRegTypeAt", reject(RegClassVectors.withDead(Opcode.CALL, 3, 0, 0, new int[] {99},
                new int[0])).kind());
    }

    @Test
    void reachableErrorsComeBeforeTheRegistersOfUnreachableCode() {
        // a type error in reachable code, an out-of-range register in unreachable code after it
        MiniAsm a = new MiniAsm();
        a.function(List.of(), List.of(), 3, MiniAsm.body()
                .op(Opcode.CONST_BOOL, 1, true).op(Opcode.I64_ADD, 2, 1, 1).op(Opcode.RET, 0, new int[0])
                .op(Opcode.CONST_I64, 99, 1L).op(Opcode.TRAP, 0));
        assertEquals("TypeMismatch", reject(a.build()).kind());
    }
}
