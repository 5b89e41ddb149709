package dev.tape.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tape.asm.Disassembler;
import dev.tape.program.Function;
import dev.tape.program.HostSig;
import dev.tape.program.Program;
import dev.tape.program.ProgramEncoder;
import dev.tape.program.SectionTag;
import dev.tape.program.StructType;
import dev.tape.program.ValueType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tape inspect FILE [--json]}: what a program holds, without running or verifying it: its
 * sections with their byte offsets and sizes, its functions (id, name, signature, registers, code
 * and span sizes), its host imports (symbol, signature, signature hash) and its types. A host
 * symbol id the symbol table has no entry for (the verifier refuses it) is shown as declared,
 * {@code symbol #N (out of range)}, and in JSON as {@code "symbol": null} beside
 * {@code "symbol_id"} (id 0, which the format reserves, never gets here: the decoder refuses a
 * host import naming it). The text form prints every name (function, host symbol, field) as the
 * disassembler does ({@link Disassembler#name(String)}): an identifier as it is, anything else as a
 * quoted string literal with {@code "} and backslashes escaped, controls and the other characters
 * {@link Escape#text(String)} escapes as escapes, uncut; so each line is one line, and two
 * programs that differ in a name never print the same line for it (a name spelled
 * {@code symbol #7 (out of range)} prints quoted, a newline and a backslash followed by {@code n}
 * differ). A field the field-name table has no entry for prints as {@code ?}, which no name
 * prints as. The JSON form keeps names exact, with every non-ASCII character written as a
 * {@code \\uXXXX} escape so the output is plain ASCII. Work and output are linear in the file's
 * size.
 */
@Command(name = "inspect",
        description = {"List a program's sections, functions, host imports and types (it is decoded, not verified).",
            "Text by default; --json for one JSON object."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the listing was printed", "2:bad usage, an unreadable file, or bytes that do not decode"})
public final class InspectCommand implements Callable<Integer> {
    /** Creates the command; picocli fills in its parameters. */
    public InspectCommand() {}

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "A binary .tape file, or text assembly (.tasm).")
    Path file;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Override
    public Integer call() throws CliException {
        Program p;
        byte[] bytes;
        if (ProgramFiles.isAssembly(file)) {
            p = ProgramFiles.load(file);
            bytes = ProgramEncoder.encode(p);
        } else {
            bytes = ProgramFiles.readProgram(file);
            p = ProgramFiles.decode(file, bytes);
        }
        Map<String, Object> model = model(p, bytes);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            try {
                ObjectMapper m = new ObjectMapper(JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build())
                        .enable(SerializationFeature.INDENT_OUTPUT);
                out.println(m.writeValueAsString(model));
            } catch (JsonProcessingException e) {
                throw new CliException(Escape.path(file) + ": cannot write JSON: " + Escape.text(e.getOriginalMessage()));
            }
        } else {
            text(out, model);
        }
        return ExitCodes.OK;
    }

    /** The listing as maps and lists (the JSON form; the text form prints the same fields). */
    static Map<String, Object> model(Program p, byte[] bytes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bytes", bytes.length);
        m.put("sections", sections(bytes));
        List<Object> fns = new ArrayList<>();
        for (int id = 0; id < p.functions().size(); id++) {
            Function f = p.functions().get(id);
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("id", id);
            fm.put("name", p.functionName(id));
            fm.put("args", types(f.sig().args()));
            fm.put("rets", types(f.sig().rets()));
            fm.put("registers", f.declaredRegCount());
            fm.put("code_bytes", f.codeLength());
            fm.put("span_entries", f.spans().size());
            fns.add(fm);
        }
        m.put("functions", fns);
        List<Object> hosts = new ArrayList<>();
        for (int i = 0; i < p.hostSigs().size(); i++) {
            HostSig h = p.hostSigs().get(i);
            Map<String, Object> hm = new LinkedHashMap<>();
            hm.put("id", i);
            // the symbol id as declared (0 to 2^32-1); the symbol null when the table has no such entry
            hm.put("symbol_id", h.declaredSymbolId());
            hm.put("symbol", h.declaredSymbolId() > 0 && h.declaredSymbolId() < p.symbols().size()
                    ? p.symbols().get(h.symbolId()) : null);
            hm.put("args", types(h.args()));
            hm.put("rets", types(h.rets()));
            hm.put("sig_hash", String.format(Locale.ROOT, "0x%016x", h.sigHash()));
            hosts.add(hm);
        }
        m.put("host_imports", hosts);
        List<Object> structs = new ArrayList<>();
        List<String> fieldNames = p.types().fieldNames();
        for (int i = 0; i < p.types().structs().size(); i++) {
            List<Object> fields = new ArrayList<>();
            for (StructType.Field f : p.types().structs().get(i).fields()) {
                Map<String, Object> fm = new LinkedHashMap<>();
                fm.put("name", f.nameId() >= 0 && f.nameId() < fieldNames.size() ? fieldNames.get(f.nameId()) : null);
                fm.put("type", f.type().toString());
                fields.add(fm);
            }
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("id", i);
            sm.put("fields", fields);
            structs.add(sm);
        }
        m.put("structs", structs);
        m.put("array_elements", types(p.types().arrayElems()));
        return m;
    }

    private static List<String> types(List<ValueType> ts) {
        List<String> out = new ArrayList<>(ts.size());
        for (ValueType t : ts) {
            out.add(t.toString());
        }
        return out;
    }

    /**
     * The container's sections in file order (spec section "Container format (sections)"): the
     * 12-byte header, then per section a tag byte, a ULEB128 length and the payload. The program
     * decoded, so the framing is known to be sound.
     */
    static List<Object> sections(byte[] b) {
        List<Object> out = new ArrayList<>();
        int at = 12;
        while (at < b.length) {
            int tag = b[at] & 0xFF;
            int pos = at + 1;
            long len = 0;
            for (int shift = 0; pos < b.length && shift < 64; shift += 7) {
                int x = b[pos++] & 0xFF;
                len |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    break;
                }
            }
            SectionTag t = SectionTag.fromTag(tag);
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("tag", tag);
            s.put("name", t == null ? "unknown" : t.label());
            s.put("offset", at);
            s.put("size", len);
            out.add(s);
            long next = pos + len;
            if (next <= at || next > b.length) {
                break;
            }
            at = (int) next;
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private void text(PrintWriter out, Map<String, Object> m) {
        List<Object> sections = (List<Object>) m.get("sections");
        out.println(Escape.path(file) + ": " + m.get("bytes") + " bytes, " + sections.size() + " sections");
        for (Object o : sections) {
            Map<String, Object> s = (Map<String, Object>) o;
            out.println("  section " + s.get("tag") + " " + s.get("name") + ": offset " + s.get("offset") + ", "
                    + s.get("size") + " bytes");
        }
        List<Object> fns = (List<Object>) m.get("functions");
        out.println(fns.size() + (fns.size() == 1 ? " function" : " functions"));
        for (Object o : fns) {
            Map<String, Object> f = (Map<String, Object>) o;
            Object name = f.get("name");
            out.println("  func " + f.get("id") + (name == null ? "" : " (" + Disassembler.name((String) name) + ")")
                    + ": " + sig(f) + ", " + f.get("registers") + " registers, " + f.get("code_bytes") + " code bytes, "
                    + f.get("span_entries") + " span entries");
        }
        List<Object> hosts = (List<Object>) m.get("host_imports");
        out.println(hosts.size() + (hosts.size() == 1 ? " host import" : " host imports"));
        for (Object o : hosts) {
            Map<String, Object> h = (Map<String, Object>) o;
            Object symbol = h.get("symbol");
            out.println("  host " + h.get("id") + " " + (symbol == null ? "symbol #" + h.get("symbol_id") + " (out of range)"
                    : Disassembler.name((String) symbol))
                    + ": " + sig(h) + " hash " + h.get("sig_hash"));
        }
        List<Object> structs = (List<Object>) m.get("structs");
        List<String> elems = (List<String>) m.get("array_elements");
        out.println(structs.size() + (structs.size() == 1 ? " struct type, " : " struct types, ") + elems.size()
                + (elems.size() == 1 ? " array element type" : " array element types"));
        for (Object o : structs) {
            Map<String, Object> s = (Map<String, Object>) o;
            StringBuilder b = new StringBuilder("  struct " + s.get("id") + " (");
            List<Object> fields = (List<Object>) s.get("fields");
            for (int i = 0; i < fields.size(); i++) {
                Map<String, Object> f = (Map<String, Object>) fields.get(i);
                Object name = f.get("name");
                b.append(i > 0 ? ", " : "").append(name == null ? "?" : Disassembler.name((String) name)).append(": ")
                        .append(f.get("type"));
            }
            out.println(b.append(')'));
        }
        for (int i = 0; i < elems.size(); i++) {
            out.println("  array " + i + " of " + elems.get(i));
        }
    }

    @SuppressWarnings("unchecked")
    private static String sig(Map<String, Object> m) {
        return "(" + String.join(", ", (List<String>) m.get("args")) + ") -> ("
                + String.join(", ", (List<String>) m.get("rets")) + ")";
    }
}
