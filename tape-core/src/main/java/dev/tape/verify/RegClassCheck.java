package dev.tape.verify;

import dev.tape.format.DecodedCode;
import dev.tape.format.Operand;
import dev.tape.format.OperandClass;
import dev.tape.format.OperandKind;
import dev.tape.program.Program;
import dev.tape.program.ValueType;

import java.util.List;

/**
 * The register-class check every instruction of a function must pass, reachable or not, driven by
 * the operand classes of the opcode table ({@link Operand#regClass()}, from
 * {@code spec/opcodes.json}).
 *
 * <p>Each register has one class for the whole function: its fixed type's kind (every host object
 * type is one class), where a register that reachable code never writes and that is not an
 * argument is of class unit. An operand of a fixed class needs a register of that class; the
 * {@link OperandClass#SAME} operands of one instruction need one class between them;
 * {@link OperandClass#CALLEE} needs func or closure; {@link OperandClass#CONST} needs the class of
 * the named constant; {@link OperandClass#ANY} only needs the register to exist. A misfit is
 * {@code UnstableRegTypeAt}, a register past the function's count {@code RegOutOfBounds}.
 *
 * <p>The reference checks an instruction's registers in encoding order, each for range and then
 * class, except that an instruction with {@code SAME} or {@code CALLEE} operands first takes the
 * range of those and of its register lists, then their classes, and then the other operands. This
 * class keeps that order, so where one instruction breaks both rules the error is the
 * reference's. For reachable code the type analysis has already proved every fit; for unreachable
 * code this check is the only one (besides ids, jump targets and terminators).
 */
final class RegClassCheck {
    private static final OperandClass[] BY_KIND_TAG = OperandClass.values();

    private RegClassCheck() {}

    /**
     * @param t a value type
     * @return its register class, one of the first twelve {@link OperandClass} constants
     */
    static OperandClass classOf(ValueType t) {
        return BY_KIND_TAG[t.kind().tag()];
    }

    /**
     * @param func the function id, for errors
     * @param ins the instruction
     * @param r a register index (negative when its encoding was past 2^31)
     * @param regCount the function's register count
     * @throws VerifyException {@code RegOutOfBounds} when {@code r} is not below {@code regCount}
     */
    static void checkReg(int func, DecodedCode dc, int ins, int r, int regCount) throws VerifyException {
        if (r < 0 || r >= regCount) {
            throw new VerifyException("RegOutOfBounds", func, dc.pc(ins), dc.opcode(ins).mnemonic(),
                    "register r" + (r < 0 ? "(>2^31)" : String.valueOf(r)) + " is out of range (the function has "
                            + regCount + " registers)");
        }
    }

    /**
     * Checks one instruction's registers against the fixed register types.
     *
     * @param program the program (for {@code const.pool}'s constant)
     * @param func the function id
     * @param ins the instruction
     * @param regTypes the fixed type of each register of the function
     * @throws VerifyException {@code RegOutOfBounds} or {@code UnstableRegTypeAt}
     */
    static void check(Program program, int func, DecodedCode dc, int ins, ValueType[] regTypes) throws VerifyException {
        List<Operand> ops = dc.opcode(ins).operands();
        boolean deferred = false;
        for (int i = 0; i < ops.size(); i++) {
            OperandClass c = ops.get(i).regClass();
            deferred |= c == OperandClass.SAME || c == OperandClass.CALLEE;
        }
        if (!deferred) {
            for (int i = 0; i < ops.size(); i++) {
                operand(program, func, dc, ins, i, regTypes);
            }
            return;
        }
        // the registers whose class decides the instruction's form, and the lists, are taken first
        for (int i = 0; i < ops.size(); i++) {
            Operand o = ops.get(i);
            if (o.kind() == OperandKind.REG_LIST) {
                for (int k = 0; k < dc.value(ins, i); k++) {
                    checkReg(func, dc, ins, dc.listReg(ins, i, k), regTypes.length);
                }
            } else if (o.regClass() == OperandClass.SAME || o.regClass() == OperandClass.CALLEE) {
                checkReg(func, dc, ins, dc.reg(ins, i), regTypes.length);
            }
        }
        int first = -1;
        for (int i = 0; i < ops.size(); i++) {
            OperandClass want = ops.get(i).regClass();
            int r = ops.get(i).kind() == OperandKind.REG ? dc.reg(ins, i) : -1;
            if (want == OperandClass.SAME) {
                if (first < 0) {
                    first = r;
                } else if (classOf(regTypes[r]) != classOf(regTypes[first])) {
                    throw misfit(func, dc, ins, first, regTypes, "but " + dc.opcode(ins).mnemonic() + " needs r" + r
                            + " (" + regTypes[r] + ") to be of the same class");
                }
            } else if (want == OperandClass.CALLEE) {
                OperandClass c = classOf(regTypes[r]);
                if (c != OperandClass.FUNC && c != OperandClass.CLOSURE) {
                    throw misfit(func, dc, ins, r, regTypes, "but the callee must be a func or a closure");
                }
            }
        }
        for (int i = 0; i < ops.size(); i++) {
            Operand o = ops.get(i);
            if (o.kind() == OperandKind.REG && o.regClass() != OperandClass.SAME && o.regClass() != OperandClass.CALLEE) {
                operand(program, func, dc, ins, i, regTypes);
            }
        }
    }

    /** Range and class of operand {@code i} (a register, a register list, or nothing to check). */
    private static void operand(Program program, int func, DecodedCode dc, int ins, int i, ValueType[] regTypes)
            throws VerifyException {
        Operand o = dc.opcode(ins).operands().get(i);
        if (o.kind() == OperandKind.REG_LIST) {
            for (int k = 0; k < dc.value(ins, i); k++) {
                int r = dc.listReg(ins, i, k);
                checkReg(func, dc, ins, r, regTypes.length);
                fits(program, func, dc, ins, o, r, regTypes);
            }
        } else if (o.kind() == OperandKind.REG) {
            int r = dc.reg(ins, i);
            checkReg(func, dc, ins, r, regTypes.length);
            fits(program, func, dc, ins, o, r, regTypes);
        }
    }

    private static void fits(Program program, int func, DecodedCode dc, int ins, Operand o, int r, ValueType[] regTypes)
            throws VerifyException {
        OperandClass want = o.regClass();
        if (want == OperandClass.CONST) {
            ValueType t = program.constants().get(constantOperand(dc, ins)).type();
            if (classOf(regTypes[r]) != classOf(t)) {
                throw misfit(func, dc, ins, r, regTypes, "but the constant is " + t);
            }
        } else if (want.isFixed() && classOf(regTypes[r]) != want) {
            throw misfit(func, dc, ins, r, regTypes, "but " + dc.opcode(ins).mnemonic() + " "
                    + (o.access() == dev.tape.format.Access.WRITE ? "writes" : "reads") + " it (" + o.name() + ") as "
                    + want.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private static int constantOperand(DecodedCode dc, int ins) {
        List<Operand> ops = dc.opcode(ins).operands();
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).kind() == OperandKind.CONST_ID) {
                return (int) dc.value(ins, i);
            }
        }
        throw new IllegalStateException(dc.opcode(ins).mnemonic() + " has a const-class operand but no constant");
    }

    private static VerifyException misfit(int func, DecodedCode dc, int ins, int r, ValueType[] regTypes, String why) {
        return new VerifyException("UnstableRegTypeAt", func, dc.pc(ins), dc.opcode(ins).mnemonic(),
                "r" + r + " has type " + regTypes[r] + " in this function (its one type, from the writes reachable code"
                        + " makes or its argument type; unit when neither), " + why);
    }
}
