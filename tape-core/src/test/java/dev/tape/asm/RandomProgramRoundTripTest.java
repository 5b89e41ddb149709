package dev.tape.asm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tape.format.ByteWriter;
import dev.tape.format.Instruction;
import dev.tape.format.InstructionCodec;
import dev.tape.format.Opcode;
import dev.tape.format.Operand;
import dev.tape.format.OperandEncoding;
import dev.tape.format.OperandKind;
import dev.tape.program.AggShape;
import dev.tape.program.CallSig;
import dev.tape.program.Constant;
import dev.tape.program.Function;
import dev.tape.program.FunctionSig;
import dev.tape.program.HostSig;
import dev.tape.program.Names;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.program.SpanEntry;
import dev.tape.program.StructType;
import dev.tape.program.TypeTable;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * disassemble then assemble is the identity (on the encoded bytes) for random programs that use
 * every feature the container has: odd symbols (duplicates, empty, quotes, control characters),
 * every constant kind with duplicates, struct and array types, host signatures with wrong hashes
 * and out-of-range symbols, call signatures, argument shapes in any order, names at any pc,
 * padded operands, branch targets on and off instruction boundaries, bytecode that does not
 * decode, span tables with any deltas, and counts that disagree with the signatures.
 */
class RandomProgramRoundTripTest {
    private static final String[] WORDS = {"x", "flag", "fib", "loop", "_", "i64", "at", "a.b", "r3", "L15",
        "héllo", "with space", "quote\"d", "back\\slash", "tab\tnew\nline", "\u0000nul", "\u2028sep", "emoji 😀",
        "", "@0", "$1", "#hash", ";semi", "end"};

    @Property(tries = 400)
    void disassembleThenAssembleIsTheIdentity(@ForAll long seed) throws Exception {
        Program generated = generate(new Random(seed));
        // normalise through the codec, so the model is one the decoder produces
        byte[] bytes = ProgramEncoder.encode(generated);
        Program p = ProgramDecoder.decode(bytes);
        String text = Disassembler.disassemble(p);
        Program back;
        try {
            back = Assembler.assemble(text, "random.tasm");
        } catch (AsmException e) {
            throw new AssertionError("seed " + seed + ": " + e.getMessage() + "\n--- text ---\n" + text, e);
        }
        assertArrayEquals(bytes, ProgramEncoder.encode(back), () -> "seed " + seed + "\n--- text ---\n" + text);
        assertEquals(text, Disassembler.disassemble(back), "seed " + seed + ": the text is a fixed point");
    }

    /**
     * The implicit forms: a program with distinct, non-empty symbols is disassembled, its explicit
     * symbol table and register counts are dropped, and the result is assembled. That program
     * (whose symbols are in first-use order and whose register counts are inferred) must
     * disassemble without a symbols block or regs, and round-trip.
     */
    @Property(tries = 200)
    void implicitSymbolsAndRegisterCountsRoundTrip(@ForAll long seed) throws Exception {
        Random r = new Random(seed);
        Program p = ProgramDecoder.decode(ProgramEncoder.encode(generate(r, true)));
        String text = Disassembler.disassemble(p)
                .replaceFirst("^symbols \\{\n(.*\n)*?\\}\n\n", "")
                .replaceAll("(?m)^(func .*) regs \\d+", "$1");
        Program canonical;
        try {
            canonical = Assembler.assemble(text, "tame.tasm");
        } catch (AsmException e) {
            throw new AssertionError("seed " + seed + ": " + e.getMessage() + "\n--- text ---\n" + text, e);
        }
        String again = Disassembler.disassemble(canonical);
        assertEquals(text, again, "seed " + seed);
        assertArrayEquals(ProgramEncoder.encode(canonical), ProgramEncoder.encode(Assembler.assemble(again, "x")));
    }

    private static String word(Random r) {
        String w = WORDS[r.nextInt(WORDS.length)];
        return r.nextInt(4) == 0 ? w + r.nextInt(5) : w;
    }

    private static ValueType type(Random r) {
        ValueKind k = ValueKind.values()[r.nextInt(ValueKind.values().length)];
        if (k == ValueKind.OBJ) {
            return ValueType.obj(r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(10));
        }
        return ValueType.of(k);
    }

    private static List<ValueType> types(Random r, int max) {
        List<ValueType> out = new ArrayList<>();
        for (int i = r.nextInt(max + 1); i > 0; i--) {
            out.add(type(r));
        }
        return out;
    }

    private static Constant constant(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> new Constant.Unit();
            case 1 -> new Constant.Bool(r.nextBoolean());
            case 2 -> new Constant.I64(r.nextBoolean() ? r.nextInt(100) - 50 : r.nextLong());
            case 3 -> new Constant.U64(r.nextBoolean() ? r.nextInt(100) : r.nextLong());
            case 4 -> new Constant.F64(switch (r.nextInt(4)) {
                case 0 -> Double.doubleToRawLongBits(r.nextDouble() * 1000 - 500);
                case 1 -> r.nextLong();
                case 2 -> Double.doubleToRawLongBits(-0.0);
                default -> Double.doubleToRawLongBits(r.nextBoolean() ? Double.NaN : Double.NEGATIVE_INFINITY);
            });
            case 5 -> new Constant.Decimal(r.nextBoolean() ? r.nextInt(20000) - 10000 : r.nextLong(), r.nextInt(256));
            case 6 -> {
                byte[] b = new byte[r.nextInt(6)];
                r.nextBytes(b);
                yield new Constant.Bytes(b);
            }
            default -> new Constant.Str(word(r));
        };
    }

    private static long operandValue(Random r, Operand o, int nConsts, int nFuncs, boolean tame) {
        return switch (o.kind()) {
            case REG -> !tame && r.nextInt(20) == 0 ? r.nextLong() & 0xFFFFFFFFL : r.nextInt(12);
            case IMM_BOOL -> r.nextInt(10) == 0 ? r.nextInt(256) : r.nextInt(2);
            case IMM_I64, IMM_U64, IMM_F64 -> r.nextBoolean() ? r.nextInt(300) - 150 : r.nextLong();
            case IMM_U8 -> r.nextInt(256);
            case IMM_U32, TRAP_CODE -> r.nextBoolean() ? r.nextInt(5) : r.nextLong() & 0xFFFFFFFFL;
            case CONST_ID -> r.nextInt(8) == 0 ? r.nextInt(1000) : r.nextInt(Math.max(1, nConsts));
            case FUNC_ID -> r.nextInt(8) == 0 ? r.nextInt(1000) : r.nextInt(nFuncs);
            default -> r.nextInt(4);
        };
    }

    /** Random instructions (some padded), with branch targets patched to boundaries or anywhere. */
    private static byte[] code(Random r, int nConsts, int nFuncs, boolean tame) {
        List<Instruction> ins = new ArrayList<>();
        List<int[]> pcOperands = new ArrayList<>();
        Opcode[] ops = Opcode.values();
        int n = r.nextInt(12);
        for (int k = 0; k < n; k++) {
            Opcode op = ops[r.nextInt(ops.length)];
            List<Operand> schema = op.operands();
            Object[] args = new Object[schema.size()];
            for (int i = 0; i < args.length; i++) {
                Operand o = schema.get(i);
                if (o.kind() == OperandKind.REG_LIST) {
                    int[] regs = new int[r.nextInt(4)];
                    for (int j = 0; j < regs.length; j++) {
                        regs[j] = r.nextInt(15);
                    }
                    args[i] = regs;
                } else {
                    args[i] = operandValue(r, o, nConsts, nFuncs, tame);
                }
            }
            Instruction in = Instruction.of(op, args);
            for (int i = 0; i < args.length; i++) {
                Operand o = schema.get(i);
                boolean leb = o.encoding() == OperandEncoding.ULEB32 || o.encoding() == OperandEncoding.ULEB64
                        || o.encoding() == OperandEncoding.SLEB64;
                if (o.kind() == OperandKind.PC) {
                    int w = r.nextInt(4) == 0 ? 1 + r.nextInt(10) : 5;
                    in = in.withOperand(i, 0, w);
                    pcOperands.add(new int[] {k, i, w});
                } else if (leb && r.nextInt(10) == 0) {
                    int w = Math.min(10, in.width(i) + 1 + r.nextInt(3));
                    in = in.withOperand(i, in.value(i), w);
                }
            }
            ins.add(in);
        }
        List<Integer> boundaries = new ArrayList<>();
        int pc = 0;
        for (Instruction in : ins) {
            boundaries.add(pc);
            pc += in.length();
        }
        boundaries.add(pc);
        for (int[] po : pcOperands) {
            int w = po[2];
            long max = w >= 5 ? 0xFFFFFFFFL : (1L << (7 * w)) - 1;
            long target = r.nextInt(3) > 0 ? boundaries.get(r.nextInt(boundaries.size())) : r.nextInt(pc + 3);
            if (target > max) {
                target = max;
            }
            ins.set(po[0], ins.get(po[0]).withOperand(po[1], target, w));
        }
        ByteWriter out = new ByteWriter();
        for (Instruction in : ins) {
            InstructionCodec.encode(in, out);
        }
        byte[] code = out.toByteArray();
        if (r.nextInt(8) == 0 && code.length > 0) {
            code = java.util.Arrays.copyOf(code, r.nextInt(code.length)); // truncated: does not decode
        } else if (r.nextInt(10) == 0) {
            code = java.util.Arrays.copyOf(code, code.length + 1);
            code[code.length - 1] = (byte) 0xEE; // unknown opcode
        }
        return code;
    }

    static Program generate(Random r) {
        return generate(r, false);
    }

    /** @param tame distinct non-empty symbols, host symbols in range, registers small enough to infer counts */
    static Program generate(Random r, boolean tame) {
        List<String> symbols = new ArrayList<>(List.of(""));
        for (int i = 1 + r.nextInt(8); i > 0; i--) {
            String w = word(r);
            if (!tame || (!w.isEmpty() && !w.contains("$") && !symbols.contains(w))) {
                symbols.add(w);
            }
        }
        if (symbols.size() == 1) {
            symbols.add("only");
        }
        int nSym = symbols.size();
        List<Constant> constants = new ArrayList<>();
        for (int i = r.nextInt(6); i > 0; i--) {
            constants.add(r.nextInt(4) == 0 && !constants.isEmpty() ? constants.get(r.nextInt(constants.size()))
                    : constant(r));
        }
        List<String> fieldNames = new ArrayList<>();
        for (int i = 1 + r.nextInt(4); i > 0; i--) {
            fieldNames.add(word(r));
        }
        List<StructType> structs = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--) {
            List<StructType.Field> fields = new ArrayList<>();
            for (int k = r.nextInt(4); k > 0; k--) {
                fields.add(new StructType.Field(r.nextInt(fieldNames.size()), type(r)));
            }
            structs.add(new StructType(fields));
        }
        TypeTable types = new TypeTable(fieldNames, structs, types(r, 3));
        List<HostSig> hosts = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--) {
            int sym = 1 + r.nextInt(tame ? nSym - 1 : nSym + 2);
            List<ValueType> a = types(r, 3);
            List<ValueType> b = types(r, 2);
            hosts.add(r.nextInt(4) == 0 ? new HostSig(sym, r.nextLong(), a, b) : HostSig.of(sym, a, b));
        }
        List<CallSig> callSigs = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--) {
            callSigs.add(new CallSig(types(r, 3), types(r, 2)));
        }
        int nFuncs = 1 + r.nextInt(4);
        List<Function> functions = new ArrayList<>();
        for (int f = 0; f < nFuncs; f++) {
            List<ValueType> args = types(r, 4);
            List<ValueType> rets = types(r, 3);
            List<Integer> argNames = names(r, args.size(), nSym);
            List<Integer> retNames = names(r, rets.size(), nSym);
            int argc = r.nextInt(6) == 0 ? r.nextInt(6) : args.size();
            int retc = r.nextInt(6) == 0 ? r.nextInt(6) : rets.size();
            // raw bytes may decode to registers too large to infer a count for: not in a tame program
            boolean raw = r.nextInt(10) == 0 && !tame;
            byte[] code = raw ? randomBytes(r) : code(r, constants.size(), nFuncs, tame);
            int regs = r.nextInt(3) == 0 ? r.nextInt(300) : -1;
            List<SpanEntry> spans = new ArrayList<>();
            for (int i = r.nextInt(4); i > 0; i--) {
                long delta = r.nextInt(5) == 0 ? r.nextLong() : r.nextInt(Math.max(1, code.length / 2 + 1));
                spans.add(new SpanEntry(delta, r.nextInt(5) == 0 ? r.nextLong() | 1 : 1 + r.nextInt(100)));
            }
            FunctionSig sig = new FunctionSig(args, argNames, rets, retNames);
            // a register count the assembler would infer is written as -1 here and fixed below
            functions.add(new Function(argc, retc, regs < 0 ? argc + 1 : regs, code, spans, sig));
        }
        List<AggShape.ArgShape> shapes = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            int f = r.nextInt(nFuncs);
            int argc = functions.get(f).argCount();
            if (argc == 0) {
                continue;
            }
            AggShape s = switch (r.nextInt(3)) {
                case 0 -> {
                    List<ValueType> elems = new ArrayList<>();
                    for (int k = r.nextInt(3); k > 0; k--) {
                        elems.add(r.nextBoolean() ? null : type(r));
                    }
                    yield new AggShape.Tuple(elems);
                }
                case 1 -> new AggShape.Struct(r.nextInt(4));
                default -> new AggShape.Array(r.nextInt(4));
            };
            shapes.add(new AggShape.ArgShape(f, r.nextInt(argc), s));
        }
        if (r.nextBoolean()) {
            shapes.sort((a, b) -> a.funcId() != b.funcId() ? Integer.compare(a.funcId(), b.funcId())
                    : Integer.compare(a.arg(), b.arg()));
        }
        Names names = Names.NONE;
        if (r.nextBoolean() && nSym > 1) {
            List<Names.FunctionName> fns = new ArrayList<>();
            for (int i = r.nextInt(5); i > 0; i--) {
                fns.add(new Names.FunctionName(r.nextInt(nFuncs), 1 + r.nextInt(nSym - 1)));
            }
            List<Names.LabelName> labels = new ArrayList<>();
            for (int i = r.nextInt(5); i > 0; i--) {
                int f = r.nextInt(nFuncs);
                labels.add(new Names.LabelName(f, r.nextInt(functions.get(f).codeLength() + 1),
                        1 + r.nextInt(nSym - 1)));
            }
            names = new Names(r.nextBoolean() ? 1 + r.nextInt(nSym - 1) : -1, fns, labels);
        }
        return new Program(symbols, constants, types, functions, hosts, callSigs, shapes, names);
    }

    private static List<Integer> names(Random r, int n, int nSym) {
        if (n == 0 || r.nextBoolean()) {
            return null;
        }
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(r.nextInt(3) == 0 ? 0 : r.nextInt(nSym));
        }
        return ids;
    }

    private static byte[] randomBytes(Random r) {
        byte[] b = new byte[r.nextInt(40)];
        r.nextBytes(b);
        return b;
    }
}
