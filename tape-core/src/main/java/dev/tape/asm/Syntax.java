package dev.tape.asm;

import dev.tape.format.ByteWriter;
import dev.tape.format.Instruction;
import dev.tape.format.Opcode;
import dev.tape.format.Operand;
import dev.tape.format.OperandEncoding;
import dev.tape.format.OperandKind;
import dev.tape.program.Constant;
import dev.tape.program.ValueType;

import java.math.BigInteger;
import java.util.HexFormat;
import java.util.List;

/**
 * What the assembler and the disassembler must agree on: spelling of identifiers, strings and
 * literals, default operand widths, and how an instruction is built from its operand values.
 */
final class Syntax {
    private Syntax() {}

    /** The width of a {@code pc} operand written without a {@code /N} suffix, as the reference builder pads it. */
    static final int DEFAULT_PC_WIDTH = 5;

    /** The bits {@code nan} stands for. */
    static final long CANONICAL_NAN = 0x7ff8000000000000L;

    /** @return whether {@code s} is an identifier: {@code [A-Za-z_][A-Za-z0-9_.]*} */
    static boolean isIdentifier(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
                    || (i > 0 && ((c >= '0' && c <= '9') || c == '.'));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** @return {@code s} as a JSON string literal, non-ASCII printable characters kept as they are */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (needsEscape(s, i)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /**
     * Whether the char at {@code i} is written as an escape: controls, format characters (bidi
     * overrides, zero-width and tag characters), separators, unassigned and private-use code points,
     * and unpaired surrogates. The two halves of a pair are judged by their code point together,
     * so both are escaped or neither is.
     */
    private static boolean needsEscape(String s, int i) {
        char c = s.charAt(i);
        int cp = c;
        if (Character.isHighSurrogate(c)) {
            if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                return true;
            }
            cp = Character.toCodePoint(c, s.charAt(i + 1));
        } else if (Character.isLowSurrogate(c)) {
            if (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1))) {
                return true;
            }
            cp = Character.toCodePoint(s.charAt(i - 1), c);
        }
        int t = Character.getType(cp);
        return Character.isISOControl(cp) || t == Character.FORMAT || t == Character.LINE_SEPARATOR
                || t == Character.PARAGRAPH_SEPARATOR || t == Character.UNASSIGNED
                || t == Character.PRIVATE_USE;
    }

    /** @return the assembly spelling of a value type, for example {@code i64} or {@code obj<7>} */
    static String type(ValueType t) {
        return t.toString();
    }

    /** @return the f64 immediate spelling of the bits: a decimal when finite, else inf, -inf, nan or 0x bits */
    static String f64(long bits) {
        double d = Double.longBitsToDouble(bits);
        if (Double.isFinite(d)) {
            return Double.toString(d);
        }
        if (bits == Double.doubleToRawLongBits(Double.POSITIVE_INFINITY)) {
            return "inf";
        }
        if (bits == Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY)) {
            return "-inf";
        }
        if (bits == CANONICAL_NAN) {
            return "nan";
        }
        return String.format("0x%016x", bits);
    }

    /** @return mantissa × 10^-scale written with {@code scale} digits after the point */
    static String decimal(long mantissa, int scale) {
        String digits = BigInteger.valueOf(mantissa).abs().toString();
        String sign = mantissa < 0 ? "-" : "";
        if (scale == 0) {
            return sign + digits;
        }
        if (digits.length() <= scale) {
            digits = "0".repeat(scale + 1 - digits.length()) + digits;
        }
        int point = digits.length() - scale;
        return sign + digits.substring(0, point) + "." + digits.substring(point);
    }

    /** @return the constant as a value literal: {@code i64:5}, {@code str:"hi"}, {@code bytes:00ff} ... */
    static String literal(Constant c) {
        if (c instanceof Constant.Unit) {
            return "unit";
        } else if (c instanceof Constant.Bool b) {
            return "bool:" + b.value();
        } else if (c instanceof Constant.I64 i) {
            return "i64:" + i.value();
        } else if (c instanceof Constant.U64 u) {
            return "u64:" + Long.toUnsignedString(u.value());
        } else if (c instanceof Constant.F64 f) {
            return "f64:" + f64(f.bits());
        } else if (c instanceof Constant.Decimal d) {
            return "dec:" + decimal(d.mantissa(), d.scale());
        } else if (c instanceof Constant.Bytes b) {
            return "bytes:" + HexFormat.of().formatHex(b.value());
        } else if (c instanceof Constant.Str s) {
            return "str:" + quote(s.value());
        }
        throw new IllegalArgumentException("unknown constant " + c);
    }

    /** @return whether an operand is a LEB128 value that may carry a {@code /N} width */
    static boolean hasWidth(Operand o) {
        return o.encoding() == OperandEncoding.ULEB32 || o.encoding() == OperandEncoding.ULEB64
                || o.encoding() == OperandEncoding.SLEB64;
    }

    /** @return the number of bytes the value takes in its canonical (minimal) encoding */
    static int canonicalWidth(OperandEncoding e, long v) {
        return Instruction.canonicalWidth(e, v);
    }

    /** @return the width an operand written without a suffix gets: 5 for a pc, canonical otherwise */
    static int defaultWidth(Operand o, long v) {
        return o.kind() == OperandKind.PC ? DEFAULT_PC_WIDTH : canonicalWidth(o.encoding(), v);
    }

    /**
     * Builds an instruction as the assembler writes it.
     *
     * @param op the opcode
     * @param values one value per operand (a list's length for a list)
     * @param lists the register lists (registers 0 to 2^32-1), {@code null} for scalars
     * @param widths each scalar's width, 0 for the default ({@link #defaultWidth})
     * @return the instruction
     * @throws IllegalArgumentException when a value or width does not fit its encoding
     */
    static Instruction build(Opcode op, long[] values, long[][] lists, int[] widths) {
        List<Operand> schema = op.operands();
        Object[] args = new Object[schema.size()];
        for (int i = 0; i < args.length; i++) {
            args[i] = lists[i] != null ? lists[i] : (Object) values[i];
        }
        Instruction ins = Instruction.of(op, args);
        for (int i = 0; i < args.length; i++) {
            Operand o = schema.get(i);
            if (lists[i] == null && hasWidth(o)) {
                int w = widths[i] != 0 ? widths[i] : defaultWidth(o, values[i]);
                if (w != canonicalWidth(o.encoding(), values[i])) {
                    ins = ins.withOperand(i, values[i], w);
                }
            }
        }
        return ins;
    }
}
