package dev.tape.program;

import dev.tape.format.Instruction;
import dev.tape.format.Operand;
import dev.tape.format.OperandKind;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The labels of one {@link FunctionBuilder} and the branch operands that refer to them: where
 * each label is placed, the name symbol of each named label, and the fix-ups (instruction and
 * operand positions) patched with their label's pc once the body is complete. A label-targeted
 * operand is written {@link FunctionBuilder#LABEL_PC_WIDTH} bytes wide from the start, so patching
 * moves no instruction. Split out of {@link FunctionBuilder}, which makes the labels and checks that
 * they are its own. Not thread-safe.
 */
final class FunctionLabels {
    /**
     * A label-targeted pc operand.
     *
     * @param instruction the instruction's position in the body, from 0 in emit order
     * @param operand the operand's position in the instruction's schema
     * @param label the target
     */
    record Fixup(int instruction, int operand, FunctionBuilder.Label label) {}

    private final int funcId;
    /** the labels by index */
    private final List<FunctionBuilder.Label> labels = new ArrayList<>();
    /** each label's pc, -1 while unplaced */
    private final List<Integer> pcs = new ArrayList<>();
    /** each label's name symbol, 0 for an unnamed label */
    private final List<Integer> symbols = new ArrayList<>();
    private final List<Fixup> fixups = new ArrayList<>();

    /** @param funcId the function's id, for error messages */
    FunctionLabels(int funcId) {
        this.funcId = funcId;
    }

    /** @return the index the next label gets: the number of labels so far */
    int size() {
        return labels.size();
    }

    /**
     * Records a new, unplaced label.
     *
     * @param label the label, whose index is {@link #size()}
     * @param symbol its name's symbol id, 0 for an unnamed label
     * @return {@code label}
     */
    FunctionBuilder.Label add(FunctionBuilder.Label label, int symbol) {
        labels.add(label);
        pcs.add(-1);
        symbols.add(symbol);
        return label;
    }

    /**
     * @param label a label of this function
     * @return its pc, or -1 while it is unplaced
     */
    int pcOf(FunctionBuilder.Label label) {
        return pcs.get(label.index());
    }

    /**
     * Places a label.
     *
     * @param label a label of this function
     * @param pc its pc, 0 or more
     * @throws IllegalStateException when the label has already been placed
     */
    void place(FunctionBuilder.Label label, int pc) {
        if (pcOf(label) >= 0) {
            throw new IllegalStateException("function " + funcId + ": label " + label + " is already placed at pc "
                    + pcOf(label));
        }
        pcs.set(label.index(), pc);
    }

    /** @param emitted the fix-ups of an instruction just emitted */
    void refer(List<Fixup> emitted) {
        fixups.addAll(emitted);
    }

    /**
     * Patches every label-targeted operand with its label's pc, and lists the named labels.
     *
     * @param body the instructions in emit order, replaced in place by their patched forms
     * @return (pc, name symbol id) pairs of the named labels, in creation order
     * @throws IllegalStateException when a referenced or named label is unplaced
     */
    List<int[]> resolve(List<Instruction> body) {
        for (Fixup f : fixups) {
            int target = pcOf(f.label());
            Instruction ins = body.get(f.instruction());
            if (target < 0) {
                throw new IllegalStateException("function " + funcId + ": " + ins.opcode().mnemonic() + " at pc "
                        + ins.pc() + " targets label " + f.label() + ", which was never placed");
            }
            body.set(f.instruction(), ins.withOperand(f.operand(), target, FunctionBuilder.LABEL_PC_WIDTH));
        }
        List<int[]> names = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i).name() != null) {
                if (pcs.get(i) < 0) {
                    throw new IllegalStateException("function " + funcId + ": named label " + labels.get(i)
                            + " was never placed");
                }
                names.add(new int[] {pcs.get(i), symbols.get(i)});
            }
        }
        return names;
    }

    /**
     * Checks that every branch target, by label or by number, is the start of an instruction.
     *
     * @param body the complete, patched instructions
     * @throws IllegalStateException when a target is not
     */
    void checkTargets(List<Instruction> body) {
        Set<Integer> starts = new HashSet<>();
        for (Instruction ins : body) {
            starts.add(ins.pc());
        }
        for (Instruction ins : body) {
            List<Operand> schema = ins.opcode().operands();
            for (int i = 0; i < schema.size(); i++) {
                if (schema.get(i).kind() == OperandKind.PC) {
                    long target = ins.value(i);
                    if (target > Integer.MAX_VALUE || !starts.contains((int) target)) {
                        throw new IllegalStateException("function " + funcId + ": " + ins.opcode().mnemonic()
                                + " at pc " + ins.pc() + " jumps to pc " + target
                                + ", which is not the start of an instruction");
                    }
                }
            }
        }
    }
}
