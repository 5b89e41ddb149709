package dev.tape.codegen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Generates the opcode tables of {@code tape-core} from {@code spec/opcodes.json}.
 *
 * <p>The generator uses the Java standard library only, so it also runs without a build, straight
 * from its source file:
 *
 * <pre>java tape-codegen/src/main/java/dev/tape/codegen/OpcodeGenerator.java [SPEC] [OUT_DIR]</pre>
 *
 * <p>{@code SPEC} defaults to {@code spec/opcodes.json} and {@code OUT_DIR} to
 * {@code tape-core/src/main/java}, both relative to the working directory (the repository root).
 * Output is deterministic: the same spec always gives the same bytes.
 *
 * <p>The same command rewrites the interpreter's word cases: {@code word-cases.txt} beside the spec
 * ({@code spec/word-cases.txt}) defines each word case of the run loops once and names the
 * hand-written loops ({@code Interpreter.execute}, {@code WordRun},
 * {@code FloatRun}, {@code TupleRun}, {@code DecimalRun}, {@code HostRun}) and the cases of each of their regions marked
 * {@value #BEGIN_WORD_CASES} ... {@value #END_WORD_CASES}; the generator replaces each region's
 * lines with the cases it names and leaves the rest of each file alone
 * ({@link #writeWordCases}). A file the template names with a shell ({@code CallLoop}, {@code LeafLoop},
 * {@code ClosureLoop}) is generated whole instead: the shell's lines, the file's parts and its cases
 * ({@link #wholeFiles}). Its paths are relative to the repository root, the directory above the
 * template's ({@code SPEC}'s directory's parent), whatever the working directory.
 */
public final class OpcodeGenerator {
    /** The package the generated sources belong to. */
    public static final String PACKAGE = "dev.tape.format";

    private OpcodeGenerator() {}

    /**
     * Runs the generator.
     *
     * @param args optional spec path and output source root; the word cases' template is read beside
     *     the spec and the files it names are found from the directory above the spec's
     * @throws IOException when the spec cannot be read or a source cannot be written
     * @throws IllegalArgumentException when the spec, the template or a file's regions are malformed
     */
    public static void main(String[] args) throws IOException {
        Path spec = Path.of(args.length > 0 ? args[0] : "spec/opcodes.json");
        Path outRoot = Path.of(args.length > 1 ? args[1] : "tape-core/src/main/java");
        Map<String, String> files = generate(Files.readString(spec, StandardCharsets.UTF_8));
        for (Map.Entry<String, String> e : files.entrySet()) {
            Path out = outRoot.resolve(e.getKey());
            Files.createDirectories(out.getParent());
            Files.writeString(out, e.getValue(), StandardCharsets.UTF_8);
            System.out.println("wrote " + out);
        }
        Path cases = spec.resolveSibling(WORD_CASES);
        if (Files.isRegularFile(cases)) {
            String specJson = Files.readString(spec, StandardCharsets.UTF_8);
            String template = Files.readString(cases, StandardCharsets.UTF_8);
            // every file checked before any is written: a bad region leaves all of them as they were
            Map<Path, String> rewrites = new LinkedHashMap<>();
            List<String> targets = wordCaseFiles(template);
            Path specDir = cases.toAbsolutePath().normalize().getParent();
            Path root = specDir.getParent() == null ? specDir : specDir.getParent();
            for (String file : targets) {
                Path p = root.resolve(file);
                // a whole generated file is written whatever is there, also where nothing is yet
                String source = Files.isRegularFile(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
                String rewritten = writeWordCases(specJson, template, file, source);
                if (!rewritten.equals(source)) {
                    rewrites.put(p, rewritten);
                }
            }
            for (Map.Entry<Path, String> e : rewrites.entrySet()) {
                Files.writeString(e.getKey(), e.getValue(), StandardCharsets.UTF_8);
                System.out.println("rewrote the word cases of " + e.getKey());
            }
            System.out.println("word cases: " + targets.size() + " files, " + rewrites.size() + " rewritten");
        }
    }

    /** The file name of the word cases' template, beside the spec. */
    public static final String WORD_CASES = "word-cases.txt";
    /** The line (after indentation) that opens a region of generated word cases. */
    public static final String BEGIN_WORD_CASES = "// BEGIN GENERATED: word cases (OpcodeGenerator)";
    /** The line (after indentation) that closes a region of generated word cases. */
    public static final String END_WORD_CASES = "// END GENERATED";

    /**
     * The hand-written files whose word cases the template defines, in the template's order.
     *
     * @param template the content of {@code spec/word-cases.txt}
     * @return the paths, relative to the repository root, for example
     *     {@code tape-core/src/main/java/dev/tape/vm/WordRun.java}
     * @throws IllegalArgumentException when the template is malformed
     */
    public static List<String> wordCaseFiles(String template) {
        return List.copyOf(WordCases.parse(template).files.keySet());
    }

    /**
     * The files of {@link #wordCaseFiles} that are generated whole, from a shell ({@code @file PATH MODE
     * SHELL}), in the template's order; {@link #writeWordCases} returns their whole content.
     *
     * @param template the content of {@code spec/word-cases.txt}
     * @return the paths, relative to the repository root
     * @throws IllegalArgumentException when the template is malformed
     */
    public static List<String> wholeFiles(String template) {
        return List.copyOf(WordCases.parse(template).shellOf.keySet());
    }

    /**
     * Rewrites the marked regions of one hand-written run loop: the n-th region opened by a line
     * {@value #BEGIN_WORD_CASES} and closed by the next line {@value #END_WORD_CASES} gets, between
     * those lines (kept), the cases the template's n-th {@code @region} line of that file names, in
     * that order, indented as the opening line; every other line stays as it is. A file generated
     * whole ({@link #wholeFiles}) gets its shell's lines instead, whatever {@code source} holds, under
     * a two-line header saying it is generated: its {@code @cases} line the cases of its one
     * {@code @region}, each {@code @part KEY} line the file's part KEY, each {@code @labels} line the
     * labels of those cases, each indented as the line, and {@code $class} the file's name without
     * {@code .java}.
     *
     * @param specJson the content of {@code spec/opcodes.json} (each {@code Op.} label of a case must
     *     name one of its opcodes)
     * @param template the content of {@code spec/word-cases.txt}
     * @param path the file's path as the template names it
     * @param source the file's current content
     * @return the content with its regions regenerated, or the whole generated file (equal to
     *     {@code source} when it is fresh)
     * @throws IllegalArgumentException when the spec or the template is malformed, the template does
     *     not name {@code path}, or the file's regions do not match the template's (count, nesting)
     */
    public static String writeWordCases(String specJson, String template, String path, String source) {
        List<String> constants = new ArrayList<>();
        for (Op op : parseOps(specJson)) {
            constants.add(op.constant());
        }
        WordCases cases = WordCases.parse(template);
        cases.checkLabels(constants);
        return cases.rewrite(path, source);
    }

    /**
     * Generates every source from the text of the spec.
     *
     * @param specJson the content of {@code spec/opcodes.json}
     * @return a map from a path relative to the source root (for example
     *     {@code dev/tape/format/Opcode.java}) to the file's content, in a fixed order
     * @throws IllegalArgumentException when the spec is malformed or inconsistent
     */
    public static Map<String, String> generate(String specJson) {
        List<Op> ops = parseOps(specJson);
        Map<String, String> out = new LinkedHashMap<>();
        String dir = PACKAGE.replace('.', '/') + "/";
        out.put(dir + "Op.java", opConstants(ops));
        out.put(dir + "Opcode.java", opcodeEnum(ops));
        return out;
    }

    private static List<Op> parseOps(String specJson) {
        Object root = new Json(specJson).parseDocument();
        Map<String, Object> doc = asObject(root, "document");
        if (!"tape-opcodes-v1".equals(doc.get("format"))) {
            throw new IllegalArgumentException("spec: format must be \"tape-opcodes-v1\"");
        }
        List<Object> opcodes = asList(doc.get("opcodes"), "opcodes");
        List<Op> ops = new ArrayList<>();
        Map<Integer, String> bytesSeen = new TreeMap<>();
        Map<String, String> mnemonicsSeen = new TreeMap<>();
        for (Object o : opcodes) {
            Op op = Op.from(asObject(o, "opcode"));
            if (bytesSeen.put(op.code, op.mnemonic) != null) {
                throw new IllegalArgumentException("spec: byte 0x" + Integer.toHexString(op.code) + " used twice");
            }
            if (mnemonicsSeen.put(op.mnemonic, op.mnemonic) != null) {
                throw new IllegalArgumentException("spec: mnemonic " + op.mnemonic + " used twice");
            }
            ops.add(op);
        }
        ops.sort((a, b) -> Integer.compare(a.code, b.code));
        return ops;
    }

    private static final String HEADER =
            "// GENERATED by dev.tape.codegen.OpcodeGenerator from spec/opcodes.json. Do not edit:\n"
                    + "// change the spec and regenerate (see README.md, \"Regenerating the opcode tables\").\n";

    private static String opcodeEnum(List<Op> ops) {
        StringBuilder s = new StringBuilder();
        s.append(HEADER);
        s.append("package ").append(PACKAGE).append(";\n\n");
        s.append("import java.util.HashMap;\n");
        s.append("import java.util.List;\n");
        s.append("import java.util.Map;\n\n");
        s.append("/**\n");
        s.append(" * Every opcode of the execution_tape v1 instruction set, with its byte, mnemonic, operand\n");
        s.append(" * schema, terminator flag and fuel cost (spec section \"Opcode set (v1)\").\n");
        s.append(" */\n");
        s.append("public enum Opcode {\n");
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            s.append("    /** {@code ").append(op.mnemonic).append("} (0x").append(hex2(op.code)).append("): ")
                    .append(javadocEscape(op.doc)).append(" */\n");
            s.append("    ").append(op.constant()).append("(0x").append(hex2(op.code)).append(", \"")
                    .append(op.mnemonic).append("\", ").append(op.terminator).append(", ").append(op.fuel)
                    .append(", \"").append(javaEscape(op.doc)).append("\"");
            if (op.operands.isEmpty()) {
                s.append(")");
            } else {
                s.append(",\n");
                for (int j = 0; j < op.operands.size(); j++) {
                    Operand o = op.operands.get(j);
                    s.append("            new Operand(\"").append(o.name).append("\", OperandKind.")
                            .append(o.kind.toUpperCase(Locale.ROOT)).append(", OperandEncoding.")
                            .append(o.encoding.toUpperCase(Locale.ROOT)).append(", Access.")
                            .append(o.access.toUpperCase(Locale.ROOT)).append(", OperandClass.")
                            .append(o.regClass.toUpperCase(Locale.ROOT)).append(")");
                    s.append(j + 1 < op.operands.size() ? ",\n" : ")");
                }
            }
            s.append(i + 1 < ops.size() ? ",\n" : ";\n");
        }
        s.append("\n    /** The number of opcodes in the set. */\n");
        s.append("    public static final int COUNT = ").append(ops.size()).append(";\n\n");
        s.append("    private static final Opcode[] BY_BYTE = new Opcode[256];\n");
        s.append("    private static final Map<String, Opcode> BY_MNEMONIC = new HashMap<>();\n\n");
        s.append("    static {\n");
        s.append("        for (Opcode op : values()) {\n");
        s.append("            BY_BYTE[op.code] = op;\n");
        s.append("            BY_MNEMONIC.put(op.mnemonic, op);\n");
        s.append("        }\n");
        s.append("    }\n\n");
        s.append("    private final int code;\n");
        s.append("    private final String mnemonic;\n");
        s.append("    private final boolean terminator;\n");
        s.append("    private final int fuel;\n");
        s.append("    private final String doc;\n");
        s.append("    private final List<Operand> operands;\n\n");
        s.append("    Opcode(int code, String mnemonic, boolean terminator, int fuel, String doc, Operand... operands) {\n");
        s.append("        this.code = code;\n");
        s.append("        this.mnemonic = mnemonic;\n");
        s.append("        this.terminator = terminator;\n");
        s.append("        this.fuel = fuel;\n");
        s.append("        this.doc = doc;\n");
        s.append("        this.operands = List.of(operands);\n");
        s.append("    }\n\n");
        s.append("    /**\n");
        s.append("     * Looks an opcode up by its byte.\n");
        s.append("     *\n");
        s.append("     * @param b the opcode byte, 0 to 255 (other values give {@code null})\n");
        s.append("     * @return the opcode, or {@code null} when no opcode has that byte\n");
        s.append("     */\n");
        s.append("    public static Opcode fromByte(int b) {\n");
        s.append("        return b >= 0 && b < 256 ? BY_BYTE[b] : null;\n");
        s.append("    }\n\n");
        s.append("    /**\n");
        s.append("     * Looks an opcode up by its mnemonic, for example {@code \"i64.add\"}.\n");
        s.append("     *\n");
        s.append("     * @param mnemonic the mnemonic, case-sensitive\n");
        s.append("     * @return the opcode, or {@code null} when no opcode has that mnemonic\n");
        s.append("     */\n");
        s.append("    public static Opcode fromMnemonic(String mnemonic) {\n");
        s.append("        return BY_MNEMONIC.get(mnemonic);\n");
        s.append("    }\n\n");
        s.append("    /**\n");
        s.append("     * The byte that encodes the opcode in bytecode.\n");
        s.append("     *\n");
        s.append("     * @return the opcode byte, 0 to 255\n");
        s.append("     */\n");
        s.append("    public int toByte() {\n");
        s.append("        return code;\n");
        s.append("    }\n\n");
        s.append("    /**\n");
        s.append("     * The opcode's name in assembly text.\n");
        s.append("     *\n");
        s.append("     * @return the assembly mnemonic, for example {@code \"i64.add\"}\n");
        s.append("     */\n");
        s.append("    public String mnemonic() {\n");
        s.append("        return mnemonic;\n");
        s.append("    }\n\n");
        s.append("    /**\n");
        s.append("     * Tells whether the instruction is a terminator: control never falls through to the next instruction.\n");
        s.append("     *\n");
        s.append("     * @return whether the instruction ends a basic block (no fallthrough)\n");
        s.append("     */\n");
        s.append("    public boolean isTerminator() {\n");
        s.append("        return terminator;\n");
        s.append("    }\n\n");
        s.append("    /**\n");
        s.append("     * The fuel the VM charges each time it executes the instruction.\n");
        s.append("     *\n");
        s.append("     * @return the fuel one execution costs, in fuel units (1 for every v1 opcode)\n");
        s.append("     */\n");
        s.append("    public int fuel() {\n");
        s.append("        return fuel;\n");
        s.append("    }\n\n");
        s.append("    /**\n");
        s.append("     * Describes what the instruction does, as {@code spec/opcodes.json} says it.\n");
        s.append("     *\n");
        s.append("     * @return a one-line description of what the instruction does\n");
        s.append("     */\n");
        s.append("    public String doc() {\n");
        s.append("        return doc;\n");
        s.append("    }\n\n");
        s.append("    /**\n");
        s.append("     * The opcode's operand schema: each operand's name and encoding.\n");
        s.append("     *\n");
        s.append("     * @return the operands in encoding order (an immutable list)\n");
        s.append("     */\n");
        s.append("    public List<Operand> operands() {\n");
        s.append("        return operands;\n");
        s.append("    }\n");
        s.append("}\n");
        return s.toString();
    }

    private static String opConstants(List<Op> ops) {
        StringBuilder s = new StringBuilder();
        s.append(HEADER);
        s.append("package ").append(PACKAGE).append(";\n\n");
        s.append("/**\n");
        s.append(" * The opcode bytes as compile-time constants, for {@code switch} statements in the\n");
        s.append(" * interpreter. {@link Opcode} holds the full schema.\n");
        s.append(" */\n");
        s.append("public final class Op {\n");
        s.append("    private Op() {}\n");
        for (Op op : ops) {
            s.append("\n    /** The byte of {@code ").append(op.mnemonic).append("}. */\n");
            s.append("    public static final int ").append(op.constant()).append(" = 0x").append(hex2(op.code))
                    .append(";\n");
        }
        s.append("}\n");
        return s.toString();
    }

    private static String hex2(int b) {
        String h = Integer.toHexString(b).toUpperCase(Locale.ROOT);
        return h.length() == 1 ? "0" + h : h;
    }

    private static String javaEscape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String javadocEscape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("*/", "*&#47;")
                .replace("@", "&#64;");
    }

    private static final List<String> KINDS = List.of("reg", "reg_list", "imm_bool", "imm_i64", "imm_u64",
            "imm_f64", "imm_u8", "imm_u32", "const_id", "func_id", "host_sig_id", "call_sig_id", "type_id",
            "elem_type_id", "pc", "trap_code");
    private static final List<String> ENCODINGS = List.of("uleb32", "uleb64", "sleb64", "u64_le", "u8", "u8_bool",
            "uleb32_count_then_uleb32");

    private static final List<String> CLASSES = List.of("unit", "bool", "i64", "u64", "f64", "dec", "bytes", "str",
            "obj", "agg", "func", "closure", "any", "same", "callee", "const");

    private record Operand(String name, String kind, String encoding, String access, String regClass) {}

    private record Op(int code, String mnemonic, boolean terminator, int fuel, String doc, List<Operand> operands) {
        static Op from(Map<String, Object> o) {
            String mnemonic = asString(o.get("mnemonic"), "mnemonic");
            String byteText = asString(o.get("byte"), mnemonic + ".byte");
            if (!byteText.startsWith("0x")) {
                throw new IllegalArgumentException("spec: " + mnemonic + ": byte must be written 0xNN");
            }
            int code = Integer.parseInt(byteText.substring(2), 16);
            if (code < 0 || code > 255) {
                throw new IllegalArgumentException("spec: " + mnemonic + ": byte out of range");
            }
            if (!mnemonic.matches("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)?")) {
                throw new IllegalArgumentException("spec: bad mnemonic " + mnemonic);
            }
            Object term = o.get("terminator");
            if (!(term instanceof Boolean)) {
                throw new IllegalArgumentException("spec: " + mnemonic + ": terminator must be true or false");
            }
            Object fuel = o.get("fuel");
            if (!(fuel instanceof Long) || (Long) fuel < 0 || (Long) fuel > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("spec: " + mnemonic + ": fuel must be a non-negative integer");
            }
            List<Operand> operands = new ArrayList<>();
            for (Object x : asList(o.get("operands"), mnemonic + ".operands")) {
                Map<String, Object> m = asObject(x, mnemonic + ".operand");
                String name = asString(m.get("name"), mnemonic + ".operand.name");
                String kind = asString(m.get("kind"), mnemonic + ".operand.kind");
                String enc = asString(m.get("encoding"), mnemonic + ".operand.encoding");
                if (!KINDS.contains(kind)) {
                    throw new IllegalArgumentException("spec: " + mnemonic + ": unknown operand kind " + kind);
                }
                if (!ENCODINGS.contains(enc)) {
                    throw new IllegalArgumentException("spec: " + mnemonic + ": unknown encoding " + enc);
                }
                boolean isReg = kind.equals("reg") || kind.equals("reg_list");
                Object acc = m.get("access");
                Object cls = m.get("class");
                String access;
                String regClass;
                if (isReg) {
                    if (!(cls instanceof String) || !CLASSES.contains(cls)) {
                        throw new IllegalArgumentException("spec: " + mnemonic + "." + name
                                + ": a register operand needs a class, one of " + CLASSES);
                    }
                    regClass = (String) cls;
                    if (!"read".equals(acc) && !"write".equals(acc)) {
                        throw new IllegalArgumentException("spec: " + mnemonic + "." + name
                                + ": a register operand needs access read or write");
                    }
                    access = (String) acc;
                } else {
                    if (acc != null || cls != null) {
                        throw new IllegalArgumentException("spec: " + mnemonic + "." + name
                                + ": only register operands have an access and a class");
                    }
                    access = "none";
                    regClass = "none";
                }
                operands.add(new Operand(name, kind, enc, access, regClass));
            }
            return new Op(code, mnemonic, (Boolean) term, (int) (long) (Long) fuel,
                    asString(o.get("doc"), mnemonic + ".doc"), operands);
        }

        String constant() {
            return mnemonic.toUpperCase(Locale.ROOT).replace('.', '_');
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(Object o, String what) {
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException("spec: " + what + " must be an object");
        }
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object o, String what) {
        if (!(o instanceof List)) {
            throw new IllegalArgumentException("spec: " + what + " must be an array");
        }
        return (List<Object>) o;
    }

    private static String asString(Object o, String what) {
        if (!(o instanceof String)) {
            throw new IllegalArgumentException("spec: " + what + " must be a string");
        }
        return (String) o;
    }

    /** A word case of the template: its labels, whether it is one statement, its body lines. */
    private record WordCase(String name, String labels, boolean oneLine, List<String> body) {}

    /** The parsed {@code spec/word-cases.txt}: the cases, and each file's mode and regions. */
    static final class WordCases {
        private static final java.util.regex.Pattern LABEL =
                java.util.regex.Pattern.compile("(Op|LOp)\\.[A-Z][A-Z0-9_]*");
        private static final java.util.regex.Pattern HANDOFF = java.util.regex.Pattern.compile("@handoff [1-9][0-9]?");
        /** A body line for one mode only: {@code @execute LINE} or {@code @calls LINE}. */
        private static final java.util.regex.Pattern ONLY = java.util.regex.Pattern.compile("@(execute|calls) .*\\S.*");
        final Map<String, WordCase> cases = new LinkedHashMap<>();
        /** Path to mode ({@code execute}, {@code calls} or {@code run}). */
        final Map<String, String> modes = new LinkedHashMap<>();
        /** Path to its regions, each a list of case names. */
        final Map<String, List<List<String>>> files = new LinkedHashMap<>();
        /** Shell name to its lines ({@code @shell NAME} ... {@code @end}). */
        final Map<String, List<String>> shells = new LinkedHashMap<>();
        /** Path of a file generated whole to its shell's name. */
        final Map<String, String> shellOf = new LinkedHashMap<>();
        /** Path of a file generated whole to its parts ({@code @part KEY} ... {@code @end}) by key. */
        final Map<String, Map<String, List<String>>> parts = new LinkedHashMap<>();

        static WordCases parse(String template) {
            WordCases t = new WordCases();
            String[] lines = template.split("\r?\n", -1); // a CRLF checkout reads as LF
            String file = null;
            for (int n = 0; n < lines.length; n++) {
                String line = lines[n];
                String where = "word cases: line " + (n + 1) + ": ";
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] words = line.trim().split(" +");
                switch (words[0]) {
                    case "@case", "@line" -> {
                        String[] head = header(line, where);
                        List<String> body = new ArrayList<>();
                        while (true) {
                            n++;
                            if (n >= lines.length) {
                                throw new IllegalArgumentException(where + "case " + head[0] + " has no @end");
                            }
                            if (lines[n].equals("@end")) {
                                break;
                            }
                            String b = lines[n];
                            if (b.trim().equals(BEGIN_WORD_CASES) || b.trim().equals(END_WORD_CASES)) {
                                // rendered, it would nest or close the region on the next run
                                throw new IllegalArgumentException("word cases: line " + (n + 1)
                                        + ": a body line may not be a region marker (" + b.trim() + ")");
                            }
                            if (b.startsWith("@") && !HANDOFF.matcher(b).matches() && !ONLY.matcher(b).matches()) {
                                throw new IllegalArgumentException("word cases: line " + (n + 1)
                                        + ": a body line may not start with @ (only @handoff N, @execute LINE, "
                                        + "@calls LINE, @end)");
                            }
                            body.add(b);
                        }
                        boolean oneLine = words[0].equals("@line");
                        if (body.isEmpty() || oneLine && (body.size() != 1 || body.get(0).startsWith("@"))) {
                            throw new IllegalArgumentException(where + "case " + head[0]
                                    + (oneLine ? " needs exactly one statement line" : " has an empty body"));
                        }
                        t.add(new WordCase(head[0], head[1], oneLine, body), where);
                    }
                    case "@same" -> {
                        int eq = line.lastIndexOf(" = ");
                        if (eq < 0) {
                            throw new IllegalArgumentException(where + "@same needs \" = OTHER\"");
                        }
                        String[] head = header(line.substring(0, eq), where);
                        WordCase other = t.cases.get(line.substring(eq + 3).trim());
                        if (other == null) {
                            throw new IllegalArgumentException(where + "@same names an undefined case "
                                    + line.substring(eq + 3).trim());
                        }
                        t.add(new WordCase(head[0], head[1], other.oneLine, other.body), where);
                    }
                    case "@file" -> {
                        if (words.length != 3 && words.length != 4
                                || !List.of("execute", "calls", "run").contains(words[2])) {
                            throw new IllegalArgumentException(where + "@file needs a path and a mode, execute or run"
                                    + " (or calls), and may name a shell");
                        }
                        file = words[1];
                        if (t.modes.put(file, words[2]) != null) {
                            throw new IllegalArgumentException(where + "file " + file + " named twice");
                        }
                        t.files.put(file, new ArrayList<>());
                        if (words.length == 4) {
                            if (!t.shells.containsKey(words[3])) {
                                throw new IllegalArgumentException(where + "@file names an undefined shell " + words[3]);
                            }
                            t.shellOf.put(file, words[3]);
                            t.parts.put(file, new LinkedHashMap<>());
                        }
                    }
                    case "@shell", "@part" -> n = t.block(lines, n, words, file, where);
                    case "@region" -> {
                        if (file == null) {
                            throw new IllegalArgumentException(where + "@region before any @file");
                        }
                        if (words.length < 2) {
                            throw new IllegalArgumentException(where + "@region names no case");
                        }
                        List<String> names = List.of(words).subList(1, words.length);
                        for (String name : names) {
                            if (!t.cases.containsKey(name)) {
                                throw new IllegalArgumentException(where + "@region names an undefined case " + name);
                            }
                        }
                        t.files.get(file).add(names);
                    }
                    default -> throw new IllegalArgumentException(where + "unexpected line: " + line.trim());
                }
            }
            for (Map.Entry<String, List<List<String>>> e : t.files.entrySet()) {
                if (e.getValue().isEmpty()) {
                    throw new IllegalArgumentException("word cases: file " + e.getKey() + " has no @region");
                }
            }
            t.checkShells();
            return t;
        }

        /**
         * Reads the block of {@code @shell NAME} or of a file's {@code @part KEY} (the lines up to
         * {@code @end}) that starts at line {@code n}; returns the index of its {@code @end} line.
         */
        private int block(String[] lines, int n, String[] words, String file, String where) {
            if (words.length != 2 || !words[1].matches("[a-z][a-z0-9_]*")) {
                throw new IllegalArgumentException(where + "expected " + words[0] + " NAME");
            }
            Map<String, List<String>> into;
            if (words[0].equals("@shell")) {
                into = shells;
            } else if (file != null && parts.containsKey(file)) {
                into = parts.get(file);
            } else {
                throw new IllegalArgumentException(where + "@part outside a file that names a shell");
            }
            List<String> body = new ArrayList<>();
            if (into.put(words[1], body) != null) {
                throw new IllegalArgumentException(where + words[0] + " " + words[1] + " defined twice");
            }
            for (n++; n < lines.length && !lines[n].equals("@end"); n++) {
                body.add(lines[n]);
            }
            if (n >= lines.length) {
                throw new IllegalArgumentException(where + words[0] + " " + words[1] + " has no @end");
            }
            return n;
        }

        /** Each whole file: one region, its shell's one {@code @cases}, exactly the parts its shell uses. */
        private void checkShells() {
            for (Map.Entry<String, String> e : shellOf.entrySet()) {
                String file = e.getKey();
                List<String> used = new ArrayList<>();
                int cases = 0;
                for (String line : shells.get(e.getValue())) {
                    String m = line.trim();
                    cases += m.equals("@cases") ? 1 : 0;
                    if (m.startsWith("@part ")) {
                        used.add(m.substring("@part ".length()));
                    }
                }
                String where = "word cases: file " + file + ": ";
                if (files.get(file).size() != 1 || cases != 1) {
                    throw new IllegalArgumentException(where + "a file generated whole needs one @region and its"
                            + " shell one @cases line (" + files.get(file).size() + ", " + cases + ")");
                }
                if (!new java.util.HashSet<>(used).equals(parts.get(file).keySet())) {
                    throw new IllegalArgumentException(where + "its parts " + parts.get(file).keySet()
                            + " are not the ones its shell uses " + used);
                }
            }
        }

        /** A whole file: the header, then the shell's lines with its markers filled in (see writeWordCases). */
        private String whole(String path) {
            String shell = shellOf.get(path);
            String name = path.substring(path.lastIndexOf('/') + 1).replaceFirst("\\.java$", "");
            StringBuilder out = new StringBuilder();
            out.append("// GENERATED by dev.tape.codegen.OpcodeGenerator from spec/word-cases.txt (@shell ").append(shell)
                    .append("). Do not edit:\n// change the template and regenerate: java ")
                    .append("tape-codegen/src/main/java/dev/tape/codegen/OpcodeGenerator.java\n");
            for (String line : shells.get(shell)) {
                String m = line.trim();
                String indent = line.substring(0, line.length() - line.stripLeading().length());
                if (m.equals("@cases")) {
                    for (String c : files.get(path).get(0)) {
                        render(out, cases.get(c), indent, modes.get(path));
                    }
                } else if (m.startsWith("@part ")) {
                    for (String p : parts.get(path).get(m.substring("@part ".length()))) {
                        fill(out, p.isEmpty() ? p : indent + p, path, name);
                    }
                } else {
                    fill(out, line, path, name);
                }
            }
            return out.toString();
        }

        /** One line of a shell or a part: {@code @labels} becomes the labels of the file's cases, wrapped. */
        private void fill(StringBuilder out, String line, String path, String name) {
            if (!line.trim().equals("@labels")) {
                out.append(line.replace("$class", name)).append('\n');
                return;
            }
            String indent = line.substring(0, line.indexOf('@'));
            StringBuilder row = new StringBuilder(indent);
            List<String> labels = new ArrayList<>();
            for (String c : files.get(path).get(0)) {
                labels.addAll(List.of(cases.get(c).labels.split(", ")));
            }
            for (int i = 0; i < labels.size(); i++) {
                String label = labels.get(i) + (i + 1 < labels.size() ? "," : "");
                if (row.length() > indent.length() && row.length() + 1 + label.length() > 110) {
                    out.append(row).append('\n');
                    row.setLength(0);
                    row.append(indent);
                }
                row.append(row.length() > indent.length() ? " " : "").append(label);
            }
            out.append(row).append('\n');
        }

        /** Splits {@code @case NAME LABEL, LABEL} into the name and the labels, checked. */
        private static String[] header(String line, String where) {
            String[] p = line.trim().split(" +", 3);
            if (p.length != 3 || !p[1].matches("[a-z][a-z0-9_]*")) {
                throw new IllegalArgumentException(where + "expected " + p[0] + " NAME LABEL[, LABEL...]");
            }
            for (String label : p[2].split(", ", -1)) {
                if (!LABEL.matcher(label).matches()) {
                    throw new IllegalArgumentException(where + "bad label " + label + " (Op.NAME or LOp.NAME)");
                }
            }
            return new String[] {p[1], p[2]};
        }

        private void add(WordCase c, String where) {
            if (cases.put(c.name, c) != null) {
                throw new IllegalArgumentException(where + "case " + c.name + " defined twice");
            }
        }

        /** Every {@code Op.} label names an opcode of the spec; every case is used by some region. */
        void checkLabels(List<String> opConstants) {
            java.util.Set<String> used = new java.util.HashSet<>();
            for (List<List<String>> regions : files.values()) {
                for (List<String> region : regions) {
                    used.addAll(region);
                }
            }
            for (WordCase c : cases.values()) {
                for (String label : c.labels.split(", ")) {
                    if (label.startsWith("Op.") && !opConstants.contains(label.substring(3))) {
                        throw new IllegalArgumentException("word cases: case " + c.name + ": " + label
                                + " is not an opcode of the spec");
                    }
                }
                if (!used.contains(c.name)) {
                    throw new IllegalArgumentException("word cases: case " + c.name + " is used by no region");
                }
            }
        }

        String rewrite(String path, String source) {
            List<List<String>> regions = files.get(path);
            if (regions == null) {
                throw new IllegalArgumentException("word cases: the template names no file " + path);
            }
            if (shellOf.containsKey(path)) {
                // a file checked out with CRLF gets CRLF, as a region does
                String whole = whole(path);
                return source.contains("\r\n") ? whole.replace("\n", "\r\n") : whole;
            }
            String mode = modes.get(path);
            String[] lines = source.split("\n", -1);
            StringBuilder out = new StringBuilder();
            int region = 0;
            for (int n = 0; n < lines.length; n++) {
                String line = lines[n];
                out.append(line);
                if (n + 1 < lines.length) {
                    out.append('\n');
                }
                if (line.trim().equals(END_WORD_CASES)) {
                    throw new IllegalArgumentException(path + ": line " + (n + 1) + ": " + END_WORD_CASES
                            + " without " + BEGIN_WORD_CASES);
                }
                if (!line.trim().equals(BEGIN_WORD_CASES)) {
                    continue;
                }
                int open = n;
                do {
                    n++;
                    if (n >= lines.length || lines[n].trim().equals(BEGIN_WORD_CASES)) {
                        throw new IllegalArgumentException(path + ": line " + (open + 1) + ": region not closed by "
                                + END_WORD_CASES);
                    }
                } while (!lines[n].trim().equals(END_WORD_CASES));
                if (region >= regions.size()) {
                    throw new IllegalArgumentException(path + ": line " + (open + 1) + ": more marked regions than the "
                            + regions.size() + " of the template");
                }
                String indent = line.substring(0, line.indexOf('/'));
                StringBuilder generated = new StringBuilder();
                for (String name : regions.get(region)) {
                    render(generated, cases.get(name), indent, mode);
                }
                // a file checked out with CRLF gets CRLF inside its regions too
                out.append(line.endsWith("\r") ? generated.toString().replace("\n", "\r\n") : generated);
                out.append(lines[n]);
                if (n + 1 < lines.length) { // the closing line may be the file's last, without a newline
                    out.append('\n');
                }
                region++;
            }
            if (region != regions.size()) {
                throw new IllegalArgumentException(path + ": " + region + " marked regions, the template has "
                        + regions.size());
            }
            return out.toString();
        }

        private static void render(StringBuilder out, WordCase c, String indent, String mode) {
            boolean execute = mode.equals("execute");
            String budget = mode.equals("run") ? "b" : "budget";
            if (c.oneLine) {
                out.append(indent).append("case ").append(c.labels).append(" -> ")
                        .append(c.body.get(0).replace("$budget", budget)).append('\n');
                return;
            }
            out.append(indent).append("case ").append(c.labels).append(" -> {\n");
            String in = indent + "    ";
            for (String b : c.body) {
                if (b.startsWith("@handoff ")) {
                    if (execute) {
                        out.append(in).append("if (budget != 0 && LOp.floatRun(code, ip + ")
                                .append(b.substring("@handoff ".length())).append(")) {\n");
                        out.append(in).append("    break words; // paid for: a FloatRun\n");
                        out.append(in).append("}\n");
                    }
                } else if (ONLY.matcher(b).matches()) {
                    int sp = b.indexOf(' ');
                    if (b.substring(1, sp).equals(mode)) {
                        out.append(in).append(b.substring(sp + 1).replace("$budget", budget)).append('\n');
                    }
                } else if (b.isEmpty()) {
                    out.append('\n');
                } else {
                    out.append(in).append(b.replace("$budget", budget)).append('\n');
                }
            }
            out.append(indent).append("}\n");
        }
    }

    /** A minimal JSON reader: objects (insertion-ordered), arrays, strings, integers, booleans, null. */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object parseDocument() {
            Object v = value();
            ws();
            if (i != s.length()) {
                throw err("trailing characters");
            }
            return v;
        }

        private Object value() {
            ws();
            if (i >= s.length()) {
                throw err("unexpected end");
            }
            char c = s.charAt(i);
            switch (c) {
                case '{': {
                    i++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    ws();
                    if (peek('}')) {
                        i++;
                        return m;
                    }
                    while (true) {
                        ws();
                        String k = string();
                        ws();
                        expect(':');
                        if (m.put(k, value()) != null) {
                            throw err("duplicate key " + k);
                        }
                        ws();
                        if (peek(',')) {
                            i++;
                        } else {
                            expect('}');
                            return m;
                        }
                    }
                }
                case '[': {
                    i++;
                    List<Object> l = new ArrayList<>();
                    ws();
                    if (peek(']')) {
                        i++;
                        return l;
                    }
                    while (true) {
                        l.add(value());
                        ws();
                        if (peek(',')) {
                            i++;
                        } else {
                            expect(']');
                            return l;
                        }
                    }
                }
                case '"':
                    return string();
                case 't':
                    return word("true", Boolean.TRUE);
                case 'f':
                    return word("false", Boolean.FALSE);
                case 'n':
                    return word("null", null);
                default: {
                    int start = i;
                    if (peek('-')) {
                        i++;
                    }
                    while (i < s.length() && Character.isDigit(s.charAt(i))) {
                        i++;
                    }
                    if (start == i) {
                        throw err("unexpected character '" + c + "'");
                    }
                    return Long.parseLong(s.substring(start, i));
                }
            }
        }

        private Object word(String w, Object v) {
            if (!s.startsWith(w, i)) {
                throw err("expected " + w);
            }
            i += w.length();
            return v;
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                if (i >= s.length()) {
                    throw err("unterminated string");
                }
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c == '\\') {
                    if (i >= s.length()) {
                        throw err("unterminated escape");
                    }
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case '"', '\\', '/' -> b.append(e);
                        case 'u' -> {
                            if (i + 4 > s.length() || !s.substring(i, i + 4).matches("[0-9a-fA-F]{4}")) {
                                throw err("\\u needs four hex digits");
                            }
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> throw err("unknown escape \\" + e);
                    }
                } else {
                    b.append(c);
                }
            }
        }

        private boolean peek(char c) {
            return i < s.length() && s.charAt(i) == c;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw err("expected '" + c + "'");
            }
            i++;
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private IllegalArgumentException err(String what) {
            return new IllegalArgumentException("spec: JSON error at character " + i + ": " + what);
        }
    }
}
